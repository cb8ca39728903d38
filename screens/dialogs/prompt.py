"""A one-line text prompt (a title, a note, a reason):

    self.app.push_screen(TextPrompt("New case", "Title"), callback=self._create)

The callback receives the text, trimmed, or None when the prompt was cancelled.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from screens.dialogs.base import Dialog, dismiss_once


class TextPrompt(Dialog[str | None]):
    """Ask for one line of text. With `required`, an empty answer is refused inline."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        label: str,
        *,
        value: str = "",
        placeholder: str = "",
        required: bool = True,
        detail: str = "",
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.label = label
        self.initial = value
        self.placeholder = placeholder
        self.required = required
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            yield Label(self.label, classes="dialog-label")
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="dialog-error")
            yield Static("enter to confirm · escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#prompt-error", Static).update(f"{self.label} cannot be empty.")
            return
        dismiss_once(self, text)

    def action_cancel(self) -> None:
        dismiss_once(self, None)
