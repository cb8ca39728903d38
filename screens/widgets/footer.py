"""The footer of every screen: Textual's, composed again only when the keys it shows change.

Textual's Footer composes its keys again each time the screen's bindings are refreshed, and they
are refreshed several times for one focus change (the blur, the focus, each reactive declared
with `bindings=True`): on the Impact step one tab between two fields composed the footer six
times, each of its keys styled twice (once at mount, then again when it took the footer's
`-compact` class), for the same keys. Here a refresh asks for a look after the next frame, which
composes the keys only if what they would show differs from what they show; the keys are compact
from the start.

Each key is bound to the footer's `compact`; the old keys stayed referenced from that binding for
the footer's whole life (screens/watchers.py): on the case list, all day. They are forgotten after
each composition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from screens.watchers import forget_closed_watchers

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen


class KeysFooter(Footer):
    """A Footer that composes its keys only when they change, and forgets the ones it took down."""

    _shown: tuple[object, ...] | None = None  # what the keys composed last show

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            # Each refresh asks for its own look (the first of a frame's composes, the others
            # find the keys shown): the look runs after the frame, queued on the top screen,
            # and a screen pushed and popped before its frame (F1 twice fast) drops what was
            # queued on it. One look asked for on behalf of all would have been lost for good.
            self.call_after_refresh(self._compose_if_changed)

    async def _compose_if_changed(self) -> None:
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()

    def _keys(self) -> tuple[object, ...]:
        """Everything Footer.compose reads to make the keys: the bindings shown, each enabled or
        not, with its tooltip, and the command palette's key."""
        active = self.screen.active_bindings
        shown = tuple(
            (binding, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return (
            shown,
            None if palette is None else palette[1:],
            self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE,
        )

    def compose(self) -> ComposeResult:
        self._shown = self._keys() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Compact before it mounts: taking the class after was a second styling.
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        await super().recompose()
        forget_closed_watchers(self)
