"""The one tick-box list of the app: De-escalate, Resolve and the Impact signals use it, and the
Triage checklist draws its boxes the same way.

One focus stop per group: the arrows (and j/k) move between the boxes, space ticks or unticks the
highlighted one, tab goes on to the next group or field. Each box shows `[x]` or `[ ]`, so ticked
and unticked read apart without colour.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType

TICKED = "[x] "
UNTICKED = "[ ] "


class TickList(SelectionList[SelectionType]):
    """A SelectionList whose boxes read `[x]` / `[ ]` (as the Triage checklist's do)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="ticks.down"),
        Binding("k", "cursor_up", "Up", show=False, id="ticks.up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tick-list--ticked", "tick-list--unticked"}

    def _get_left_gutter_width(self) -> int:
        return len(TICKED)

    def render_line(self, y: int) -> Strip:
        # OptionList's line (the prompt, wrapped), not SelectionList's (its colour-only button).
        line = OptionList.render_line(self, y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
            selection = self.get_option_at_index(index)
        except (IndexError, OptionDoesNotExist):
            return line
        segments = list(line)
        base = (segments[0].style if segments else None) or self.rich_style or Style()
        if offset:  # a wrapped line of the item: under its text, not under the box
            return Strip([Segment(" " * len(TICKED), base), *segments])
        ticked = selection.value in self._selected
        part = self.get_component_rich_style(
            "tick-list--ticked" if ticked else "tick-list--unticked", partial=True
        )
        box = base + Style(color=part.color, bold=part.bold, dim=part.dim)
        meta = Style(meta={"option": index})
        return Strip([Segment(TICKED if ticked else UNTICKED, box + meta), *segments])
