"""Resolve a case as the playbook asks, and reopen a resolved one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label, TextArea

from screens.dialogs.followup_frame import FollowUpDialog, field_row
from screens.dialogs.followup_requests import ReopenRequest, ResolveRequest


class ResolveDialog(FollowUpDialog[ResolveRequest]):
    """Resolution as the playbook asks: confirm with the customer, close tracking, lessons learned."""

    TITLE_TEXT = "Resolve"
    HINT = "space ticks · tab next · ctrl+s save · escape cancel"

    def compose_fields(self) -> ComposeResult:
        texts = {item.id: item.text for item in self.playbook.resolution}
        yield Checkbox(
            texts.get("resolve.confirm_customer", "Confirm with the customer"),
            id="resolve-confirmed",
            compact=True,
        )
        yield Checkbox(
            texts.get("resolve.close_tracking", "Close internal tracking"),
            id="resolve-tracking",
            compact=True,
        )
        yield field_row(
            "Resolution",
            Input(compact=True, placeholder="one line: how it ended", id="resolve-summary"),
        )
        yield Label(
            texts.get("resolve.lessons_learned", "Capture lessons learned") + " (required)",
            classes="dialog-label",
        )
        yield TextArea(
            id="resolve-lessons", placeholder="what the next agent should know", compact=True
        )

    def on_mount(self) -> None:
        self.query_one("#resolve-confirmed", Checkbox).focus()

    def build(self) -> ResolveRequest:
        return ResolveRequest(
            customer_confirmed=self.query_one("#resolve-confirmed", Checkbox).value,
            tracking_closed=self.query_one("#resolve-tracking", Checkbox).value,
            lessons_learned=self.query_one("#resolve-lessons", TextArea).text,
            summary=self.query_one("#resolve-summary", Input).value,
            at=self.now,
        )

    def show_error(self, message: str) -> None:
        super().show_error(message)
        if "lessons" in message:
            self.query_one("#resolve-lessons", TextArea).focus()


class ReopenDialog(FollowUpDialog[ReopenRequest]):
    """Reopen a resolved case, with the reason."""

    TITLE_TEXT = "Reopen this resolved case?"

    def compose_fields(self) -> ComposeResult:
        yield field_row(
            "Reason",
            Input(compact=True, placeholder="why it is open again (logged)", id="reopen-reason"),
        )

    def on_mount(self) -> None:
        self.query_one("#reopen-reason", Input).focus()

    def build(self) -> ReopenRequest:
        return ReopenRequest(self.query_one("#reopen-reason", Input).value, self.now)
