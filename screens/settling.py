"""Keys typed ahead: screens that say when they can take keys, and a wait for queued keys.

The app holds keys typed while the top screen cannot take them yet (WorkbenchApp._hold): a case
step opened by enter or an F-key, or a dialog, has no focus until it has mounted and focused its
first widget, and a key read before that went to the screen itself and was lost. `after_queues`
is how the app (a key on its way up) and the dialogs (a confirm behind the keys its fields have
not taken yet) wait for what is already queued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.dom import DOMNode
from textual.screen import Screen, ScreenResultType

from screens.compositor import crop_partial_updates


def after_queues(nodes: Iterable[DOMNode], then: Callable[[], Any]) -> None:
    """Call `then` once each of `nodes`, in turn, has handled what was queued for it: a callback
    posted to a node waits behind the messages already in its queue. A node that has closed
    meanwhile (a dialog gone) is passed over."""
    chain = list(nodes)

    def step(index: int) -> None:
        while index < len(chain):
            if chain[index].call_later(step, index + 1):
                return
            index += 1
        then()

    step(0)


class SettlingScreen(Screen[ScreenResultType]):
    """Takes keys once its own on_mount has run and its focus has landed."""

    _settled = False

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        crop_partial_updates(self)

    def _on_mount(self, event: events.Mount) -> None:
        # Dispatched after the subclasses' on_mount, whose focus() is queued on the app ahead of
        # this (until then, AUTO_FOCUS may have put a container in focus).
        self.app.call_later(self._settle)

    def _settle(self) -> None:
        self._settled = True

    def takes_keys(self) -> bool:
        return self._settled and (self.focused is not None or not self.focus_chain)
