"""The timeline screen driven by its keys: log an update, re-assess, escalate, de-escalate, resolve,
reopen, the change log, the live countdown, and the follow-up reminders. The clock is injected and
moved by the tests; nothing sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from screens.app import WorkbenchApp
from screens.dialogs import (
    DeEscalateDialog,
    EscalateDialog,
    LogUpdateDialog,
    ReassessDialog,
    ResolveDialog,
)
from screens.reminders import Reminders
from screens.timeline import TimelineRow, TimelineScreen, field_label
from screens.widgets import TickList
from tests.conftest import NOW, new_case, settle_until
from workbench.followup import escalate, log_update
from workbench.models import Escalation, LogKind, Override, Status
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


# -- logging ------------------------------------------------------------------------------------------
async def test_log_a_customer_update_in_a_couple_of_keys(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store)  # critical, sent 11:00: customer 13:00-15:00, now 14:00
    clock = Clock()
    app = make(store, playbook, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        assert "Customer update due 13:00–15:00 (due now, latest in 1 h)" in text_of(
            screen, "#due-customer"
        )
        await pilot.press("l")
        assert isinstance(app.screen, LogUpdateDialog)
        await pilot.press("c", *"Fix in review")  # typed: these keys are what is tested
        await pilot.press("tab")
        await type_text(app, pilot, "Shared PAY-12")
        await pilot.press("tab")
        await type_text(app, pilot, "Fix live by 18:00")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        stored = store.get(case.id or 0)
        entry = stored.log[-1]
        assert entry.kind is LogKind.CUSTOMER_UPDATE
        assert entry.summary == "Fix in review"
        assert entry.detail == "Shared PAY-12"
        assert entry.expectation == "Fix live by 18:00"
        assert entry.at == NOW
        # Rescheduled from now: 16:00-18:00, and the newest row is the update.
        assert "Customer update due 16:00–18:00 (in 2 h)" in text_of(screen, "#due-customer")
        first = screen.query(TimelineRow).first()
        assert first.item.summary == "Fix in review"
        assert "Fix live by 18:00" in str(first.query_one(".timeline-body", Static).render())


def burst(app: WorkbenchApp, keys: str) -> None:
    """Queue every key before any is handled: a fast typist, or a paste into the terminal. A
    newline is enter, a tab is tab."""
    names = {"\n": "enter", "\t": "tab", " ": "space"}
    for char in keys:
        app.post_message(events.Key(names.get(char, char), "\r" if char == "\n" else char))


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(6):  # the burst is handled over several turns of the message loops
        await pilot.pause()


def burst_keys(app: WorkbenchApp, *keys: str) -> None:
    """Queue these keys (names: "down", "enter", or one character) before any is handled."""
    for key in keys:
        char = key if len(key) == 1 else {"enter": "\r", "space": " "}.get(key)
        app.post_message(events.Key(key, char))


async def test_the_key_that_opens_a_dialog_and_the_keys_after_it_in_one_burst(
    store: Store, playbook: Playbook
) -> None:
    """Found in tmux: x, down, down, enter typed at once opened the escalation dialog and lost
    the rest (it had no focus yet). They are held until it has, then handed on in order; and
    the "g" typed after the closing enter reaches the timeline (it was dropped)."""
    case = new_case(store, "SSO loop", customer="Initech")
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        burst_keys(app, "x", "down", "down", "enter", *"Dana", "enter", "g")
        await settle_until(pilot, lambda: screen.showing_changes)
        stored = store.get(case.id or 0)
        assert stored.escalation is not None
        order = [d.id for d in playbook.destinations]
        assert (stored.escalation.destination, stored.escalation.receiver) == (order[2], "Dana")
        assert app.screen is screen and screen.showing_changes


async def test_a_paste_keeps_its_place_among_the_keys_typed_before_it(
    store: Store, playbook: Playbook
) -> None:
    """A bracketed paste is one event: typed right after the key that opens the dialog, it waits
    with the keys before it for the dialog's field (it went to the timeline)."""
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        burst_keys(app, "l", "t")
        app.post_message(events.Paste("Payments squad is on it"))
        burst_keys(app, "enter")
        await settle_until(pilot, lambda: len(store.get(case.id or 0).log) > len(case.log))
        entry = store.get(case.id or 0).log[-1]
        assert (entry.kind, entry.summary) == (LogKind.TEAM_CHECKIN, "Payments squad is on it")


async def test_keys_after_a_refused_enter_do_not_replace_the_text_in_the_dialog(
    store: Store, playbook: Playbook
) -> None:
    """A team check-in before the case has a receiving team is refused: the dialog stays, with
    what was typed; the "g" typed after the enter was meant for the timeline, and is dropped
    rather than typed over the summary (focus goes back to it, its text selected)."""
    case = new_case(store, "SSO loop", customer="Initech")
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        burst_keys(app, "l", "t", *"Called", "space", *"ok", "enter", "g")
        await settle_until(pilot, lambda: isinstance(app.focused, Input) and not app._held_keys)
        for _ in range(5):
            await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LogUpdateDialog)
        assert dialog.query_one("#log-summary", Input).value == "Called ok"
        assert not screen.showing_changes
        assert len(store.get(case.id or 0).log) == len(case.log)


async def test_an_update_typed_in_one_burst_lands_in_its_fields(
    store: Store, playbook: Playbook
) -> None:
    """l, t, a summary and enter in one burst: the kind key moves on as it arrives, the summary
    is whole, and enter saves after the field has taken every key."""
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("l")
        assert isinstance(app.screen, LogUpdateDialog)
        # "g" after the enter is meant for the timeline: it must not slip into the detail.
        burst(app, "tCalled the payments team\tnext step: canary\ng")
        await settle(pilot)
        assert app.screen is screen
        entry = store.get(case.id or 0).log[-1]
        assert (entry.kind, entry.summary, entry.detail) == (
            LogKind.TEAM_CHECKIN,
            "Called the payments team",
            "next step: canary",
        )


async def test_a_second_confirm_queued_behind_the_first_does_not_close_the_case(
    store: Store, playbook: Playbook
) -> None:
    """Found in review: enter then ctrl+s (or enter twice) in one burst dismissed the dialog
    and then popped the timeline under it."""
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        before = len(store.get(case.id or 0).log)
        for keys in ("\n", "\n\n"):
            await pilot.press("l")
            burst(app, f"tSquad on it{keys}")
            app.post_message(events.Key("ctrl+s", None))
            await settle(pilot)
            assert app.screen is screen
        assert len(store.get(case.id or 0).log) == before + 2


async def test_an_escalation_typed_in_one_burst(store: Store, playbook: Playbook) -> None:
    case = new_case(store, "SSO loop", customer="Initech")
    case.severity_override = Override(value="high", reason="key customer blocked", at=NOW)
    case = store.save(case)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("x")
        assert isinstance(app.screen, EscalateDialog)
        destination = app.screen.order[0]
        burst(app, "\nDana on call\n")  # the highlighted destination, then the receiver
        await settle(pilot)
        stored = store.get(case.id or 0)
        assert stored.escalation is not None
        assert (stored.escalation.destination, stored.escalation.receiver) == (
            destination,
            "Dana on call",
        )


async def test_a_reassessment_typed_in_one_burst(store: Store, playbook: Playbook) -> None:
    """Found in tmux: "c", a reason and enter typed at once left the reason empty (the letters
    went to the severity list, where c/h/m pick again)."""
    case = escalated_case(store, severity="high")
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("r")
        assert isinstance(app.screen, ReassessDialog)
        burst(app, "cService down in the EU, checkout at 0 percent\n")
        await settle(pilot)
        stored = store.get(case.id or 0)
        assert stored.severity_override is not None
        assert (stored.severity_override.value, stored.severity_override.reason) == (
            "critical",
            "Service down in the EU, checkout at 0 percent",
        )


async def test_log_dialog_keeps_an_empty_summary_and_saves_nothing(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("l", "t", "enter")
        assert isinstance(app.screen, LogUpdateDialog)
        error = str(app.screen.query_one("#followup-error", Static).render())
        assert "one-line summary" in error
        assert app.focused is app.screen.query_one("#log-summary", Input)  # back to the field
        await pilot.press(*"Squad paged")
        assert app.screen.query_one("#log-summary", Input).value == "Squad paged"
        await pilot.press("escape")
        assert store.get(case.id or 0).log == case.log


async def test_log_a_team_checkin_earlier_today(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("l", "t")
        await type_text(app, pilot, "Squad rolled back")
        await pilot.press("tab", "tab")
        await type_text(app, pilot, "13:30")
        await pilot.press("enter")
        await pilot.pause()
        entry = store.get(case.id or 0).log[-1]
        assert entry.kind is LogKind.TEAM_CHECKIN
        assert entry.at == NOW - timedelta(minutes=30)
        assert "Team check-in due 15:30 (" in text_of(screen, "#due-team")


# -- re-assess ----------------------------------------------------------------------------------------
async def test_reassess_down_with_a_reason_reschedules(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store, "critical", hours_ago=3)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        assert "OVERDUE by 1 h" in text_of(screen, "#due-team")  # team was due 13:00
        await pilot.press("r")
        assert isinstance(app.screen, ReassessDialog)
        await pilot.press("h")
        await type_text(app, pilot, "Workaround unblocks most users")
        await pilot.press("enter")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.severity_override is not None
        assert stored.severity_override.value == "high"
        assert stored.log[-1].kind is LogKind.SEVERITY
        assert stored.log[-1].summary == "Severity Critical -> High (down)"
        # High: team every 4 h from 11:00 -> 15:00, no longer overdue.
        assert "Team check-in due 15:00 (in 1 h)" in text_of(screen, "#due-team")
        assert "High" in text_of(screen, "#timeline-state")


async def test_reassess_to_the_same_severity_is_refused_in_the_dialog(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store, "high")
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("r", "h")
        await type_text(app, pilot, "same")
        await pilot.press("enter")
        assert isinstance(app.screen, ReassessDialog)
        assert "already High" in str(app.screen.query_one("#followup-error", Static).render())


# -- escalate -----------------------------------------------------------------------------------------
async def test_escalate_records_destination_receiver_and_starts_the_clocks(
    store: Store, playbook: Playbook
) -> None:
    case = new_case(store, "SSO loop", customer="Initech")
    case.severity_override = Override(value="high", reason="key customer blocked", at=NOW)
    case = store.save(case)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        assert "Not escalated" in text_of(screen, "#timeline-state")
        assert not screen.query_one("#due-team").display
        await pilot.press("x")
        assert isinstance(app.screen, EscalateDialog)
        # The suggested destinations come first; pick Security with the arrows, then the receiver.
        order = app.screen.order
        await pilot.press(*["down"] * order.index("security"), "enter")
        await type_text(app, pilot, "Dana (sec on-call)")
        await pilot.press("enter")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.ESCALATED
        assert stored.escalation is not None
        assert stored.escalation.destination == "security"
        assert stored.escalation.receiver == "Dana (sec on-call)"
        assert stored.escalation.sent_at == NOW
        assert screen.query_one("#due-team").display
        assert "Team check-in due 18:00 (in 4 h)" in text_of(screen, "#due-team")
        assert "to Security (Dana (sec on-call)) at 14:00" in text_of(screen, "#timeline-state")


async def test_escalation_sent_before_the_case_opened_is_refused(
    store: Store, playbook: Playbook
) -> None:
    case = new_case(store, "SSO loop", customer="Initech")  # opened a day before NOW
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, EscalateDialog)
        dialog.query_one("#escalate-receiver", Input).value = "Dana"
        dialog.query_one("#escalate-at", Input).value = "3 days ago"
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        error = str(dialog.query_one("#followup-error", Static).render())
        assert "before the case was opened" in error
        dialog.query_one("#escalate-at", Input).value = "2 h ago"
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.escalation is not None
        assert stored.escalation.sent_at == NOW - timedelta(hours=2)


# -- de-escalate --------------------------------------------------------------------------------------
async def test_de_escalation_checklist_partial_then_complete(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D")
        assert isinstance(app.screen, DeEscalateDialog)
        # Second condition (workaround found), first step (team notified), then save.
        await pilot.press("down", "space", "tab", "space", "ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.ESCALATED
        assert stored.de_escalation is not None
        assert stored.de_escalation.conditions["deesc.workaround_found"] is True
        assert stored.de_escalation.steps_done == {
            "deesc.notify_team": True,
            "deesc.record_status": False,
            "deesc.tell_customer": False,
            "deesc.document_findings": False,
        }
        assert "de-escalation 1/4 steps" in text_of(screen, "#timeline-state")

        # Again: the checklist is kept; tick the other three, write outcome and findings.
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, DeEscalateDialog)
        await pilot.press("tab", "down", "space", "down", "space", "down", "space")
        await pilot.press("tab")
        await type_text(app, pilot, "Retry with 3DS off; fix in PAY-12")
        await pilot.press("tab")
        await type_text(app, pilot, "3DS v1 forced for EU cards")
        ready = str(dialog.query_one("#deesc-missing", Static).render())
        assert ready.startswith("Ready")
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.DE_ESCALATED
        assert stored.log[-1].kind is LogKind.DE_ESCALATED
        assert "Findings: 3DS v1 forced for EU cards" in stored.log[-1].detail
        assert not screen.query_one("#due-team").display
        assert "De-escalated" in text_of(screen, "#timeline-state")


async def test_de_escalation_with_a_skipped_step_and_its_reason(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D", "down", "down", "space")  # the problem self-resolved
        # Steps 1, 2 and 4 done; 3 (tell the customer) skipped with a reason.
        await pilot.press("tab", "space", "down", "space", "down", "down", "space")
        await pilot.press("tab")
        await type_text(app, pilot, "Self-resolved after CDN purge")
        await pilot.press("tab")
        await type_text(app, pilot, "Stale CDN config")
        await pilot.press("tab", "tab", "tab")
        await type_text(app, pilot, "Customer reported it fixed themselves")
        await pilot.press("enter")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.DE_ESCALATED
        assert stored.de_escalation is not None
        assert stored.de_escalation.skipped == {
            "deesc.tell_customer": "Customer reported it fixed themselves"
        }


def _boxes(dialog: DeEscalateDialog | ResolveDialog, selector: str) -> list[str]:
    """The first cells of each line of a tick list: `[x]` or `[ ]` (or blank under a wrap)."""
    ticks = dialog.query_one(selector, TickList)
    return [ticks.render_line(y).text[:3] for y in range(ticks.size.height)]


async def test_dialog_ticks_read_x_or_blank_without_colour(
    store: Store, playbook: Playbook
) -> None:
    """De-escalate and Resolve draw `[x]` / `[ ]` as Triage does, not a colour-only button."""
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D", "down", "space")
        dialog = app.screen
        assert isinstance(dialog, DeEscalateDialog)
        boxes = [box for box in _boxes(dialog, "#deesc-conditions") if box.strip()]
        assert boxes == ["[ ]", "[x]", "[ ]", "[ ]"][: len(boxes)] and len(boxes) >= 2
        await pilot.press("escape", "R", "down", "space")
        resolve = app.screen
        assert isinstance(resolve, ResolveDialog)
        assert [b for b in _boxes(resolve, "#resolve-checks") if b.strip()] == ["[ ]", "[x]"]


async def test_de_escalate_says_which_field_a_step_needs(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, DeEscalateDialog)

        def missing() -> str:
            return str(dialog.query_one("#deesc-missing", Static).render())

        assert "tick a condition" in missing()
        assert "steps 1, 2, 3, 4: tick when done, or type why skipped" in missing()
        # Steps 2 (record the status) and 4 (document findings) ticked: each needs its text.
        await pilot.press("space", "tab", "down", "space", "down", "down", "space")
        assert "tick a condition" not in missing()
        assert "step 2 needs its Outcome text" in missing()
        assert "step 4 needs its Findings text" in missing()
        assert "steps 1, 3: tick when done, or type why skipped" in missing()
        await pilot.press("tab")
        await type_text(app, pilot, "Fixed by the config change")
        assert "step 2 needs" not in missing() and "step 4 needs its Findings text" in missing()


async def test_de_escalation_findings_take_a_pasted_multi_line_snippet(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    snippet = "3DS v1 is forced for EU cards\nsee PAY-12 for the flag"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, DeEscalateDialog)
        findings = dialog.query_one("#deesc-findings", TextArea)
        findings.focus()
        await pilot.pause()
        app.post_message(events.Paste(snippet))
        await pilot.pause()
        assert findings.text == snippet
        assert findings.size.height == 2  # it grows with its lines
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0).de_escalation
        assert stored is not None and stored.findings == snippet


async def test_enter_on_a_tick_list_saves_the_dialog(store: Store, playbook: Playbook) -> None:
    """Enter means save in every dialog; space ticks."""
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D", "space", "tab", "space", "enter")
        await pilot.pause()
        assert app.screen is screen
        stored = store.get(case.id or 0).de_escalation
        assert stored is not None
        assert any(stored.conditions.values())
        assert sum(stored.steps_done.values()) == 1


async def test_de_escalate_needs_an_escalated_case(store: Store, playbook: Playbook) -> None:
    case = new_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D")
        assert app.screen is screen


# -- resolve and reopen -------------------------------------------------------------------------------
async def test_resolve_requires_lessons_learned_then_stops_the_clocks(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("R")
        dialog = app.screen
        assert isinstance(dialog, ResolveDialog)
        # One tick list, as in De-escalate: the arrows move between its boxes, tab leaves it.
        await pilot.press("space", "down", "space", "tab")
        await type_text(app, pilot, "Hotfix 4.2.1 deployed")
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        assert "lessons learned are required" in str(
            dialog.query_one("#followup-error", Static).render()
        )
        assert dialog.focused is not None and dialog.focused.id == "resolve-lessons"
        await type_text(app, pilot, "Add EU cards to the smoke test")
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.RESOLVED
        assert stored.resolution is not None
        assert stored.resolution.customer_confirmed and stored.resolution.tracking_closed
        assert stored.resolution.lessons_learned == "Add EU cards to the smoke test"
        assert stored.log[-1].summary == "Resolved: Hotfix 4.2.1 deployed"
        assert not screen.query_one("#due-team").display
        assert "Add EU cards to the smoke test" in text_of(screen, "#timeline-state")
        # Lessons learned are searchable later.
        assert [row.id for row in store.list_cases(query="smoke test")] == [case.id]

        # R on a resolved case offers to reopen it, with a reason.
        await pilot.press("R")
        await type_text(app, pilot, "Errors are back")
        await pilot.press("enter")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.ESCALATED
        assert stored.log[-1].kind is LogKind.REOPENED


# -- change log, countdown ----------------------------------------------------------------------------
async def test_g_toggles_the_full_change_log(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("r", "h")
        await type_text(app, pilot, "Workaround")
        await pilot.press("enter")
        await pilot.press("g")
        table = screen.query_one("#timeline-changes", DataTable)
        assert table.display and screen.showing_changes
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        fields = [row[1] for row in rows]
        assert "Severity override · value" in fields
        change = rows[fields.index("Severity override · value")][2]
        assert change == "critical -> high"
        assert "Severity override · time" in fields
        # The re-assessment's log entry is one row, named as a reader says it.
        entry = next(
            row
            for row in rows
            if row[2] == "— -> + Severity change: Severity Critical -> High (down)"
        )
        assert entry[1].startswith("Log entry ") and entry[1].removeprefix("Log entry ").isdigit()
        # No raw path ("log.5", "severity_override.at") is shown.
        assert not any("." in field or "_" in field for field in fields)
        assert "Full change log" in text_of(screen, "#timeline-title")
        await pilot.press("g")
        assert not screen.showing_changes


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("log.5", "Log entry 6"),
        ("severity_override.at", "Severity override · time"),
        ("reproduction.steps.0.action", "Reproduction · step 1 · action"),
        ("impact.customers_affected", "Impact · customers affected"),
        ("status", "Status"),
    ],
)
def test_change_log_field_labels(path: str, label: str) -> None:
    assert field_label(path) == label


async def test_countdown_follows_the_clock_and_turns_red(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store, "critical", hours_ago=1)  # team due 15:00, customer 15:00-17:00
    clock = Clock()
    app = make(store, playbook, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        team = screen.query_one("#due-team", Static)
        assert "(in 1 h)" in str(team.render()) and not team.has_class("-overdue")
        clock.advance(minutes=48)
        screen.tick()
        assert "(in 12 m)" in str(team.render())
        clock.advance(minutes=32)
        screen.tick()
        assert "(OVERDUE by 20 m)" in str(team.render())
        assert team.has_class("-overdue")
        customer = screen.query_one("#due-customer", Static)
        assert customer.has_class("-due") and "latest in 1 h 40 m" in str(customer.render())


# -- reminders ----------------------------------------------------------------------------------------
async def test_reminders_notify_and_ring_once_per_new_due(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = escalated_case(store, "critical", hours_ago=1)  # team 15:00, customer 15:00-17:00
    resolved = escalated_case(store, "critical", hours_ago=5)
    resolved.status = Status.RESOLVED
    store.save(resolved)
    clock = Clock()
    app = WorkbenchApp(store, playbook, clock=clock, bell=True)
    rings: list[int] = []
    notes: list[tuple[str, str]] = []
    async with app.run_test(size=(100, 30)):
        monkeypatch.setattr(app, "bell", lambda: rings.append(1))
        monkeypatch.setattr(
            app, "notify", lambda message, **kw: notes.append((message, kw.get("severity", "")))
        )
        reminders = Reminders(app)
        assert reminders.check() == []
        clock.advance(hours=1)  # 15:00: both fall due
        alerts = reminders.check()
        assert [(a.case_id, a.track) for a in alerts] == [(case.id, "team"), (case.id, "customer")]
        assert len(rings) == 1 and len(notes) == 2
        assert notes[0][0].startswith(f"#{case.id} Checkout returns 500 for EU customers: Team")
        assert reminders.check() == [] and len(rings) == 1
        clock.advance(hours=2, minutes=1)  # 17:01: the customer window has closed
        late = reminders.check()
        assert [(a.track, a.overdue) for a in late] == [("customer", True)]
        assert notes[-1][1] == "error" and len(rings) == 2
        # Logged: the track moves on, nothing more to say.
        fresh = store.get(case.id or 0)
        log_update(fresh, "customer_update", "Still investigating", now=clock())
        store.save(fresh)
        assert reminders.check() == []

        monkeypatch.setenv("WORKBENCH_BELL", "0")
        clock.advance(hours=2)
        assert reminders.check() and len(rings) == 2


async def test_the_minutes_look_finds_what_check_finds_and_gives_way_between_chunks(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer's look reads the escalated cases a few at a time and pauses between them, so a
    key typed during it is handled after one chunk, not after the whole look (100 ms at 100,000
    cases when it ran in one go). It announces what `check` would."""
    import asyncio
    from itertools import pairwise

    import screens.reminders as reminders_module

    cases = [escalated_case(store, "critical", hours_ago=1) for _ in range(5)]
    clock = Clock()
    app = WorkbenchApp(store, playbook, clock=clock, bell=False)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)):
        monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
        monkeypatch.setattr(reminders_module, "CHUNK", 2)
        app.collector.last_input -= 60  # the agent is not typing (see the next test)
        reminders, again = Reminders(app), Reminders(app)
        order: list[str] = []
        counted = reminders._alerts

        def chunk(ids: list[int], now: datetime) -> list[object]:
            order.append(f"chunk of {len(ids)}")
            return counted(ids, now)  # type: ignore[return-value]

        monkeypatch.setattr(reminders, "_alerts", chunk)
        clock.advance(hours=1)  # every case's team check-in and customer update fall due
        done = False

        async def other_work() -> None:
            while not done:
                order.append("other")
                await asyncio.sleep(0.001)

        beside = asyncio.create_task(other_work())
        alerts = await reminders.look()
        done = True
        await beside
        assert [(a.case_id, a.track) for a in alerts] == [
            (a.case_id, a.track) for a in again.check()
        ]
        assert {a.case_id for a in alerts} == {c.id for c in cases} and len(alerts) == 10
        assert notes[0] == notes[1] and notes[0].startswith("10 follow-ups due")
        named = ", ".join(f"#{c.id}" for c in cases)
        assert f"(0 overdue) on {named} (the list's" in notes[0]
        # Many cases: the first few named, the rest counted (a toast a screen high, before).
        monkeypatch.setattr(reminders_module, "MAX_NAMED", 2)
        assert again._announce(alerts)
        assert f"on #{cases[0].id}, #{cases[1].id} and 3 more (the list's" in notes[-1]
        chunks = [i for i, step in enumerate(order) if step.startswith("chunk")]
        assert [order[i] for i in chunks] == ["chunk of 2", "chunk of 2", "chunk of 1"]
        # Other work ran between each chunk and the next.
        assert all("other" in order[a:b] for a, b in pairwise(chunks))
        assert reminders.looks == 1 and reminders.seen == again.seen
        assert await reminders.look() == []  # announced once: the next look has nothing new


async def test_the_minutes_look_waits_for_a_pause_in_typing(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk waits until no key has come for INPUT_QUIET seconds, for LONGEST_WAIT at most:
    keys typed in a burst never meet the look."""
    import asyncio

    import screens.reminders as reminders_module

    escalated_case(store, "critical", hours_ago=3)
    app = WorkbenchApp(store, playbook, clock=Clock(), bell=False)
    async with app.run_test(size=(100, 30)):
        typed_at = [1000.0]
        app.collector.clock = lambda: typed_at[0]
        app.collector.note_input()  # a key, just now
        reminders = Reminders(app)
        looking = asyncio.create_task(reminders.look())
        try:
            done, _ = await asyncio.wait({looking}, timeout=0.2)
            assert not done  # still typing: the look waits
            typed_at[0] += reminders_module.INPUT_QUIET + 0.01  # the agent paused
            alerts = await asyncio.wait_for(looking, timeout=5)
        finally:
            looking.cancel()
        assert [a.track for a in alerts] == ["team", "customer"]  # both overdue
        # Typing that never pauses: the look goes ahead once it has waited LONGEST_WAIT.
        app.collector.note_input()
        monkeypatch.setattr(reminders_module, "LONGEST_WAIT", 0.0)
        again = Reminders(app)
        assert await asyncio.wait_for(again.look(), timeout=5) == alerts


async def test_bell_flag_off_silences_the_app(store: Store, playbook: Playbook) -> None:
    app = WorkbenchApp(store, playbook, clock=Clock(), bell=False)
    rang: list[int] = []
    async with app.run_test(size=(100, 30)):
        app._driver.ring_bell = lambda: rang.append(1)  # type: ignore[union-attr,method-assign]
        app.bell()
        assert rang == []


async def test_the_app_starts_its_reminders_once_a_minute(store: Store, playbook: Playbook) -> None:
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)):
        reminders = app.reminders
        assert isinstance(reminders, Reminders)
        assert reminders.timer is not None and reminders.interval == 60.0
        assert reminders.looks == 0  # the first look is a minute after start, not during it


# -- several destinations, promises -------------------------------------------------------------------
async def test_a_second_escalation_adds_a_destination_shown_with_its_own_clock(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store, "critical", hours_ago=1)  # Engineering at 13:00: team at 15:00
    app = make(store, playbook, Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, EscalateDialog)
        assert dialog.title_text == "Escalate: add a destination"
        options = dialog.query_one("#escalate-destination", OptionList)
        # The list opens on a destination the case is not with yet.
        assert options.highlighted is not None
        assert dialog.order[options.highlighted] != "engineering"
        steps = dialog.order.index("leadership") - options.highlighted
        await pilot.press(*["down" if steps > 0 else "up"] * abs(steps), "enter")
        await type_text(app, pilot, "VP Support")
        await pilot.press("enter")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert [(r.destination, r.active) for r in stored.escalations] == [
            ("engineering", True),
            ("leadership", True),
        ]
        team = text_of(screen, "#due-team")
        assert "Team check-in · Engineering due 15:00" in team
        assert "Team check-in · Leadership due 16:00" in team
        state = text_of(screen, "#timeline-state")
        assert "Engineering (Payments squad) at 13:00" in state
        assert "Leadership (VP Support) at 14:00" in state


async def test_a_customer_update_with_a_promise_sets_the_next_one(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store, "high", hours_ago=1)  # customer 17:00-21:00 by the cadence
    app = make(store, playbook, Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("l", "c")
        dialog = app.screen
        assert isinstance(dialog, LogUpdateDialog)
        await type_text(app, pilot, "Investigation ongoing")
        dialog.query_one("#log-next", Input).value = "15:30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.log[-1].next_at == NOW.replace(hour=15, minute=30)
        customer = text_of(screen, "#due-customer")
        assert "Customer update due 15:30" in customer
        assert "promised 15:30" in customer


async def test_de_escalate_one_of_two_destinations(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store, "critical", hours_ago=1)
    escalate(case, playbook, "leadership", "VP Support", NOW - timedelta(minutes=30))
    case = store.save(case)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, DeEscalateDialog)
        dialog.query_one("#deesc-from", Input).value = "leadership"
        # The first condition; every step of the procedure; outcome and findings.
        await pilot.press("space", "tab", "space", "down", "space", "down", "space", "down")
        await pilot.press("space", "tab")
        await type_text(app, pilot, "No decision needed any more")
        await pilot.press("tab")
        await type_text(app, pilot, "Engineering owns it")
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.ESCALATED
        assert [(r.destination, r.active) for r in stored.escalations] == [
            ("engineering", True),
            ("leadership", False),
        ]
        assert stored.log[-1].summary.startswith("De-escalated from Leadership")
        team = text_of(screen, "#due-team")
        assert "Engineering" not in team or "Leadership" not in team
        assert "Team check-in due 15:00" in team  # one team left: no name needed
