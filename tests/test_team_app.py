"""The app on a team database (tests/pg.py): the list, its search and paging, and another agent's
change reaching an open list through LISTEN/NOTIFY."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

from screens.app import WorkbenchApp
from screens.home import HomeScreen
from tests.conftest import NOW, fixed_clock, seed_cases
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


async def test_the_server_away_keeps_the_text_and_saves_it_when_back(
    pg_url: str, pg_admin_url: str, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away while an agent types: one line says so, the text stays on screen,
    and it is saved, without a key, once the server is back."""
    import screens.case_base
    from screens.widgets import FieldInput

    monkeypatch.setattr(screens.case_base, "RETRY_SAVE_AFTER", 0.2)
    database = urlsplit(pg_url).path.lstrip("/")
    store = PgStore(pg_url, playbook, clock=fixed_clock, pool_wait=0.5)
    case_id = store.create(Escalation(title="Original")).id or 0
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.open_case(case_id, "details")
            await pilot.pause()
            screen = app.screen
            customer = next(w for w in screen.query(FieldInput) if w.path == "customer")
            customer.focus()
            with psycopg.connect(pg_admin_url, autocommit=True) as admin:  # the server goes away
                admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (database,),
                )
                await pilot.press(*"Initech")
                assert not screen.flush_edits()  # type: ignore[attr-defined]
                await pilot.pause()
                errors = [str(n.message) for n in app._notifications]
                assert any("not reachable" in e and "\n" not in e for e in errors), errors
                assert customer.value == "Initech", "the typed text left the screen"
                admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            for _ in range(100):  # retried every 0.2 s here: 5 s at most
                await pilot.pause(0.05)
                if screen.saved_indicator.state == "saved":  # type: ignore[attr-defined]
                    break
            with open_store(pg_url, playbook) as other:
                assert other.get(case_id).customer == "Initech", "what was typed was lost"
    finally:
        store.close()


async def test_m_shows_mine_or_the_team_s(
    pg_url: str, pg_admin_url: str, playbook: Playbook
) -> None:
    from tests.pg import as_role, drop_roles
    from workbench.store.pg.team import TeamAdmin

    prefix = "agent_app_mine_"
    admin = TeamAdmin(pg_url)
    admin.init()
    admin.add_agent(prefix + "gina", password=None)
    try:
        with open_store(pg_url, playbook, clock=fixed_clock) as lead:  # the owner's own case
            lead.create(Escalation(title="The lead's case"))
        store = open_store(as_role(pg_url, prefix + "gina"), playbook, clock=fixed_clock)
        store.create(Escalation(title="Gina's case"))
        app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)
        async with app.run_test(size=(120, 40)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            assert len(home.rows) == 2
            await pilot.press("m")
            assert [r.title for r in home.rows] == ["Gina's case"]
            await pilot.press("m")
            assert len(home.rows) == 2
        store.close()
    finally:
        drop_roles(pg_admin_url, prefix)


async def test_the_change_log_says_who(team_store: PgStore, playbook: Playbook) -> None:
    """On a team database the timeline's change log has a "Who" column: the server's author."""
    from textual.widgets import DataTable

    case = team_store.create(Escalation(title="Export times out", customer="Acme"))
    case.narrative = "Written by the connected role."
    team_store.save(case)
    app = WorkbenchApp(team_store, playbook, clock=fixed_clock, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.open_case(case.id or 0, "timeline")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        table = app.screen.query_one("#timeline-changes", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[-1] == "Who"
        who = {str(table.get_row_at(i)[-1]) for i in range(table.row_count)}
        assert who == {team_store.agent()}


async def test_the_follow_up_log_says_who_logged_each_entry(
    team_store: PgStore, playbook: Playbook
) -> None:
    from screens.timeline import TimelineRow
    from workbench.followup import log_update
    from workbench.models import LogKind

    case = team_store.create(Escalation(title="Export times out", customer="Acme"))
    log_update(case, LogKind.NOTE, "Two more merchants", now=NOW)
    team_store.save(case)
    app = WorkbenchApp(team_store, playbook, clock=fixed_clock, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.open_case(case.id or 0, "timeline")
        await pilot.pause()
        rows = list(app.screen.query(TimelineRow))
        noted = [row for row in rows if row.item.summary == "Two more merchants"]
        assert [row.item.author for row in noted] == [team_store.agent()]
        assert all(row.item.author is None for row in rows if row not in noted)  # "Opened"
