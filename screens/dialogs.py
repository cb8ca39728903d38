"""Modal dialogs: yes/no confirmation, a one-line text prompt (a title, a note, a reason), a
choice with a required reason (overrides), and the "terminal too small" cover.

Every dialog is a `ModalScreen[T]`: push it with a callback, or `await push_screen_wait(...)` inside
a `@work` worker. Escape cancels (the result is `None`, or `False` for a confirmation).

    self.app.push_screen(TextPrompt("New case", "Title"), callback=self._create)
    self.app.push_screen(ConfirmDialog("Delete step 3?"), callback=self._maybe_delete)
    self.app.push_screen(
        OverrideDialog("Override severity", [("critical", "Critical"), ...], current="high"),
        callback=self._override,   # receives (value, reason) or None
    )
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from screens.settling import SettlingScreen, after_queues

DialogResult = TypeVar("DialogResult")


# -- enter as the key arrives ---------------------------------------------------------------------
# Keys typed fast, or pasted into a terminal, are sent on to whatever has focus when each arrives,
# before the focused widget has handled the ones ahead of it. So a focus moved by a message handler
# (OptionSelected, Input.Submitted) moves too late: the keys after enter land in the list.
# TypeAheadDialog takes enter and tab as priority bindings instead: the move happens as the key
# arrives, and a confirm waits behind the keys its fields have not taken yet.
def after_queued(screen: Screen[Any], callback: Callable[[], Any]) -> None:
    """Run `callback` once every widget that can take focus on `screen` has handled the keys
    already queued for it (an arrow still on its way to a list, the last letters of a field):
    a callback posted to a widget waits behind the messages already in its queue."""
    after_queues(screen.focus_chain, callback)


def dismiss_once(screen: Screen[Any], result: Any = None) -> None:
    """Close `screen` with `result`, unless it is already closed. A second enter or ctrl+s can be
    queued behind the first; Textual's dismiss would then pop the screen under the dialog (the
    case the agent is working on), so only the top screen may dismiss itself."""
    if screen.is_active:
        screen.dismiss(result)


def _is_choice_list(widget: Widget | None) -> bool:
    """A list whose enter picks and moves on (a SelectionList's enter ticks, so it keeps it)."""
    return isinstance(widget, OptionList) and not isinstance(widget, SelectionList)


def _input_after(screen: Screen[Any], widget: Widget) -> Input | None:
    """The first input after `widget` in the screen's order that can take focus."""
    seen = False
    for node in screen.query("*"):
        if node is widget:
            seen = True
        elif seen and isinstance(node, Input) and node.focusable:
            return node
    return None


class Dialog(ModalScreen[DialogResult], SettlingScreen[DialogResult]):
    """A modal dialog, which takes keys once it has focused its first field. The app holds keys
    typed while it opens, or while it confirms after enter (TypeAheadDialog), and hands them on
    in order when a screen can take them (WorkbenchApp._hold): to the dialog's field, or, once it
    has closed, to the screen below."""


class TypeAheadDialog(Dialog[DialogResult]):
    """A dialog of choice lists and one-line fields whose enter and tab act as the key arrives.

    Enter on a choice list moves to the field after it; enter in a field moves to the next field
    when ENTER_MOVES_ON (and there is one), else confirms (`confirm_now`) once every field has
    taken the keys typed before it. Focus leaves the field at once, so keys typed after the enter
    (meant for the screen below) cannot slip into the text being saved; if the confirm is
    refused, focus goes back. Buttons, text areas, check boxes and ticking lists keep their own
    enter.
    """

    ENTER_MOVES_ON: ClassVar[bool] = False
    _confirming = False  # a confirm waits behind queued keys: another enter is not for below

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter_now", show=False, priority=True, id="dialog.enter_now"),
        # Tab moves focus as the key arrives too (the app's own tab binding waits its turn).
        Binding("tab", "app.focus_next", show=False, priority=True, id="dialog.next"),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True, id="dialog.previous"),
    ]

    def confirm_now(self) -> None:
        """Build the result from the fields and dismiss (or say why not); override."""
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter_now":
            focused = self.focused
            return self._confirming or _is_choice_list(focused) or isinstance(focused, Input)
        return True

    def action_enter_now(self) -> None:
        if self._confirming:
            return
        field = self.focused
        if field is not None and (_is_choice_list(field) or self.ENTER_MOVES_ON):
            target = _input_after(self, field)
            if target is not None:
                self.set_focus(target)
                return
        self.set_focus(None)
        self._confirming = True

        def confirm() -> None:
            self._confirming = False
            self.confirm_now()
            if self.is_active and self.focused is None and field is not None:
                # Refused (the dialog says why). Keys typed after the enter were meant for the
                # screen below: not for this field, whose text they would replace.
                drop_held_keys = getattr(self.app, "drop_held_keys", None)
                if drop_held_keys is not None:
                    drop_held_keys()
                self.set_focus(field)

        after_queued(self, confirm)


class ConfirmDialog(Dialog[bool]):
    """Ask a yes/no question; `y`/enter confirm, `n`/escape decline."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(
        self, question: str, *, yes: str = "Yes", no: str = "No", detail: str = ""
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.detail = detail
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes_label} (y)", id="yes", variant="primary")
                yield Button(f"{self.no_label} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        dismiss_once(self, event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        dismiss_once(self, value)


class TextPrompt(Dialog[str | None]):
    """Ask for one line of text. With `required`, an empty answer is refused inline."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        label: str,
        *,
        value: str = "",
        placeholder: str = "",
        required: bool = True,
        detail: str = "",
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.label = label
        self.initial = value
        self.placeholder = placeholder
        self.required = required
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            yield Label(self.label, classes="dialog-label")
            yield Input(value=self.initial, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="dialog-error")
            yield Static("enter to confirm · escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self.required and not text:
            self.query_one("#prompt-error", Static).update(f"{self.label} cannot be empty.")
            return
        dismiss_once(self, text)

    def action_cancel(self) -> None:
        dismiss_once(self, None)


class OverrideDialog(TypeAheadDialog[tuple[str, str] | None]):
    """Choose a value against the rules' suggestion, with a required reason (it is logged).

    Returns `(value, reason)`, or `None` when cancelled. An empty value id in `choices` means
    "clear the override" and needs no reason.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[tuple[str, str]],
        *,
        current: str | None = None,
        reason: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.choices = list(choices)
        self.current = current
        self.initial_reason = reason
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            yield OptionList(
                *(Option(label, id=value or "__clear__") for value, label in self.choices),
                id="override-choice",
            )
            yield Label("Reason (logged with the override)", classes="dialog-label")
            yield Input(value=self.initial_reason, placeholder="why", id="override-reason")
            yield Static("", id="override-error", classes="dialog-error")
            yield Static(
                "↑↓ choose · tab to the reason · enter to confirm · escape to cancel",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        index = next((i for i, (v, _) in enumerate(self.choices) if v == self.current), 0)
        options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#override-reason", Input).focus()

    def confirm_now(self) -> None:
        """Dismiss with the highlighted choice and the reason, if the reason is given."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        value = self.choices[options.highlighted][0]
        reason = self.query_one("#override-reason", Input).value.strip()
        if value and not reason:
            self.query_one("#override-error", Static).update("A reason is required: it is logged.")
            self.query_one("#override-reason", Input).focus()
            return
        dismiss_once(self, (value, reason))

    def action_cancel(self) -> None:
        dismiss_once(self, None)


class TooSmallScreen(ModalScreen[None]):
    """Covers the app below the smallest usable terminal; popped when the terminal grows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", id="toosmall.quit", priority=True),
    ]

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__(id="too-small")
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-message")

    def on_mount(self) -> None:
        self.update_size(self.app.size.width, self.app.size.height)

    def on_screen_resume(self) -> None:
        # Uncovered again after a screen opened above it (the palette, a case) was closed: if the
        # terminal grew meanwhile, nobody is left to pop the cover, so it goes by itself.
        width, height = self.app.size
        if width >= self.min_width and height >= self.min_height:
            self.call_later(self._uncover)

    def _uncover(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def update_size(self, width: int, height: int) -> None:
        self.query_one("#too-small-message", Static).update(
            f"Terminal too small (need {self.min_width}x{self.min_height}, "
            f"have {width}x{height}).\nEnlarge the window, or ctrl+q to quit."
        )
