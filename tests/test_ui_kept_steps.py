"""The open case's step screens are kept between switches (screens/kept.py): shown again, a kept
screen catches up with what changed elsewhere (another window, the CLI), and it is let go when
its case closes, so another case never shows through it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.scrollbar import ScrollBar
from textual.widgets import Footer, Input
from textual.widgets._footer import FooterKey

from screens.app import WorkbenchApp
from screens.home import HomeScreen
from screens.impact import ImpactScreen
from screens.kept import build_step
from screens.similar import SimilarStrip
from screens.steps import STEPS
from screens.timeline import TimelineScreen
from tests.conftest import AppFactory, fixed_clock, new_case
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import Store


async def test_a_kept_screen_is_the_same_screen_and_catches_up_with_another_writer(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, ImpactScreen)
        await pilot.press("f2")
        # Another window (or `workbench` in a shell) changes the case meanwhile.
        stored = store.get(case.id)
        stored.impact.customers_affected = 37
        store.save(stored)
        await pilot.press("f3")
        assert app.screen is first  # kept, not built again
        assert first.query_one("#customers_affected", Input).value == "37"


async def test_another_case_lets_the_first_case_s_screens_go(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    assert case.id is not None
    other = new_case(store, title="Another case entirely")
    assert other.id is not None
    other.impact.customers_affected = 5
    store.save(other)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        first = app.screen
        await pilot.press("escape")
        assert app.kept.screens == {"impact": first}  # the case just left may come back
        assert app.open_case(other.id, "impact")
        await pilot.pause()
        assert app.kept.screens == {"impact": app.screen}
        assert app.screen is not first
        assert not first.is_attached  # let go
        assert isinstance(app.screen, ImpactScreen)
        assert app.screen.query_one("#customers_affected", Input).value == "5"


async def test_the_case_just_left_comes_back_kept_and_up_to_date(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        first = app.screen
        await pilot.press("escape")
        stored = store.get(case.id)  # changed while the list showed (the CLI, another window)
        stored.impact.customers_affected = 12
        store.save(stored)
        assert app.open_case(case.id, "impact")
        await pilot.pause()
        assert app.screen is first
        assert first.query_one("#customers_affected", Input).value == "12"


async def test_on_the_list_the_case_under_the_cursor_is_built_ahead(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the agent's pauses on the list, the steps of the case under the cursor are built, so
    enter shows a kept Triage; the cursor moved to another case lets them go and builds that
    case's instead."""
    from screens.kept import KeptSteps

    other = new_case(store, title="Another case entirely")
    monkeypatch.setattr(KeptSteps, "_pause", lambda self, quiet=0: self.building is None)
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=True)
    async with app.run_test(size=(80, 24)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        first = home.current_case_id()
        await _until(pilot, lambda: len(app.kept.screens) == len(STEPS))
        assert app.kept.case_id == first
        built = dict(app.kept.screens)
        await pilot.press("down")
        second = home.current_case_id()
        assert second != first and second in (case.id, other.id)
        await _until(
            pilot, lambda: app.kept.case_id == second and len(app.kept.screens) == len(STEPS)
        )
        assert not any(screen.is_attached for screen in built.values())  # let go
        triage = app.kept.screens["triage"]
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen is triage and triage.takes_keys())
        assert triage.case_id == second


async def _until(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    for _ in range(3000):
        if done():
            return
        await pilot.pause()
    raise AssertionError("never happened")


async def test_a_look_for_a_pause_while_the_app_ends_does_nothing(
    store: Store, playbook: Playbook
) -> None:
    """Found by the switch profiler: the look's timer fired as the app was ending, with no
    screen left on the stack, and the app ended on 'No screens on stack'."""
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert not app.screen_stack
    app.kept._build_next()  # as the timer would
    assert app.kept.screens == {}


@pytest.mark.parametrize("step", [info.name for info in STEPS])
async def test_the_app_ending_while_a_screen_is_built_ahead_ends_cleanly(
    make_app: AppFactory, case: Escalation, step: str
) -> None:
    """SIGTERM or a quit can come while a step screen is being built in the agent's pause: the
    app took it apart before its mount came round, which once ended the app with status 1."""
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "timeline" if step != "timeline" else "triage")
        await pilot.pause()
        app.kept.release()
        screen = build_step(app, case.id, step)
        app.kept._keep(step, screen)
        screen.prepare_offscreen()
        app.exit()
    assert app.return_code == 0


async def test_a_screen_built_ahead_is_laid_out_to_rest_before_it_is_shown(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A layout's sizes reach the widgets as events, and many answer by asking for a layout
    again (a label taking its width, Markdown blocks): a screen built ahead is laid out until
    they stop, so that its first show does not lay out and draw the whole screen again (Export's
    first show cost 200 ms of CPU that way, against 15 for a later one)."""
    from screens.kept import KeptSteps

    monkeypatch.setattr(KeptSteps, "_pause", lambda self, quiet=0: self.building is None)
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(
            pilot, lambda: len(app.kept.screens) == len(STEPS) and app.kept.building is None
        )
        for step, screen in app.kept.screens.items():
            assert screen.is_attached and not screen.is_current, step
            # The Footer lays its keys out again on every show, a kept screen's too; the similar
            # cases' line is filled by a worker of its own, whenever that ends, and the line it
            # takes may give a panel its scrollbar then.
            waiting = [
                type(widget).__name__
                for widgets in screen._layout_widgets.values()
                for widget in widgets
                if not isinstance(widget, Footer | FooterKey | SimilarStrip | ScrollBar)
            ]
            assert not waiting, (step, waiting)
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen is app.kept.screens["triage"])


def test_every_step_is_built_ahead() -> None:
    from screens.kept import AHEAD_ORDER

    assert sorted(AHEAD_ORDER) == sorted(info.name for info in STEPS)
    assert AHEAD_ORDER[0] == "triage"  # enter opens it


async def test_a_countdown_tick_while_the_app_ends_is_quiet(
    make_app: AppFactory, case: Escalation
) -> None:
    """The timeline's countdown ticks every few seconds; one that came round while the app was
    taking the screen apart looked for its widgets and ended the app with status 1."""
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.open_case(case.id, "timeline")
        await pilot.pause()
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        app.exit()
        # As Textual's end does it: every node marked, then the widgets removed, the screen's
        # own timers stopped only after that.
        for node in [timeline, *timeline.walk_children()]:
            node._pruning = True
        await timeline.query_one("#timeline-state").remove()
        timeline.tick()
    assert app.return_code == 0


async def test_a_widget_gone_while_the_app_ends_is_not_an_error(make_app: AppFactory) -> None:
    """Whatever else comes round during the end (a list's poll, a save's repaint) and finds a
    widget gone is not the app failing: the status stays the one asked for."""
    app = make_app()
    async with app.run_test(size=(80, 24)):
        app.exit(return_code=143)
        app._handle_exception(NoMatches("No nodes match '#home-counts'"))
    assert app.return_code == 143


async def test_a_widget_missing_while_the_app_runs_is_still_an_error(make_app: AppFactory) -> None:
    app = make_app()
    with pytest.raises(NoMatches):
        async with app.run_test(size=(80, 24)):
            app._handle_exception(NoMatches("No nodes match '#home-counts'"))
    assert app.return_code == 1


def _pausing_when_told(monkeypatch: pytest.MonkeyPatch, pausing: list[bool]) -> list[object]:
    """Builds start whenever none runs; the agent pauses only once `pausing[0]` is set (and the
    wait for it is not cut short on a loaded machine). Returns the screens laid out, in order."""
    from textual.screen import Screen

    from screens.kept import KeptSteps

    monkeypatch.setattr("screens.kept.PAUSE_WAIT_LIMIT", 600.0)  # a loaded machine's slow turns
    monkeypatch.setattr(KeptSteps, "_pause", lambda self, quiet=0: self.building is None)
    monkeypatch.setattr(KeptSteps, "_quiet", lambda self, quiet=0: pausing[0])
    laid_out: list[object] = []
    original = Screen._refresh_layout

    def recording(self: Screen[object], *args: object, **kwargs: object) -> None:
        laid_out.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", recording)
    return laid_out


async def test_a_step_built_ahead_is_laid_out_only_while_the_agent_pauses(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A layout of a whole step built ahead (up to 120 ms for Export on a slow machine) waits
    for a pause: a key that came during a build waited behind them all (enter 410 ms)."""
    pausing = [False]
    laid_out = _pausing_when_told(monkeypatch, pausing)
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: app.kept.building is not None)
        building = app.kept.building
        assert building is not None
        await _until(pilot, lambda: building._filled)  # mounted and filled: its layouts next
        for _ in range(20):
            await pilot.pause()
        assert app.kept.building is building  # waiting, mounted but not laid out
        assert building not in laid_out
        # Asleep, it slows nothing: the type-ahead's limit counts from when it went to sleep.
        now = time.monotonic()
        assert app.kept.busy_until(now) < now
        pausing[0] = True
        await _until(pilot, lambda: app.kept.building is not building)
        assert building in laid_out


async def test_a_step_let_go_while_it_waits_for_a_pause_is_not_laid_out(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its case closed (another opened) while a step built ahead waited for a pause: removed
    only after the next frame, it was laid out and drawn meanwhile, for nothing."""
    pausing = [False]
    laid_out = _pausing_when_told(monkeypatch, pausing)

    async def removed_late(screen: object) -> None:
        """Removed after the wait has woken (the frame that removes it can come later)."""

    monkeypatch.setattr("screens.kept._remove", removed_late)
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: app.kept.building is not None)
        building = app.kept.building
        assert building is not None
        await _until(pilot, lambda: building._filled)
        app.kept.release()  # as another case opening does
        pausing[0] = True
        for _ in range(20):
            await pilot.pause()
        assert building not in laid_out


async def test_a_pause_that_never_comes_holds_a_build_for_a_limited_time(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys typed on and on, or a top screen that never takes keys: after PAUSE_WAIT_LIMIT the
    build goes on (once seen as a test spinning for minutes on a build that never ended)."""
    import screens.kept
    from screens.kept import KeptSteps

    monkeypatch.setattr(screens.kept, "PAUSE_WAIT_LIMIT", 0.2)
    monkeypatch.setattr(KeptSteps, "_pause", lambda self, quiet=0: self.building is None)
    monkeypatch.setattr(KeptSteps, "_quiet", lambda self, quiet=0: False)  # never a pause
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: app.kept.building is not None)
        first = app.kept.building
        await _until(pilot, lambda: app.kept.building is not first)


async def test_a_pause_begins_once_the_last_key_s_change_is_drawn(
    store: Store, playbook: Playbook
) -> None:
    """Enter showed Triage only after a step's layout, built ahead, that the pause's clock had
    let in between the key and its frame; a key that changes nothing draws nothing, and is a
    pause all the same after ANSWER_WAIT."""
    from screens.kept import AHEAD_QUIET, ANSWER_WAIT

    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        now = [1000.0]
        app.collector.clock = lambda: now[0]
        app.collector.last_input = 1000.0
        app.last_frame = 999.0  # drawn before the key
        now[0] += AHEAD_QUIET
        assert not app.kept._quiet()
        app.last_frame = 1000.05  # the key's frame
        assert app.kept._quiet()
        app.last_frame = 999.0
        now[0] = 1000.0 + ANSWER_WAIT
        assert app.kept._quiet()


async def test_a_key_read_is_input_before_the_event_loop_comes_to_it(
    store: Store, playbook: Playbook
) -> None:
    """The terminal driver's thread reads a key and hands it to the loop (Textual's
    run_coroutine_threadsafe); a build ahead that looked for a pause meanwhile saw none coming
    and began a 110 ms layout of Export in front of it."""
    import threading

    from textual import events

    from screens.terminal import SafeLinuxDriver

    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        driver = SafeLinuxDriver(app, mouse=False, size=(80, 24))  # not started: no terminal
        now = [1000.0]
        app.collector.clock = lambda: now[0]
        app.collector.last_input = 1000.0
        app.last_frame = 1000.5
        now[0] = 1001.0
        assert app.kept._quiet()
        reader = threading.Thread(target=driver.process_message, args=(events.Key("f24", None),))
        reader.start()
        reader.join()
        # Not handled yet (the loop has not turned since): no pause all the same.
        assert app.collector.last_input == 1001.0
        assert not app.kept._quiet()
        await pilot.pause()  # handled (a key bound to nothing)
