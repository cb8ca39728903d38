"""The base of every in-case step screen (Triage, Impact, Reproduction, Details, Timeline, Export).

How to build a step screen on it::

    class ReproductionScreen(CaseScreen):
        STEP = "reproduction"                      # a name from screens.steps.STEPS

        def compose_body(self) -> ComposeResult:   # between the CaseHeader and the Footer
            yield Input(id="expected")

        def fill_inputs(self) -> None:             # copy self.case into the widgets
            self.query_one("#expected", Input).value = self.case.reproduction.expected

        def refresh_case(self) -> None:            # re-render what the rules derive
            ...

        @on(Input.Changed, "#expected")
        def _expected(self, event: Input.Changed) -> None:
            value = event.value
            self.edit_later("expected", lambda c: setattr(c.reproduction, "expected", value))

The contract:
- `self.case_id`, `self.case` (the current `Escalation`, loaded through `app.store.get`).
- `edit(mutator) -> bool`: copy the case, apply `mutator(copy)`, `app.store.save`, replace
  `self.case`, post `CaseScreen.CaseChanged`, flash the "saved" indicator and call `refresh_case()`.
  On a `StaleCaseError` it reloads the case, calls `fill_inputs()` and `refresh_case()` and tells the
  user; on any other `StoreError` (or a value the model refuses) it notifies, marks "not saved" and
  leaves the widgets as typed. Returns whether the change was saved.
- `edit_later(key, mutator)`: for text inputs; saves EDIT_DELAY after the last keystroke (one save for
  all pending keys); `cancel_edit(key)` drops one. `flush_edits()` saves pending edits now; it runs before a step switch, escape,
  help, the palette, quit and when a field loses focus, so nothing typed is lost. Edits the store refuses (a full disk, a
  lock held too long) stay queued and are tried again at the next flush; F2..F7 and escape stay on
  the screen once and say so (`flush_before_leaving`) rather than take unsaved text away.
- Hooks: `compose_body()`, `fill_inputs()` (on mount and after a reload), `refresh_case()` (on mount
  and after every save; also re-renders the CaseHeader).
- BINDINGS (ids `case.<step>`, `case.back`): F2..F7 switch to that step for the same case, escape
  goes back to the list. F1 / `?` help and ctrl+p / ctrl+q come from the App.
- `self.now()` is the app's injected clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from pydantic import ValidationError
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer

from screens import breakpoint_class, stylesheets
from screens.offscreen import OffscreenScreen
from screens.steps import STEPS
from screens.widgets import CaseHeader, KeysFooter, ReadOnlyBanner, SavedIndicator

if TYPE_CHECKING:
    from workbench.models import Escalation

Mutator = Callable[["Escalation"], None]


EDIT_DELAY = 0.3  # a pause this long saves what was typed
# Typing on without such a pause saves this long after the first key not yet saved: anything typed
# more than a second before a crash is in the file.
EDIT_MAX_WAIT = 0.6
# A kept screen shown again re-renders what it tells relative to now ("due in 2 h") when it was
# last rendered this many seconds ago or more.
CLOCK_STALE = 30.0
# Text a save could not write for a passing reason (a team database's server away, a lock held
# too long) is tried again this often, without a key: saved when the database is back.
RETRY_SAVE_AFTER = 3.0


class CaseScreen(OffscreenScreen):
    """A step of one case: header, body (`compose_body`), footer; saves every change at once."""

    # Every step's rules at once, in the order they always had, when the first case opens.
    CSS_PATH = stylesheets(
        "details", "export", "fields", "impact", "reproduction", "similar", "timeline", "triage"
    )

    STEP: ClassVar[str] = ""
    # The footer's "^p palette" hint; a screen with many keys gives its room to them (at 80
    # columns Triage's "f1 Help" was cut to "f1 H"); F1 lists ctrl+p everywhere.
    PALETTE_HINT: ClassVar[bool] = True

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            # Not in the Footer: the CaseHeader's step tabs show these keys. Priority, because
            # TextArea binds F6 (select line) and F7 (select all) and would swallow them.
            Binding(
                info.key,
                f"step('{info.name}')",
                info.label,
                id=f"case.{info.name}",
                show=False,
                priority=True,
                tooltip=f"{info.label} step of this case",
            )
            for info in STEPS
        ),
        Binding("escape", "back", "Cases", id="case.back", tooltip="Back to the case list"),
        # Priority: focus moves as the key is read, so keys typed right after a tab (a fast typist,
        # a paste into tmux) land in the next field rather than the one being left.
        Binding("tab", "app.focus_next", "Next", show=False, priority=True, id="case.next"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous", show=False, priority=True, id="case.prev"
        ),
        Binding(
            "f8",
            "similar",
            "Similar",
            id="case.similar",
            show=False,
            tooltip="Similar past cases and pattern signals for this case",
        ),
    ]

    class CaseChanged(Message):
        """Posted after a successful save; `case` is the stored case (new revision)."""

        def __init__(self, case: Escalation) -> None:
            super().__init__()
            self.case = case

    def __init__(self, case_id: int, *, name: str | None = None) -> None:
        # Start with the breakpoint class the first resize would add: no second styling pass.
        breakpoint = breakpoint_class(self.app)
        super().__init__(name=name, classes=f"case-screen step-{self.STEP} {breakpoint}")
        self.case_id = case_id
        self.case: Escalation = self.workbench.store.get(case_id)
        self._pending: dict[str, Mutator] = {}
        self._pending_timer: Timer | None = None
        self._pending_since = 0.0  # time.monotonic() of the first key not yet saved
        self._store_failed = False  # the last save was refused by the store (disk, lock, ...)
        self._said_not_saved = False  # a "Not saved" toast for a refused save is showing
        self._retry_timer: Timer | None = None  # the next try of a refused save (RETRY_SAVE_AFTER)
        self._last_store_error: Exception | None = None
        self._leave_warned = False  # leaving was refused once because of unsaved text
        self._resolving = False  # a conflict's "keep mine" is being saved
        self.keeping_cursors = False  # fill_inputs after a conflict: cursors stay where they were
        self._filled = False
        self.let_go = False  # screens/kept.py: remove once mounted
        self._refreshed_at = self.now()

    # -- plumbing -----------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.workbench.now()

    def compose(self) -> ComposeResult:
        yield ReadOnlyBanner()
        yield CaseHeader(self.STEP)
        yield from self.compose_body()
        yield KeysFooter(compact=True, show_command_palette=self.PALETTE_HINT)

    def compose_body(self) -> ComposeResult:
        """The step's own widgets; override."""
        yield from ()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Mount) and self._gone_before_mount():
            # Its handlers (and its subclasses') would look for widgets no longer there.
            if self.let_go and not self._pruning:
                self.call_later(self.remove)
            return
        await super().on_event(event)

    def _gone_before_mount(self) -> bool:
        """Built ahead, and before its mount came round its case closed (`let_go`), or it is
        being taken apart (`taken_apart`)."""
        return self.let_go or self.taken_apart

    def on_mount(self) -> None:
        # Once: Textual calls this after a subclass's own on_mount, which calls it first.
        if self._filled:
            return
        self._filled = True
        self._styled_at = self.app._css_update_count
        self.fill_inputs()
        self._refresh_all()
        if self.is_current:
            self.workbench.kept.built(self)
        else:  # built ahead (screens/kept.py): laid out before it is shown
            self.call_later(self._lay_out_offscreen)

    # -- kept screens (screens/kept.py; built ahead: screens/offscreen.py) ---------------------
    def catch_up(self) -> None:
        """About to be shown again: the width's class, the stored case when it changed since
        (the case's revision: another step, the CLI, another window), and what is told relative
        to the clock."""
        from workbench.store import StoreError

        wanted = breakpoint_class(self.app)
        for _limit, name in self.app.HORIZONTAL_BREAKPOINTS or []:
            self.set_class(name == wanted, name)
        try:
            stored = self.workbench.store.get(self.case_id)
        except StoreError:
            return  # shown as it was; the next save says what is wrong
        if not self._filled:  # built ahead, not mounted yet: its on_mount fills it from this
            self.case = stored
            return
        if stored.revision != self.case.revision and not self._pending:
            self.case = stored
            self.fill_inputs()
            self._refresh_all()
        elif (self.now() - self._refreshed_at).total_seconds() >= CLOCK_STALE:
            self._refresh_all()

    def fill_inputs(self) -> None:
        """Copy `self.case` into the input widgets (on mount and after a reload); override."""

    def refresh_case(self) -> None:
        """Re-render what the rules derive from `self.case`; override."""

    def _refresh_all(self) -> None:
        self._refreshed_at = self.now()
        self.query_one(CaseHeader).show_case(self.case)
        self.refresh_case()

    @property
    def saved_indicator(self) -> SavedIndicator:
        return self.query_one(CaseHeader).saved

    # -- editing ------------------------------------------------------------------------------------
    def edit(self, mutator: Mutator) -> bool:
        """Apply `mutator` to a copy of the case and save it now; see the module docstring."""
        from workbench.store import StaleCaseError, StoreError, UnstorableTextError

        # A deep copy through its plain data (pydantic's own deepcopy walks the model in Python,
        # four times slower, on every keystroke's save; through JSON, twice). validate_assignment
        # checks the fields a mutator sets directly; nested edits are checked by the save, which
        # validates the whole case from its JSON before it writes anything.
        draft = type(self.case).model_validate(self.case.model_dump())
        try:
            mutator(draft)
            saved = self.workbench.store.save(draft)
        except UnstorableTextError as exc:  # a pasted lone surrogate: the store's own words
            self._store_failed = False
            self.saved_indicator.mark_error(str(exc))
            self.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return False
        except (ValidationError, ValueError) as exc:
            message = _first_error(exc)
            self.saved_indicator.mark_error(message)
            self.notify(message, title="Not saved", severity="error")
            return False
        except StaleCaseError:
            self._conflict(mutator)
            return False
        except StoreError as exc:
            # Worth trying again (a full disk, a lock) unless the value itself cannot be stored.
            self._store_failed = not isinstance(exc, UnstorableTextError)
            self._last_store_error = exc
            self._said_not_saved = True
            self.saved_indicator.mark_error(str(exc))
            self.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return False
        self.case = saved
        self.saved_indicator.mark_saved()
        if self._said_not_saved:  # the "Not saved" toasts would go on saying so for seconds
            self._said_not_saved = False
            self.app.clear_notifications()
            self.notify("What you typed is saved now.", title="Saved", timeout=3)
        self.post_message(self.CaseChanged(saved))
        self._refresh_all()
        return True

    def edit_later(self, key: str, mutator: Mutator, delay: float | None = None) -> None:
        """Queue a text edit under `key` (a later one replaces it) and save after `delay` without
        a key, or EDIT_MAX_WAIT after the first key not yet saved, whichever comes first: typing
        steadily saves too. The mark says "saving…" until then."""
        now = time.monotonic()
        if not self._pending:
            self._pending_since = now
        self._pending[key] = mutator
        self.saved_indicator.mark_pending()
        if self._pending_timer is not None:
            self._pending_timer.stop()
        # Not 0: Textual's timer divides by its interval.
        wait = min(
            EDIT_DELAY if delay is None else delay,
            max(0.01, self._pending_since + EDIT_MAX_WAIT - now),
        )
        self._pending_timer = self.set_timer(wait, self.flush_edits)

    def cancel_edit(self, key: str) -> None:
        """Drop a queued edit (its text became invalid, or went back to the stored value)."""
        self._pending.pop(key, None)
        if not self._pending:
            self.saved_indicator.mark_nothing_pending()

    def flush_edits(self) -> bool:
        """Save queued edits now, in one save. True when nothing was pending or the save worked."""
        if self._pending_timer is not None:
            self._pending_timer.stop()
            self._pending_timer = None
        if not self._pending:
            return True
        pending = dict(self._pending)
        self._pending.clear()

        def apply_all(case: Escalation) -> None:
            for mutator in pending.values():
                mutator(case)

        self._store_failed = False
        saved = self.edit(apply_all)
        if not saved and self._store_failed:
            # Not written (a full disk, a lock held too long, a read-only file): the text is
            # still on screen, so keep it queued. The next pause, leaving the field or the
            # screen tries again; a newer keystroke in the same field replaces it.
            self._pending = {**pending, **self._pending}
            self._retry_later()
        return saved

    def _retry_later(self) -> None:
        """Try the refused save again in RETRY_SAVE_AFTER seconds (once scheduled at a time)."""
        from workbench.store import DatabaseLockedError, ServerUnavailableError

        transient = isinstance(self._last_store_error, DatabaseLockedError | ServerUnavailableError)
        if self._retry_timer is None and transient:
            self._retry_timer = self.set_timer(RETRY_SAVE_AFTER, self._retry_save)

    def _retry_save(self) -> None:
        self._retry_timer = None
        if self._pending and self.is_attached:
            self.flush_edits()

    def flush_before_leaving(self) -> bool:
        """Save queued edits before the screen goes away. When the store refuses them, stay (the
        text would go with the screen) and say so; asked to leave again, go: the agent chose."""
        if self.flush_edits() or not self._pending or self._leave_warned:
            self._leave_warned = False
            return True
        self._leave_warned = True
        self.notify(
            "What you typed is not saved and is still on this screen. "
            "Leave again to go without it.",
            title="Not saved",
            severity="error",
            timeout=8,
        )
        return False

    def _conflict(self, mutator: Mutator) -> None:
        """A save met a newer case (another window, the CLI). What was typed stays on screen and
        the agent chooses: keep mine (apply it again on top of the newer case) or take theirs.
        While the app is ending (quit, a signal) there is no one to ask: mine is kept."""
        self.saved_indicator.mark_error("changed elsewhere; not saved")
        if self._resolving:  # "keep mine" met a newer case again: the agent is told, no loop
            self.notify("This case was changed elsewhere again.", title="Not saved")
            return
        if self.workbench.exiting:
            self._resolve_conflict(mutator, True)
            return
        from screens.dialogs import ConflictDialog

        def answered(mine: bool | None) -> None:
            self._resolve_conflict(mutator, mine is not False)

        self.app.push_screen(ConflictDialog(), callback=answered)

    def _resolve_conflict(self, mutator: Mutator, mine: bool) -> None:
        from workbench.store import StoreError

        try:
            newer = self.workbench.store.get(self.case_id)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", timeout=8)
            return
        self.case = newer
        if not mine:
            self._pending.clear()
            self._fill_keeping_cursors()
            self._refresh_all()
            self.notify("The newer case is shown; what you typed was dropped.", title="Taken")
            return
        self._resolving = True  # met again (a third writer): mine again, without asking
        try:
            saved = self.edit(mutator)
        finally:
            self._resolving = False
        if saved:
            self._fill_keeping_cursors()  # the other window's fields; mine show what was saved
            self.notify("Your change was applied on top of the newer case.", title="Saved")

    def _fill_keeping_cursors(self) -> None:
        self.keeping_cursors = True
        try:
            self.fill_inputs()
        finally:
            self.keeping_cursors = False

    def reload(self) -> None:
        """Load the stored case again and show it (after a conflict, or from outside)."""
        self._pending.clear()
        self.case = self.workbench.store.get(self.case_id)
        self.fill_inputs()
        self._refresh_all()

    def on_screen_suspend(self) -> None:
        # A modal (help, palette, a dialog) or a switch: write what was typed first.
        self.flush_edits()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Leaving a field saves what was typed in it now, not after the pause.
        if self._pending:
            self.flush_edits()

    # -- actions ------------------------------------------------------------------------------------
    def action_step(self, step: str) -> None:
        if step != self.STEP:  # open_case is the guarded way out (flush_before_leaving)
            self.workbench.open_case(self.case_id, step)

    def action_similar(self) -> None:
        from screens.similar import SimilarScreen

        self.flush_edits()
        if not isinstance(self, SimilarScreen):
            self.app.push_screen(SimilarScreen(self.case_id))

    def action_back(self) -> None:
        if self.flush_before_leaving():
            self.dismiss()


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc)
