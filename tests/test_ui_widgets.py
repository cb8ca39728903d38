"""The quiet updates: the live panels are re-rendered after every save, and showing the same
thing again must not cost a layout of the screen, while any real change (text or style) shows."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import OptionList, Static

from screens.widgets import (
    Bullet,
    BulletList,
    CaseLine,
    SavedIndicator,
    SteadyOptionList,
    bullet_lines,
    set_display,
    update_static,
)
from tests.refresh_spy import Refresh, spy_refreshes


class _Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("ready", id="line")
        yield BulletList(id="bullets")
        yield SavedIndicator(id="saved")


def _layouts(calls: list[Refresh]) -> list[bool]:
    """Whether each refresh asked for a layout."""
    return [call.layout for call in calls]


async def test_same_content_is_not_shown_again_but_a_new_style_is() -> None:
    app = _Panel()
    async with app.run_test():
        line = app.query_one("#line", Static)
        calls = spy_refreshes(line)
        update_static(line, "ready")
        assert _layouts(calls) == []
        update_static(line, Content.styled("ready", "bold"))  # same text, new style
        assert _layouts(calls) == [True]
        update_static(line, Content.styled("ready", "bold"))
        assert _layouts(calls) == [True]
        update_static(line, Content.styled("ready", "italic"))
        assert len(calls) == 2 and line.content.spans[0].style == "italic"  # type: ignore[union-attr]


async def test_same_bullets_and_same_display_cost_nothing() -> None:
    app = _Panel()
    async with app.run_test() as pilot:
        bullets = app.query_one(BulletList)
        bullets.set_items([Bullet("one"), Content("heading")])
        calls = spy_refreshes(bullets)
        bullets.set_items([Bullet("one"), Content("heading")])
        set_display(bullets, True)
        assert _layouts(calls) == []
        # A new look in as many lines: this widget is painted again, the screen is not laid out.
        bullets.set_items([Bullet("one", style="$warning"), Content("heading")])
        assert _layouts(calls) == [False]
        bullets.set_items([Bullet("two"), Content.styled("heading", "bold")])
        assert _layouts(calls) == [False, False]
        # Another line, or a bullet long enough to wrap: the screen is laid out.
        bullets.set_items([Bullet("two"), Content("heading"), Bullet("three")])
        assert _layouts(calls) == [False, False, True]
        width = bullets.content_region.width
        bullets.set_items([Bullet("two"), Content("heading"), Bullet("word " * width)])
        assert _layouts(calls) == [False, False, True, True]
        await pilot.pause()
        assert bullets.size.height == len(bullets._lines(width)) > 3
        set_display(bullets, False)
        assert not bullets.display
        assert bullets.plain.startswith("• two\nheading\n• word word")


def test_a_bullet_of_styled_content_wraps_under_its_first_word_and_keeps_its_styles() -> None:
    """The export's readiness items: plain text with a dim detail after it."""
    text = Content("Relevant logs and error output") + Content.styled(
        ": Missing: evidence (error text, logs) or attached log files.", "dim"
    )
    lines = bullet_lines([Bullet(text, marker="✗ ", marker_style="bold $error")], 40)
    assert len(lines) == 3
    assert lines[0].plain.startswith("✗ Relevant logs")
    assert all(line.plain.startswith("  ") and line.cell_length <= 40 for line in lines[1:])
    assert " ".join(line.plain[2:] for line in lines) == text.plain
    assert any(span.style == "dim" for span in lines[-1].spans)  # the detail stays dim


async def test_a_styled_bullet_that_changes_only_its_styling_is_shown_again() -> None:
    """Content's own == compares the text alone: a detail turning dim must still repaint."""
    app = _Panel()
    async with app.run_test():
        bullets = app.query_one(BulletList)
        plain = Bullet(Content("Business impact statement: 3 customers"))
        dimmed = Bullet(
            Content("Business impact statement") + Content.styled(": 3 customers", "dim")
        )
        bullets.set_items([plain])
        calls = spy_refreshes(bullets)
        bullets.set_items([plain])
        assert _layouts(calls) == []
        bullets.set_items([dimmed])
        assert len(calls) == 1 and bullets.items == [dimmed]


class _ListBesidePanel(App[None]):
    """A long list beside a panel whose lines come and go (Triage's checklist and its panel)."""

    CSS = "Horizontal { height: 1fr; } OptionList { width: 40; height: 1fr; } #line { width: 1fr; }"

    def __init__(self, list_class: type[OptionList]) -> None:
        super().__init__()
        self.list_class = list_class

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal

        with Horizontal():
            yield self.list_class(*(f"item {n}" for n in range(40)))
            yield Static("a line", id="line")


def _count_scrollbar_paints(options: OptionList) -> list[None]:
    paints: list[None] = []
    scrollbar = options.vertical_scrollbar
    original = scrollbar.refresh

    def refresh(*args: object, **kwargs: object) -> object:
        paints.append(None)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    scrollbar.refresh = refresh  # type: ignore[method-assign]
    return paints


async def test_a_layout_elsewhere_leaves_a_steady_lists_scrollbar_alone() -> None:
    """OptionList paints its scrollbar again at every layout of the screen (it compares its
    region with its lines); SteadyOptionList only when its size or its lines change."""
    for list_class, repainted in ((OptionList, True), (SteadyOptionList, False)):
        app = _ListBesidePanel(list_class)
        async with app.run_test(size=(60, 12)) as pilot:
            await pilot.pause()
            options = app.query_one(OptionList)
            paints = _count_scrollbar_paints(options)
            line = app.query_one("#line", Static)
            for text in ("two\nlines", "one line", "three\nmore\nlines"):
                line.update(text)  # a new height: the screen is laid out again
                await pilot.pause()
            assert bool(paints) is repainted, list_class


async def test_a_steady_lists_scrollbar_follows_its_size_and_its_lines() -> None:
    app = _ListBesidePanel(SteadyOptionList)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        options = app.query_one(OptionList)
        scrollbar = options.vertical_scrollbar
        assert (scrollbar.window_size, scrollbar.window_virtual_size) == (10, 40)  # in its border
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert scrollbar.window_size == 18
        options.add_options([f"more {n}" for n in range(10)])
        await pilot.pause()
        assert scrollbar.window_virtual_size == 50
        options.clear_options()
        options.add_options(["only one"])
        await pilot.pause()
        assert not options.show_vertical_scrollbar


async def test_the_saved_mark_keeps_one_timer_for_a_run_of_saves() -> None:
    """Every keystroke's save marks it saved: the mark is brighter for a while after the last
    one, with one timer for the run (a timer a save was a task made and one cancelled each
    key), and a new one after it has dimmed."""
    app = _Panel()
    async with app.run_test():
        mark = app.query_one(SavedIndicator)
        mark.mark_saved()
        first = mark._flash
        assert first is not None and mark.state == "saved"
        assert "bold" in str(mark.content.spans[0].style)  # type: ignore[union-attr]
        for _ in range(5):
            mark.mark_saved()
        assert mark._flash is first
        mark._dim_flash()  # what the timer calls when its time is up
        assert mark._flash is None and mark.state == "saved"
        assert "bold" not in str(mark.content.spans[0].style)  # type: ignore[union-attr]
        mark.mark_saved()
        assert mark._flash is not None and mark._flash is not first
        mark.mark_error("the disk is full")
        assert mark.tooltip == "the disk is full"
        mark.mark_saved()
        assert mark.tooltip is None


class _Line(App[None]):
    CSS = "CaseLine { width: 40; }"

    def compose(self) -> ComposeResult:
        yield CaseLine()


async def test_the_case_line_cuts_the_title_for_the_facts_and_repaints_without_a_layout() -> None:
    app = _Line()
    async with app.run_test(size=(60, 5)) as pilot:
        line = app.query_one(CaseLine)
        title = Content("#12 SSO login loops for <tenant> admins after the rotation")
        line.show(title, Content(" · Draft · High ·"))
        await pilot.pause()
        shown = str(line.render())
        assert len(shown) == 40 and shown.endswith(" · Draft · High ·")
        assert shown.startswith("#12 SSO login loops") and "…" in shown
        calls = spy_refreshes(line)
        line.show(title, Content(" · Draft · Critical · Security (suggested)"))
        assert _layouts(calls) == [False]  # a longer facts line: this line repainted, no layout
        shown = str(line.render())
        # The facts cut only where the title would keep less than a quarter of the line.
        assert len(shown) == 40 and shown.startswith("#12 SSO l…") and shown.count("…") == 2
        line.show(title, Content(" · Draft · Critical · Security (suggested)"))
        assert _layouts(calls) == [False]  # the same again: nothing
        line.show(Content("#12 Short"), Content(" · Draft ·"))
        assert str(line.render()) == "#12 Short".ljust(40 - len(" · Draft ·")) + " · Draft ·"
