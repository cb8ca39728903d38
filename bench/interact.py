"""Keystroke, search, filter and sort latencies, in-process, on a real database (Pilot, headless).

Each sample is timed from the moment the key event is handed to the app's driver (or the search,
filter or sort is applied) to the moment the screen shows everything it caused. When the key
saves the case, that is after the commit to SQLite and whatever the save changed on the screen:
the first frame after the save when the save left something to repaint, else the later of the
save and the key's own first frame (a save that changes nothing visible needs no frame, and the
next one may be a cursor blink half a second later). Frames are taken from `App._display`, which
the screen calls with every rendered update (headless too: the compositor renders, only the
terminal write is skipped).

- Toggle: space on a Triage checklist item of a large case (each toggle is one save); and the
  same while the minute's follow-up look (screens/reminders.py) runs, back to back.
- Typing: characters typed at the end of the Details narrative. Text fields save after a 300 ms
  pause; here the pause is 0, so every character is committed and repainted: the worst case.
  The same characters with the normal pause are measured too (what the agent feels while typing).
- Search: the list's search applied (what the search box does after its debounce) for prefixes
  as they are typed, common and rare words, a customer, and words that match nothing; under the
  default sort, and again under every sort of the list, both ways (its own figure).
- Filter and sort: the list's status and severity filters and every sort column, both directions.

Keys are spaced like fast typing (about 12 per second): the screen refreshes at most 60 times a
second, so keys closer than that would measure Textual's frame pacing, not the app.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import gc
import math
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

SIZE = (120, 40)
GAP = 0.06  # seconds between keys (with the time to settle): about 12 keys a second

SEARCHES = (
    "e", "ex", "exp", "expo", "export", "export t", "export ti", "export timeout",
    "customer", "login", "sso", "saml certificate", "webhook retry", "invoice duplicate",
    "Acme", "Globex Bank", "reconciliation", "chargeback dispute", "429", "gdpr deletion",
    "zzzz", "quartz unicorn", "the", "timeout 504 proxy",
)  # fmt: skip


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the second largest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latencies:
    """Samples of one action: wall-clock seconds, and the event loop's CPU seconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, sample: tuple[float, float]) -> None:
        self.wall.append(sample[0])
        self.cpu.append(sample[1])

    def summary(self) -> dict[str, float]:
        wall = [s * 1000 for s in self.wall]
        cpu = [s * 1000 for s in self.cpu]
        return {
            "n": len(wall),
            "p50_ms": statistics.median(wall),
            "p99_ms": percentile(wall, 99),
            "max_ms": max(wall),
            "cpu_p50_ms": statistics.median(cpu),
            "cpu_p99_ms": percentile(cpu, 99),
        }


class Probe:
    """Frame and save timestamps of one app."""

    def __init__(self, app: Any) -> None:
        from screens.case_base import CaseScreen

        self.frames: list[float] = []
        self.frame_cpu: list[float] = []
        # (when a save and the refresh it caused ended, the CPU time then, whether it left
        # anything to repaint), and when each ended alone (in order: what `latency` bisects)
        self.saves: list[tuple[float, float, bool]] = []
        self.save_times: list[float] = []
        # Set with every frame and save: the wait for an action's end wakes on it, not on a
        # timer every few ms (each wake, and each look through all that was recorded, was the
        # harness's own CPU time inside the measured span).
        self.recorded = asyncio.Event()
        display = app._display

        self.frame_screens: list[Any] = []

        def recording_display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.frames.append(time.perf_counter())
                self.frame_cpu.append(time.thread_time())
                self.frame_screens.append(screen)
                self.recorded.set()
            display(screen, renderable)

        app._display = recording_display
        edit = CaseScreen.edit
        probe = self

        def recording_edit(screen: Any, *args: Any, **kwargs: Any) -> Any:
            saved = edit(screen, *args, **kwargs)
            # A widget's refresh reaches the screen's flags only at that widget's next idle:
            # look at every widget's own flags too.
            dirty = bool(
                screen._dirty_widgets
                or screen._layout_required
                or screen._repaint_required
                or screen._scroll_required
                or any(
                    widget._repaint_required or widget._layout_required
                    for widget in screen.walk_children(with_self=False)
                )
            )
            at = time.perf_counter()
            probe.saves.append((at, time.thread_time(), dirty))
            probe.save_times.append(at)
            probe.recorded.set()
            return saved

        self._restore = (CaseScreen, edit)
        CaseScreen.edit = recording_edit  # type: ignore[method-assign]

    def close(self) -> None:
        cls, edit = self._restore
        cls.edit = edit

    def forget(self) -> None:
        """Drop what was recorded so far (a long session: the frames' screens stay referenced
        here, and the lists grow)."""
        self.frames.clear()
        self.frame_cpu.clear()
        self.frame_screens.clear()
        self.saves.clear()
        self.save_times.clear()

    def screen_frame_after(self, moment: float, kind: type) -> float | None:
        """When the first frame of a screen of `kind` was rendered after `moment`."""
        for frame, screen in zip(self.frames, self.frame_screens, strict=True):
            if frame > moment and isinstance(screen, kind):
                return frame
        return None

    def _frame_after(self, moment: float) -> tuple[float, float] | None:
        index = bisect.bisect_right(self.frames, moment)
        if index == len(self.frames):
            return None
        return self.frames[index], self.frame_cpu[index]

    def latency(self, started: float, *, saved: bool) -> tuple[float, float] | None:
        """(wall, cpu) seconds from `started` to the screen showing all the action caused; None
        when that has not happened yet. `cpu` is the event loop thread's CPU time at that
        moment (subtract the one at `started`): the app's own work, without the time the shared
        machine kept it waiting for a core."""
        first = self._frame_after(started)
        if not saved:
            return None if first is None else (first[0] - started, first[1])
        if not self.save_times or self.save_times[-1] <= started:
            return None
        at, cpu, dirty = self.saves[-1]
        if dirty:
            after = self._frame_after(at)
            return None if after is None else (after[0] - started, after[1])
        if first is None:
            return None
        return (first[0] - started, first[1]) if first[0] > at else (at - started, cpu)


async def _settle(
    pilot: Any, probe: Probe, started: float, cpu_started: float, saved: bool
) -> tuple[float, float]:
    """Wait until the action's frame is there (at most 10 s), then the gap to the next action.
    The wait sleeps until the probe records a frame or a save and looks at its timestamps:
    Pilot's own wait for the screen posts a message to every widget, work the app would then do
    inside the measured span."""
    deadline = started + 10.0
    while True:
        probe.recorded.clear()
        found = probe.latency(started, saved=saved)
        if found is not None:
            break
        left = deadline - time.perf_counter()
        if left <= 0:
            raise RuntimeError("no frame after the action within 10 s")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(probe.recorded.wait(), left)
    remaining = started + GAP - time.perf_counter()
    if remaining > 0:
        await asyncio.sleep(remaining)
    wall, cpu_at_frame = found
    return wall, cpu_at_frame - cpu_started


def _key(app: Any, key: str) -> None:
    """Hand one key to the driver, as a terminal would (what Pilot.press does, without its
    waits)."""
    from textual import events

    char = {"space": " "}.get(key, key if len(key) == 1 else None)
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def _timed(
    pilot: Any, probe: Probe, action: Callable[[], object], *, saved: bool
) -> tuple[float, float]:
    # A search, filter or sort applied here directly came from keys in use: the app sees input
    # (full collections wait for a pause in input, screens/collector.py).
    pilot.app.collector.note_input()
    cpu_started = time.thread_time()
    started = time.perf_counter()
    result = action()
    if isinstance(result, Awaitable):
        await result
    return await _settle(pilot, probe, started, cpu_started, saved)


async def _searches_sorted(
    pilot: Any, probe: Probe, home: Any, searches: tuple[str, ...]
) -> Latencies:
    """The searches again under every sort of the list, both ways (the sort set untimed): a
    search's matches may lie at one end of a sort ("Acme" by customer), where the default sort
    spreads them."""
    from screens.home_columns import SORTS

    timed = Latencies()
    for index in range(len(SORTS)):
        for descending in (False, True):
            home.query_text = ""
            home.sort_index, home.descending = index, descending
            home.reload()
            await pilot.pause()
            for text in searches:
                timed.add(
                    await _timed(pilot, probe, partial(home._apply_search, text), saved=False)
                )
    home.query_text = ""
    home.sort_index, home.descending = 0, True
    home.reload()
    await pilot.pause()
    return timed


def _largest_recent_case(store: Any) -> int:
    """The biggest of the recently updated escalated cases (the heaviest document to save)."""
    rows = store.list_cases(status="escalated", limit=40) or store.list_cases(limit=40)
    sizes = [(len(store.get(row.id).model_dump_json()), row.id) for row in rows]
    return int(max(sizes)[1])


async def _session(
    db: Path | str, runs: int, searches: tuple[str, ...], cycles: tuple[int, int, int]
) -> dict[str, dict[str, float]]:
    from screens import case_base
    from screens.app import WorkbenchApp
    from workbench.playbook import default_playbook
    from workbench.store import open_store

    playbook = default_playbook()
    store = open_store(db, playbook)  # the file, or a team database's URL (bench/team.py)
    results: dict[str, dict[str, float]] = {}
    # As in a terminal: once warmed up, full collections wait for a pause (screens/collector.py).
    app = WorkbenchApp(store, playbook, bell=False, collect_in_pauses=True)
    probe: Probe | None = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()  # the warm-up, and the collector it starts
            app.reminders.stop()  # the minute's look would land in some samples: measured apart below
            probe = Probe(app)
            home: Any = app.screen
            # The list: search, filter, sort.
            search = Latencies()
            for _ in range(max(1, runs // 40)):
                for text in searches:
                    search.add(
                        await _timed(pilot, probe, partial(home._apply_search, text), saved=False)
                    )
            results["search"] = search.summary()
            await _timed(pilot, probe, lambda: home._apply_search(""), saved=False)
            filters = Latencies()
            sorts = Latencies()
            for _ in range(max(1, runs // 40)):
                for _step in range(cycles[0]):
                    filters.add(await _timed(pilot, probe, home.action_cycle_status, saved=False))
                for _step in range(cycles[1]):
                    filters.add(await _timed(pilot, probe, home.action_cycle_severity, saved=False))
                for _step in range(cycles[2]):
                    sorts.add(await _timed(pilot, probe, home.action_cycle_sort, saved=False))
                    sorts.add(await _timed(pilot, probe, home.action_reverse_sort, saved=False))
            results["filter"] = filters.summary()
            results["sort"] = sorts.summary()
            results["search_sorted"] = (
                await _searches_sorted(pilot, probe, home, searches)
            ).summary()

            case_id = _largest_recent_case(store)
            # Opening a case from the list, to its Triage screen painted: the first time (what
            # the warm-up after start prepared, or not yet) and again.
            from screens.triage import TriageScreen

            opens: list[float] = []
            for _ in range(3):
                started = time.perf_counter()
                app.open_case(case_id, "triage")
                while (painted := probe.screen_frame_after(started, TriageScreen)) is None:
                    await asyncio.sleep(0.002)
                opens.append(painted - started)
                if len(opens) < 3:
                    await pilot.press("escape")
                    await pilot.pause()
            results["open_case"] = {
                "first_ms": opens[0] * 1000,
                "later_ms": statistics.median(opens[1:]) * 1000,
            }
            # Triage: toggle items.
            await pilot.pause()
            await pilot.pause()
            toggles = Latencies()
            gc.collect()
            for index in range(runs):
                if index % 10 == 0:
                    await pilot.press("down")
                toggles.add(await _timed(pilot, probe, lambda: _key(app, "space"), saved=True))
            results["toggle"] = toggles.summary()
            # The same, while the follow-up reminders look at every escalated case: once a minute
            # in use (screens/reminders.py, a chunk at a time, when the typing pauses); here back
            # to back, and without waiting for a pause, so every key meets a look: the worst case.
            during = Latencies()
            looking = True
            from screens import reminders as reminders_module

            waited = reminders_module.LONGEST_WAIT
            reminders_module.LONGEST_WAIT = 0.0

            async def looks() -> None:
                while looking:
                    await app.reminders.look()
                    # A look with one chunk or none never waits: without this, the loop would.
                    await asyncio.sleep(0.001)

            app.reminders.check()  # its toasts now, not over the first samples
            look_task = asyncio.create_task(looks())
            try:
                for index in range(max(10, runs // 2)):
                    if index % 10 == 0:
                        await pilot.press("down")
                    during.add(await _timed(pilot, probe, lambda: _key(app, "space"), saved=True))
                    if look_task.done():  # a look that failed: raise it, do not go on without
                        break
            finally:
                looking = False
                await look_task
                reminders_module.LONGEST_WAIT = waited
            results["toggle_during_look"] = during.summary()
            results["toggle_during_look"]["looks"] = app.reminders.looks

            # Details: type at the end of the narrative.
            app.open_case(case_id, "details")
            await pilot.pause()
            await pilot.pause()
            area: Any = app.screen.query_one("#narrative")
            area.focus()
            area.move_cursor(area.document.end)
            await pilot.pause()
            text = " Observed again after the 2.4 release on the EU region"
            typed = Latencies()
            original = case_base.CaseScreen.edit_later.__defaults__
            case_base.CaseScreen.edit_later.__defaults__ = (0.001,)  # commit every key
            try:
                for index in range(runs):
                    char = text[index % len(text)]
                    key = "space" if char == " " else char
                    typed.add(await _timed(pilot, probe, partial(_key, app, key), saved=True))
            finally:
                case_base.CaseScreen.edit_later.__defaults__ = original
            results["type"] = typed.summary()
            debounced = Latencies()
            for index in range(max(10, runs // 2)):
                char = text[index % len(text)]
                key = "space" if char == " " else char
                debounced.add(await _timed(pilot, probe, partial(_key, app, key), saved=False))
            screen: Any = app.screen
            screen.flush_edits()
            results["type_debounced"] = debounced.summary()
            await pilot.press("escape")
            await pilot.pause()
    finally:
        if probe is not None:
            probe.close()
        store.close()
    return results


def run(db: Path | str, runs: int = 200, *, smoke: bool = False) -> dict[str, dict[str, float]]:
    """Every in-process latency, `runs` samples of the keystrokes (fewer of the list's); `smoke`
    searches for three words only."""
    if smoke:
        return asyncio.run(_session(db, runs, SEARCHES[:3], (2, 2, 2)))
    # Every status filter, every severity filter, every sort column, each cycled round once.
    return asyncio.run(_session(db, runs, SEARCHES, (7, 4, 10)))


if __name__ == "__main__":
    import json
    import sys

    # A team database's URL stays text: as a Path its "//" would fold into a file name.
    target = sys.argv[1]
    db = target if "://" in target else Path(target)
    print(json.dumps(run(db, int(sys.argv[2]) if len(sys.argv) > 2 else 50), indent=1))
