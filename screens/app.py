"""The Textual application.

`WorkbenchApp(store, playbook)` is all a caller needs (the `workbench` command's start runs it,
screens/start.py); the screens are imported lazily, so start-up pays only for the case list. Time
comes from an injectable clock (`app.now()`), so tests and snapshots are stable.

Navigation: the case list (home) is the base screen; `open_case(case_id, step)` pushes a step screen
for that case; F2..F7 switch between steps of the same case (`switch_screen`); escape pops back to
the list. Below the smallest usable size a modal "terminal too small" screen covers everything until
the terminal grows again; the screens beneath keep their state.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.message import Message
from textual.screen import Screen

from screens.collector import QuietCollector
from screens.damage import ExitOnDamage, find_error
from screens.kept import KeptSteps
from screens.type_ahead import TypeAhead, Typed
from workbench.clock import utcnow
from workbench.once import Once, once

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.dom import DOMNode
    from textual.driver import Driver

    from screens.case_base import CaseScreen
    from workbench.playbook import Playbook
    from workbench.store import CaseStore

log = logging.getLogger(__name__)


def theme_for(color_system: str | None) -> str | None:
    """The theme a terminal needs, or None for the default.

    A 16-colour terminal gets the ANSI theme (its own red, yellow, blue, green): the default
    theme's orange (High) and red (Critical) would both round to the same red there.
    """
    return "ansi-dark" if color_system in ("standard", "windows") else None


MIN_WIDTH = 60
MIN_HEIGHT = 20


def _stylesheets() -> list[str | PurePath]:
    """The app-wide rules (dialogs, the case header, text classes) and the case list's. Each
    other screen names its own stylesheet in its CSS_PATH, read when it is first shown
    (screens.stylesheets). The list is the first screen (`get_default_screen`), which Textual
    shows without reading a CSS_PATH: its rules come with the app's, parsed in the same pass."""
    from screens import stylesheets

    return stylesheets("app", "home")


def _workbench_commands() -> type[Provider]:
    """The command Provider, imported when the palette first opens rather than at start."""
    from screens.commands import WorkbenchCommands

    provider: type[Provider] = WorkbenchCommands
    return provider


class WorkbenchApp(ExitOnDamage, TypeAhead):
    """Escalation Workbench: triage, quantify, package, follow up and export escalations."""

    TITLE = "Escalation Workbench"
    CSS_PATH = _stylesheets()
    # Screens get `-narrow` below 110 columns (panels stack) and `-wide` from there.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        _workbench_commands
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help"),
        # `?` never reaches here from a text field: Input and TextArea consume printable keys.
        Binding("question_mark", "help", "Help", id="app.help_alt", show=False),
        # Shown in the Footer of the list only (screens are short of room); F1 lists it everywhere.
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
    ]

    def __init__(
        self,
        store: CaseStore,
        playbook: Playbook | Callable[[], Playbook],
        *,
        clock: Callable[[], datetime] = utcnow,
        bell: bool = True,
        collect_in_pauses: bool | None = None,
        build_ahead: bool | None = None,
    ) -> None:
        """`collect_in_pauses`: once warmed up, freeze what start-up built and run full garbage
        collections in the agent's pauses only (screens/collector.py); by default only when run
        in a terminal. `build_ahead`: build the open case's other steps in the agent's pauses
        (screens/kept.py); by default only when run in a terminal."""
        super().__init__()
        self.store = store
        self._playbook = once(playbook) if callable(playbook) else playbook
        self._clock = clock
        self._bell_enabled = bell
        self._started = False
        self._in_terminal = False
        self._collect_in_pauses = collect_in_pauses
        self.collector = QuietCollector()
        self.kept = KeptSteps(self, ahead=build_ahead)
        self.watch_store(store)  # a damaged file ends the app (screens/damage.py)
        self.exiting = False  # a signal or quit is saving what was typed before the app ends
        # When a frame was last drawn (the collector's clock): a build ahead waits until what
        # the agent's last key changed is on the screen (screens/kept.py).
        self.last_frame = self.collector.clock()

    @property
    def playbook(self) -> Playbook:
        """The playbook. Given a loader (the CLI gives one), it is loaded on first use or by the
        warm-up after the list is painted, whichever comes first: the list needs none of it, and
        loading it (pydantic and the validation of the whole policy) was a third of the start."""
        source = self._playbook
        return source() if isinstance(source, Once) else source

    def sla_label(self, sla_id: str) -> str:
        """An SLA position's label: the playbook's, or, before the shipped playbook is loaded,
        the same word from the vocabulary (the list's first paint needs no playbook)."""
        if isinstance(self._playbook, Once) and not self._playbook.loaded:
            from workbench.vocab import SLA_LABELS

            return SLA_LABELS.get(sla_id, sla_id)
        return self.playbook.sla_label(sla_id)

    def now(self) -> datetime:
        """The current time from the injected clock; use this everywhere instead of datetime.now."""
        return self._clock()

    def bell(self) -> None:
        if self._bell_enabled:
            super().bell()

    # -- start --------------------------------------------------------------------------------------
    async def run_async(self, *, headless: bool = False, **options: Any) -> None:
        """`run` in a terminal notes it (tests run headless through `run_test`, not here)."""
        self._in_terminal = not headless
        return await super().run_async(headless=headless, **options)

    @property
    def in_terminal(self) -> bool:
        """Whether the app runs in a terminal (`run`), not headless under a test."""
        return self._in_terminal

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        """Restyle a node whose classes changed, unless it is not in the DOM yet: it is styled
        whole when it mounts (App._register), and styling it on each class its constructor sets
        (`compact=True` on an Input, a Select, a TextArea) cost 0.7 ms a widget, 15% of building
        a step screen, for nothing."""
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    @property
    def _background_screens(self) -> list[Screen[Any]]:
        """The screens that show through the top one: none when it is opaque. Textual counts the
        screen under the top one as shown whatever the top's background (it looks only at the
        screens below), so the case list under an open case was laid out and drawn with it:
        twice more on each step's first show (the Resize a first layout sends goes to the
        screens shown), and at each change to its rows. A screen no longer shown catches up when
        it is shown again (Textual's ScreenResume: a layout if its size or its widgets asked for
        one, a repaint). Dialogs and the palette are translucent: what is under them shows (in a
        16-colour terminal their background is opaque, drawn as a solid block by Textual as
        before: the step under one catches up when it closes)."""
        if self._screen_stack and self._screen_stack[-1].styles.background.a == 1:
            return []
        return super()._background_screens  # textual is pinned

    def get_driver_class(self) -> type[Driver]:
        """Textual's Linux driver, reading through our parser (screens/terminal.py): bytes that
        are not UTF-8 and escape sequences inside a paste neither end nor steer the app."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from screens.terminal import SafeLinuxDriver

            return SafeLinuxDriver
        return driver

    def on_load(self) -> None:
        """A 16-colour terminal gets its theme here, before the stylesheet is first applied:
        set once the screens are up, it was a second pass over every style of the first frame
        (a third of the cold start in such a terminal). Headless runs keep the default theme."""
        if self._in_terminal:
            self.theme = theme_for(self.console.color_system) or self.theme

    def get_default_screen(self) -> Screen[Any]:
        """The case list is the first screen itself, composed with the app as a bare app's
        default screen is, not pushed over a blank one once the app has mounted."""
        from screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        from screens.reminders import start_reminders

        self._started = True
        self._check_size(self.size.width, self.size.height)
        # Follow-up reminders: a look once a minute on the injected clock (screens/reminders.py).
        self.reminders = start_reminders(self)
        if self._in_terminal:
            self._handle_signals()
        self.call_after_refresh(self._warm_up)

    def _handle_signals(self) -> None:
        """SIGHUP (the terminal closed) and SIGTERM save what was typed, through the app's own
        loop, then end the app with 128 + the signal's number."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
                loop.add_signal_handler(signum, self.exit_on_signal, int(signum))

    def flush_all_edits(self) -> bool:
        """Save what every open case screen holds unsaved; True when all of it was saved."""
        from screens.case_base import CaseScreen

        results = [s.flush_edits() for s in self.screen_stack if isinstance(s, CaseScreen)]
        return all(results)

    def _handle_exception(self, error: Exception) -> None:
        """As Textual does (status 1, the traceback), except for a widget gone while the app
        ends: the screens are taken apart while a timer or a mount of theirs comes round (a
        countdown's tick, a step built ahead), which once turned a clean SIGTERM into status 1."""
        from textual.css.query import NoMatches

        if self._exit and find_error(error, NoMatches) is not None:
            log.debug("a widget was gone while the app ended", exc_info=error)
            return
        super()._handle_exception(error)

    def exit_on_signal(self, signum: int) -> None:
        """The app is told to end (a signal): save what was typed, then exit non-zero."""
        self.exiting = True
        try:
            self.flush_all_edits()
        except Exception:  # the exit must happen whatever the save met
            log.exception("saving before the exit failed")
        self.exit(return_code=128 + signum)

    def _warm_up(self) -> None:
        """Once the list is painted, load in a thread what the first case will need (the
        playbook, the case model, the step screens), so it opens as quickly as the next one."""
        self.run_worker(self._load_for_cases, thread=True, group="warm-up", exit_on_error=False)

    def _load_for_cases(self) -> None:
        import screens.triage  # noqa: F401  (the case model and the rules come with it)

        self.playbook  # noqa: B018  (loads it)
        if not self.verified(self.store):
            return
        self._recount_dues()
        # What start-up built (modules, classes, the playbook, the styles) lives as long as the
        # app: frozen, full collections no longer walk it, and they run in the agent's pauses.
        # Not in tests (run headless through run_test): a process runs hundreds of apps there,
        # and frozen garbage is never freed. The benchmark asks for it, to measure the app as run.
        wanted = self._collect_in_pauses
        if self._in_terminal if wanted is None else wanted:
            with contextlib.suppress(RuntimeError):  # the app ended meanwhile: nothing to start
                self.call_from_thread(self.collector.start, self)
        with contextlib.suppress(RuntimeError):  # the case under the list's cursor, in pauses
            self.call_from_thread(self.kept.build_ahead)

    def _recount_dues(self) -> None:
        """The list's due columns, counted again if the calendar changed (Store.recount_dues):
        after the list's first paint, on this thread; the list then reads them again."""
        from workbench.store import StoreError

        try:
            recounted = self.store.recount_dues()
        except StoreError:  # a locked or full disk: the columns stay as they were, until a save
            log.exception("the due columns could not be counted again")
            return
        if recounted:
            self.post_message(self.DuesRecounted())  # thread-safe; a no-op once the app ended

    class DuesRecounted(Message):
        """The list's due columns changed under it (`_recount_dues`)."""

    def on_workbench_app_dues_recounted(self, message: DuesRecounted) -> None:
        from screens.home import HomeScreen
        from workbench.store import StoreError

        screen = self.screen
        if not isinstance(screen, HomeScreen):
            return  # under an open case: the list reads again when it is shown
        try:
            screen.reload(keep_cursor=True)
        except StoreError as exc:
            self.notify(str(exc), title="The list could not be read again", severity="error")

    def note_input_read(self) -> None:
        """Input read by the terminal driver's thread, not handled yet (screens/terminal.py):
        a pause for the builds ahead is over from now."""
        self.collector.note_input()

    async def on_event(self, event: events.Event) -> None:
        # A paste is input too (Textual's Paste is not an InputEvent): full collections and the
        # reminders' look wait for a pause in all of it.
        if isinstance(event, events.InputEvent | events.Paste):
            self.collector.note_input()
            if isinstance(event, events.Key):
                # As Textual does on a key (focus back on the widget that had it): before the
                # hold, or a key after a lost terminal focus-in would wait out HOLD_LIMIT.
                self.app_focus = True
        await super().on_event(event)  # the type-ahead (screens/type_ahead.py), then Textual

    def busy_until(self, now: float) -> float:
        # A step built ahead (screens/kept.py) slows a dialog: that time is not a held key's.
        return self.kept.busy_until(now)

    def _end_batch(self) -> None:
        """Textual's end of a batch update (`App.batch_update`), then a look at the top screen.

        A screen asked to repaint during a batch (one shown while a screen built ahead mounts
        widgets inside a batch, as Textual's Markdown widget did) skips that repaint, and
        Textual's end of the batch wakes the app, not the screen: a kept screen shown then,
        with nothing more to do, stayed unpainted until the next key (the tmux switch run saw
        Export for 30 s after F2). textual is pinned."""
        super()._end_batch()
        if not self._batch_count and self._screen_stack:
            self.screen.check_idle()

    def on_unmount(self) -> None:
        self.collector.stop()  # the process's collector as it was (tests run many apps)

    def on_resize(self, event: events.Resize) -> None:
        if self._started:  # before mount, on_mount looks at the size itself
            self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        """Cover the screen with a clear message below the smallest size that works."""
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        if not too_small and "screens.dialogs" not in sys.modules:
            return  # no cover can be up before its module was imported: none to take down
        from screens.dialogs import TooSmallScreen

        showing = isinstance(self.screen, TooSmallScreen)
        if not showing and any(isinstance(s, TooSmallScreen) for s in self.screen_stack):
            return  # a dialog opened above it; it stays until the terminal grows
        if too_small and not showing:
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif too_small and showing:
            self.screen.update_size(width, height)  # type: ignore[attr-defined]
        elif showing and not too_small:
            self.pop_screen()

    # -- navigation ---------------------------------------------------------------------------------
    def step_screen(self, case_id: int, step: str) -> CaseScreen:
        """Build a new step screen for a case (imported on first use)."""
        from screens.kept import build_step

        return build_step(self, case_id, step)

    def open_case(self, case_id: int, step: str = "triage") -> bool:
        """Show a case at a step: switch if a case screen is on top, else push over the list.
        The open case's step screens are kept and built ahead (screens/kept.py)."""
        from screens.case_base import CaseScreen
        from workbench.store import StoreError

        current = self.screen
        if isinstance(current, CaseScreen) and not current.flush_before_leaving():
            return False  # the store refused what was typed: it stays on screen (said so)
        try:
            screen = self.kept.screen_for(case_id, step)
        except (ImportError, AttributeError):
            self.notify(f"The {step} screen is not available yet.", severity="warning")
            return False
        except StoreError as exc:
            self.notify(str(exc), title="Cannot open the case", severity="error")
            return False
        if screen is current:
            return True
        if screen in self.screen_stack:  # beneath what is on top: back down to it
            while self.screen is not screen:
                self.pop_screen()
        elif isinstance(current, CaseScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self.call_after_refresh(self.kept.build_ahead)
        return True

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        # textual is pinned: every frame of every screen passes here, headless too (in a batch
        # Textual draws nothing yet).
        if renderable is not None and not self._batch_count:
            self.last_frame = self.collector.clock()
        super()._display(screen, renderable)

    async def _hand_on(self, key: Typed) -> None:
        # A key held while a dialog settled is input when it is handed on: the pause a build
        # ahead waits for (screens/kept.py) begins once its frame is drawn, not before.
        self.collector.note_input()
        await super()._hand_on(key)

    def held_keys_pending(self) -> bool:
        """Whether typed keys are held or on their way (the type-ahead below)."""
        return bool(self._held_keys) or self._key_in_flight is not None

    def go_home(self) -> bool:
        """Back to the case list, whatever is on top. Every way of leaving a case (escape, the
        palette, a click) comes here or to `open_case`: when the store refuses what was typed,
        the case stays on screen with it, once (`CaseScreen.flush_before_leaving`)."""
        from screens.case_base import CaseScreen
        from screens.home import HomeScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, CaseScreen) and not screen.flush_before_leaving():
                return False
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        return True

    # -- actions ------------------------------------------------------------------------------------
    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        """Quit, after writing anything typed but not yet saved. When the store refuses it (a full
        disk, a lock), stay and say so; a second ctrl+q quits without it."""
        from screens.case_base import CaseScreen

        self.exiting = True  # a conflict met now keeps what was typed (CaseScreen.edit)
        unsaved = [
            screen
            for screen in self.screen_stack
            if isinstance(screen, CaseScreen) and not screen.flush_before_leaving()
        ]
        self.exiting = not unsaved
        if not unsaved:
            self.exit()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Help", "Keys of every screen and the operating principles", self.action_help
        )
