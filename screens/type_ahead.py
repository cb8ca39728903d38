"""Type-ahead: keys typed faster than the screens change land where they were meant to.

Textual hands each key to whatever has focus when the key is read, and resolves the key's
bindings only once it has bubbled up from there, against the focus of that later moment.
Typed fast (or pasted into tmux), keys therefore went astray whenever one of them moved the
focus or opened a screen: "x", down, down, enter opened the escalation dialog and nothing
more (the arrows went to the timeline, still focused; enter to the dialog before it had
focus), an arrow queued for a list was resolved against the field that enter had moved to,
and keys typed after a dialog's closing enter were lost. So keys are taken one at a time: a
key that arrives while the one before it is still on its way up (or while the top screen is
a dialog still opening, or confirming: `takes_keys`, dialogs.py) is held, and handed on in
order once it can be. Typed at human speed, no key waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App

from screens.settling import after_queues

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.screen import Screen
    from textual.widget import Widget

# Keys held for a dialog still opening: looked at every HOLD_POLL s, handed on after HOLD_LIMIT s
# whatever happens (a dialog opens in 50-150 ms here).
HOLD_POLL = 0.01
HOLD_LIMIT = 0.5
LANDING_PASSES = 4
Typed = events.Key | events.Paste  # what the type-ahead holds


def _has_messages(node: MessagePump) -> bool:
    """Whether messages wait in `node`'s queue (Textual's own bookkeeping; textual is pinned)."""
    return node._pending_message is not None or node._message_queue.qsize() > 0


class TypeAhead(App[None]):
    """An App that takes keys one at a time (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._held_keys: list[Typed] = []
        self._held_for: Screen[Any] | None = None
        self._held_since = 0.0
        self._key_in_flight: float | None = None  # when the key on its way up was handed on
        self._hold_polling = False
        self._last_target: Widget | None = None  # where the last key not followed was handed

    async def on_event(self, event: events.Event) -> None:
        # A bracketed paste is one event: it takes its place among the keys typed before it.
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if not self._hold(event):
                await self._hand_on(event)
            return
        await super().on_event(event)

    def busy_until(self, now: float) -> float:
        """Until when the app is busy with work of its own that slows the top screen (its time
        does not count against HOLD_LIMIT); override."""
        return 0.0

    def screen_waits(self) -> bool:
        """Whether the top screen cannot take a key yet (a dialog opening, a step mounting)."""
        return self._screen_waits()

    def _screen_waits(self) -> bool:
        """Whether the top screen cannot take a key yet: a dialog still opening, or confirming."""
        takes_keys = getattr(self.screen, "takes_keys", None)
        return takes_keys is not None and not takes_keys()

    def _hold(self, key: Typed) -> bool:
        """Hold `key` behind keys held already, behind a key still on its way, or while the top
        screen waits. False: it can go on now."""
        idle = not self._held_keys and self._key_in_flight is None and not self._screen_waits()
        if idle and not self._still_on_its_way():
            return False
        if not self._held_keys:
            self._held_for, self._held_since = self.screen, time.monotonic()
        self._held_keys.append(key)
        self._poll_held()  # the limit holds whatever happens to the key on its way
        return True

    def _still_on_its_way(self) -> bool:
        """Whether the last key handed on outside a burst (not followed) may not have landed yet
        (a fast typist's next key): then it is followed from now on."""
        last = self._last_target
        if last is None or not any(map(_has_messages, last.ancestors_with_self[:-1])):
            return False
        self._key_in_flight = flight = time.monotonic()
        self._after_bubbled(last, lambda: self._landed(flight, last))
        return True

    async def _hand_on(self, key: Typed) -> None:
        """Hand `key` to Textual. In a burst (keys held, or more input already queued behind
        it), follow it up to the app: the next key waits for that. Typed at human speed, the key
        has landed before the next arrives, and following it (a cost on every key) is not needed."""
        target: Widget = self.focused or self.screen
        burst = bool(self._held_keys) or self._input_queued()
        self._last_target = None if burst else target
        if burst:
            self._key_in_flight = flight = time.monotonic()
        await super().on_event(key)
        if burst:
            self._after_bubbled(target, lambda: self._landed(flight, target))

    def _input_queued(self) -> bool:
        """Whether more messages (in a burst, the next keys) wait in the app's queue."""
        return _has_messages(self)

    def _landed(self, flight: float, target: Widget, passes: int = 1) -> None:
        """The key has reached the app. What its binding posted (a list's Selected, which the
        screen answers by opening the case) may still be on its way up: follow again while any
        node on the way has messages waiting (at most LANDING_PASSES times)."""
        if self._key_in_flight != flight:
            return
        nodes = target.ancestors_with_self[:-1]  # not the app: the next keys wait in its queue
        if passes < LANDING_PASSES and any(map(_has_messages, nodes)):
            self._after_bubbled(target, lambda: self._landed(flight, target, passes + 1))
            return
        self._key_in_flight = None
        if self._held_keys:
            self.call_later(self._release_held)

    def drop_held_keys(self) -> None:
        """Forget the keys held so far (a dialog refused its confirm: what was typed after the
        enter was meant for the screen below, which is not there)."""
        self._held_keys.clear()

    def _poll_held(self) -> None:
        """Look again in HOLD_POLL s (one look pending at a time), from the app's own message
        queue: in order with the keys that arrive meanwhile."""
        if not self._hold_polling:
            self._hold_polling = True
            self.set_timer(HOLD_POLL, self._polled)

    def _polled(self) -> None:
        self._hold_polling = False
        self.call_later(self._release_held)

    async def _release_held(self) -> None:
        """Hand the next held key on, if the key before it has landed and the top screen takes
        keys. Whatever still holds it after HOLD_LIMIT (a screen that never settles, a key lost
        on its way) lets it go, as it would have gone without the hold."""
        if not self._held_keys:
            return
        now = time.monotonic()
        if self._key_in_flight is not None or self._screen_waits():
            if self.screen is not self._held_for:  # a key opened another dialog: it may settle
                self._held_for, self._held_since = self.screen, now
            # What slowed the dialog meanwhile (`busy_until`) is not counted.
            since = max(self._held_since, self._key_in_flight or 0.0, self.busy_until(now))
            waited = now - since
            if waited < HOLD_LIMIT:
                self._poll_held()
                return
        await self._hand_on(self._held_keys.pop(0))
        self._held_since = time.monotonic()
        if self._held_keys:
            self._poll_held()

    def _after_bubbled(self, target: Widget, then: Callable[[], object]) -> None:
        """Call `then` once every node from `target` up to the app has handled what was queued
        for it: a key handed to `target` has then been handled by it, or bubbled up to the app
        and met its bindings."""
        after_queues(target.ancestors_with_self, then)
