"""Mouse selection in widgets that draw their own lines (the Export preview, the side panels).

Textual selects by the offsets its own Content writes into each segment; a widget that draws
lines itself gives each line its offsets (`Strip.apply_offsets`) and shades what is selected."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


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
