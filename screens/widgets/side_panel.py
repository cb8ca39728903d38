"""A step's side panel: sections of bullets and lines (a recommendation and its reasons, the
destinations, the conflicts) in one scrolling widget drawn a line at a time.

A tick changes a few of the panel's lines, and often how many there are. Drawn as a bullet list
widget per section in a scrolling container, that was a layout of the whole screen (a section's
height changed, and everything under it moved) and a repaint of every section: about 8 ms of a
toggle's 20 on the development VM. Here only the lines that changed are drawn again (those below
a change in the count of lines too), and the screen is laid out only when the panel's scrollbar
comes or goes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.content import Content, Span
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from screens.widgets.bullets import Bullet, bullet_lines, items_plain, same_items
from screens.widgets.content import same_content
from screens.widgets.scrolling import set_virtual_size
from screens.widgets.selection import ShadedLines


class SidePanel(ScrollView):
    """Named sections of `Bullet`s and `Content` lines, in the order they were named, each
    wrapped at the panel's width with a hanging indent; an empty section is not shown. The
    blank lines between two sections are the height of the `side-panel--gap` component class
    (a narrow screen sets it to 0)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"side-panel--gap"}
    DEFAULT_CSS = """
    SidePanel {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    SidePanel > .side-panel--gap {
        height: 1;
    }
    """

    def __init__(self, *sections: str, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._items: dict[str, list[Bullet | Content]] = {name: [] for name in sections}
        # Each section's lines at the width they were wrapped to: a tick changes one section.
        self._wrapped: dict[str, tuple[int, list[Content]]] = {}
        self._width = 0  # the width the lines are wrapped to; 0 before the first layout
        self._gap_drawn = 1
        self._lines: list[Content] = []
        # Drawn lines by their text and spans: a line that only moved (a section above it grew)
        # is not drawn again.
        self._strips: dict[tuple[str, tuple[Span, ...]], Strip] = {}
        self._shaded = ShadedLines()

    # -- content -------------------------------------------------------------------------------------
    def set_items(self, section: str, items: Iterable[Bullet | Content]) -> None:
        """Replace one section's items; the same items again (most saves) cost nothing."""
        new = list(items)
        if same_items(new, self._items[section]):
            return
        self._items[section] = new
        self._wrapped.pop(section, None)
        if self._width:
            self._show(self._compose_lines())

    def plain(self, section: str) -> str:
        """One section's text, unwrapped (for tests and the command palette)."""
        return items_plain(self._items[section])

    @property
    def lines(self) -> list[str]:
        """The lines as shown, wrapped."""
        return [line.plain for line in self._lines]

    def _gap(self) -> int:
        height = self.get_component_styles("side-panel--gap").height
        return max(0, int(height.value)) if height is not None else 1

    def _compose_lines(self) -> list[Content]:
        width = self._width
        gap = self._gap_drawn = self._gap()
        lines: list[Content] = []
        for name, items in self._items.items():
            if not items:
                continue
            if lines:
                lines.extend(Content("") for _ in range(gap))
            wrapped = self._wrapped.get(name)
            if wrapped is None or wrapped[0] != width:
                wrapped = self._wrapped[name] = (width, _wrap(items, width))
            lines.extend(wrapped[1])
        return lines

    def _show(self, lines: list[Content]) -> None:
        """Show `lines` in place of the lines shown: the lines that differ are drawn again, and
        those after them when the count changed."""
        old, self._lines = self._lines, lines
        first = next(
            (i for i, (a, b) in enumerate(zip(old, lines, strict=False)) if not same_content(a, b)),
            min(len(old), len(lines)),
        )
        live = {_key(line) for line in lines}
        for key in [key for key in self._strips if key not in live]:
            del self._strips[key]
        if len(old) == len(lines):
            for index in range(first, len(lines)):
                if not same_content(old[index], lines[index]):
                    self._shaded.forget(index)
                    self.refresh_line(index)
            return
        for index in range(first, max(len(old), len(lines))):
            self._shaded.forget(index)
        set_virtual_size(self, Size(self._width, len(lines)))
        self.refresh_lines(first, max(len(old), len(lines)) - first)

    # -- layout --------------------------------------------------------------------------------------
    def _on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._width:  # the colours drawn into the lines
            self._strips.clear()
            self._shaded.forget()
            self.refresh()
            # Textual sets the component classes' styles (the gap) after this call.
            self.call_later(self._follow_gap)

    def _follow_gap(self) -> None:
        if self._width and self._gap() != self._gap_drawn:
            self._relayout()

    def _relayout(self) -> None:
        self._strips.clear()
        self._shaded.forget()
        self._lines = self._compose_lines()
        set_virtual_size(self, Size(self._width, len(self._lines)))
        self.refresh()

    # -- drawing -------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_y)
        return self._shaded.line(self, index, self._draw(index))

    def _draw(self, index: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.visual_style
        if index >= len(self._lines) or not self._lines[index].plain:
            return Strip.blank(width, base.rich_style)
        line = self._lines[index]
        key = _key(line)
        strip = self._strips.get(key)
        if strip is None:
            segments = [Segment(text, style.rich_style) for text, style in line.render(base, "")]
            strip = Strip(segments, line.cell_length).extend_cell_length(width, base.rich_style)
            self._strips[key] = strip
        return strip

    def selection_updated(self, selection: Selection | None) -> None:
        self._shaded.forget()
        super().selection_updated(selection)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self.lines)), "\n"


def _key(line: Content) -> tuple[str, tuple[Span, ...]]:
    return line.plain, tuple(line.spans)


def _wrap(items: list[Bullet | Content], width: int) -> list[Content]:
    """The items' lines at `width`: bullets with a hanging indent, a heading longer than the
    width folded onto the next line, and one with a line break in it on two."""
    lines: list[Content] = []
    for line in bullet_lines(items, width):
        for part in line.split("\n") if "\n" in line.plain else [line]:
            # A line break in a heading (an override's reason, typed) starts a line: drawn
            # within a line, it would move the terminal's cursor.
            if part.cell_length > width:
                lines.extend(part.wrap(width) or [part])
            else:
                lines.append(part)
    return lines
