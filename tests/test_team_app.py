"""The app on a team database (tests/pg.py): the list, its search and paging, and another agent's
change reaching an open list through LISTEN/NOTIFY."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from screens.app import WorkbenchApp
from screens.home import HomeScreen
from tests.conftest import fixed_clock, seed_cases
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import open_store
from workbench.store.pg.store import PgStore


@pytest.fixture
def team_store(pg_url: str, playbook: Playbook) -> Iterator[PgStore]:
    store = open_store(pg_url, playbook, clock=fixed_clock)
    assert isinstance(store, PgStore)
    yield store
    store.close()


async def test_the_list_shows_searches_and_hears_another_agent(
    team_store: PgStore, pg_url: str, playbook: Playbook
) -> None:
    seed_cases(team_store)
    app = WorkbenchApp(team_store, playbook, clock=fixed_clock, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert len(home.rows) == 5

        async def until(condition: Callable[[], bool]) -> bool:
            for _ in range(60):  # the team list looks every 0.5 s; give it 3 s at most
                if condition():
                    return True
                await pilot.pause(0.05)
            return False

        with open_store(pg_url, playbook, clock=fixed_clock) as other:  # another agent
            other.create(Escalation(title="Reported by a colleague", customer="Wayne"))
        assert await until(lambda: "Reported by a colleague" in [r.title for r in home.rows])
        await pilot.press("slash", *"colleag", "enter")
        assert await until(lambda: [r.title for r in home.rows] == ["Reported by a colleague"])
