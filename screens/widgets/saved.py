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
    from textual.visual import VisualType

PENDING_SHOWN_AFTER = 0.1  # seconds: "saving…" for what is not written by then


class SavedIndicator(Static):
    """The quiet "saved" mark: every edit is committed at once, this says it was.

    `mark_pending()` shows "saving…" for the first key not yet written once it has waited
    PENDING_SHOWN_AFTER; `mark_saved()` shows "✓ saved" (briefly brighter) after the commit;
    `mark_error(message)` shows "✗ not saved" until the next successful save, with the store's
    message as the tooltip.

    The mark changes with every save, so it costs no restyle (its look is in its text's styles,
    not in CSS classes) and no layout of the screen while its width stays the same ("saving…"
    and "✓ saved" are both seven cells).
    """

    DEFAULT_CSS = """
    SavedIndicator { width: auto; }
    """

    _flash: Timer | None = None
    _pending_shown: Timer | None = None
    _state = ""
    _before: tuple[str, Content | str, VisualType | None] = ("", "", None)  # before "saving"

    def _show(self, state: str, text: str, style: str) -> None:
        self._state = state
        content = Content.styled(text, style)
        update_static(self, content, layout=content.cell_length != self.content_cell_length)

    @property
    def content_cell_length(self) -> int:
        shown = self.content
        return shown.cell_length if isinstance(shown, Content) else len(str(shown))

    def mark_saved(self) -> None:
        self._cancel_pending()
        self._show("saved", "✓ saved", "bold $success")
        self._no_tooltip()
        # Brighter until a second or two after the last save: one repaint then, not one per
        # save, and one timer for a run of saves (a new one each save was a task made and one
        # cancelled, on every keystroke's save).
        if self._flash is None:
            self._flash = self.set_timer(1.0, self._dim_flash)
        else:
            self._flash.reset()  # counts its second again from when it next wakes

    def _dim_flash(self) -> None:
        self._flash = None
        if self._state == "saved":
            self._show("saved", "✓ saved", "$success")

    def _no_tooltip(self) -> None:
        # Setting it, even to what it is, makes the screen look for its tooltip widget (and
        # format the error of not finding one): only when there is one to take away.
        if self.tooltip is not None:
            self.tooltip = None

    def mark_pending(self) -> None:
        """Something typed is not written yet: "saving…" until the commit (or the error), shown
        from PENDING_SHOWN_AFTER on. A save that comes sooner (a field saved on leaving it, or
        with every key) leaves the mark as it was: "saving…" for a few milliseconds was a frame
        more for every key, never seen."""
        if self._state != "saving":  # one update per unsaved stretch, not one per key
            shown = self.content
            self._before = (
                self._state,
                shown if isinstance(shown, Content | str) else "",
                self.tooltip,
            )
            self._state = "saving"
            self._pending_shown = self.set_timer(PENDING_SHOWN_AFTER, self._show_pending)

    def mark_nothing_pending(self) -> None:
        """What was typed is no longer to be saved (typed back to what is stored, or dropped as
        invalid): the mark as it was before, not "saving…" until the next save."""
        if self._state != "saving":
            return
        self._cancel_pending()
        self._state, content, tooltip = self._before
        width = content.cell_length if isinstance(content, Content) else len(content)
        update_static(self, content, layout=width != self.content_cell_length)
        if self.tooltip != tooltip:
            self.tooltip = tooltip

    def _show_pending(self) -> None:
        self._pending_shown = None
        if self._state == "saving":
            self._show("saving", "saving…", "dim")
            self._no_tooltip()

    def _cancel_pending(self) -> None:
        if self._pending_shown is not None:
            self._pending_shown.stop()
            self._pending_shown = None

    def mark_error(self, message: str) -> None:
        self._cancel_pending()
        self._show("error", "✗ not saved", "bold $error")
        self.tooltip = message

    @property
    def state(self) -> str:
        """ "saved", "saving", "error" or "" (nothing saved yet on this screen): for tests and
        the header."""
        return self._state


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
