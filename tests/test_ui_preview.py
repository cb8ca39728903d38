"""The Export screen's document preview (screens/widgets/preview.py): the Markdown drawn by Rich
in one widget, in the app theme's colours, plain text shown as itself."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.color import Color

from screens.widgets import DocumentPreview
from screens.widgets.preview import Themed, _Markdown, code_background, markdown_theme
from workbench.sanitize import sanitize

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.strip import Strip

DOCUMENT = """# ESCALATION: CSV export fails for reports over 10,000 rows

Severity: High

## BUSINESS IMPACT

- Affected customers: 3 customers, 1,200 end users
- Revenue exposure: $180,000 ARR exposed

## REPRODUCTION PROCEDURE (for defects)

1. Open Reports and select report 4471
2. Export as CSV
3. Wait 30 s
4. See the error
5. Retry
6. Same error
7. Check the log
8. Same again
9. Nine
10. Ten

```text
2026-11-23T10:42:01Z ERROR export-worker E-1042 rows=10001
```
"""


class PreviewApp(App[None]):
    def __init__(self, text: str = DOCUMENT, *, markdown: bool = True) -> None:
        super().__init__()
        self.text, self.markdown = text, markdown

    def compose(self) -> ComposeResult:
        yield DocumentPreview(id="preview")

    def on_mount(self) -> None:
        self.query_one(DocumentPreview).show(self.text, markdown=self.markdown)


def _lines(preview: DocumentPreview) -> list[Strip]:
    return [preview.render_line(y) for y in range(preview.size.height)]


def _text(preview: DocumentPreview) -> list[str]:
    return [strip.text.rstrip() for strip in _lines(preview)]


def _colour_of(preview: DocumentPreview, words: str) -> Color | None:
    """The foreground colour of the segment that holds `words`."""
    for strip in _lines(preview):
        for segment in strip:
            if words in segment.text and segment.style and segment.style.color:
                triplet = segment.style.color.get_truecolor()
                return Color(triplet.red, triplet.green, triplet.blue)
    return None


async def test_headings_flush_left_numbers_with_a_dot_and_every_word_shown() -> None:
    app = PreviewApp()
    async with app.run_test(size=(70, 40)) as pilot:
        await pilot.pause()
        lines = _text(app.query_one(DocumentPreview))
        assert lines[0] == "ESCALATION: CSV export fails for reports over 10,000 rows"
        assert "BUSINESS IMPACT" in lines and "REPRODUCTION PROCEDURE (for defects)" in lines
        assert " • Affected customers: 3 customers, 1,200 end users" in lines
        # Numbers right-aligned under each other, each with its dot, as typed.
        assert "  1. Open Reports and select report 4471" in lines
        assert " 10. Ten" in lines
        assert any("E-1042 rows=10001" in line for line in lines)
        assert not any(line.startswith(("#", "- ", "```")) for line in lines)


async def test_headings_take_the_themes_markdown_colours_and_follow_a_theme_change() -> None:
    app = PreviewApp()
    async with app.run_test(size=(70, 40)) as pilot:
        await pilot.pause()
        preview = app.query_one(DocumentPreview)
        for theme in ("textual-dark", "gruvbox"):
            app.theme = theme
            await pilot.pause()
            expected = Color.parse(app.theme_variables["markdown-h1-color"])
            assert _colour_of(preview, "ESCALATION") == expected, theme
        assert Color.parse(app.theme_variables["markdown-h1-color"]) != Color.parse("#0178D4")


def _backgrounds(preview: DocumentPreview, words: str) -> set[tuple[int, int, int]]:
    return {
        tuple(segment.style.bgcolor.get_truecolor())
        for strip in _lines(preview)
        for segment in strip
        if words in segment.text and segment.style and segment.style.bgcolor
    }


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_pasted_logs_are_set_apart_on_a_shade_of_the_pane(theme: str) -> None:
    """Pygments' default theme paints a block in its own colours (Monokai's dark grey in a
    light theme); here a shade of the pane, the same in dark and light themes."""
    app = PreviewApp()
    async with app.run_test(size=(70, 40)) as pilot:
        app.theme = theme
        await pilot.pause()
        preview = app.query_one(DocumentPreview)
        shade = Color.parse(code_background(app) or "")
        surface = Color.parse(app.theme_variables["surface"])
        assert _backgrounds(preview, "E-1042") == {shade.rgb}
        assert shade != surface and surface.get_contrast_text(1.0) != shade  # visible, not loud
        assert abs(shade.brightness - surface.brightness) < 0.1
        assert shade.rgb not in _backgrounds(preview, "Severity")


async def test_an_ansi_theme_gives_code_no_colours_of_its_own() -> None:
    app = PreviewApp()
    async with app.run_test(size=(70, 40)) as pilot:
        app.theme = "ansi-dark"
        await pilot.pause()
        assert code_background(app) is None
        preview = app.query_one(DocumentPreview)
        assert _backgrounds(preview, "E-1042") == _backgrounds(preview, "Severity")


async def test_plain_text_is_shown_as_itself_not_read_as_markdown() -> None:
    plain = "ESCALATION: x\n\nBUSINESS IMPACT\n- **not bold** [red]not markup[/red] `tick`\n# hash"
    app = PreviewApp(plain, markdown=False)
    async with app.run_test(size=(70, 12)) as pilot:
        await pilot.pause()
        lines = _text(app.query_one(DocumentPreview))
        assert lines[:6] == plain.split("\n")


def test_a_width_is_drawn_once() -> None:
    """Textual asks for the lines twice per width (the height, then the draw)."""
    calls: list[int] = []

    class Counting(Console):
        def render_lines(self, *args: object, **kwargs: object) -> list[list[Segment]]:
            calls.append(1)
            return super().render_lines(*args, **kwargs)  # type: ignore[arg-type]

    console = Counting(width=60, file=open("/dev/null", "w"))  # noqa: SIM115
    from rich.theme import Theme

    themed = Themed(_Markdown("# Title\n\ntext"), Theme())
    for width in (60, 60, 40, 40):
        list(console.render(themed, console.options.update_width(width)))
    assert len(calls) == 2
    console.file.close()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Close the panel with Esc, not </kbd>.", "Close the panel with Esc, not </kbd>."),
        ("Press <kbd>Ctrl</kbd>+<kbd>S</kbd> to save", "Press Ctrl+S to save"),
        ("Press <kbd>Esc then stop", "Press <kbd>Esc then stop"),
        ("</kbd></kbd><kbd>", "</kbd></kbd><kbd>"),
    ],
)
async def test_kbd_tags_that_do_not_pair_are_shown_as_typed(text: str, shown: str) -> None:
    """Rich 15 takes each for a style to enter or leave: a lone </kbd> (a kept case's note is
    written as typed) ended the app with an IndexError; a lone <kbd> made the rest bold."""
    app = PreviewApp(f"{text}\n\nAfter it.")
    async with app.run_test(size=(70, 10)) as pilot:
        await pilot.pause()
        preview = app.query_one(DocumentPreview)
        assert _text(preview)[:3] == [shown, "", "After it."]
        after = next(seg for seg in _lines(preview)[2] if "After" in seg.text)
        assert not (after.style and after.style.bold)


async def test_an_autolink_shows_its_address_once_and_a_link_its_text_and_address() -> None:
    text = "See <https://status.example.com/i/42> or [the ticket](https://jira.example/X-1)."
    app = PreviewApp(text)
    async with app.run_test(size=(100, 6)) as pilot:
        await pilot.pause()
        assert _text(app.query_one(DocumentPreview))[0] == (
            "See https://status.example.com/i/42 or the ticket (https://jira.example/X-1)."
        )


async def test_a_document_rich_cannot_draw_is_shown_as_its_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever Rich's Markdown fails on next, the preview shows the document, not a crash."""

    def broken(self: object, console: object, options: object) -> object:
        raise IndexError("pop from empty list")

    monkeypatch.setattr(_Markdown, "__rich_console__", broken)
    app = PreviewApp("# Title\n\n- item")
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        assert _text(app.query_one(DocumentPreview))[:3] == ["# Title", "", "- item"]


async def test_nine_steps_are_numbered_as_eight_are() -> None:
    """Rich passes one past the last number: a ninth step indented every step by a column."""
    nine = "\n".join(f"{n}. step {n}" for n in range(1, 10))
    app = PreviewApp(nine)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        steps = [line for line in _text(app.query_one(DocumentPreview)) if "step" in line]
        assert steps[0] == " 1. step 1" and steps[8] == " 9. step 9"


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
async def test_every_builtin_kind_of_theme_gives_a_rich_theme(theme: str) -> None:
    app = PreviewApp()
    async with app.run_test(size=(40, 10)) as pilot:
        app.theme = theme
        await pilot.pause()
        rich_theme = markdown_theme(app)
        assert "markdown.h1" in rich_theme.styles and "markdown.code" in rich_theme.styles


# Text full of what Markdown, Rich markup and terminals care about.
NASTY = st.lists(
    st.one_of(
        st.sampled_from(list("ab \n*_`#[]()<>!|-+=~\\/:;.\t\x1b\x07é→漢🙂")),
        st.sampled_from(["<kbd>", "</kbd>", "<br>", "<!--", "-->", "1. ", "- ", "```", "~~~"]),
    ),
    max_size=80,
).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=NASTY)
async def test_any_text_draws_in_both_forms(text: str) -> None:
    """No text breaks the preview or reaches the terminal as a control sequence; plain text
    keeps every printable character it had."""
    for markdown in (True, False):
        app = PreviewApp(text, markdown=markdown)
        async with app.run_test(size=(50, 30)) as pilot:
            await pilot.pause()
            shown = "".join(_text(app.query_one(DocumentPreview)))
            assert not any(c in shown for c in "\x1b\x07")
            if not markdown:
                wanted = [c for c in sanitize(text) if c.isprintable() and not c.isspace()]
                assert [c for c in shown if not c.isspace()][: len(wanted)] == wanted


async def test_a_theme_word_rich_does_not_know_is_left_out() -> None:
    """A theme's text style is Textual's word; one Rich cannot parse must not end the app."""
    from textual.theme import Theme as TextualTheme

    app = PreviewApp()
    async with app.run_test(size=(70, 20)) as pilot:
        app.register_theme(
            TextualTheme(
                "odd",
                primary="#0178D4",
                variables={"markdown-h1-text-style": "wobbly", "markdown-h1-color": "#ff0000"},
            )
        )
        app.theme = "odd"
        await pilot.pause()
        preview = app.query_one(DocumentPreview)
        assert _colour_of(preview, "ESCALATION") == Color.parse("#ff0000")


async def _drag(
    pilot: Pilot[None], preview: DocumentPreview, start: tuple[int, int], end: tuple[int, int]
) -> None:
    """Press at `start`, move to `end`, let go there: a selection by the mouse."""
    await pilot.mouse_down(preview, offset=start)
    await pilot.hover(preview, offset=end)
    await pilot.mouse_up(preview, offset=end)
    await pilot.pause()


def _shaded(app: App[None], preview: DocumentPreview, y: int) -> str:
    """The characters of line `y` drawn in the selection's colour."""
    selected = app.screen.get_component_rich_style("screen--selection").bgcolor
    line = preview.render_line(y)
    return "".join(seg.text for seg in line if seg.style and seg.style.bgcolor == selected)


async def test_the_mouse_selects_the_text_as_drawn_and_shows_what_it_selected() -> None:
    """Textual selects in its own Content; Rich's lines carry no offsets of their own, so a drag
    over the preview selected nothing (the raw view did)."""
    app = PreviewApp("# Title here\n\nFirst paragraph of text.\n\n- item one\n- item two 漢字 ok")
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        preview = app.query_one(DocumentPreview)
        await _drag(pilot, preview, (6, 0), (10, 2))
        assert app.screen.get_selected_text() == "here\n\nFirst parag"
        assert _shaded(app, preview, 2) == "First parag"
        # Wide characters: two cells each, one character each in the text.
        await _drag(pilot, preview, (3, 5), (16, 5))
        assert app.screen.get_selected_text() == "item two 漢字 "


async def test_a_selection_is_shaded_to_the_end_of_the_text_and_kept_between_frames() -> None:
    """Lines inside a selection were shaded across the whole pane, their copy to the text's
    end; and each frame built every selected line again (no cache of its offsets either)."""
    app = PreviewApp("First paragraph of text.\n\nSecond one here.\n\nThird.")
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        preview = app.query_one(DocumentPreview)
        await _drag(pilot, preview, (6, 0), (3, 4))
        assert app.screen.get_selected_text() == "paragraph of text.\n\nSecond one here.\n\nThir"
        shaded = [_shaded(app, preview, y) for y in (0, 2, 4)]
        assert shaded == ["paragraph of text.", "Second one here.", "Thir"]
        assert preview.render_line(2) is preview.render_line(2)
        await _drag(pilot, preview, (0, 2), (5, 2))
        assert [_shaded(app, preview, 0), _shaded(app, preview, 2)] == ["", "Second"]
