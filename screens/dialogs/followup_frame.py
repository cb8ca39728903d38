"""The timeline's dialogs: escalate, log an update, re-assess severity, de-escalate, resolve.

Each dialog collects what one `workbench.followup` operation needs and tries it on a copy of the case
before closing, so a refusal (no summary, same severity, no lessons learned) is shown in the dialog
where it can be fixed, never after it has gone. It returns a request object; the screen applies the
same operation through `CaseScreen.edit`, which saves it and writes the audit events.

Keys: enter confirms from any one-line field, ctrl+s confirms from anywhere (a multi-line field
included), escape cancels. In the log dialog `t`, `c` and `n` pick the kind, so `l c <summary> enter`
logs a customer update.

This module is the frame they share; each dialog has its own module.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import ClassVar, Generic

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, Static

from screens import stylesheets
from screens.dialogs.base import TypeAheadDialog, dismiss_once
from screens.dialogs.followup_requests import R
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.when import parse_when

# A bare clock time ("10:30", "9am") typed for something that happened means the latest such moment.
_BARE_TIME = re.compile(r"^\s*\d{1,2}(?:[:.h]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


# The keys of a dialog with tick lists (screens.widgets.ticks), the same in each of them.
TICK_HINT = "↑↓ move · space ticks · tab next · enter or ctrl+s save · esc cancel"


class FollowUpDialog(TypeAheadDialog[R | None], Generic[R]):
    """A dialog that builds a request, dry-runs it on a copy of the case, and closes with it."""

    # Its rules live beside the timeline's (it is opened from the palette on any step too).
    CSS_PATH = stylesheets("timeline")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="followup.cancel"),
        Binding("ctrl+s", "confirm", "Save", id="followup.confirm", priority=True),
    ]

    TITLE_TEXT = ""
    HINT = "enter or ctrl+s to save · tab next field · escape to cancel"
    DENSE = False

    def __init__(
        self, case: Escalation, playbook: Playbook, now: datetime, *, title: str = ""
    ) -> None:
        dense = " followup-dense" if self.DENSE else ""
        super().__init__(classes=f"dialog-screen followup-dialog{dense}")
        self.case = case
        self.playbook = playbook
        self.now = now
        self.title_text = title or self.TITLE_TEXT

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="followup-fields"):
                yield from self.compose_fields()
            yield from self.compose_status()
            yield Static("", id="followup-error", classes="dialog-error")
            yield Static(self.HINT, classes="dialog-hint")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def compose_status(self) -> ComposeResult:
        """Below the fields, always in view (they may scroll)."""
        yield from ()

    def build(self) -> R:
        """The request from the fields; raise ValueError with a message to refuse it."""
        raise NotImplementedError

    def apply(self, request: R, case: Escalation) -> None:
        """Apply the request to `case` (a copy during the dry run)."""
        request.apply(case, self.playbook)

    def show_error(self, message: str) -> None:
        self.query_one("#followup-error", Static).update(message)

    def action_confirm(self) -> None:
        try:
            request = self.build()
            self.apply(request, self.case.model_copy(deep=True))
        except ValueError as exc:
            self.show_error(str(exc))
            return
        dismiss_once(self, request)

    def action_cancel(self) -> None:
        dismiss_once(self, None)

    def confirm_now(self) -> None:
        self.action_confirm()

    def when(self, value: str, label: str = "When") -> datetime:
        """An optional time typed in a field ("10:30", "20 min ago"); blank is now, never later."""
        text = value.strip()
        if not text:
            return self.now
        moment = parse_when(text, self.now)
        if moment is None:
            raise ValueError(f'{label}: cannot read "{text}" (try "10:30" or "20 min ago")')
        if moment > self.now and _BARE_TIME.match(text):
            moment -= timedelta(days=1)
        if moment > self.now:
            raise ValueError(f"{label}: that is in the future; log it once it has happened")
        return moment


def field_row(label: str, widget: Widget) -> Horizontal:
    """A label and its one-line field on one row, so a dialog fits a 24-line terminal."""
    return Horizontal(Label(label, classes="followup-label"), widget, classes="followup-row")
