"""Shared by the timeline screen tests (tests/test_ui_timeline_*.py): a clock the tests move by
hand, a case escalated a few hours ago, and the helpers that open the timeline, fill its fields
and read what it shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from screens.app import WorkbenchApp
from screens.dialogs import EscalateDialog
from screens.timeline import TimelineScreen
from tests.conftest import NOW, new_case
from workbench.followup import escalate
from workbench.models import Escalation, Override
from workbench.playbook import Playbook
from workbench.store import Store


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def escalated_case(store: Store, severity: str = "critical", hours_ago: float = 3) -> Escalation:
    """Escalated `hours_ago` to Engineering; nothing logged since."""
    sent = NOW - timedelta(hours=hours_ago)
    case = new_case(store, "Checkout returns 500 for EU customers", customer="Globex")
    case.severity_override = Override(value=severity, reason="scored on the call", at=sent)
    escalate(case, store.playbook, "engineering", "Payments squad", sent)
    return store.save(case)


def make(store: Store, playbook: Playbook, clock: Clock) -> WorkbenchApp:
    return WorkbenchApp(store, playbook, clock=clock, bell=False)


async def open_timeline(app: WorkbenchApp, pilot: Pilot[None], case_id: int) -> TimelineScreen:
    app.open_case(case_id, "timeline")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, TimelineScreen)
    return screen


async def open_escalate_dialog(
    app: WorkbenchApp, pilot: Pilot[None], case_id: int
) -> EscalateDialog:
    """The case's timeline, and `x` on it: the escalate dialog."""
    await open_timeline(app, pilot, case_id)
    await pilot.press("x")
    dialog = app.screen
    assert isinstance(dialog, EscalateDialog)
    return dialog


async def type_text(app: WorkbenchApp, pilot: Pilot[None], text: str) -> None:
    """Put text into the focused field at once (the keys under test are pressed; typing every
    character of a sentence would only make the suite slow)."""
    focused = app.focused
    if isinstance(focused, Input):
        focused.value = text
        focused.cursor_position = len(text)
    elif isinstance(focused, TextArea):
        focused.text = text
    else:
        raise AssertionError(f"no text field has focus: {focused!r}")
    await pilot.pause()


def text_of(screen: TimelineScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())
