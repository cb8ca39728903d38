"""A text area that paints again only the wrapped lines a key changed.

Textual's TextArea keeps its rendered lines in a cache it empties on every edit, and with soft
wrap on, the cursor's position is part of every line's key: each key typed into a paragraph
painted every line of it again. The agent's narrative is one paragraph of ten lines or more, and
each line was the whole paragraph styled and then cut (1.7 ms a key, of about 11). Here a
wrapped line is kept by what it shows: its own text, where the cursor is in it, and the look
around it; a key typed at the end of a paragraph paints its last line, not all of them.

Textual's TextArea also works out its theme's styles from the CSS on every paint (six component
styles looked up afresh: the lookups' cache is emptied by every refresh, 0.5 ms a key here); they
change only with the look, so here they are worked out again only after a style update or a new
theme. (Textual announces no style update for a style set inline, `styles.x = ...`, on the area or
an ancestor, nor for `App.ansi_color`: the app does neither; one that does must call
`notify_style_update` on the areas under it.)

Whatever this cannot be sure of (a selection on the line, a bracket matched, a suggestion, tabs,
line numbers, syntax highlighting, the placeholder) goes to Textual's own rendering, as before.
Uses TextArea internals (textual is pinned): `tests/test_ui_wrapped_lines.py` compares every line
with Textual's own rendering after random typing, moves, selections and resizes.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import TextArea


class WrappedLinesTextArea(TextArea):
    """A TextArea whose wrapped lines are kept across edits by what each one shows."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Before TextArea's own set-up, which already asks for a style update.
        self._shown_lines: LRUCache[Hashable, Strip] = LRUCache(512)
        self._themed: object = None  # the theme object given the current look's styles
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def notify_style_update(self) -> None:
        self._shown_lines.clear()  # a new look (focus, theme, a class): every line again
        self._themed = None  # and the theme's styles taken from the CSS again
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._theme is not self._themed:
            self._themed = self._theme
            return super().render_lines(crop)  # TextArea's: the theme's styles, then the lines
        return super(TextArea, self).render_lines(crop)  # the same look: the lines alone

    def render_line(self, y: int) -> Strip:
        key = self._shown_key(y)
        if key is None:
            return super().render_line(y)
        strip = self._shown_lines.get(key)
        if strip is None:
            # Rendered afresh, not through Textual's own line cache: its key holds the cursor's
            # wrapped row as it was before a resize rewrapped the paragraph, so after one it can
            # give back a line drawn in the other phase of the cursor's blink.
            strip = self._render_line(y)
            self._shown_lines[key] = strip
        return strip

    def _shown_key(self, y: int) -> Hashable | None:
        """Everything the wrapped line at `y` is drawn from, or None when that is more than
        this can tell (Textual then renders it as it always does)."""
        if (
            not self.soft_wrap
            or self.show_line_numbers
            or self.suggestion
            or self._highlights
            or self._matching_bracket_location is not None
            or (not self.text and self.placeholder)
        ):
            return None
        scroll_x, scroll_y = self.scroll_offset
        wrapped = self.wrapped_document
        absolute_y = scroll_y + y
        if absolute_y >= wrapped.height:
            return None
        try:
            line_info = wrapped._offset_to_line_info[absolute_y]
        except IndexError:
            return None
        if line_info is None:
            return None
        row, section = line_info
        line = self.document.get_line(row)
        if "\t" in line:
            return None
        start, end = self.selection
        top, bottom = sorted((start, end))
        if start != end and top[0] <= row <= bottom[0]:
            return None
        bounds = [0, *wrapped.get_offsets(row), len(line) + 1]  # + the cursor's cell at the end
        if section + 1 >= len(bounds):
            return None
        first, after = bounds[section], bounds[section + 1]
        cursor_row, cursor_column = end
        on_row = cursor_row == row
        cursor = cursor_column - first if on_row and first <= cursor_column < after else None
        return (
            self.size.width,  # not the height: a paragraph growing a line changes only that
            self.scrollable_content_region.width,
            scroll_x,
            line[first:after],
            after > len(line),  # the last section: it holds the cursor's cell
            on_row and self.highlight_cursor_line and self._has_cursor,
            cursor,
            cursor is not None and self._draw_cursor,
            self._has_cursor,
            self.theme,
            self.read_only,
            self.show_cursor,
        )
