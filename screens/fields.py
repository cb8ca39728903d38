"""Form widgets shared by the step screens that the agent types into.

The agent never presses a save key. Every text field is bound to a dotted path in the case
(`reproduction.environment.browser`); what is typed is queued with `CaseScreen.edit_later` and saved
after a short pause, at once when the field loses focus, and by the base class when the screen is left
(another step, escape, a modal) or the app quits, so nothing typed is lost.

The pieces:
- `FormScreen`: a `CaseScreen` whose bound fields save themselves (through `edit_later`).
- `FieldInput` / `FieldArea`: an Input / TextArea bound to a path (`FieldArea` can hold a list, one
  item per line).
- `Field`: a label, the control, an optional hint and the lint findings for that path.
- `PairList` and `PairEditor`: an ordered list of two-part items (a step and its literal input, a thing
  tried and its outcome) edited from the keyboard: add, edit, move, delete and undo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static, TextArea

from screens.case_base import CaseScreen
from screens.dialogs import TypeAheadDialog, dismiss_once
from screens.widgets import Bullet, BulletList, Hanging, HangingOptionList
from workbench.models import Escalation

if TYPE_CHECKING:
    from workbench.rules.lint import Finding

FieldKind = Literal["text", "lines"]


# -- paths into the case ------------------------------------------------------------------------------
def _step(obj: Any, part: str) -> Any:
    if isinstance(obj, list):
        return obj[int(part)]
    return getattr(obj, part)


def get_path(case: Escalation, path: str) -> Any:
    """The value at a dotted path (`reproduction.steps.2.action`); list indices are numbers."""
    obj: Any = case
    for part in path.split("."):
        obj = _step(obj, part)
    return obj


def set_path(case: Escalation, path: str, value: Any) -> None:
    """Set the value at a dotted path; pydantic validates the assignment."""
    *parents, last = path.split(".")
    obj: Any = case
    for part in parents:
        obj = _step(obj, part)
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        setattr(obj, last, value)


def lines_of(text: str) -> list[str]:
    """One item per non-blank line, trimmed: how a list is typed into a text area."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def findings_for(findings: Iterable[Finding], path: str) -> list[Finding]:
    """The findings about one field or anything below it."""
    return [f for f in findings if f.field == path or f.field.startswith(path + ".")]


def finding_items(findings: Sequence[Finding], *, shown: Iterable[str] = ()) -> list[Bullet]:
    """Findings as warning bullets: the message, then the playbook's advice quoted under it (each
    once, and not when it is already `shown` nearby). A long one wraps under its own first word."""
    items: list[Bullet] = []
    seen: set[str] = set(shown)
    for finding in findings:
        if finding.message in seen:
            continue
        seen.add(finding.message)
        items.append(
            Bullet(finding.message, style="$warning", marker="⚠ ", marker_style="$warning")
        )
        if finding.advice and finding.advice not in seen:
            seen.add(finding.advice)
            items.append(Bullet(finding.advice, style="dim italic", marker="", indent=2))
    return items


# -- bound controls -----------------------------------------------------------------------------------
class FieldInput(Input):
    """A one-line input bound to a dotted path in the case."""

    def __init__(
        self,
        path: str,
        value: str = "",
        *,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(value, placeholder=placeholder, id=id, classes=classes, compact=True)
        self.path = path


class FieldArea(TextArea):
    """A text area bound to a dotted path; `kind="lines"` makes it a list, one item per line."""

    class Blurred(Message):
        """Posted when the area loses focus, so what was typed is saved at once."""

        def __init__(self, area: FieldArea) -> None:
            super().__init__()
            self.area = area

        @property
        def control(self) -> FieldArea:
            return self.area

    def __init__(
        self,
        path: str,
        value: str | list[str] = "",
        *,
        kind: FieldKind = "text",
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        text = "\n".join(value) if isinstance(value, list) else value
        super().__init__(
            text,
            id=id,
            classes=classes,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            placeholder=placeholder,
        )
        self.path = path
        self.kind: FieldKind = kind

    @property
    def field_value(self) -> str | list[str]:
        return lines_of(self.text) if self.kind == "lines" else self.text

    def set_field_value(self, value: object) -> None:
        """Show a value from the case without posting a change (it is already saved)."""
        if isinstance(value, list):
            text = "\n".join(str(item) for item in value)
        else:
            text = "" if value is None else str(value)
        if text == self.text or (self.kind == "lines" and lines_of(self.text) == value):
            return
        with self.prevent(TextArea.Changed):
            self.load_text(text)

    def on_blur(self) -> None:
        self.post_message(self.Blurred(self))


class FindingsLine(BulletList):
    """The lint findings about some paths (and anything below them), shown under a section.

    With `exact=True` only findings about the paths themselves count (the steps list shows each
    step's own findings beside the step, so the section line shows only "no steps").
    """

    DEFAULT_CSS = """
    FindingsLine { height: auto; display: none; }
    FindingsLine.-shown { display: block; }
    """

    def __init__(
        self,
        *paths: str,
        exact: bool = False,
        skip_rules: Iterable[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.paths = paths
        self.exact = exact
        self.skip_rules = frozenset(skip_rules)

    def _mine(self, finding: Finding) -> bool:
        if finding.rule in self.skip_rules:
            return False
        if self.exact:
            return finding.field in self.paths
        return any(finding.field == p or finding.field.startswith(p + ".") for p in self.paths)

    def show(self, findings: Iterable[Finding]) -> None:
        mine = [f for f in findings if self._mine(f)]
        self.set_items(finding_items(mine))
        self.set_class(bool(mine), "-shown")


class Field(Horizontal):
    """A label and its control on one row. Kept to two widgets: a form has many of them, and
    every widget costs style work whenever the screen is built or resized."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > .form-label { width: 20; height: auto; padding-right: 1; color: $text-muted; }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        path: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        if isinstance(control, TextArea):
            self.add_class("-area")
        self.label_text = label
        self.control_widget = control
        self.path = path or getattr(control, "path", "")

    def compose(self) -> ComposeResult:
        yield Label(self.label_text, classes="form-label")
        yield self.control_widget


class FormBody(VerticalScroll, can_focus=False):
    """The scrolling form. Not a focus stop itself: focus goes to the fields (the form scrolls to
    follow them), and focusing a container would restyle every field in it."""


def section(title: str, hint: str = "", *, id: str | None = None) -> ComposeResult:
    """A section's title and the playbook's advice for it."""
    yield Static(title, classes="section-title", markup=False, id=id)
    if hint:
        yield Static(hint, classes="hint section-hint", markup=False)


# -- the form screen ----------------------------------------------------------------------------------
class FormScreen(CaseScreen):
    """A CaseScreen whose FieldInput / FieldArea widgets save themselves.

    Typing queues the value under the field's path with `edit_later` (saved after a pause, and by
    the base class before a step switch, escape, a modal or quit); leaving a field saves at once.
    `fill_inputs` copies the case into every bound field without echoing change events back.
    """

    def fill_inputs(self) -> None:
        self.fill_fields()

    def fill_fields(self) -> None:
        for field_input in self.query(FieldInput):
            value = get_path(self.case, field_input.path)
            with field_input.prevent(Input.Changed):
                field_input.value = "" if value is None else str(value)
        for area in self.query(FieldArea):
            area.set_field_value(get_path(self.case, area.path))

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Show every field's and section's lint findings beside it. Found by type, not by a
        CSS query: this runs on every save, and a query matches a selector against every widget
        on the screen (1-2 ms a keystroke on Details)."""
        for line in self.walk_children(FindingsLine):
            line.show(findings)

    def queue_field(self, path: str, value: Any) -> None:
        self.edit_later(path, lambda case: set_path(case, path, value))

    @on(Input.Changed)
    def _field_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FieldInput):
            self.queue_field(event.input.path, event.value)

    @on(TextArea.Changed)
    def _field_area_changed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        if isinstance(area, FieldArea):
            self.queue_field(area.path, area.field_value)

    @on(Input.Blurred)
    def _field_left(self) -> None:
        self.flush_edits()

    @on(FieldArea.Blurred)
    def _area_left(self) -> None:
        self.flush_edits()


# -- ordered two-part lists ---------------------------------------------------------------------------
Pair = tuple[str, str]


@dataclass(frozen=True)
class PairSpec:
    """What a PairList holds: the item's name and how its two parts are asked for and shown."""

    noun: str  # "Step"
    first_label: str  # "Action"
    second_label: str  # "Literal input"
    first_hint: str = ""
    second_hint: str = ""
    empty: str = "Nothing yet: press a to add one."
    format: Callable[[int, Pair], Content] | None = None

    def render(self, index: int, pair: Pair) -> Content:
        if self.format is not None:
            return self.format(index, pair)
        first, second = pair
        return Content.from_markup("$n. $first — $second", n=index + 1, first=first, second=second)


class PairEditor(TypeAheadDialog[Pair | None]):
    """Edit one item of a PairList: two inputs; enter in the first goes to the second, enter in
    the second (or ctrl+s) saves, as the key arrives (screens.dialogs.TypeAheadDialog)."""

    ENTER_MOVES_ON = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pair_editor.cancel"),
        Binding("ctrl+s", "save", "Save", id="pair_editor.save"),
    ]

    def __init__(
        self,
        title: str,
        spec: PairSpec,
        pair: Pair = ("", ""),
        *,
        check: Callable[[Pair], Sequence[Finding]] | None = None,
    ) -> None:
        super().__init__(classes="pair-editor")
        self.title_text = title
        self.spec = spec
        self.pair = pair
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="pair-dialog"):
            yield Static(self.title_text, id="pair-title", markup=False)
            yield Label(self.spec.first_label, classes="pair-label")
            yield Input(self.pair[0], id="pair-first", compact=True)
            if self.spec.first_hint:
                yield Static(self.spec.first_hint, classes="pair-hint", markup=False)
            yield Label(self.spec.second_label, classes="pair-label")
            yield Input(self.pair[1], id="pair-second", compact=True)
            if self.spec.second_hint:
                yield Static(self.spec.second_hint, classes="pair-hint", markup=False)
            yield BulletList(id="pair-findings")
            with Horizontal(id="pair-buttons"):
                yield Static("enter next / save · esc cancel", classes="pair-keys")
                yield Button("Save", variant="primary", id="pair-save", compact=True)
                yield Button("Cancel", id="pair-cancel", compact=True)

    def on_mount(self) -> None:
        self._check()

    def _value(self) -> Pair:
        first = self.query_one("#pair-first", Input).value
        second = self.query_one("#pair-second", Input).value
        return (first, second)

    def _check(self) -> None:
        if self.check is None:
            return
        findings = self.check(self._value())
        hints = (self.spec.first_hint, self.spec.second_hint)
        box = self.query_one("#pair-findings", BulletList)
        box.set_items(finding_items(findings, shown=hints))
        box.display = bool(findings)

    @on(Input.Changed)
    def _changed(self) -> None:
        self._check()

    def confirm_now(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#pair-save")
    def action_save(self) -> None:
        dismiss_once(self, self._value())

    @on(Button.Pressed, "#pair-cancel")
    def action_cancel(self) -> None:
        dismiss_once(self, None)


class PairList(HangingOptionList):
    """An ordered list of two-part items, edited from the keyboard.

    The list keeps its own copy of the items and posts `PairList.Changed` with the whole new list
    after each change; the screen saves it and calls `set_items` with what the case now holds.
    Deleted items go on an undo stack for `u`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="pairs.add"),
        Binding("e", "edit", "Edit", id="pairs.edit"),
        Binding("enter", "edit", "Edit", show=False, id="pairs.edit_enter"),
        Binding("ctrl+up,K", "move(-1)", "Move up", id="pairs.move_up"),
        Binding("ctrl+down,J", "move(1)", "Move down", id="pairs.move_down"),
        Binding("d", "delete", "Delete", id="pairs.delete"),
        Binding("u", "undo", "Undo", id="pairs.undo"),
        Binding("j", "cursor_down", "Down", show=False, id="pairs.down"),
        Binding("k", "cursor_up", "Up", show=False, id="pairs.up"),
    ]

    class Changed(Message):
        """The items changed; `note` says what happened ("Step 3 deleted")."""

        def __init__(self, pair_list: PairList, items: list[Pair], note: str = "") -> None:
            super().__init__()
            self.pair_list = pair_list
            self.items = items
            self.note = note

        @property
        def control(self) -> PairList:
            return self.pair_list

    def __init__(
        self,
        spec: PairSpec,
        items: Sequence[Pair] = (),
        *,
        check: Callable[[list[Pair], int], Sequence[Finding]] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.spec = spec
        self.check = check
        self._items: list[Pair] = list(items)
        self._notes: dict[int, list[Bullet]] = {}
        self._deleted: list[tuple[int, Pair]] = []

    @property
    def items(self) -> list[Pair]:
        return list(self._items)

    def on_mount(self) -> None:
        self._render_items()

    def set_items(
        self, items: Sequence[Pair], notes: dict[int, list[Bullet]] | None = None
    ) -> None:
        """Show these items (what the case holds), with `notes` (findings) under some of them,
        keeping the highlight where it was. The same items and notes again (every save of any
        other field) are not rebuilt: rebuilding drops every rendered line of the list."""
        items, notes = list(items), {index: note for index, note in (notes or {}).items() if note}
        unchanged = items == self._items and notes == self._notes
        self._items, self._notes = items, notes
        if not (unchanged and self.option_count):
            self._render_items()

    def _render_items(self, highlight: int | None = None) -> None:
        """Each item after its number, and its findings under it, wrapped under their own first
        word (HangingOptionList)."""
        keep = self.highlighted if highlight is None else highlight
        items = [
            Hanging(
                self.spec.render(index, pair),
                len(f"{index + 1}. "),
                f"item-{index}",
                self._notes.get(index, ()),
            )
            for index, pair in enumerate(self._items)
        ]
        if not items:
            items = [Hanging(Content.styled(self.spec.empty, "dim italic"), 0, disabled=True)]
        self.set_prompts(items, highlight=(keep or 0) if self._items else None)

    def _current(self) -> int | None:
        if not self._items or self.highlighted is None:
            return None
        return min(self.highlighted, len(self._items) - 1)

    def _changed(self, items: list[Pair], highlight: int | None, note: str = "") -> None:
        self._items = items
        self._render_items(highlight)
        self.post_message(self.Changed(self, list(items), note))

    def _editor(self, title: str, index: int, pair: Pair, *, new: bool) -> PairEditor:
        """The editor for the item at `index`; its live check sees the list as it would become."""
        check = self.check
        if check is None:
            return PairEditor(title, self.spec, pair)

        def check_value(value: Pair) -> Sequence[Finding]:
            items = self._items.copy()
            if new:
                items.insert(index, value)
            else:
                items[index] = value
            return check(items, index)

        return PairEditor(title, self.spec, pair, check=check_value)

    def action_add(self) -> None:
        index = self._current()
        at = len(self._items) if index is None else index + 1

        def added(pair: Pair | None) -> None:
            if pair is None or not any(part.strip() for part in pair):
                return
            items = self._items.copy()
            items.insert(at, pair)
            self._changed(items, at, f"{self.spec.noun} {at + 1} added")

        self.app.push_screen(
            self._editor(f"New {self.spec.noun.lower()} {at + 1}", at, ("", ""), new=True), added
        )

    def action_edit(self) -> None:
        index = self._current()
        if index is None:
            self.action_add()
            return

        def edited(pair: Pair | None) -> None:
            if pair is None or index >= len(self._items) or pair == self._items[index]:
                return
            items = self._items.copy()
            items[index] = pair
            self._changed(items, index)

        self.app.push_screen(
            self._editor(f"{self.spec.noun} {index + 1}", index, self._items[index], new=False),
            edited,
        )

    def action_move(self, delta: int) -> None:
        index = self._current()
        if index is None:
            return
        target = index + delta
        if not 0 <= target < len(self._items):
            return
        items = self._items.copy()
        items[index], items[target] = items[target], items[index]
        self._changed(items, target, f"{self.spec.noun} {index + 1} moved to {target + 1}")

    def action_delete(self) -> None:
        index = self._current()
        if index is None:
            return
        items = self._items.copy()
        pair = items.pop(index)
        self._deleted.append((index, pair))
        note = f"{self.spec.noun} {index + 1} deleted — u to undo"
        self._changed(items, min(index, len(items) - 1) if items else None, note)

    def action_undo(self) -> None:
        if not self._deleted:
            self.notify("Nothing to undo", severity="warning")
            return
        index, pair = self._deleted.pop()
        items = self._items.copy()
        at = min(index, len(items))
        items.insert(at, pair)
        self._changed(items, at, f"{self.spec.noun} {at + 1} restored")
