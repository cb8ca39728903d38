"""The open case's step screens are kept between switches (screens/kept.py): shown again, a kept
screen catches up with what changed elsewhere (another window, the CLI), and it is let go when
its case closes, so another case never shows through it."""

from __future__ import annotations

from textual.widgets import Input

from screens.impact import ImpactScreen
from tests.conftest import AppFactory, new_case
from workbench.models import Escalation
from workbench.store import Store


async def test_a_kept_screen_is_the_same_screen_and_catches_up_with_another_writer(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, ImpactScreen)
        await pilot.press("f2")
        # Another window (or `workbench` in a shell) changes the case meanwhile.
        stored = store.get(case.id)
        stored.impact.customers_affected = 37
        store.save(stored)
        await pilot.press("f3")
        assert app.screen is first  # kept, not built again
        assert first.query_one("#customers_affected", Input).value == "37"


async def test_another_case_lets_the_first_case_s_screens_go(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    assert case.id is not None
    other = new_case(store, title="Another case entirely")
    assert other.id is not None
    other.impact.customers_affected = 5
    store.save(other)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        first = app.screen
        await pilot.press("escape")
        assert app.kept.screens == {"impact": first}  # the case just left may come back
        assert app.open_case(other.id, "impact")
        await pilot.pause()
        assert app.kept.screens == {"impact": app.screen}
        assert app.screen is not first
        assert not first.is_attached  # let go
        assert isinstance(app.screen, ImpactScreen)
        assert app.screen.query_one("#customers_affected", Input).value == "5"


async def test_the_case_just_left_comes_back_kept_and_up_to_date(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        first = app.screen
        await pilot.press("escape")
        stored = store.get(case.id)  # changed while the list showed (the CLI, another window)
        stored.impact.customers_affected = 12
        store.save(stored)
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        assert app.screen is first
        assert first.query_one("#customers_affected", Input).value == "12"
