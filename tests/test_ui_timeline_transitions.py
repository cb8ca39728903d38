"""The timeline screen driven by its keys: re-assess, escalate, de-escalate (the checklist, its
ticks and the fields a step needs), resolve and reopen. The clock is injected and moved by the
tests; nothing sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.widgets import Input, OptionList, Static, TextArea

from screens.dialogs import DeEscalateDialog, EscalateDialog, ReassessDialog, ResolveDialog
from screens.widgets import TickList
from tests.conftest import NOW, new_case
from tests.timeline_helpers import (
    Clock,
    escalated_case,
    make,
    open_escalate_dialog,
    open_timeline,
    text_of,
    type_text,
)
from workbench.models import LogKind, Override, Status
from workbench.playbook import Playbook
from workbench.store import Store


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


@pytest.mark.parametrize(("routed", "mark"), [((), "(suggested)"), (("engineering",), "(routed)")])
async def test_escalate_marks_the_route_as_chosen_or_suggested(
    store: Store, playbook: Playbook, routed: tuple[str, ...], mark: str
) -> None:
    """Triage's suggestion is a suggestion until the agent accepts it; then it is the route
    (the header says the same: "Engineering (suggested)", dimmed, until then)."""
    from workbench.models import TriageAnswer

    case = new_case(
        store, "CSV export fails", triage={"esc.technical.code_fix": TriageAnswer(checked=True)}
    )
    case.routed_to = list(routed)
    case = store.save(case)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_escalate_dialog(app, pilot, case.id or 0)
        options = dialog.query_one("#escalate-destination", OptionList)
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith(f"Engineering {mark}")
        others = [
            str(options.get_option_at_index(i).prompt) for i in range(1, options.option_count)
        ]
        assert not any("(routed)" in p or "(suggested)" in p for p in others)
        await pilot.press("escape")


async def test_escalation_sent_before_the_case_opened_is_refused(
    store: Store, playbook: Playbook
) -> None:
    case = new_case(store, "SSO loop", customer="Initech")  # opened a day before NOW
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await open_escalate_dialog(app, pilot, case.id or 0)
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
