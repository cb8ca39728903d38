"""Small widgets shared by the screens: the case header with its step tabs and saved indicator, the
impact level bar, and the markup helpers that colour severities and due times the same way
everywhere (theme variables only, so 16-colour terminals stay readable).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, NamedTuple, Self

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.timer import Timer

    from workbench.models import Escalation

SEVERITY_STYLE: dict[str, str] = {
    "critical": "bold $error",
    "high": "bold $warning",
    "medium": "bold $primary",
}


def severity_content(severity: str | None, label: str | None = None) -> Content:
    """A severity in its colour (Critical red, High yellow, Medium blue), or a dim dash."""
    if not severity:
        return Content.styled("—", "dim")
    text = label or severity.capitalize()
    return Content.styled(text, SEVERITY_STYLE.get(severity, ""))


def same_content(a: object, b: object) -> bool:
    """Equal text and equal styling (Content's own == compares the text only)."""
    if isinstance(a, Content) and isinstance(b, Content):
        return a.plain == b.plain and a.spans == b.spans
    return type(a) is type(b) and isinstance(a, str) and a == b


def update_static(widget: Static, content: Content | str, *, layout: bool = True) -> None:
    """`widget.update(content)` unless it already shows exactly that. Every update asks for a
    layout of the whole screen (Static cannot know its size did not change) unless `layout` is
    False (for a widget whose size the stylesheet fixes); the live panels are re-rendered after
    every save, and most of what they show is the same as before."""
    if not same_content(widget.content, content):
        widget.update(content, layout=layout)


def set_display(widget: Widget, shown: bool) -> None:
    """`widget.display = shown` only when it changes (each assignment asks for a layout)."""
    if widget.display != shown:
        widget.display = shown


class SavedIndicator(Static):
    """The quiet "saved" mark: every edit is committed at once, this says it was.

    `mark_saved()` shows "✓ saved" (briefly brighter); `mark_error(message)` shows "✗ not saved"
    until the next successful save, with the store's message as the tooltip.
    """

    DEFAULT_CSS = """
    SavedIndicator { width: auto; text-style: dim; }
    SavedIndicator.-saved { color: $success; text-style: none; }
    SavedIndicator.-flash { text-style: bold; }
    SavedIndicator.-error { color: $error; text-style: bold; }
    """

    _flash: Timer | None = None

    def mark_saved(self) -> None:
        self.remove_class("-error")
        self.add_class("-saved", "-flash")
        update_static(self, "✓ saved")
        self.tooltip = None
        # Brighter until a second after the last save (one restyle then, not one per save).
        if self._flash is not None:
            self._flash.stop()
        self._flash = self.set_timer(1.0, lambda: self.remove_class("-flash"))

    def mark_error(self, message: str) -> None:
        self.remove_class("-saved", "-flash")
        self.add_class("-error")
        update_static(self, "✗ not saved")
        self.tooltip = message

    @property
    def state(self) -> str:
        """ "saved", "error" or "" (nothing saved yet on this screen): for tests and the header."""
        if self.has_class("-error"):
            return "error"
        return "saved" if self.has_class("-saved") else ""


class ReadOnlyBanner(Static):
    """A line across the top of every screen while the database is open read-only (the file or
    its folder cannot be written): the agent learns it before typing, not from "not saved"."""

    DEFAULT_CSS = """
    ReadOnlyBanner { height: auto; display: none; padding: 0 1;
        background: $warning; color: auto 90%; text-style: bold; }
    ReadOnlyBanner.-shown { display: block; }
    """

    def on_mount(self) -> None:
        store = getattr(self.app, "store", None)
        readonly = bool(getattr(store, "readonly", False))
        self.set_class(readonly, "-shown")
        if readonly:
            self.update(
                Content(
                    f"READ-ONLY: {getattr(store, 'path', 'the database')} cannot be written. "
                    "You can read, search and export; nothing you change is saved."
                )
            )


class CaseHeader(Vertical):
    """Top of every step screen: `#id title · status · severity · routed to`, the step tabs with
    the current one highlighted (clickable), and the saved indicator."""

    DEFAULT_CSS = """
    CaseHeader { height: auto; }
    CaseHeader #case-header-top { height: 1; }
    CaseHeader #case-title { width: 1fr; height: 1; text-overflow: ellipsis; text-wrap: nowrap; }
    CaseHeader #case-facts { width: auto; max-width: 60%; height: 1; text-wrap: nowrap;
        text-overflow: ellipsis; }
    CaseHeader #case-steps { height: 1; }
    """

    def __init__(self, step: str, *, id: str | None = "case-header") -> None:
        super().__init__(id=id)
        self.step = step

    def compose(self) -> ComposeResult:
        with Horizontal(id="case-header-top"):
            yield Static(id="case-title")
            yield Static(id="case-facts")
            yield SavedIndicator(id="saved")
        yield Static(self._tabs(), id="case-steps")

    def _tabs(self, width: int = 0) -> Content:
        """`F2 Triage  F3 Impact ...`, the current step highlighted; shorter when space is short
        (only the current step keeps its name), so every key stays visible."""
        from screens.case_base import STEPS

        def build(short: bool) -> Content:
            parts: list[Content] = []
            for info in STEPS:
                key = info.key.upper()
                if info.name == self.step:
                    parts.append(Content.styled(f" {key} {info.label} ", "bold reverse $accent"))
                else:
                    label = key if short else f"{key} {info.label}"
                    parts.append(Content.styled(label, f"@click=screen.step('{info.name}')"))
            return Content("  ").join(parts)

        full = build(short=False)
        return full if not width or full.cell_length <= width else build(short=True)

    def on_resize(self) -> None:
        steps = self.query_one("#case-steps", Static)
        update_static(steps, self._tabs(self.content_region.width))

    def show_case(self, case: Escalation) -> None:
        """Re-render the title line from the case and what the rules derive from it: the title
        (cut first when space is short), then status, severity and routing, which always show."""
        from workbench.rules.summary import summarize

        summary = summarize(case, self.app.playbook, self.app.now())  # type: ignore[attr-defined]
        sep = Content.styled(" · ", "dim")
        title = [
            Content.styled(f"#{case.id} ", "bold"),
            Content.styled(case.title or "(untitled)", "bold"),
        ]
        if case.customer:
            title += [sep, Content(case.customer)]
        # One line that fills what the facts leave (the stylesheet): new text is no new size.
        update_static(self.query_one("#case-title", Static), Content("").join(title), layout=False)
        facts = [
            sep,
            Content(case.status.label),
            sep,
            severity_content(summary.severity),
            sep,
            Content(summary.routed_to or "not routed"),
            Content(" "),
        ]
        # As wide as its text: the title's room changes only when the facts' length does.
        shown = self.query_one("#case-facts", Static)
        text = Content("").join(facts)
        before = shown.content
        wider = not isinstance(before, Content) or before.cell_length != text.cell_length
        update_static(shown, text, layout=wider)

    @property
    def saved(self) -> SavedIndicator:
        return self.query_one(SavedIndicator)


LEVEL_STYLE: tuple[str, ...] = ("dim", "$success", "$warning", "bold $error")


def level_content(level: int | None, names: tuple[str, ...], answered: bool = True) -> Content:
    """A dimension's level, 0-3, as a bar and its playbook name: `■■□ Medium`."""
    if level is None or not answered:
        return Content.styled("□□□ not answered", "dim")
    bar = "■" * level + "□" * (3 - level)
    name = names[level] if level < len(names) else str(level)
    return Content.styled(f"{bar} {name}", LEVEL_STYLE[min(level, 3)])


class DimensionHeading(Static):
    """One impact dimension's line: its name, its level bar and why (`Breadth ■■□ Medium 3
    customers`)."""

    def __init__(self, name: str, names: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="dim-heading")
        self.dimension = name
        self.names = names
        self.level: int | None = None
        self.reason = ""

    def set_level(self, level: int | None, answered: bool, reason: str) -> None:
        self.level = level if answered else None
        self.reason = reason
        self.update(
            Content.assemble(
                Content.styled(f"{self.dimension:<13}", "bold $accent"),
                level_content(level, self.names, answered),
                "  ",
                Content.styled(reason, "" if answered else "dim italic") if answered else "",
            )
        )


# -- number inputs ------------------------------------------------------------------------------------
_NUMBER_RE = re.compile(
    r"^(?P<cur>[$€£¥])?\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?\s*(?P<suf>[kKmM])?$"
)
_SUFFIX = {"k": 1_000, "m": 1_000_000}
# Above any real count of customers or users and any revenue figure: more is a slip of the finger
# (or a paste), and past ~10**15 a float no longer holds every digit that was typed.
MAX_NUMBER = 10**12


def parse_number(text: str, *, integer: bool = False) -> tuple[float | None, str | None]:
    """Read a number as agents type it, strictly: "1200", "1,200", "180k", "$180k", "2.5m".

    Returns (value, None), (None, None) for empty text, or (None, why) when it is not a number we
    can read without guessing ("1,2", "many", "-5").
    """
    raw = text.strip()
    if not raw:
        return None, None
    if raw.startswith("-"):
        return None, "Cannot be negative."
    match = _NUMBER_RE.match(raw)
    if match is None:
        if re.search(r"[a-zA-Z]", raw) and not re.search(r"\d", raw):
            return None, "A number, not a word: quantify impact with numbers, not adjectives."
        return None, "Not a number. Write it like 1200, 1,200, 180k or $180k."
    # Exact decimal arithmetic: "12345678901234567891" must not come back as ...7168, nor
    # four hundred nines as infinity (which the JSON document would store as null).
    exact = Decimal(match["num"].replace(",", "") + (match["dec"] or ""))
    if match["suf"]:
        exact *= _SUFFIX[match["suf"].lower()]
    if exact > MAX_NUMBER:
        return None, f"Too large to be a real figure (over {MAX_NUMBER:,}); check the digits."
    if integer:
        if exact != exact.to_integral_value():
            return None, "A whole number, please."
        return int(exact), None
    value = float(exact)
    if Decimal(repr(value)) != exact:
        return None, "Too many digits to keep exactly; round it."
    return value, None


class NumberText(Validator):
    """Validator for `parse_number`: the failure says how to write the number."""

    def __init__(self, *, integer: bool = False) -> None:
        super().__init__()
        self.integer = integer

    def validate(self, value: str) -> ValidationResult:
        _, error = parse_number(value, integer=self.integer)
        return self.failure(error) if error else self.success()


def format_number(value: float | None, *, currency: str = "") -> str:
    """A stored number as the input shows it: "1,200", "$180,000"."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{currency}{text}"


class AnswerCheckbox(Checkbox):
    """A yes/no question whose "not answered" state is kept apart from "no".

    `answer` is None until the agent toggles it; space toggles, delete/backspace clears it back to
    "not answered". The label says which: "yes", "no" or "not answered".
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "clear_answer", "Not answered", show=False),
    ]

    class Answered(Message):
        """Posted when the agent changes the answer (not when the screen sets it)."""

        def __init__(self, checkbox: AnswerCheckbox, answer: bool | None) -> None:
            super().__init__()
            self.checkbox = checkbox
            self.answer = answer

        @property
        def control(self) -> AnswerCheckbox:
            return self.checkbox

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("not answered", id=id, classes=classes, compact=True)
        self.answer: bool | None = None

    def set_answer(self, answer: bool | None) -> None:
        """Show a stored answer without posting `Answered`."""
        self.answer = answer
        with self.prevent(Checkbox.Changed):
            self.value = bool(answer)
        self._relabel()

    def _relabel(self) -> None:
        if self.answer is None:
            self.label = Content.styled("not answered", "dim italic")
        else:
            self.label = Content("yes" if self.answer else "no")

    def toggle(self) -> Self:
        super().toggle()
        self.answer = self.value
        self._relabel()
        self.post_message(self.Answered(self, self.answer))
        return self

    def action_clear_answer(self) -> None:
        self.set_answer(None)
        self.post_message(self.Answered(self, None))


# -- wrapped bullet lists -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bullet:
    """One line of a `BulletList`: wrapped under itself (a hanging indent), after its marker.
    `text` may be Content, styled in parts."""

    text: str | Content
    style: str = ""
    marker: str = "• "
    marker_style: str = "dim"
    indent: int = 0


def _same_item(a: Bullet | Content, b: Bullet | Content) -> bool:
    if isinstance(a, Bullet) and isinstance(b, Bullet):  # Content's == compares the text alone
        return a == b and (not isinstance(a.text, Content) or same_content(a.text, b.text))
    return same_content(a, b)


def bullet_lines(items: Iterable[Bullet | Content], width: int) -> list[Content]:
    """The items as lines at `width`: each bullet wrapped under its own first word."""
    lines: list[Content] = []
    for item in items:
        if isinstance(item, Content):
            lines.append(item)
            continue
        lead = " " * item.indent
        hang = lead + " " * len(item.marker)
        if isinstance(item.text, Content):
            body = item.text.stylize(item.style) if item.style else item.text
            parts = body.wrap(max(1, max(10, width) - len(hang))) or [Content("")]
            marker = Content.styled(item.marker, item.marker_style)
            lines.append(Content.assemble(lead, marker, parts[0]))
            lines.extend(Content.assemble(hang, part) for part in parts[1:])
            continue
        wrapped = textwrap.wrap(
            item.text, width=max(10, width), initial_indent=hang, subsequent_indent=hang
        ) or [hang]
        first = wrapped[0][len(hang) :]
        lines.append(
            Content.assemble(
                lead,
                Content.styled(item.marker, item.marker_style),
                Content.styled(first, item.style),
            )
        )
        lines.extend(Content.styled(line, item.style) for line in wrapped[1:])
    return lines


def hanging_lines(line: Content, indent: int, width: int) -> list[Content]:
    """`line` wrapped to `width`, its later lines indented by `indent` (under its first word)."""
    if line.cell_length <= width:
        return [line]
    first, *rest = line.wrap(max(10, width - indent))
    return [first, *(Content.assemble(" " * indent, part) for part in rest)]


class SteadyOptionList(OptionList):
    """An OptionList whose scrollbar is painted again only when its size or its lines change.

    ScrollView compares the virtual size a layout of the screen hands it (its region) with its
    own (its lines), and those differ whenever it can scroll: every layout of the screen, such
    as a save that shows or hides a line in a side panel, painted the list's scrollbar again,
    1.5-4 ms each time at 120x40. An unchanged size and container need nothing: the lists set
    their own virtual size, and update their scrollbar then."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        if (
            size == self._size
            and container_size == self._container_size
            and container_size == size - self.styles.gutter.totals
        ):
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)


class Hanging(NamedTuple):
    """One item of a HangingOptionList: its prompt, wrapped `hang` cells in after the first line,
    and bullets (findings) under it."""

    prompt: Content
    hang: int
    id: str | None = None
    notes: Sequence[Bullet] = ()
    disabled: bool = False


class HangingOptionList(SteadyOptionList):
    """An OptionList whose items wrap under their own first word: each prompt's later lines are
    indented by its `hang` (OptionList itself wraps them to the margin). Wrapped again when the
    width changes, or when a scrollbar comes (which narrows the list without a Resize)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._prompts: list[Hanging] = []
        self._wrapped_to = 0

    def set_prompts(self, prompts: Iterable[Hanging], *, highlight: int | None = None) -> None:
        """Show these items, the `highlight`ed one (if any) highlighted."""
        self._prompts = list(prompts)
        self._show(highlight)

    def _show(self, highlight: int | None) -> None:
        width = self._wrapped_to = self._text_width() or 200
        self.set_options(
            Option(
                Content("\n").join(
                    hanging_lines(item.prompt, item.hang, width) + bullet_lines(item.notes, width)
                ),
                id=item.id,
                disabled=item.disabled,
            )
            for item in self._prompts
        )
        if highlight is not None and self.option_count:
            self.highlighted = min(highlight, self.option_count - 1)
        if self._prompts:
            self.call_after_refresh(self._rewrap)

    def _text_width(self) -> int:
        return max(0, self.scrollable_content_region.width - 1)

    def _on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self) -> None:
        if self._prompts and self.is_mounted and (self._text_width() or 200) != self._wrapped_to:
            self._show(self.highlighted)


class BulletList(Widget):
    """Lines and bullets that wrap with a hanging indent at the widget's width.

    Items are `Bullet`s or ready `Content` lines (headings), shown in order; `set_items` replaces
    them. Reasons and findings are long sentences: wrapped under their own first word they stay
    readable in a narrow panel.
    """

    DEFAULT_CSS = """
    BulletList { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[Bullet | Content] = []
        # The items wrapped, and the width they were wrapped to: a save asks for them up to four
        # times (the height before and after, the layout, the render), each a wrap of every item.
        self._wrapped: tuple[int, list[Content]] | None = None

    def set_items(self, items: Iterable[Bullet | Content]) -> None:
        """Replace the items; the same items again (most saves) cost nothing. Items that take as
        many lines as before (a tick changes a reason more often than the count of lines) are
        a repaint of this widget, not a layout of the whole screen."""
        new = list(items)
        if len(new) == len(self.items) and all(map(_same_item, new, self.items)):
            return
        width = self.content_region.width
        before = self._height(width) if width else -1
        self.items = new
        self._wrapped = None
        self.refresh(layout=before < 0 or self._height(width) != before)

    def _height(self, width: int) -> int:
        return self.get_content_height(Size(width, 0), Size(width, 0), width)

    @property
    def plain(self) -> str:
        """The text, unwrapped (for tests and the command palette)."""
        return "\n".join(
            f"{' ' * i.indent}{i.marker}{i.text}" if isinstance(i, Bullet) else i.plain
            for i in self.items
        )

    def _lines(self, width: int) -> list[Content]:
        wrapped = self._wrapped
        if wrapped is None or wrapped[0] != width:
            wrapped = self._wrapped = (width, bullet_lines(self.items, width))
        return wrapped[1]

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.content_region.width or 80))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        total = 0
        for line in self._lines(width):
            total += max(1, len(line.wrap(width))) if line.cell_length > width else 1
        return total
