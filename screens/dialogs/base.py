"""What every modal dialog shares: the `Dialog` base, and `TypeAheadDialog`, whose enter and tab
act as the key arrives.

Every dialog is a `ModalScreen[T]`: push it with a callback, or `await push_screen_wait(...)` inside
a `@work` worker. Escape cancels (the result is `None`, or `False` for a confirmation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, SelectionList

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
    taken the keys typed before it; enter on a tick list (space ticks) confirms the same way.
    Focus leaves the field at once, so keys typed after the enter (meant for the screen below)
    cannot slip into the text being saved; if the confirm is refused, focus goes back. Buttons,
    text areas and check boxes keep their own enter.
    """

    ENTER_MOVES_ON: ClassVar[bool] = False
    _confirming = False  # a confirm waits behind queued keys: another enter is not for below

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "enter_now", show=False, priority=True, id="dialog.enter_now"),
        # Tab moves focus as the key arrives too (the app's own tab binding waits its turn).
        Binding("tab", "app.focus_next", show=False, priority=True, id="dialog.next"),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True, id="dialog.previous"),
    ]

    def enter_moves_on(self) -> bool:
        """Whether enter in a field moves to the next one (ENTER_MOVES_ON unless overridden)."""
        return self.ENTER_MOVES_ON

    def confirm_now(self) -> None:
        """Build the result from the fields and dismiss (or say why not); override."""
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "enter_now":
            focused = self.focused
            # A tick list's enter saves too (space ticks): enter means the same in every dialog.
            return self._confirming or isinstance(focused, (Input, OptionList))
        return True

    def action_enter_now(self) -> None:
        if self._confirming:
            return
        field = self.focused
        if field is not None and (_is_choice_list(field) or self.enter_moves_on()):
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
