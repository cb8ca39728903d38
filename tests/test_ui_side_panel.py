"""The side panel: sections drawn a line at a time, where a tick redraws only the lines it
changed and lays the screen out only when the panel's scrollbar comes or goes."""

from __future__ import annotations

from typing import ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot

from screens.widgets import Bullet, SidePanel, bullet_lines
from tests.refresh_spy import Refresh, spy_refreshes


class PanelApp(App[None]):
    CSS = "SidePanel { padding: 0 1; }"
    CLASSES: ClassVar[str] = ""

    def compose(self) -> ComposeResult:
        yield SidePanel("head", "reasons", "conflicts", id="panel", classes=self.CLASSES)


class NoGapApp(PanelApp):
    CSS = "SidePanel { padding: 0 1; } .tight > .side-panel--gap { height: 0; }"
    CLASSES = "tight"


def _seen(calls: list[Refresh]) -> list[tuple[bool, int | None]]:
    """Each refresh asked for: (a layout?, the height of its one region, if it named one)."""
    return [(c.layout, c.regions[0].height if len(c.regions) == 1 else None) for c in calls]


def _shown(panel: SidePanel) -> list[str]:
    return [panel.render_line(y).text.rstrip() for y in range(panel.scrollable_size.height)]


async def test_sections_in_order_with_a_gap_and_an_empty_one_hidden() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("conflicts", [Bullet("last", marker="⚠ ")])
        panel.set_items("head", [Content("Recommendation: Escalate")])
        await pilot.pause()
        assert panel.lines == ["Recommendation: Escalate", "", "⚠ last"]
        panel.set_items("reasons", [Bullet("Production is down")])
        await pilot.pause()
        assert panel.lines == [
            "Recommendation: Escalate",
            "",
            "• Production is down",
            "",
            "⚠ last",
        ]
        assert _shown(panel)[:5] == panel.lines
        assert panel.plain("reasons") == "• Production is down"


async def test_the_gap_comes_from_the_stylesheet() -> None:
    app = NoGapApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("head", [Content("Recommendation")])
        panel.set_items("conflicts", [Content("Conflict")])
        await pilot.pause()
        assert panel.lines == ["Recommendation", "Conflict"]
        panel.remove_class("tight")
        await pilot.pause()
        assert panel.lines == ["Recommendation", "", "Conflict"]


async def test_lines_wrap_at_the_width_with_a_hanging_indent() -> None:
    app = PanelApp()
    async with app.run_test(size=(24, 12)) as pilot:
        panel = app.query_one(SidePanel)
        width = panel.scrollable_content_region.width
        reason = "A confirmed defect needs a code-level fix in the export service"
        heading = Content("Destinations for tier L2  (t changes the tier)")
        panel.set_items("head", [heading])
        panel.set_items("reasons", [Bullet(reason)])
        await pilot.pause()
        assert all(len(line) <= width for line in panel.lines)
        expected = [line.plain for line in heading.wrap(width)]
        expected += [""] + [line.plain for line in bullet_lines([Bullet(reason)], width)]
        assert panel.lines == expected
        bullet = panel.lines.index("") + 1
        assert panel.lines[bullet].startswith("• ")
        assert all(line.startswith("  ") for line in panel.lines[bullet + 1 :])  # hanging


async def test_a_changed_line_is_redrawn_alone_without_a_layout() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("head", [Content("Recommendation: Keep")])
        panel.set_items("reasons", [Bullet("one"), Bullet("two")])
        await pilot.pause()
        calls = spy_refreshes(panel)
        panel.set_items("reasons", [Bullet("one"), Bullet("TWO")])
        assert _seen(calls) == [(False, 1)]
        panel.set_items("reasons", [Bullet("one"), Bullet("TWO")])  # the same again: nothing
        assert _seen(calls) == [(False, 1)]
        panel.set_items("reasons", [Bullet("one"), Bullet("TWO", style="bold")])  # a new style
        assert _seen(calls) == [(False, 1), (False, 1)]
        await pilot.pause()
        assert _shown(panel)[3] == "• TWO"


async def test_more_lines_that_still_fit_are_no_layout_of_the_screen() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("head", [Content("Recommendation: Keep")])
        panel.set_items("reasons", [Bullet("one")])
        await pilot.pause()
        calls = spy_refreshes(panel)
        panel.set_items("conflicts", [Bullet("a conflict"), Bullet("another")])
        assert [call.layout for call in calls] == [False]
        assert panel.virtual_size.height == 6
        await pilot.pause()
        assert _shown(panel)[:6] == panel.lines
        assert not panel.show_vertical_scrollbar


async def test_the_scrollbar_comes_and_goes_with_a_layout_and_follows_the_count() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 6)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("head", [Content("Recommendation")])
        await pilot.pause()
        calls = spy_refreshes(panel)
        panel.set_items("reasons", [Bullet(f"reason {n}") for n in range(10)])
        assert any(call.layout for call in calls)  # the scrollbar comes: the compositor places it
        await pilot.pause()
        assert panel.show_vertical_scrollbar
        calls.clear()
        panel.set_items("reasons", [Bullet(f"reason {n}") for n in range(12)])
        assert not any(call.layout for call in calls)  # still scrolls: the bar is set here
        assert panel.vertical_scrollbar.window_virtual_size == 14
        panel.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert panel.scroll_y == 14 - panel.container_size.height
        panel.set_items("reasons", [Bullet(f"reason {n}") for n in range(11)])
        assert panel.scroll_y == 13 - panel.container_size.height  # kept inside the lines
        calls.clear()
        panel.set_items("reasons", [Bullet("one")])
        assert any(call.layout for call in calls)  # the scrollbar goes
        await pilot.pause()
        assert not panel.show_vertical_scrollbar and panel.scroll_y == 0
        assert _shown(panel)[:3] == ["Recommendation", "", "• one"]


async def test_lines_that_only_moved_are_not_drawn_again(monkeypatch: object) -> None:
    drawn: list[str] = []
    original = Content.render

    def render(self: Content, *args: object, **kwargs: object) -> object:
        drawn.append(self.plain)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("reasons", [Bullet("one"), Bullet("two")])
        panel.set_items("conflicts", [Bullet("three")])
        await pilot.pause()
        Content.render = render  # type: ignore[method-assign]
        try:
            panel.set_items("head", [Content("New heading")])
            await pilot.pause()
        finally:
            Content.render = original  # type: ignore[method-assign]
        assert _shown(panel)[:6] == ["New heading", "", "• one", "• two", "", "• three"]
        assert [text for text in drawn if text.strip()] == ["New heading"]


async def _drag(
    pilot: Pilot[None], panel: SidePanel, start: tuple[int, int], end: tuple[int, int]
) -> None:
    await pilot.mouse_down(panel, offset=start)
    await pilot.hover(panel, offset=end)
    await pilot.mouse_up(panel, offset=end)
    await pilot.pause()


async def test_the_mouse_selects_the_lines_as_shown() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("head", [Content("Recommendation: Escalate")])
        panel.set_items("reasons", [Bullet("Production is down")])
        await pilot.pause()
        # Offsets are within the widget: one column of padding before the text.
        await _drag(pilot, panel, (17, 0), (12, 2))
        assert app.screen.get_selected_text() == "Escalate\n\n• Production"
        selected = app.screen.get_component_rich_style("screen--selection").bgcolor
        line = panel.render_line(2)
        shaded = "".join(s.text for s in line if s.style and s.style.bgcolor == selected)
        assert shaded == "• Production"


async def test_a_theme_change_draws_the_lines_in_its_colours() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("conflicts", [Bullet("warning", style="$warning", marker="")])
        await pilot.pause()

        def colour() -> object:
            return next(s.style.color for s in panel.render_line(0) if s.text.strip())

        before = colour()
        app.theme = "nord"
        await pilot.pause()
        assert colour() != before


class TwinApp(App[None]):
    """Two panels of one width: one changed step by step, one given the end state at once."""

    CSS = "SidePanel { padding: 0 1; height: 1fr; }"

    def compose(self) -> ComposeResult:
        yield SidePanel("head", "reasons", "conflicts", id="changed")
        yield SidePanel("head", "reasons", "conflicts", id="fresh")


_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=60)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(_TEXT, max_size=4), min_size=3, max_size=3),
    st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=6),
)
async def test_any_sequence_of_changes_shows_what_the_sections_hold(
    sections: list[list[str]], order: list[int]
) -> None:
    """Whatever was changed in whatever order, what is drawn is what a panel given the end
    state at once draws (text full of Markdown, wide and combining characters included)."""
    names = ("head", "reasons", "conflicts")
    app = TwinApp()
    async with app.run_test(size=(30, 60)) as pilot:
        changed = app.query_one("#changed", SidePanel)
        fresh = app.query_one("#fresh", SidePanel)
        await pilot.pause()
        for index in order:
            changed.set_items(names[index], [Bullet(text) for text in sections[index]])
            await pilot.pause()
        for name, texts in zip(names, sections, strict=True):
            changed.set_items(name, [Bullet(text) for text in texts])
            fresh.set_items(name, [Bullet(text) for text in texts])
        await pilot.pause()
        assert changed.lines == fresh.lines
        assert _shown(changed) == _shown(fresh)
        assert changed.virtual_size == fresh.virtual_size


class ShortApp(App[None]):
    CSS = "SidePanel { height: 9; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield SidePanel("head", "reasons")


async def test_content_shrunk_to_the_panels_height_while_scrolled_shows_from_the_top() -> None:
    """Scrolled to the end, then as many lines as the panel is tall: Textual's layout saw no new
    size and left the scroll position past the end (a blank panel) and the scrollbar shown."""
    for after in (9, 11, 3):
        app = ShortApp()
        async with app.run_test(size=(40, 20)) as pilot:
            panel = app.query_one(SidePanel)
            panel.set_items("reasons", [Content(f"line {i}") for i in range(30)])
            await pilot.pause()
            panel.scroll_end(animate=False, immediate=True)
            await pilot.pause()
            assert panel.scroll_y > 0
            panel.set_items("reasons", [Content(f"line {i}") for i in range(after)])
            await pilot.pause()
            await pilot.pause()
            assert panel.scroll_y <= panel.max_scroll_y, after
            assert panel.show_vertical_scrollbar == (after > panel.container_size.height)
            shown = _shown(panel)
            assert shown[0] == ("line 0" if after <= 9 else f"line {after - 9}"), (after, shown)


async def test_a_line_break_in_a_heading_starts_a_line() -> None:
    """An override's reason is typed text: a break in it must not reach the terminal inside a
    drawn line."""
    app = PanelApp()
    async with app.run_test(size=(60, 12)) as pilot:
        panel = app.query_one(SidePanel)
        panel.set_items("head", [Content("Overridden to: High  reason: short\nsecond")])
        await pilot.pause()
        assert panel.lines == ["Overridden to: High  reason: short", "second"]
        assert all("\n" not in panel.render_line(y).text for y in range(3))
