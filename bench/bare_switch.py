"""The baseline of the screen-switch benchmark: a bare Textual app with two screens.

Each screen is a marker line, 30 Labels and an Input (focused, as a step screen's first field
is). Every key the workbench benchmark presses (F2..F8, escape, enter) switches to the other
screen, built anew as the workbench builds its step screens, with `switch_screen`. The markers
(`marker("A")`, `marker("B")`) are what `bench.switch` waits for on the terminal.

    python bench/bare_switch.py          # in a terminal (bench.switch runs it in tmux)
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Label

# Every key bench.switch sends to either app.
KEYS = ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "escape", "enter")


def marker(name: str) -> str:
    """The text that shows once screen `name` is painted (and on no other screen)."""
    return f"Bare switch screen {name} is here"


class Pane(Screen[None]):
    # The marker stays in view when the focused Input scrolls the labels (at 80x24).
    DEFAULT_CSS = "Pane #marker { dock: top; width: 100%; }"

    def __init__(self, name: str) -> None:
        super().__init__()
        self.pane = name

    def compose(self) -> ComposeResult:
        yield Label(marker(self.pane), id="marker")
        for index in range(30):
            yield Label(f"{self.pane} label {index + 1:02d}: some words of about a field's length")
        yield Input(placeholder=f"Input on screen {self.pane}")


class BareSwitchApp(App[None]):
    # Priority: the focused Input would take enter (and escape would wait its turn) otherwise.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, "switch", key, priority=True) for key in KEYS
    ]

    def on_mount(self) -> None:
        # Over the blank default screen (switch_screen cannot replace that one), as a case's
        # screens are pushed over the case list.
        self.push_screen(Pane("A"))

    def action_switch(self) -> None:
        current = self.screen
        other = "B" if isinstance(current, Pane) and current.pane == "A" else "A"
        self.switch_screen(Pane(other))


def main() -> None:
    BareSwitchApp().run()


if __name__ == "__main__":
    main()
