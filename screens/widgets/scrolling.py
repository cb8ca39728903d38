"""The scrollable size of a Line API widget, set without a layout of the screen when it can be.

Textual lays the whole screen out for any new virtual size (the reactive asks for a layout),
though only a scrollbar that comes or goes needs one (the compositor places scrollbars). The
side panel's height changes with a tick. (The case list's width changes with its columns at each
search, but set quietly there the first enter into a case after start measured 141-168 ms in
tmux at 120x40 against 94-111 with the layout: the list keeps Textual's own.)"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Set `view.virtual_size`: quietly when the scrollbars stay as they are (none before and
    none needed after, or the vertical one on both sides with no horizontal one), with
    Textual's layout otherwise."""
    old = view.virtual_size
    if size == old:
        return
    room = view.container_size
    bar_width = view.styles.scrollbar_size_vertical
    bar_height = view.styles.scrollbar_size_horizontal

    def bars(virtual: Size) -> tuple[bool, bool] | None:
        """The scrollbars `virtual` needs, when that does not depend on the other one."""
        tall = virtual.height > room.height
        if virtual.width > room.width - bar_width:
            return None  # a horizontal bar, or one the vertical bar would bring
        if not tall and virtual.height > room.height - bar_height:
            return None
        return (False, tall)

    needed = bars(size)
    shown = (view.show_horizontal_scrollbar, view.show_vertical_scrollbar)
    if not room or needed is None or needed != bars(old) or needed != shown:
        view.virtual_size = size
        # The layout that follows passes a Line API widget the size of its scrollable area as
        # its virtual size; when that equals `size` (content exactly as tall as the widget),
        # Textual sees no change and neither hides the scrollbar nor brings a scroll position
        # past the new end back: the panel was drawn blank. Done here, as Textual would.
        view._scroll_update(size)
        return
    view.set_reactive(Widget.virtual_size, size)
    if view.show_vertical_scrollbar:
        view.vertical_scrollbar.window_virtual_size = size.height
        view.vertical_scrollbar.refresh()
    view.scroll_x = view.validate_scroll_x(view.scroll_x)
    view.scroll_y = view.validate_scroll_y(view.scroll_y)
