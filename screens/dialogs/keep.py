"""Keep in support: the decision's reason and the note for the customer or the ticket, drafted
from the case (what was found, the documented fix or workaround) and edited here."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.widgets import Input, Label, Static, TextArea

from screens.dialogs.followup_frame import FollowUpDialog, field_row
from screens.dialogs.followup_requests import KeepRequest
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.rules.keep import draft_keep_note, keep_criteria_held


class KeepDialog(FollowUpDialog[KeepRequest]):
    """Record "kept in support": why (the keep criteria that hold, plus the agent's words) and
    the note the customer or the ticket gets."""

    TITLE_TEXT = "Keep in support: record the decision"
    HINT = "enter in Reason or ctrl+s saves · tab to the note · escape cancels"

    def __init__(self, case: Escalation, playbook: Playbook, now: datetime) -> None:
        super().__init__(case, playbook, now)
        self.held = [item.text for item in keep_criteria_held(case, playbook)]

    def compose_fields(self) -> ComposeResult:
        held = "; ".join(self.held) or "none ticked: your reason is an override"
        yield Static(f"Criteria that hold: {held}", id="keep-criteria", classes="dialog-hint")
        yield field_row(
            "Reason", Input(compact=True, placeholder="why it stays in support", id="keep-reason")
        )
        yield Label("Note for the customer or ticket", classes="dialog-label")
        yield TextArea(draft_keep_note(self.case, self.playbook), id="keep-note")

    def on_mount(self) -> None:
        self.query_one("#keep-reason", Input).focus()

    def build(self) -> KeepRequest:
        return KeepRequest(
            reason=self.query_one("#keep-reason", Input).value,
            note=self.query_one("#keep-note", TextArea).text,
            at=self.now,
        )
