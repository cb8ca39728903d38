"""A save refused because the case changed elsewhere (another window, the CLI): the agent chooses.

    self.app.push_screen(ConflictDialog(fields), callback=self._resolve)

The callback receives True (keep mine: what was typed here is applied again on top of the newer
case and saved) or False (take theirs: the newer case is shown and what was typed here is dropped).
Escape keeps mine: nothing typed is lost by a key pressed in a hurry.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from screens.dialogs.base import Dialog, dismiss_once


class ConflictDialog(Dialog[bool]):
    """Keep mine (m, escape) or take theirs (t)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m,escape", "answer(True)", "Keep mine", id="conflict.mine"),
        Binding("t", "answer(False)", "Take theirs", id="conflict.theirs"),
    ]

    def __init__(self, fields: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("This case was changed elsewhere", classes="dialog-title")
            mine = f" ({self.fields})" if self.fields else ""
            yield Static(
                f"What you typed here{mine} is not saved yet. Keep mine: apply it again on top "
                "of the newer case (other changes stay). Take theirs: show the newer case and "
                "drop what you typed.",
                classes="dialog-detail",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep mine (m)", id="mine", variant="primary")
                yield Button("Take theirs (t)", id="theirs")

    def on_mount(self) -> None:
        self.query_one("#mine", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        dismiss_once(self, event.button.id == "mine")

    def action_answer(self, mine: bool) -> None:
        dismiss_once(self, mine)
