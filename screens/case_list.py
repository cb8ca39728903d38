"""The case list's table: a Line API widget that paints one page of cases a line at a time.

Textual's DataTable measures, wraps and renders every cell through Rich's console for each new set
of rows; the list replaces its rows on every search, filter, sort and page, so that was most of the
time the list took to repaint (and a good part of the cold start). Here a page is a list of rows of
`Content` cells in columns of fixed width; `render_line` builds only the lines on the screen, each
once (cached until the rows, the cursor, the hover or the styles change).

It keeps the DataTable's look (header, zebra stripes, a row cursor that dims when the list is not
focused, hover) and its keys (up/down, page up/down, home/end, enter), and says what happened by
messages: `Selected` (enter, or a click on the highlighted row), `HeaderSelected` (a click on a
column's header) and `PageEdge` (moving past the first or last row: the screen loads a page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1  # cells of space each side of a column


@dataclass(frozen=True)
class Column:
    """A column of the list: `key` names it in `HeaderSelected`; `width` excludes the padding."""

    key: str
    label: Content
    width: int


class CaseList(ScrollView, can_focus=True):
    """Rows of `Content` cells under a header, one row highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "case-list--header",
        "case-list--even-row",
        "case-list--cursor",
        "case-list--hover",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    class Selected(Message):
        """Enter on a row, or a click on the highlighted row."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    class HeaderSelected(Message):
        """A click on a column's header."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class Resized(Message):
        """The table's size changed: the screen may want a page of another length, or columns
        of other widths."""

    class PageEdge(Message):
        """The cursor was moved past the last (+1) or the first (-1) row of the page."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: tuple[Column, ...] = ()
        self.rows: list[Sequence[Content]] = []
        self.row_height = 1
        self.cursor_row = 0
        self.hover_row: int | None = None
        self._lines: dict[tuple[int, int, int, bool, bool, bool], Strip] = {}
        # A cell's line as styled pieces, by what the cell shows: statuses, severities, SLA
        # words and dates repeat from row to row and page to page (cleared with the styles).
        self._cells: dict[tuple[object, ...], list[tuple[str, Style | None]]] = {}

    # -- the rows -----------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_rows(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Content]],
        *,
        row_height: int = 1,
        cursor: int = 0,
    ) -> None:
        """Replace the page: its columns, its rows (a cell may hold `row_height` lines) and where
        the cursor is."""
        self.columns = tuple(columns)
        self.rows = list(rows)
        self.row_height = max(1, row_height)
        self.hover_row = None
        self._lines.clear()
        width = sum(column.width + 2 * PADDING for column in self.columns)
        self.virtual_size = Size(width, 1 + len(self.rows) * self.row_height)
        self.cursor_row = self._clamp(cursor)
        self._keep_cursor_visible()
        self.refresh()

    def row(self, index: int) -> Sequence[Content]:
        return self.rows[index]

    def _clamp(self, row: int) -> int:
        return max(0, min(row, len(self.rows) - 1)) if self.rows else 0

    # -- the cursor ---------------------------------------------------------------------------------
    def move_cursor(self, *, row: int, animate: bool = False) -> None:
        """Highlight a row (kept on the screen); `animate` is accepted as DataTable's is and
        ignored: the list never scrolls smoothly."""
        del animate
        new = self._clamp(row)
        if new == self.cursor_row:
            return
        self._refresh_row(self.cursor_row)
        self.cursor_row = new
        self._refresh_row(new)
        self._keep_cursor_visible()

    def _keep_cursor_visible(self) -> None:
        if not self.rows or not self.size.height:
            return
        visible = max(1, self.scrollable_content_region.height - 1)  # below the header
        top = self.cursor_row * self.row_height
        bottom = top + self.row_height
        scroll = int(self.scroll_y)
        if top < scroll:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > scroll + visible:
            self.scroll_to(y=bottom - visible, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        """Repaint one row's lines (below the header; refresh_lines takes the scroll off)."""
        self.refresh_lines(1 + index * self.row_height, self.row_height)

    def action_cursor_down(self) -> None:
        if self.rows and self.cursor_row >= len(self.rows) - 1:
            self.post_message(self.PageEdge(+1))
            return
        self.move_cursor(row=self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        if self.rows and self.cursor_row <= 0:
            self.post_message(self.PageEdge(-1))
            return
        self.move_cursor(row=self.cursor_row - 1)

    def action_page_down(self) -> None:
        if self.rows and self.cursor_row >= len(self.rows) - 1:
            self.post_message(self.PageEdge(+1))
            return
        self.move_cursor(row=self.cursor_row + self._rows_on_screen())

    def action_page_up(self) -> None:
        if self.rows and self.cursor_row <= 0:
            self.post_message(self.PageEdge(-1))
            return
        self.move_cursor(row=self.cursor_row - self._rows_on_screen())

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self.cursor_row))

    def _rows_on_screen(self) -> int:
        return max(1, (self.scrollable_content_region.height - 1) // self.row_height)

    # -- the mouse ----------------------------------------------------------------------------------
    def _row_at(self, y: int) -> int | None:
        """The row under a line of the widget (None on the header or below the last row)."""
        if y < 1:
            return None
        index = (y - 1 + int(self.scroll_y)) // self.row_height
        return index if 0 <= index < len(self.rows) else None

    def _column_at(self, x: int) -> Column | None:
        left = -int(self.scroll_x)
        for column in self.columns:
            right = left + column.width + 2 * PADDING
            if left <= x < right:
                return column
            left = right
        return None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(column.key))
            return
        row = self._row_at(offset.y)
        if row is None:
            return
        if row == self.cursor_row:
            self.post_message(self.Selected(row))
        else:
            self.move_cursor(row=row)

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        self._set_hover(None if offset is None else self._row_at(offset.y))

    def _on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, row: int | None) -> None:
        if row == self.hover_row:
            return
        previous, self.hover_row = self.hover_row, row
        for index in (previous, row):
            if index is not None:
                self._refresh_row(index)

    def _on_resize(self, event: events.Resize) -> None:
        self._keep_cursor_visible()
        self.post_message(self.Resized())

    def lines_for_rows(self) -> int:
        """Lines below the header (0 before the first layout)."""
        return max(0, self.scrollable_content_region.height - 1) if self.size.height else 0

    # -- painting -----------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._cells.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._lines.clear()  # the cursor's colour depends on the focus
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._lines.clear()
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        line = y - 1 + int(self.scroll_y)
        index, part = divmod(line, self.row_height)
        if index >= len(self.rows):
            return Strip.blank(width)
        cursor = index == self.cursor_row
        hover = index == self.hover_row and not cursor
        key = (index, part, width, cursor, hover, self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._row_line(index, part, width, cursor, hover)
        return self._visible(strip, width)

    def _visible(self, strip: Strip, width: int) -> Strip:
        """The part of a line inside the widget (the list scrolls sideways only when the
        terminal is narrower than its columns)."""
        left = int(self.scroll_x)
        if left == 0 and strip.cell_length == width:
            return strip
        return strip.crop(left, left + width)

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("case-list--header")
        cells = [column.label for column in self.columns]
        return self._visible(self._join(cells, 0, width, style, None), width)

    def _row_line(self, index: int, part: int, width: int, cursor: bool, hover: bool) -> Strip:
        under: Style | None = None
        if index % 2 == 0:
            under = self.get_component_rich_style("case-list--even-row")
        over: Style | None = None
        if cursor:
            over = self.get_component_rich_style("case-list--cursor")
        elif hover:
            over = self.get_component_rich_style("case-list--hover")
        return self._join(self.rows[index], part, width, under, over)

    def _join(
        self,
        cells: Sequence[Content],
        part: int,
        width: int,
        under: Style | None,
        over: Style | None,
    ) -> Strip:
        """One line of a row: line `part` of each cell, cut to its column (with an ellipsis),
        padded, the row's style under the cells' own and the cursor's over them. Runs of one
        style become one segment: each segment is its own escape sequence on the terminal, and a
        page of rows was tens of kilobytes of them."""
        blank = Style.null()
        base = (under or blank) + (over or blank)
        styles: dict[Style, Style] = {}  # a cell's style -> with the row's under and over it
        segments: list[Segment] = []
        run: list[str] = []
        run_style = base
        total = 0
        for column, cell in zip(self.columns, cells, strict=False):
            for text, own in self._cell_line(cell, part, column.width):
                if own is None:
                    style = base
                else:
                    found = styles.get(own)
                    style = styles[own] = (
                        found if found is not None else (under or blank) + own + over
                    )
                if style is not run_style and style != run_style:
                    if run:
                        segments.append(Segment("".join(run), run_style))
                    run, run_style = [], style
                run.append(text)
            total += column.width + 2 * PADDING
        if total < width:
            if run_style is not base and run_style != base:
                segments.append(Segment("".join(run), run_style))
                run, run_style = [], base
            run.append(" " * (width - total))
        if run:
            segments.append(Segment("".join(run), run_style))
        return Strip(segments, max(total, width))

    def _cell_line(self, cell: Content, part: int, width: int) -> list[tuple[str, Style | None]]:
        """Line `part` of a cell, padded to its column, as (text, style) pieces (None: the
        row's style), made once per cell text, spans, line and width."""
        key = (cell.plain, tuple(cell.spans), part, width)
        pieces = self._cells.get(key)
        if pieces is None:
            if len(self._cells) > 4096:  # a bound, not a policy: pages of new titles add up
                self._cells.clear()
            pieces = self._cells[key] = _cell_line(cell, part, width)
        return pieces


def _cell_line(cell: Content, part: int, width: int) -> list[tuple[str, Style | None]]:
    """Line `part` of a cell as (text, style) pieces exactly `width` cells wide, with the
    column's padding each side."""
    pad = " " * PADDING
    if "\n" in cell.plain:
        lines = cell.split("\n")
        cell = lines[part] if part < len(lines) else Content("")
    elif part:
        cell = Content("")
    length = cell.cell_length
    if length > width:
        cell = cell.truncate(width, ellipsis=True)
        length = cell.cell_length
    filler = " " * (width - length)
    if not cell.spans:
        return [(pad + cell.plain + filler + pad, None)]
    pieces: list[tuple[str, Style | None]] = [(pad, None)]
    pieces += [(segment.text, segment.style) for segment in cell.render_segments()]
    pieces.append((filler + pad, None))
    return pieces
