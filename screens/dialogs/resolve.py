"""Resolve a case as the playbook asks, and reopen a resolved one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Label, TextArea

from screens.dialogs.followup_frame import TICK_HINT, FollowUpDialog, field_row
from screens.dialogs.followup_requests import ReopenRequest, ResolveRequest
from screens.widgets.ticks import TickList

CONFIRMED = "resolve.confirm_customer"
TRACKING = "resolve.close_tracking"


class ResolveDialog(FollowUpDialog[ResolveRequest]):
    """Resolution as the playbook asks: confirm with the customer, close tracking, lessons learned."""

    TITLE_TEXT = "Resolve"
    HINT = TICK_HINT

    def compose_fields(self) -> ComposeResult:
        texts = {item.id: item.text for item in self.playbook.resolution}
        yield TickList[str](
            (texts.get(CONFIRMED, "Confirm with the customer"), CONFIRMED),
            (texts.get(TRACKING, "Close internal tracking"), TRACKING),
            id="resolve-checks",
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
        self.query_one("#resolve-checks", TickList).focus()

    def build(self) -> ResolveRequest:
        ticked = set(self.query_one("#resolve-checks", TickList).selected)
        return ResolveRequest(
            customer_confirmed=CONFIRMED in ticked,
            tracking_closed=TRACKING in ticked,
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
