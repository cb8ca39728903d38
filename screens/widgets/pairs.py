"""Ordered lists of two-part items (a step and its literal input, a thing tried and its outcome),
edited from the keyboard: add, edit, move, delete and undo, each item in a small dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from screens.dialogs.base import TypeAheadDialog, dismiss_once
from screens.widgets.bullets import Bullet, BulletList
from screens.widgets.findings import finding_items
from screens.widgets.option_lists import Hanging, HangingOptionList

if TYPE_CHECKING:
    from workbench.rules.lint import Finding


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
    """Edit one item of a PairList: two inputs, as the key arrives
    (screens.dialogs.base.TypeAheadDialog). Editing an item, enter saves from either field (tab
    moves between them): the agent changes one part and is done, and the next key (`a` for the
    next step) is for the list, never for the other field. Adding one, enter in the first field
    goes on to the second, and enter there saves. ctrl+s saves from anywhere; the hint says which.
    """

    EDIT_KEYS = "enter saves · tab next · esc cancel"
    ADD_KEYS = "enter next, then saves · esc cancel"

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
        new: bool = True,
    ) -> None:
        super().__init__(classes="pair-editor")
        self.title_text = title
        self.spec = spec
        self.pair = pair
        self.check = check
        self.new = new

    def enter_moves_on(self) -> bool:
        return self.new

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
                yield Static(self.ADD_KEYS if self.new else self.EDIT_KEYS, classes="pair-keys")
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
    Deletes and moves go on an undo stack for `u`, each as its own inverse (put the item back,
    move it back), so an edit made since is kept.
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
        # ("deleted", index, the item) or ("moved", from, to), the last on top
        self._undo: list[tuple[str, int, Pair | int]] = []

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
            return PairEditor(title, self.spec, pair, new=new)

        def check_value(value: Pair) -> Sequence[Finding]:
            items = self._items.copy()
            if new:
                items.insert(index, value)
            else:
                items[index] = value
            return check(items, index)

        return PairEditor(title, self.spec, pair, check=check_value, new=new)

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
        self._undo.append(("moved", index, target))
        note = f"{self.spec.noun} {index + 1} moved to {target + 1} — u to undo"
        self._changed(items, target, note)

    def action_delete(self) -> None:
        index = self._current()
        if index is None:
            return
        items = self._items.copy()
        pair = items.pop(index)
        self._undo.append(("deleted", index, pair))
        note = f"{self.spec.noun} {index + 1} deleted — u to undo"
        self._changed(items, min(index, len(items) - 1) if items else None, note)

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo", severity="warning")
            return
        kind, index, what = self._undo.pop()
        items = self._items.copy()
        noun = self.spec.noun
        if kind == "moved" and isinstance(what, int):
            target = what
            if not (0 <= index < len(items) and 0 <= target < len(items)):
                self.notify("Nothing to undo", severity="warning")
                return
            items[index], items[target] = items[target], items[index]
            self._changed(items, index, f"{noun} {target + 1} moved back to {index + 1}")
        elif isinstance(what, tuple):
            at = min(index, len(items))
            items.insert(at, what)
            self._changed(items, at, f"{noun} {at + 1} restored")
