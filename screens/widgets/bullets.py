"""Wrapped bullet lists: lines that wrap under their own first word (a hanging indent)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from screens.widgets.content import same_content


@dataclass(frozen=True)
class Bullet:
    """One line of a `BulletList`: wrapped under itself (a hanging indent), after its marker.
    `text` may be Content, styled in parts."""

    text: str | Content
    style: str = ""
    marker: str = "• "
    marker_style: str = "dim"
    indent: int = 0


def _same_item(a: Bullet | Content, b: Bullet | Content) -> bool:
    if isinstance(a, Bullet) and isinstance(b, Bullet):  # Content's == compares the text alone
        return a == b and (not isinstance(a.text, Content) or same_content(a.text, b.text))
    return same_content(a, b)


def same_items(a: list[Bullet | Content], b: list[Bullet | Content]) -> bool:
    """The same items, styles included (most saves show what was shown)."""
    return len(a) == len(b) and all(map(_same_item, a, b))


def items_plain(items: Iterable[Bullet | Content]) -> str:
    """Items as text, unwrapped: each bullet after its indent and marker, a line each."""
    return "\n".join(
        f"{' ' * i.indent}{i.marker}{i.text}" if isinstance(i, Bullet) else i.plain for i in items
    )


def bullet_lines(items: Iterable[Bullet | Content], width: int) -> list[Content]:
    """The items as lines at `width`: each bullet wrapped under its own first word."""
    lines: list[Content] = []
    for item in items:
        if isinstance(item, Content):
            lines.append(item)
            continue
        lead = " " * item.indent
        hang = lead + " " * len(item.marker)
        if isinstance(item.text, Content):
            body = item.text.stylize(item.style) if item.style else item.text
            parts = body.wrap(max(1, max(10, width) - len(hang))) or [Content("")]
            marker = Content.styled(item.marker, item.marker_style)
            lines.append(Content.assemble(lead, marker, parts[0]))
            lines.extend(Content.assemble(hang, part) for part in parts[1:])
            continue
        wrapped = textwrap.wrap(
            item.text, width=max(10, width), initial_indent=hang, subsequent_indent=hang
        ) or [hang]
        first = wrapped[0][len(hang) :]
        lines.append(
            Content.assemble(
                lead,
                Content.styled(item.marker, item.marker_style),
                Content.styled(first, item.style),
            )
        )
        lines.extend(Content.styled(line, item.style) for line in wrapped[1:])
    return lines


def hanging_lines(line: Content, indent: int, width: int) -> list[Content]:
    """`line` wrapped to `width`, its later lines indented by `indent` (under its first word)."""
    if line.cell_length <= width:
        return [line]
    first, *rest = line.wrap(max(10, width - indent))
    return [first, *(Content.assemble(" " * indent, part) for part in rest)]


class BulletList(Widget):
    """Lines and bullets that wrap with a hanging indent at the widget's width.

    Items are `Bullet`s or ready `Content` lines (headings), shown in order; `set_items` replaces
    them. Reasons and findings are long sentences: wrapped under their own first word they stay
    readable in a narrow panel.
    """

    DEFAULT_CSS = """
    BulletList { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[Bullet | Content] = []
        # The items wrapped, and the width they were wrapped to: a save asks for them up to four
        # times (the height before and after, the layout, the render), each a wrap of every item.
        self._wrapped: tuple[int, list[Content]] | None = None

    def set_items(self, items: Iterable[Bullet | Content]) -> None:
        """Replace the items; the same items again (most saves) cost nothing. Items that take as
        many lines as before (a tick changes a reason more often than the count of lines) are
        a repaint of this widget, not a layout of the whole screen."""
        new = list(items)
        if same_items(new, self.items):
            return
        width = self.content_region.width
        before = self._height(width) if width else -1
        self.items = new
        self._wrapped = None
        self.refresh(layout=before < 0 or self._height(width) != before)

    def _height(self, width: int) -> int:
        return self.get_content_height(Size(width, 0), Size(width, 0), width)

    @property
    def plain(self) -> str:
        """The text, unwrapped (for tests and the command palette)."""
        return items_plain(self.items)

    def _lines(self, width: int) -> list[Content]:
        wrapped = self._wrapped
        if wrapped is None or wrapped[0] != width:
            wrapped = self._wrapped = (width, bullet_lines(self.items, width))
        return wrapped[1]

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.content_region.width or 80))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        total = 0
        for line in self._lines(width):
            total += max(1, len(line.wrap(width))) if line.cell_length > width else 1
        return total
