"""The Export screen's document preview: the Markdown drawn by Rich, in one widget.

Textual's Markdown widget mounts a widget for each block: a full case's document made 130
(paragraphs, bullets and the two containers of each), each styled and laid out. Built ahead,
the Export screen cost up to 650 ms of CPU on the development VM, in chunks of 50-110 ms that a
key typed meanwhile waited behind (the first F3, F4 or F5 after a case opened, 150-250 ms).
Rich draws the same Markdown (markdown-it-py underneath, as Textual's) into the lines of one
widget: 10-15 ms for a full case's document, once per width (a pasted log of thousands
of lines takes seconds either way). The look follows the app's theme: headings take Textual's
own Markdown variables (`$markdown-h1-color`, `$markdown-h1-text-style`, ...), so the
preview reads as Textual's widget did, and a theme change draws it again.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.errors import StyleSyntaxError
from rich.markdown import CodeBlock, Heading, ListItem, Markdown
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme
from textual.color import Color, ColorParseError
from textual.strip import Strip
from textual.widgets import Static

from screens.widgets.selection import ShadedLines

if TYPE_CHECKING:
    from markdown_it.token import Token
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
    from rich.markdown import MarkdownElement
    from textual.app import App
    from textual.selection import Selection

log = logging.getLogger(__name__)

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class _Heading(Heading):
    """Headings flush left, as in the document a lead will read (Rich centres the first)."""

    LEVEL_ALIGN: ClassVar[dict[str, JustifyMethod]] = dict.fromkeys(HEADINGS, "left")


class _ListItem(ListItem):
    """Numbered steps read "1." as typed (Rich writes the bare number)."""

    def render_number(
        self, console: Console, options: ConsoleOptions, number: int, last_number: int
    ) -> RenderResult:
        width = len(str(last_number - 1)) + 3  # Rich passes one past the last number
        lines = console.render_lines(
            self.elements, options.update(width=options.max_width - width), style=self.style
        )
        style = console.get_style("markdown.item.number", default="none")
        numeral = Segment(f"{number}.".rjust(width - 1) + " ", style)
        padding = Segment(" " * width, style)
        for index, line in enumerate(lines):
            yield padding if index else numeral
            yield from line
            yield Segment.line()


class _CodeBlock(CodeBlock):
    """Pasted logs and commands on a shade of their own, set apart from the prose around them
    as Textual's fences were (Rich's take the Pygments theme's background, or none)."""

    background: str | None = None

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = cast("_CodeBlock", super().create(markdown, token))
        block.background = getattr(markdown, "code_background", None)
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        yield Syntax(
            code,
            self.lexer_name,
            theme=self.theme,
            word_wrap=True,
            padding=(0, 1),
            background_color=self.background,
        )


def _autolinks_as_text(inline: list[Token]) -> list[Token]:
    """`<https://...>` shown once: Rich writes a link's URL after its text, the same URL twice
    for an autolink ("https://x (https://x)")."""
    return [
        token
        for token in inline
        if not (token.type in ("link_open", "link_close") and token.markup == "autolink")
    ]


def _unpaired_kbd_as_text(inline: list[Token]) -> None:
    """`<kbd>` and `</kbd>` that do not pair up, shown as the text they are: Rich 15 takes one
    for a style to enter or leave, and a lone `</kbd>` (typed in a kept case's note) ended the
    app with an IndexError; a lone `<kbd>` made the rest of the block bold."""
    opened: list[Token] = []
    for token in inline:
        if token.type != "html_inline":
            continue
        if token.content == "<kbd>":
            opened.append(token)
        elif token.content == "</kbd>":
            if opened:
                opened.pop()
            else:
                token.type = "text"
    for token in opened:
        token.type = "text"


class _Markdown(Markdown):
    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "heading_open": _Heading,
        "list_item_open": _ListItem,
        "fence": _CodeBlock,
        "code_block": _CodeBlock,
    }

    def __init__(self, markup: str, *, code_background: str | None = None, **options: Any) -> None:
        super().__init__(markup, **options)
        self.code_background = code_background
        for token in self.parsed:
            if token.children:
                token.children = _autolinks_as_text(token.children)
                _unpaired_kbd_as_text(token.children)


def _colour(variables: dict[str, str], name: str) -> Color | None:
    """A theme variable as a colour, or None (unset, transparent, or a form like "auto 87%")."""
    value = variables.get(name, "")
    if not value or value == "transparent":
        return None
    try:
        return Color.parse(value)
    except ColorParseError:
        return None


def _style(
    variables: dict[str, str], colour: str, text_style: str = "", *, on: Color | None = None
) -> Style:
    """A Rich style from theme variables; a translucent colour blended over `on`."""
    found = _colour(variables, colour)
    if found is not None and found.a < 1 and on is not None:
        found = on.blend(found, found.a)
    style = Style(color=found.rich_color if found is not None else None)
    words = variables.get(text_style, "") if text_style else ""
    if words and words != "none":
        with contextlib.suppress(StyleSyntaxError):  # a theme's own word Rich does not know
            style += Style.parse(words)
    return style


def code_background(app: App[object]) -> str | None:
    """A shade of the pane's background for code blocks: a little of the foreground over
    `$surface`, so it shows in dark and light themes alike (none in the ANSI themes, whose
    colours are the terminal's own)."""
    variables = app.theme_variables
    surface, foreground = _colour(variables, "surface"), _colour(variables, "foreground")
    if surface is None or foreground is None or surface.ansi is not None:
        return None
    return surface.blend(foreground, 0.07).hex


def markdown_theme(app: App[object]) -> Theme:
    """Rich's Markdown styles in the colours of the app's current theme."""
    variables = app.theme_variables
    surface = _colour(variables, "surface")
    styles: dict[str, Style] = {
        f"markdown.{h}": _style(variables, f"markdown-{h}-color", f"markdown-{h}-text-style")
        for h in HEADINGS
    }
    muted = _style(variables, "foreground-muted", on=surface)
    styles |= {
        "markdown.code": _style(variables, "text-warning"),
        "markdown.code_block": Style(),
        "markdown.block_quote": muted,
        "markdown.item.bullet": _style(variables, "text-primary"),
        "markdown.item.number": _style(variables, "text-primary"),
        "markdown.hr": _style(variables, "primary"),
        "markdown.link": _style(variables, "text-primary") + Style(underline=True),
        "markdown.link_url": muted,
        "markdown.table.border": muted,
        "markdown.table.header": Style(bold=True),
    }
    return Theme(styles, inherit=True)


@dataclass
class Themed:
    """A renderable drawn under a Rich theme, its lines kept per width (Textual asks for them
    twice at each width: once for the height, once to draw)."""

    renderable: Markdown | Text
    theme: Theme
    _lines: dict[int, list[list[Segment]]] = field(default_factory=dict, repr=False)  # one width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self._lines.get(options.max_width)
        if lines is None:
            console.push_theme(self.theme)
            try:
                lines = console.render_lines(self.renderable, options, pad=False)
            except Exception:  # Rich's own bug on some input: the text as typed, not a crash
                log.exception("the preview could not draw the document as Markdown")
                lines = console.render_lines(Text(_source(self.renderable)), options, pad=False)
            finally:
                console.pop_theme()
            self._lines = {options.max_width: lines}
        new_line = Segment.line()
        for line in lines:
            yield from line
            yield new_line


def _source(renderable: Markdown | Text) -> str:
    return renderable.markup if isinstance(renderable, Markdown) else renderable.plain


class DocumentPreview(Static):
    """The document as it will read: Markdown drawn, or plain text as itself."""

    DEFAULT_CSS = """
    DocumentPreview {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.text = ""
        self.markdown = True
        self._theme_name: str | None = None
        self._shaded = ShadedLines()

    def show(self, text: str, *, markdown: bool) -> None:
        """Show `text`: drawn as Markdown, or as the plain text it is. Terminal control
        sequences go (the document's fields are cleaned when typed; this is the last line)."""
        from workbench.sanitize import sanitize

        self.text, self.markdown = sanitize(text), markdown
        self._draw()

    def _draw(self) -> None:
        self._theme_name = self.app.theme
        renderable: Markdown | Text = (
            _Markdown(
                self.text,
                code_theme=self._code_theme(),
                code_background=code_background(self.app),
                hyperlinks=False,
            )
            if self.markdown
            else Text(self.text)
        )
        self.update(Themed(renderable, markdown_theme(self.app)))

    def _code_theme(self) -> str:
        """Pygments' ANSI themes: no colours of their own that could clash with the app's."""
        return "ansi_dark" if self.app.current_theme.dark else "ansi_light"

    # -- text selection (Textual selects in Content; Rich's lines carry no offsets of their own)
    def render_line(self, y: int) -> Strip:
        return self._shaded.line(self, y, super().render_line(y))

    def selection_updated(self, selection: Selection | None) -> None:
        self._shaded.forget()  # the lines of an earlier selection (each is keyed by its span)
        super().selection_updated(selection)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        line = super().render_line  # the lines as drawn, without the selection's offsets
        lines = [line(y).text.rstrip() for y in range(self.size.height)]
        return selection.extract("\n".join(lines)), "\n"

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A theme change restyles every widget; the preview's colours are drawn into its lines.
        if self.is_mounted and self._theme_name not in (None, self.app.theme):
            self._draw()
