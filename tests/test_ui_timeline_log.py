"""The timeline screen driven by its keys: log a customer update or a team check-in, and the
keys typed (or pasted) in one burst into the dialogs the timeline opens. The clock is injected
and moved by the tests; nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from screens.app import WorkbenchApp
from screens.dialogs import EscalateDialog, LogUpdateDialog, ReassessDialog
from screens.timeline import TimelineRow
from tests.conftest import NOW, new_case, settle_until
from tests.timeline_helpers import Clock, escalated_case, make, open_timeline, text_of, type_text
from workbench.models import LogKind, Override
from workbench.playbook import Playbook
from workbench.store import Store


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
