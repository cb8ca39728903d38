"""Screens that say when they can take keys: once mounted, with their first widget focused.

The app holds keys typed while the top screen cannot take them yet (WorkbenchApp._hold): a case
step opened by enter or an F-key, or a dialog, has no focus until it has mounted and focused its
first widget, and a key read before that went to the screen itself and was lost.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen, ScreenResultType


class SettlingScreen(Screen[ScreenResultType]):
    """Takes keys once its own on_mount has run and its focus has landed."""

    _settled = False

    def _on_mount(self, event: events.Mount) -> None:
        # Dispatched after the subclasses' on_mount, whose focus() is queued on the app ahead of
        # this (until then, AUTO_FOCUS may have put a container in focus).
        self.app.call_later(self._settle)

    def _settle(self) -> None:
        self._settled = True

    def takes_keys(self) -> bool:
        return self._settled and (self.focused is not None or not self.focus_chain)
