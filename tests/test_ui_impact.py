"""Impact: numbers read strictly, times read and described, yes/no kept apart from "not answered",
levels, score, severity, override, signals, the BUSINESS IMPACT wording and its lint findings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from screens.app import WorkbenchApp
from screens.dialogs import OverrideDialog
from screens.impact import ImpactScreen
from screens.widgets import (
    AnswerCheckbox,
    BulletList,
    DimensionHeading,
    SidePanel,
    TickList,
    parse_number,
)
from tests.conftest import NOW, AppFactory
from workbench.models import Escalation
from workbench.store import Store


async def _open(app: WorkbenchApp, pilot: Pilot[None], case: Escalation) -> ImpactScreen:
    assert case.id is not None
    assert app.open_case(case.id, "impact")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ImpactScreen)
    return screen


def _text(screen: ImpactScreen, selector: str) -> str:
    section = selector.removeprefix("#impact-")
    if section in ("severity", "reasons", "lint"):
        return screen.query_one("#impact-panel", SidePanel).plain(section)
    widget = screen.query_one(selector)
    if isinstance(widget, BulletList):
        return widget.plain
    assert isinstance(widget, Static)
    return str(widget.render())


@pytest.mark.parametrize(
    ("text", "integer", "value"),
    [
        ("1200", True, 1200),
        ("1,200", True, 1200),
        ("180k", False, 180_000),
        ("$180k", False, 180_000),
        ("€2.5m", False, 2_500_000),
        ("1.5k", True, 1500),
        ("", True, None),
    ],
)
def test_parse_number_accepts(text: str, integer: bool, value: float | None) -> None:
    assert parse_number(text, integer=integer) == (value, None)


@pytest.mark.parametrize(
    ("text", "integer", "why"),
    [
        ("many", True, "not adjectives"),
        ("1,2", True, "Not a number"),
        ("-5", True, "negative"),
        ("2.5", True, "whole number"),
        ("12 customers", True, "Not a number"),
    ],
)
def test_parse_number_refuses(text: str, integer: bool, why: str) -> None:
    value, error = parse_number(text, integer=integer)
    assert value is None and error is not None and why in error


async def test_numbers_typed_saved_or_explained(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        assert screen.query_one("#customers_affected", Input).has_focus
        await pilot.press("x")
        assert "not adjectives" in _text(screen, "#note-customers_affected")
        screen.flush_edits()
        assert store.get(case.id or 0).impact.customers_affected is None  # never stored
        await pilot.press("ctrl+u", "1", "2", "tab")
        assert store.get(case.id or 0).impact.customers_affected == 12  # saved on leaving
        await pilot.press("2", "k")
        assert _text(screen, "#note-customers_affected") == ""
        await pilot.press("f2")  # leaving the step saves what was typed
        stored = store.get(case.id or 0).impact
        assert (stored.customers_affected, stored.end_users_affected) == (12, 2000)


async def test_money_time_select_and_answers(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        screen.query_one("#arr_exposed", Input).value = "€180k"
        screen.query_one("#started_at", Input).value = "-3h"
        screen.query_one("#critical_at", Input).value = "whenever"
        await pilot.pause()
        assert "3 h ago" in _text(screen, "#note-started_at")
        assert "Not understood" in _text(screen, "#note-critical_at")
        screen.flush_edits()
        impact = store.get(case.id or 0).impact
        assert (impact.arr_exposed, impact.currency) == (180_000, "€")
        assert impact.started_at == NOW - timedelta(hours=3)
        assert impact.critical_at is None
        # Select: depth is saved at once; blank means "not answered".
        depth: Select[str] = screen.query_one("#depth", Select)
        depth.value = "blocked"
        await pilot.pause()
        assert store.get(case.id or 0).impact.depth == "blocked"
        assert screen.query_one("#level-depth", DimensionHeading).level == 3
        depth.clear()
        await pilot.pause()
        assert store.get(case.id or 0).impact.depth is None
        # Yes/no: not answered -> yes -> no -> not answered again.
        growing = screen.query_one("#growing", AnswerCheckbox)
        growing.focus()
        await pilot.press("space")
        assert store.get(case.id or 0).impact.growing is True
        await pilot.press("space")
        assert store.get(case.id or 0).impact.growing is False
        await pilot.press("delete")
        assert store.get(case.id or 0).impact.growing is None
        assert "not answered" in str(growing.label)


async def test_a_start_in_the_future_is_refused(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        screen.query_one("#started_at", Input).value = "+2h"
        await pilot.pause()
        assert "cannot have started in the future" in _text(screen, "#note-started_at")
        screen.flush_edits()
        assert store.get(case.id or 0).impact.started_at is None
        screen.query_one("#started_at", Input).value = "-2h"
        await pilot.pause()
        assert "2 h ago" in _text(screen, "#note-started_at")
        screen.flush_edits()
        assert store.get(case.id or 0).impact.started_at == NOW - timedelta(hours=2)


async def test_levels_score_severity_and_signals(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open(app, pilot, case)
        assert "Answer a question or tick a signal" in _text(screen, "#impact-severity")
        # The signals are one tick list: arrows move, space ticks, `[x]` shows it.
        signals = screen.query_one("#impact-signals", TickList)
        signals.focus()
        await pilot.press(*["down"] * list(app.playbook.signals).index("service_down"), "space")
        await pilot.pause()
        assert "[x] Service down" in signals.render_line(signals.highlighted or 0).text
        assert store.get(case.id or 0).impact.signals == {"service_down": True}
        severity = _text(screen, "#impact-severity")
        assert "Suggested: Critical" in severity
        assert "Service down" in _text(screen, "#impact-reasons")
        screen.query_one("#sla", Select).value = "breached"
        await pilot.pause()
        assert screen.query_one("#level-contractual", DimensionHeading).level == 3
        assert "■■■ High" in str(screen.query_one("#level-contractual", DimensionHeading).render())
        signals.focus()
        await pilot.press("space")
        await pilot.pause()
        assert "[ ] Service down" in signals.render_line(signals.highlighted or 0).text
        assert store.get(case.id or 0).impact.signals == {}


async def test_override_severity_with_ctrl_o(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        await pilot.press("ctrl+o")  # from inside a text field
        assert isinstance(app.screen, OverrideDialog)
        await pilot.press("up", "up", "enter")
        app.screen.query_one("#override-reason", Input).value = "Exec sponsor escalated"
        await pilot.press("enter")
        override = store.get(case.id or 0).severity_override
        assert override is not None
        assert (override.value, override.reason) == ("critical", "Exec sponsor escalated")
        assert "Overridden to: Critical" in _text(screen, "#impact-severity")


async def test_business_impact_wording_and_lint(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        lint = screen.query_one("#lint-bi-affected_customers")
        assert not lint.display
        screen.query_one("#bi-affected_customers", Input).value = "many customers"
        await pilot.pause()
        screen.flush_edits()
        assert store.get(case.id or 0).business_impact.affected_customers == "many customers"
        assert lint.display
        assert isinstance(lint, BulletList) and "many" in lint.plain


async def test_keys_typed_ahead_of_a_tab_land_in_the_next_field(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    """A burst (a fast typist, a paste into tmux): every key is queued before any is handled."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        burst = [("1", "1"), ("2", "2"), ("tab", "\t"), ("3", "3"), ("tab", "\t"), ("space", " ")]
        for key, character in burst:
            app.post_message(events.Key(key, character))
        # The burst is handled over several message-loop turns (focus moves between keys); let
        # them all run, however busy the machine, before looking.
        for _ in range(5):
            await pilot.pause()
        screen.flush_edits()
        impact = store.get(case.id or 0).impact
        assert (impact.customers_affected, impact.end_users_affected, impact.growing) == (
            12,
            3,
            True,
        )
