"""The footer of every screen: Textual's, without keeping the keys it no longer shows.

Textual's Footer composes its keys again whenever the screen's bindings change (a focus change
is enough), each key bound to the footer's `compact`; the old keys stayed referenced from that
binding for the footer's whole life (screens/watchers.py): on the case list, all day.
"""

from __future__ import annotations

from textual.widgets import Footer

from screens.watchers import forget_closed_watchers


class KeysFooter(Footer):
    """A Footer that forgets the keys it took down."""

    async def recompose(self) -> None:
        await super().recompose()
        forget_closed_watchers(self)
