"""What a widget asks Textual to redraw: the quiet-update tests count the layouts it requests."""

from __future__ import annotations

from dataclasses import dataclass

from textual.geometry import Region
from textual.widget import Widget


@dataclass(frozen=True)
class Refresh:
    """One `refresh` call: whether it asked for a layout, and the regions it named."""

    layout: bool
    regions: tuple[Region, ...]


def spy_refreshes(widget: Widget) -> list[Refresh]:
    """Every refresh `widget` asks for from now on, in order (the call still goes through)."""
    calls: list[Refresh] = []
    original = widget.refresh

    def refresh(*regions: Region, layout: bool = False, **kwargs: bool) -> Widget:
        calls.append(Refresh(layout, regions))
        return original(*regions, layout=layout, **kwargs)

    widget.refresh = refresh  # type: ignore[method-assign]
    return calls
