"""Whether what the agent changes is saved: the quiet "saved" mark, and the banner over every
screen while the database is open read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from screens.widgets.content import update_static

if TYPE_CHECKING:
    from textual.timer import Timer


class SavedIndicator(Static):
    """The quiet "saved" mark: every edit is committed at once, this says it was.

    `mark_pending()` shows "saving…" from the first key not yet written; `mark_saved()` shows
    "✓ saved" (briefly brighter) after the commit; `mark_error(message)` shows "✗ not saved"
    until the next successful save, with the store's message as the tooltip.
    """

    DEFAULT_CSS = """
    SavedIndicator { width: auto; text-style: dim; }
    SavedIndicator.-saved { color: $success; text-style: none; }
    SavedIndicator.-flash { text-style: bold; }
    SavedIndicator.-error { color: $error; text-style: bold; }
    """

    _flash: Timer | None = None

    def mark_saved(self) -> None:
        self.remove_class("-error", "-pending")
        self.add_class("-saved", "-flash")
        update_static(self, "✓ saved")
        self.tooltip = None
        # Brighter until a second after the last save (one restyle then, not one per save).
        if self._flash is not None:
            self._flash.stop()
        self._flash = self.set_timer(1.0, lambda: self.remove_class("-flash"))

    def mark_pending(self) -> None:
        """Something typed is not written yet: "saving…" until the commit (or the error)."""
        if self.has_class("-pending"):
            return  # one restyle per unsaved stretch, not one per key
        self.remove_class("-saved", "-flash", "-error")
        self.add_class("-pending")
        update_static(self, "saving…")
        self.tooltip = None

    def mark_error(self, message: str) -> None:
        self.remove_class("-saved", "-flash", "-pending")
        self.add_class("-error")
        update_static(self, "✗ not saved")
        self.tooltip = message

    @property
    def state(self) -> str:
        """ "saved", "saving", "error" or "" (nothing saved yet on this screen): for tests and
        the header."""
        if self.has_class("-error"):
            return "error"
        if self.has_class("-pending"):
            return "saving"
        return "saved" if self.has_class("-saved") else ""


class ReadOnlyBanner(Static):
    """A line across the top of every screen while the database is open read-only (the file or
    its folder cannot be written): the agent learns it before typing, not from "not saved"."""

    DEFAULT_CSS = """
    ReadOnlyBanner { height: auto; display: none; padding: 0 1;
        background: $warning; color: auto 90%; text-style: bold; }
    ReadOnlyBanner.-shown { display: block; }
    """

    def on_mount(self) -> None:
        store = getattr(self.app, "store", None)
        readonly = bool(getattr(store, "readonly", False))
        self.set_class(readonly, "-shown")
        if readonly:
            self.update(
                Content(
                    f"READ-ONLY: {getattr(store, 'path', 'the database')} cannot be written. "
                    "You can read, search and export; nothing you change is saved."
                )
            )
