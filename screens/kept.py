"""The open case's step screens, kept between switches and built ahead.

Building a step screen (compose, mount, styling, layout) cost 30-130 ms of CPU per F-key while a
bare Textual switch costs about 23 (bench/SWITCH-PROFILE.md). So the screens of the open case are
built once and kept: an F-key shows the kept screen, brought up to date from the store first (the
case's revision: an edit made on another screen, in the CLI or another window), and the steps not
shown yet are built ahead, one at a time in the agent's pauses, once the first screen has painted.

Kept screens are installed under `case-step-<step>`, so Textual keeps them when they leave the
stack, escape to the list included: an agent often goes back to the case just left, which then
opens as a kept screen too (brought up to date like any other). They are let go (uninstalled, and
removed once off the stack) when another case opens: at most one case's screens are alive (and,
once removed, nothing keeps them: screens/watchers.py, tests/test_ui_memory.py).

Keys and the build ahead: a build is started only in a pause (no input for AHEAD_QUIET, no key
held or on its way, the screen on top settled), one screen at a time, and its costly steps (the
layouts of the whole screen) each wait for a pause too (`until_pause`). A key typed while one
is being built waits in the app's queue for the step under way at most (nothing is lost); a
dialog it opens settles later than usual, so the type-ahead's limit (WorkbenchApp._release_held)
does not count the time a build ahead was running (`busy_until`).
"""

from __future__ import annotations

import asyncio
import time
from importlib import import_module
from typing import TYPE_CHECKING

from screens.watchers import forget_closed_watchers

if TYPE_CHECKING:
    from textual.timer import Timer

    from screens.app import WorkbenchApp
    from screens.case_base import CaseScreen
    from screens.offscreen import OffscreenScreen

# Seconds without input (and with an idle app) before the next step is built ahead; the wait
# between two looks while the agent types.
AHEAD_QUIET = 0.1
AHEAD_LOOK = 0.05
# A key that changed nothing on the screen draws no frame: a pause all the same after this long.
ANSWER_WAIT = 0.5
# A build ended: the next one this soon, if the pause goes on (keys that came meanwhile are
# handled first; a look every AHEAD_LOOK left 0.3 s of the list's pause unused over six builds).
AHEAD_NEXT = 0.01
# On the list, the case under the cursor is built for after this long without input (browsing
# the list is not slowed), looked at again every LIST_LOOK s (the cursor moves).
LIST_QUIET = 0.3
LIST_LOOK = 0.25
# A build ahead that has not finished after this long no longer holds typed keys back.
BUILD_LIMIT = 2.0
# A build's step waits at most this long for a pause (`until_pause`): one that does not come
# (keys typed on and on, a top screen that does not take keys) does not hold the build for good.
PAUSE_WAIT_LIMIT = 2.0
# The order of the builds: Triage and Impact first (enter and F3 are the first keys after a case
# opens; on a busy machine the list's pause does not hold all six builds), the steps in the order
# of their keys, Export last: the last key an agent reaches (and once the costliest build, when
# its preview was Textual's Markdown widget: screens/widgets/preview.py).
AHEAD_ORDER = ("triage", "impact", "reproduction", "details", "timeline", "export")
PREFIX = "case-step-"


def build_step(app: WorkbenchApp, case_id: int, step: str) -> CaseScreen:
    """A new step screen for a case (its module imported on first use)."""
    from screens.steps import step_by_name

    info = step_by_name(step)
    screen_class: type[CaseScreen] = getattr(import_module(info.module), info.class_name)
    return screen_class(case_id)


async def _remove(screen: CaseScreen) -> None:
    """Take a let-go screen down, then forget what its widgets watched on the app (a TextArea
    watches the app's theme: screens/watchers.py)."""
    if not screen._pruning and screen.is_running:
        app = screen.app
        await screen.remove()
        forget_closed_watchers(app)


class KeptSteps:
    """The step screens of the one open case: `screen_for(case_id, step)` gives the screen to
    show."""

    def __init__(self, app: WorkbenchApp, *, ahead: bool | None = None) -> None:
        """`ahead`: build the other steps in the agent's pauses (by default only in a terminal,
        where `app.run` says so; tests that want it ask)."""
        self.app = app
        self.ahead = ahead
        self.case_id: int | None = None
        self.screens: dict[str, CaseScreen] = {}
        self._ahead: Timer | None = None
        self.building: CaseScreen | None = None  # built ahead, not laid out yet
        self._building_since = 0.0
        self._built_at = 0.0
        self._resting_since: float | None = None  # a build asleep in until_pause since then

    def screen_for(self, case_id: int, step: str) -> CaseScreen:
        """The screen of `step` for `case_id`, kept and up to date. Another case's screens are let
        go first. Raises what building raises (ImportError, a StoreError)."""
        # What watched the app and was taken down since the last switch (a dialog's TextArea,
        # the Similar screen's) is forgotten here.
        forget_closed_watchers(self.app)
        if case_id != self.case_id:
            self.release()
        screen = self.screens.get(step)
        if screen is None:
            screen = build_step(self.app, case_id, step)
            self._keep(step, screen)
        else:
            screen.catch_up()
        self.case_id = case_id
        return screen

    def holds(self, screen: object) -> bool:
        return any(kept is screen for kept in self.screens.values())

    def _keep(self, step: str, screen: CaseScreen) -> None:
        self.screens[step] = screen
        self.app.install_screen(screen, PREFIX + step)

    def release(self) -> None:
        """Let every kept screen go: uninstalled now; removed now when off the stack, by Textual
        when it leaves the stack otherwise. Call it before popping or switching away."""
        if self._ahead is not None:
            self._ahead.stop()
            self._ahead = None
        if self.building is not None:
            self.building, self._built_at = None, time.monotonic()
        screens, self.screens, self.case_id = self.screens, {}, None
        installed = self.app._installed_screens  # textual is pinned; uninstall_screen refuses a
        for step, screen in screens.items():  # screen on the stack, which is the one to let go
            installed.pop(PREFIX + step, None)
            on_stack = any(screen in stack for stack in self.app._screen_stacks.values())
            if on_stack or screen._pruning or not screen.is_running:
                continue
            if screen.is_mounted:
                # After the next frame: the list (or the next case) shows first.
                self.app.call_after_refresh(_remove, screen)
            else:  # still composing (built ahead): removed once mounted, not under its on_mount
                screen.let_go = True

    # -- building ahead ------------------------------------------------------------------------------
    def busy_until(self, now: float) -> float:
        """`now` while a build ahead is running (for up to BUILD_LIMIT), else when the last one
        ended (time.monotonic()): the type-ahead does not count that time against its limit."""
        if self.building is not None and now - self._building_since <= BUILD_LIMIT:
            # Asleep in until_pause, it slows nothing: busy until it went to sleep.
            return now if self._resting_since is None else self._resting_since
        return self._built_at

    def built(self, screen: OffscreenScreen) -> None:
        """`screen`, built ahead, is mounted, filled and laid out (CaseScreen)."""
        if self.building is screen:
            self.building = None
            self._built_at = time.monotonic()
            self.app.collector.note_busy()
            if self._ahead is not None:  # the next one soon, not at the list's next look
                self._ahead.stop()
                self._ahead = self.app.set_timer(AHEAD_NEXT, self._build_next, name="steps-ahead")

    def build_ahead(self) -> None:
        """Start looking for pauses to build in (the open case's steps not kept yet or, on the
        list, those of the case under the cursor)."""
        ahead = self.app.in_terminal if self.ahead is None else self.ahead
        if ahead and self._ahead is None:
            # Not AHEAD_QUIET from now when the last input is older (the list, once warmed up).
            since = self.app.collector.clock() - self.app.collector.last_input
            wait = max(0.01, AHEAD_QUIET - since)  # not 0: Textual's timer divides by it
            self._ahead = self.app.set_timer(wait, self._build_next, name="steps-ahead")

    def _pause(self, quiet: float = AHEAD_QUIET) -> bool:
        """Whether the agent is pausing (`_quiet`) and no build is running."""
        return self.building is None and self._quiet(quiet)

    def _quiet(self, quiet: float = AHEAD_QUIET) -> bool:
        """No input for `quiet` s and what the last input changed drawn (or no input for
        ANSWER_WAIT, for a key that changed nothing), no key held or on its way, the screen on
        top taking keys. Without the frame: a step's layout, built ahead, came between enter
        and the Triage it showed (134 ms)."""
        app = self.app
        last_input = app.collector.last_input
        since = app.collector.clock() - last_input
        return (
            since >= quiet
            and (app.last_frame >= last_input or since >= ANSWER_WAIT)
            and not app.held_keys_pending()
            and not app.screen_waits()
            and not app.exiting
        )

    async def until_pause(self, screen: OffscreenScreen) -> None:
        """Wait, while `screen` is built ahead, for the agent to pause: its costly steps (each a
        layout of the whole screen, up to 120 ms for Export on a slow machine) come between
        keys, not in front of them. A key that came during a build waited for its layouts
        (enter from the list 410 ms). At most PAUSE_WAIT_LIMIT; at once when the screen is
        shown meanwhile (Textual lays it out then), let go (the caller then stops: `building` is
        no longer `screen`), or the app ends."""
        began = time.monotonic()
        try:
            while (
                self.building is screen
                and screen.is_attached
                and not screen.is_current
                and not self.app.exiting
                and not self._quiet()
                and time.monotonic() - began < PAUSE_WAIT_LIMIT
            ):
                if self._resting_since is None:
                    self._resting_since = time.monotonic()
                await asyncio.sleep(AHEAD_LOOK)
        finally:
            self._resting_since = None

    def _target(self) -> tuple[int | None, bool]:
        """The case to build for now (None: not now), and whether to look again later: the open
        case on top, or the list's case under the cursor (the one enter opens) once the agent
        has paused on it for LIST_QUIET."""
        from screens.home import HomeScreen

        top = self.app.screen
        if self.holds(top):
            return (self.case_id if self._pause() else None), True
        if isinstance(top, HomeScreen):
            return (top.current_case_id() if self._pause(LIST_QUIET) else None), True
        return None, False  # a dialog, help, Similar, another case's screen: shown again later

    def _build_next(self) -> None:

        self._ahead = None
        app = self.app
        if not app.is_running or app._closing or not app.screen_stack:
            return  # the app is ending: its screens are gone (a timer can fire meanwhile)
        case_id, look_again = self._target()
        if case_id is not None and case_id != self.case_id:
            self.release()  # the cursor moved to another case (none of these is on the stack)
            self.case_id = case_id
        missing = [step for step in AHEAD_ORDER if step not in self.screens]
        if case_id is None or not missing:
            on_case = self.holds(app.screen)
            # A pause may come for what is missing; on the list, the cursor may move.
            if look_again and (missing or not on_case):
                wait = AHEAD_LOOK if on_case else LIST_LOOK
                if missing:  # not a pause yet: looked at again when it would be one
                    quiet = AHEAD_QUIET if on_case else LIST_QUIET
                    since = app.collector.clock() - app.collector.last_input
                    wait = min(wait, max(AHEAD_LOOK, quiet - since))
                self._ahead = app.set_timer(wait, self._build_next, name="steps-ahead")
            return
        try:
            screen = build_step(app, case_id, missing[0])
        except Exception:  # shown when asked for, built then, with its error as usual
            return
        self._keep(missing[0], screen)
        self.building, self._building_since = screen, time.monotonic()
        app.collector.note_busy()
        screen.prepare_offscreen()
        # The next one as soon as this one is laid out, if the agent is still pausing then.
        self._ahead = app.set_timer(AHEAD_LOOK, self._build_next, name="steps-ahead")
