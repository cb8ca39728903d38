"""A choice against the rules' suggestion, with a required reason (overrides are logged):

    self.app.push_screen(
        OverrideDialog("Override severity", [("critical", "Critical"), ...], current="high"),
        callback=self._override,   # receives (value, reason) or None
    )

The choice list comes first, the reason field after it (TypeAheadDialog moves between them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.dialogs.base import TypeAheadDialog, dismiss_once


class OverrideDialog(TypeAheadDialog[tuple[str, str] | None]):
    """Choose a value against the rules' suggestion, with a required reason (it is logged).

    Returns `(value, reason)`, or `None` when cancelled. An empty value id in `choices` means
    "clear the override" and needs no reason.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[str, str]],
        *,
        current: str | None = None,
        reason: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.choices = list(choices)
        self.current = current
        self.initial_reason = reason
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            yield OptionList(
                *(Option(label, id=value or "__clear__") for value, label in self.choices),
                id="override-choice",
            )
            yield Label("Reason (logged with the override)", classes="dialog-label")
            yield Input(value=self.initial_reason, placeholder="why", id="override-reason")
            yield Static("", id="override-error", classes="dialog-error")
            yield Static(
                "↑↓ choose · tab to the reason · enter to confirm · escape to cancel",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        index = next((i for i, (v, _) in enumerate(self.choices) if v == self.current), 0)
        options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#override-reason", Input).focus()

    def confirm_now(self) -> None:
        """Dismiss with the highlighted choice and the reason, if the reason is given."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        value = self.choices[options.highlighted][0]
        reason = self.query_one("#override-reason", Input).value.strip()
        if value and not reason:
            self.query_one("#override-error", Static).update("A reason is required: it is logged.")
            self.query_one("#override-reason", Input).focus()
            return
        dismiss_once(self, (value, reason))

    def action_cancel(self) -> None:
        dismiss_once(self, None)
