"""A Line API widget's scrollable size set without a layout of the screen, unless a scrollbar
comes or goes (screens/widgets/scrolling.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets.scrolling import set_virtual_size
from tests.refresh_spy import Refresh, spy_refreshes


class Lines(ScrollView):
    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


class LinesApp(App[None]):
    CSS = "Lines { width: 20; height: 10; }"

    def compose(self) -> ComposeResult:
        yield Lines()


def _layouts(calls: list[Refresh]) -> list[bool]:
    return [call.layout for call in calls]


async def test_a_size_that_needs_no_new_scrollbar_is_set_quietly() -> None:
    app = LinesApp()
    async with app.run_test() as pilot:
        view = app.query_one(Lines)
        set_virtual_size(view, Size(10, 5))
        await pilot.pause()
        calls = spy_refreshes(view)
        set_virtual_size(view, Size(12, 8))  # still fits both ways
        assert view.virtual_size == Size(12, 8) and True not in _layouts(calls)
        set_virtual_size(view, Size(12, 8))
        assert True not in _layouts(calls)


async def test_a_scrollbar_that_comes_or_goes_is_laid_out() -> None:
    app = LinesApp()
    async with app.run_test() as pilot:
        view = app.query_one(Lines)
        set_virtual_size(view, Size(10, 5))
        await pilot.pause()
        calls = spy_refreshes(view)
        set_virtual_size(view, Size(10, 30))  # a vertical bar comes
        assert True in _layouts(calls)
        await pilot.pause()
        assert view.show_vertical_scrollbar
        calls.clear()
        set_virtual_size(view, Size(10, 40))  # it stays: its window follows quietly
        assert True not in _layouts(calls) and view.vertical_scrollbar.window_virtual_size == 40
        set_virtual_size(view, Size(60, 40))  # wider than the widget: a horizontal bar
        assert True in _layouts(calls)
        await pilot.pause()
        assert view.show_horizontal_scrollbar
        calls.clear()
        set_virtual_size(view, Size(10, 5))  # both go
        assert True in _layouts(calls)
        await pilot.pause()
        assert not view.show_horizontal_scrollbar and not view.show_vertical_scrollbar


async def test_a_width_at_the_edge_that_the_vertical_bar_would_push_over_is_laid_out() -> None:
    app = LinesApp()
    async with app.run_test() as pilot:
        view = app.query_one(Lines)
        set_virtual_size(view, Size(10, 30))
        await pilot.pause()
        calls = spy_refreshes(view)
        # Fits the widget's width, not the width the vertical bar leaves.
        set_virtual_size(view, Size(view.container_size.width, 30))
        assert True in _layouts(calls)
        await pilot.pause()
        assert view.show_horizontal_scrollbar  # Textual's own answer: the bar came
