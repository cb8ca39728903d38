"""Mouse selection in widgets that draw their own lines (the Export preview, the side panels).

Textual selects by the offsets its own Content writes into each segment; a widget that draws
lines itself gives each line its offsets (`Strip.apply_offsets`) and shades what is selected."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


def shade(strip: Strip, span: tuple[int, int], style: Style) -> Strip:
    """The selected characters of a line (`span`: start and end, -1 for the line's end) drawn
    in `style` over the text's own colours; a selection to the end of a line ends with its
    text, as its copy does."""
    text = strip.text
    start, end = span
    limit = len(text.rstrip())
    end = limit if end == -1 else min(end, limit)
    if end <= start:
        return strip
    cuts = [cell_len(text[:start]), cell_len(text[:end]), strip.cell_length]
    before, selected, after = strip.divide(cuts)
    shown = Strip(Segment.apply_style(selected, post_style=style), selected.cell_length)
    return Strip.join([before, shown, after])


class ShadedLines:
    """A widget's lines as drawn with the selection, with the offsets Textual selects by: each
    shaded line kept until the selection or the line changes (a new strip each frame cost 62 us
    a line against 8, and missed Textual's own cache of the offsets)."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Strip, tuple[int, int], Strip]] = {}

    def line(self, widget: Widget, y: int, strip: Strip) -> Strip:
        """Line `y` (of the widget's whole text, as its offsets count) drawn as `strip`."""
        selection = widget.text_selection
        span = None if selection is None else selection.get_span(y)
        if span is not None:
            kept = self._kept.get(y)
            if kept is not None and kept[0] is strip and kept[1] == span:
                strip = kept[2]
            else:
                style = widget.screen.get_component_rich_style("screen--selection")
                shaded = shade(strip, span, style)
                self._kept[y] = (strip, span, shaded)
                strip = shaded
        return strip.apply_offsets(0, y)

    def forget(self, y: int | None = None) -> None:
        """Forget line `y`'s shading (it changed), or every line's (a new selection)."""
        if y is None:
            self._kept.clear()
        else:
            self._kept.pop(y, None)
