"""A screen's compositor that draws, for a partial update, only the widgets the update touches.

For a partial update (a key typed, a checklist item ticked), Textual's compositor takes the
rectangle around everything that changed and asks each widget whose *clip* meets it for all its
visible lines, then keeps the lines the update needs. A widget's clip is its container's region
(the whole screen for the header, the footer and every top-level widget), so each typed key
drew the header, the footer and every field of a scrolling form, changed or not: on the Details
step at 120x40, 14 widgets for a key in the narrative, about 2.5 ms of a 6 ms frame.

Here a widget is drawn only where its visible part meets the rectangle's lines: the others are
not asked. Columns are not cropped: a line's pieces are cut at the widgets' edges, which the
rectangle's sides need not be. A full update (the rectangle is the screen) draws what Textual
draws. `_get_renders` is private: textual is pinned, and tests/test_ui_compositor.py compares
every frame with a full redraw.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual._compositor import Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip


class CroppedCompositor(Compositor):
    """Draws each widget's lines in the updated rectangle only (see the module docstring)."""

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        top, bottom = crop.y, crop.bottom
        for widget, (region, clip) in self.visible_widgets.items():
            visible = region.intersection(clip)
            # The rectangle's lines, across the widget's whole visible width.
            lines = visible.intersection(Region(visible.x, top, visible.width, bottom - top))
            if not lines.area or not crop.overlaps(visible):
                continue
            strips = widget.render_lines(
                Region(lines.x - region.x, lines.y - region.y, lines.width, lines.height)
            )
            # _render_chops draws `strips` on `region` clipped by this: the lines drawn.
            yield region, lines, strips


def crop_partial_updates(screen: Screen[Any]) -> None:
    """Give `screen` the cropping compositor (before it is first laid out)."""
    screen._compositor = CroppedCompositor()
