"""The "terminal too small" cover."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static


class TooSmallScreen(ModalScreen[None]):
    """Covers the app below the smallest usable terminal; popped when the terminal grows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", id="toosmall.quit", priority=True),
    ]

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__(id="too-small")
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-message")

    def on_mount(self) -> None:
        self.update_size(self.app.size.width, self.app.size.height)

    def on_screen_resume(self) -> None:
        # Uncovered again after a screen opened above it (the palette, a case) was closed: if the
        # terminal grew meanwhile, nobody is left to pop the cover, so it goes by itself.
        width, height = self.app.size
        if width >= self.min_width and height >= self.min_height:
            self.call_later(self._uncover)

    def _uncover(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def update_size(self, width: int, height: int) -> None:
        self.query_one("#too-small-message", Static).update(
            f"Terminal too small (need {self.min_width}x{self.min_height}, "
            f"have {width}x{height}).\nEnlarge the window, or ctrl+q to quit."
        )
