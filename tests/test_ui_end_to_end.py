"""One case from new to exported by keys alone, as an agent would work it at 80x24.

The walk presses every key (no values set directly), then checks the copied document and the
database. It is the slowest UI test on purpose: it is the one that proves the whole path.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

import screens.export as export_screen
from screens.app import WorkbenchApp
from screens.dialogs import EscalateDialog
from screens.timeline import TimelineScreen
from tests.conftest import AppFactory
from workbench.clipboard import CopyResult
from workbench.document import parse_markdown
from workbench.models import Severity, Status
from workbench.playbook import Playbook
from workbench.store import Store

KEY_NAMES = {
    " ": "space",
    ",": "comma",
    ".": "full_stop",
    "(": "left_parenthesis",
    ")": "right_parenthesis",
}


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` as a fast typist does: every key queued at once (the app takes them one at a
    time, WorkbenchApp._hold), then wait until the last has landed. Pressed one by one, each key
    waited for the app to be idle twice: most of this test's time."""
    app = pilot.app
    assert isinstance(app, WorkbenchApp)
    for char in text:
        app.post_message(events.Key(KEY_NAMES.get(char, char), char))
    for _ in range(10 * len(text) + 50):
        await pilot.pause()
        if not (app._held_keys or app._key_in_flight or app._message_queue.qsize()):
            break
    await pilot.pause()


async def test_new_case_to_copied_document_by_keys_alone(
    make_app: AppFactory, store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The platform tool is replaced: the test never runs xclip nor writes a fallback file.
    tool: list[str] = []
    monkeypatch.setattr(
        export_screen,
        "copy_text",
        lambda text, **_: (
            tool.append(text) or CopyResult("xclip", True, None, "Copied with xclip.")
        ),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # Home: a new case in one key, its title, and the triage checklist opens.
        await pilot.press("n")
        await type_text(pilot, "CSV export fails above 10000 rows")
        await pilot.press("enter")
        await pilot.pause()

        # Triage: the sixth item is "A confirmed defect needs a code-level fix", the fourteenth
        # "Data integrity is compromised"; then accept the suggested destination.
        await pilot.press(*["j"] * 5, "space", *["j"] * 8, "space", "a")

        # Impact: customers and end users, numbers typed as agents type them.
        await pilot.press("f3")
        await type_text(pilot, "3")
        await pilot.press("tab")
        await type_text(pilot, "1,200")
        await pilot.press("tab")

        # Reproduction: one exact step with its literal input, then expected, observed, browser.
        await pilot.press("f4", "a")
        await type_text(pilot, "Select Export CSV in the Reports view")
        await pilot.press("enter")
        await type_text(pilot, "report 4471")
        await pilot.press("enter", "tab")
        await type_text(pilot, "A CSV file downloads")
        await pilot.press("tab")
        await type_text(pilot, "Error E1042 after 30 s")
        await pilot.press("tab")
        await type_text(pilot, "Chrome 122")

        # Details: customer, narrative, the ask (Ship a fix) and a deadline typed as words.
        await pilot.press("f5", "tab")
        await type_text(pilot, "Acme Corp")
        await pilot.press("tab", "tab")
        await type_text(
            pilot,
            "Since Monday CSV export fails above 10000 rows. It shows E1042. "
            "Three customers are blocked at month end.",
        )
        await pilot.press(
            "tab", "tab", "tab", "tab", "tab", "enter", "down", "down", "enter", "tab"
        )
        await type_text(pilot, "Restore CSV export above 10000 rows")
        await pilot.press("tab")
        await type_text(pilot, "tomorrow 17:00")
        await pilot.press("tab")

        # Export (F7 from a text area, which binds F7 itself): copy to the clipboard.
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        copied = app.clipboard
    assert tool == [copied]

    case = store.list_cases(limit=1)[0]
    stored = store.get(case.id)
    assert stored.title == "CSV export fails above 10000 rows"
    assert stored.customer == "Acme Corp"
    assert stored.checked("esc.technical.code_fix") and stored.checked(
        "esc.widespread.data_integrity"
    )
    assert stored.routed_to == ["engineering"]
    assert (stored.impact.customers_affected, stored.impact.end_users_affected) == (3, 1200)
    step = stored.reproduction.steps[0]
    assert (step.action, step.literal_input) == (
        "Select Export CSV in the Reports view",
        "report 4471",
    )
    assert stored.reproduction.expected == "A CSV file downloads"
    assert stored.reproduction.observed == "Error E1042 after 30 s"
    assert stored.reproduction.environment.browser == "Chrome 122"
    assert stored.narrative.startswith("Since Monday CSV export fails")
    assert stored.request.ask_type == "fix"
    assert stored.request.ask == "Restore CSV export above 10000 rows"
    assert stored.request.hard_deadline is not None
    assert stored.request.hard_deadline.strftime("%Y-%m-%d %H:%M") == "2026-11-25 17:00"
    assert stored.status == Status.DRAFT

    # The copied document is the playbook's structure with every value typed above in it.
    assert copied.startswith("# ESCALATION: CSV export fails above 10000 rows\n")
    for line in (
        "Severity: Critical",
        "Routed to: Engineering",
        "- Affected customers: 3 customers, 1,200 end users: Acme Corp",
        "1. Select Export CSV in the Reports view — input: `report 4471`",
        "Expected outcome: A CSV file downloads",
        "Observed outcome: Error E1042 after 30 s",
        "Environment: Browser: Chrome 122",
        "- Ship a fix: Restore CSV export above 10000 rows",
        "- Hard deadline: 2026-11-25 17:00 UTC",
        "- Operational effect: [not provided]",
    ):
        assert line in copied, line
    back = parse_markdown(copied, playbook)
    assert back.request.ask == stored.request.ask
    assert back.reproduction.steps == stored.reproduction.steps
    assert back.severity_override is not None
    assert back.severity_override.value == Severity.CRITICAL


async def _copy_export(app: WorkbenchApp, pilot: Pilot[None]) -> str:
    await pilot.press("f7")
    await pilot.pause()
    await pilot.press("c")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.clipboard


async def test_a_case_kept_in_support_by_keys_alone(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        export_screen, "copy_text", lambda text, **_: CopyResult("xclip", True, None, "Copied.")
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await type_text(pilot, "SSO login loops for one user")
        await pilot.press("enter")
        await pilot.pause()
        # Triage: the first item, "A documented fix or known workaround addresses the problem".
        await pilot.press("space", "K")
        await pilot.pause()
        await type_text(pilot, "KB-1234 covers it")
        await pilot.press("tab")
        await type_text(pilot, " Clear the SSO cookie.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        copied = await _copy_export(app, pilot)
    stored = store.get(store.list_cases(limit=1)[0].id)
    assert stored.status == Status.KEPT_IN_SUPPORT
    assert stored.kept is not None and stored.kept.reason == "KB-1234 covers it"
    assert copied.startswith("Kept in support: SSO login loops for one user\n")
    assert "- A documented fix or known workaround addresses the problem" in copied
    assert "Clear the SSO cookie." in copied
    assert "ESCALATION" not in copied


async def test_a_two_destination_escalation_by_keys_alone(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        export_screen, "copy_text", lambda text, **_: CopyResult("xclip", True, None, "Copied.")
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await type_text(pilot, "Checkout fails for EU customers")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        for destination, receiver in (("engineering", "Payments squad"), ("leadership", "VP")):
            await pilot.press("x")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, EscalateDialog)
            options = dialog.query_one("#escalate-destination", OptionList)
            assert options.highlighted is not None
            steps = dialog.order.index(destination) - options.highlighted
            await pilot.press(*["down" if steps > 0 else "up"] * abs(steps), "enter")
            await type_text(pilot, receiver)
            await pilot.press("enter")
            await pilot.pause()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        team = str(timeline.query_one("#due-team", Static).render())
        assert "Team check-in · Engineering" in team and "Team check-in · Leadership" in team
        copied = await _copy_export(app, pilot)
    stored = store.get(store.list_cases(limit=1)[0].id)
    assert [(r.destination, r.receiver) for r in stored.escalations] == [
        ("engineering", "Payments squad"),
        ("leadership", "VP"),
    ]
    assert "Routed to: Engineering, Leadership" in copied
