"""The quiet updates: the live panels are re-rendered after every save, and showing the same
thing again must not cost a layout of the screen, while any real change (text or style) shows."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from screens.widgets import Bullet, BulletList, bullet_lines, set_display, update_static


class _Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("ready", id="line")
        yield BulletList(id="bullets")


def _count_layouts(widget: Static | BulletList) -> list[bool]:
    calls: list[bool] = []
    original = widget.refresh

    def refresh(*args: object, layout: bool = False, **kwargs: object) -> object:
        calls.append(layout)
        return original(*args, layout=layout, **kwargs)  # type: ignore[arg-type]

    widget.refresh = refresh  # type: ignore[method-assign]
    return calls


async def test_same_content_is_not_shown_again_but_a_new_style_is() -> None:
    app = _Panel()
    async with app.run_test():
        line = app.query_one("#line", Static)
        calls = _count_layouts(line)
        update_static(line, "ready")
        assert calls == []
        update_static(line, Content.styled("ready", "bold"))  # same text, new style
        assert calls == [True]
        update_static(line, Content.styled("ready", "bold"))
        assert calls == [True]
        update_static(line, Content.styled("ready", "italic"))
        assert len(calls) == 2 and line.content.spans[0].style == "italic"  # type: ignore[union-attr]


async def test_same_bullets_and_same_display_cost_nothing() -> None:
    app = _Panel()
    async with app.run_test() as pilot:
        bullets = app.query_one(BulletList)
        bullets.set_items([Bullet("one"), Content("heading")])
        calls = _count_layouts(bullets)
        bullets.set_items([Bullet("one"), Content("heading")])
        set_display(bullets, True)
        assert calls == []
        # A new look in as many lines: this widget is painted again, the screen is not laid out.
        bullets.set_items([Bullet("one", style="$warning"), Content("heading")])
        assert calls == [False]
        bullets.set_items([Bullet("two"), Content.styled("heading", "bold")])
        assert calls == [False, False]
        # Another line, or a bullet long enough to wrap: the screen is laid out.
        bullets.set_items([Bullet("two"), Content("heading"), Bullet("three")])
        assert calls == [False, False, True]
        width = bullets.content_region.width
        bullets.set_items([Bullet("two"), Content("heading"), Bullet("word " * width)])
        assert calls == [False, False, True, True]
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
        calls = _count_layouts(bullets)
        bullets.set_items([plain])
        assert calls == []
        bullets.set_items([dimmed])
        assert len(calls) == 1 and bullets.items == [dimmed]
