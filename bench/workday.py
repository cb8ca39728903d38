"""A working day: 500 cases opened one after another, in one app, in-process (Pilot, headless).

    python -m bench.workday DB [--cases 500] [--window 25] [--diagnose 50,150]

Each case is worked as an agent would: opened from the list (Triage), two items ticked, then every
screen in turn (F3 Impact, F4 Reproduction with a step added, F5 Details with a sentence typed at
the end of the narrative, F6 Timeline, F7 Export, F8 Similar and back, F2 Triage again), escape
to the list, a search there, and a pause (the agent reads the list: the app runs its full
collection then, screens/collector.py). The script prints the process's RSS at a few points, the
growth from case 50 to the last, and the medians of the screen switches and keystrokes over the
`window` cases before case 50 and before the last, each against its target (issue 22, target 4):

- RSS grows by at most 10% between case 50 and case 500;
- the switch and keystroke medians at case 500 are within 10% of those at case 50.

The app runs as in a terminal: full collections in pauses (frozen start-up), the step screens kept
and built ahead. Latencies are taken as bench/interact.py takes them (its Probe: the key handed to
the driver, to the frame that shows what it caused), with the event loop's CPU time beside the
wall clock: on a shared machine the CPU figure is the steadier of the two. It works on a copy of
DB (SQLite's online backup), so the database given stays as it was.

`--diagnose A,B` also says what accumulates between case A and case B: Python's allocations
(tracemalloc, by line), the live objects by type (gc), and the step screens still alive.
tracemalloc slows everything down several times: its latencies are not the app's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bench.interact import SIZE, Probe, _key, _timed

GROWTH_LIMIT = 1.10  # RSS at the last case over RSS at case 50
SPEED_LIMIT = 1.10  # a median at the last case over the same median at case 50
FIRST = 50  # the case the growth and the speed are measured from
WINDOW = 25  # cases whose samples make each median
SENTENCE = " Seen again today."
STEP = ("Select Export CSV on the Reports page", "report 4471")
DEADLINE = 10.0  # seconds for a frame to come
READING = 2.5  # seconds at most the agent pauses on the list between two cases


def rss_kib() -> int:
    """This process's resident set (KiB), from the kernel."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@dataclass
class Samples:
    """(wall, cpu) seconds of each kind of action, tagged by the case (1-based) they came from."""

    switch: list[tuple[int, float, float]] = field(default_factory=list)
    toggle: list[tuple[int, float, float]] = field(default_factory=list)
    type: list[tuple[int, float, float]] = field(default_factory=list)
    search: list[tuple[int, float, float]] = field(default_factory=list)
    unpainted: int = 0  # searches that left the screen as it was (no frame to time)

    def medians(self, kind: str, first: int, last: int) -> dict[str, float]:
        """Wall and CPU medians (ms) of `kind` over cases first..last."""
        chosen = [(w, c) for n, w, c in getattr(self, kind) if first <= n <= last]
        if not chosen:
            return {"n": 0, "wall_ms": 0.0, "cpu_ms": 0.0}
        return {
            "n": len(chosen),
            "wall_ms": statistics.median(w for w, _ in chosen) * 1000,
            "cpu_ms": statistics.median(c for _, c in chosen) * 1000,
        }


def checkpoints(cases: int) -> list[int]:
    """The cases after which the RSS is read: the first, 10, 50, every 100 and the last."""
    points = {1, 10, FIRST, *range(100, cases, 100), cases}
    return sorted(p for p in points if 1 <= p <= cases)


async def _frame_of(probe: Probe, started: float, kind: type) -> tuple[float, float]:
    """(wall, cpu at that moment) of the first frame of a screen of `kind` after `started`."""
    deadline = started + DEADLINE
    while True:
        for index, frame in enumerate(probe.frames):
            if frame > started and isinstance(probe.frame_screens[index], kind):
                return frame - started, probe.frame_cpu[index]
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no frame of {kind.__name__} within {DEADLINE} s")
        await asyncio.sleep(0.002)


async def _switch(app: Any, probe: Probe, action: Any, kind: type) -> tuple[float, float]:
    """Run `action` (a key handed to the driver, or opening a case) and wait for the first frame
    of the screen it shows: (wall, cpu) seconds."""
    app.collector.note_input()
    cpu_started = time.thread_time()
    started = time.perf_counter()
    action()
    wall, cpu = await _frame_of(probe, started, kind)
    await asyncio.sleep(0.05)  # what the screen starts after its first frame, as an agent reads
    return wall, cpu - cpu_started


async def _until(app: Any, check: Any, what: str) -> None:
    deadline = time.perf_counter() + DEADLINE
    while not check():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{what}: not within {DEADLINE} s ({app.screen!r} on top)")
        await asyncio.sleep(0.005)


class Day:
    """One app, one probe, and the screens' classes (imported once the app runs)."""

    def __init__(self, app: Any, pilot: Any, probe: Probe, reading: float = READING) -> None:
        from screens.details import DetailsScreen
        from screens.export import ExportScreen
        from screens.home import HomeScreen
        from screens.impact import ImpactScreen
        from screens.reproduction import ReproductionScreen
        from screens.similar import SimilarScreen
        from screens.timeline import TimelineScreen
        from screens.triage import TriageScreen

        self.app, self.pilot, self.probe, self.reading = app, pilot, probe, reading
        self.home: type = HomeScreen
        self.triage: type = TriageScreen
        self.steps: list[tuple[str, type]] = [
            ("f3", ImpactScreen),
            ("f4", ReproductionScreen),
            ("f5", DetailsScreen),
            ("f6", TimelineScreen),
            ("f7", ExportScreen),
            ("f8", SimilarScreen),
        ]
        self.export: type = ExportScreen
        self.samples = Samples()

    async def work_on(self, number: int, case_id: int, word: str) -> None:
        """Case `number` of the day: open, tick, every screen with its edit, back, search."""
        app, probe, samples = self.app, self.probe, self.samples
        switches = samples.switch

        def add(into: list[tuple[int, float, float]], sample: tuple[float, float]) -> None:
            into.append((number, *sample))

        add(switches, await _switch(app, probe, partial(app.open_case, case_id), self.triage))
        for _ in range(2):  # a tick: the next item, space
            add(
                samples.toggle,
                await _timed(self.pilot, probe, partial(_key, app, "down"), saved=False),
            )
            add(
                samples.toggle,
                await _timed(self.pilot, probe, partial(_key, app, "space"), saved=True),
            )
        for key, kind in self.steps:
            add(switches, await _switch(app, probe, partial(_key, app, key), kind))
            if key == "f4":
                await self._add_step()
            elif key == "f5":
                await self._type_sentence(number)
        add(switches, await _switch(app, probe, partial(_key, app, "escape"), self.export))
        add(switches, await _switch(app, probe, partial(_key, app, "f2"), self.triage))
        add(switches, await _switch(app, probe, partial(_key, app, "escape"), self.home))
        home = app.screen
        try:
            searched = await _timed(
                self.pilot, probe, partial(home._apply_search, word), saved=False
            )
        except RuntimeError:  # nothing to repaint (the page and its counts the same): no sample
            samples.unpainted += 1
        else:
            add(samples.search, searched)
        home._apply_search("")
        await self.pilot.pause()
        probe.forget()  # the probe's own lists hold the frames' screens: not the app's memory
        await self._read_the_list()

    async def _read_the_list(self) -> None:
        """The agent looks at the list a moment before the next case: a pause, in which the app
        runs its full collection (screens/collector.py) and builds the case under the cursor
        ahead (screens/kept.py). Without pauses, full collections come LONGEST apart."""
        collector = self.app.collector
        before = collector.full_collections
        deadline = time.perf_counter() + self.reading
        while collector.full_collections == before and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)

    async def _add_step(self) -> None:
        """`a` on the steps, the action and its literal input, enter twice: one save."""
        from textual.widgets import Input

        app, pilot = self.app, self.pilot
        screen = app.screen
        await pilot.press("a")
        await _until(app, lambda: app.screen is not screen, "the step editor")
        editor = app.screen
        editor.query_one("#pair-first", Input).value = STEP[0]
        await pilot.press("enter")
        editor.query_one("#pair-second", Input).value = STEP[1]
        await pilot.press("enter")
        await _until(app, lambda: app.screen is screen, "back from the step editor")

    async def _type_sentence(self, number: int) -> None:
        """SENTENCE typed at the end of the narrative, saved as shipped (after the pause)."""
        app = self.app
        screen = app.screen
        area: Any = screen.query_one("#narrative")
        area.focus()
        area.move_cursor(area.document.end)
        await self.pilot.pause()
        for char in SENTENCE:
            key = "space" if char == " " else char
            sample = await _timed(self.pilot, self.probe, partial(_key, app, key), saved=False)
            self.samples.type.append((number, *sample))
        screen.flush_edits()


def _words(store: Any, ids: list[int]) -> dict[int, str]:
    """A word of each case's title to search the list for (the longest: a rare one)."""
    words = {}
    for case_id in ids:
        title = store.get(case_id).title
        words[case_id] = max(title.split(), key=len).strip(".,:;()'\"")
    return words


class Diagnosis:
    """What accumulates between two cases: allocations by line, live objects by type."""

    def __init__(self, first: int, last: int) -> None:
        import tracemalloc

        self.first, self.last = first, last
        self.tracemalloc = tracemalloc
        tracemalloc.start(1)  # by line: deeper tracebacks made the run ten times slower
        self.snapshot: Any = None
        self.types: Counter[str] = Counter()
        self.report: list[str] = []

    @staticmethod
    def _types() -> Counter[str]:
        return Counter(type(o).__qualname__ for o in gc.get_objects())

    def at(self, number: int) -> None:
        if number == self.first:
            gc.collect()
            self.snapshot = self.tracemalloc.take_snapshot()
            self.types = self._types()
        elif number == self.last and self.snapshot is not None:
            gc.collect()
            later = self.tracemalloc.take_snapshot()
            lines = [f"What grew from case {self.first} to case {self.last}:"]
            for stat in later.compare_to(self.snapshot, "lineno")[:25]:
                lines.append(f"  {stat}")
            types = self._types()
            types.subtract(self.types)
            from textual.widget import Widget

            loose = Counter(
                type(o).__name__
                for o in gc.get_objects()
                if isinstance(o, Widget) and not o.is_attached
            )
            lines.append(f"Widgets alive but taken down: {dict(loose.most_common(12))}")
            lines.append("Live objects by type (gc), the largest changes:")
            for name, change in types.most_common(25):
                lines.append(f"  {change:+8d} {name}")
            self.report = lines


async def _session(
    db: Path | str,
    cases: int,
    window: int,
    diagnose: tuple[int, int] | None,
    reading: float,
) -> dict[str, Any]:
    from screens.app import WorkbenchApp
    from workbench.playbook import default_playbook
    from workbench.store import open_store

    playbook = default_playbook()
    store = open_store(db, playbook)
    ids = [row.id for row in store.list_cases(limit=cases)]
    if len(ids) < cases:
        raise SystemExit(f"{db} holds {len(ids)} cases, fewer than --cases {cases}")
    words = _words(store, ids)
    rss: dict[int, int] = {}
    # As in a terminal: full collections in pauses once warmed up, steps built ahead.
    app = WorkbenchApp(store, playbook, bell=False, collect_in_pauses=True, build_ahead=True)
    diagnosis = Diagnosis(*diagnose) if diagnose else None
    points = checkpoints(cases)
    probe: Probe | None = None
    started = time.perf_counter()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            app.reminders.stop()  # the minute's look would land in some samples
            probe = Probe(app)
            day = Day(app, pilot, probe, reading)
            gc.collect()
            rss[0] = rss_kib()
            for number, case_id in enumerate(ids, start=1):
                await day.work_on(number, case_id, words[case_id])
                if number in points:  # after the pause, and the app's full collection in it
                    rss[number] = rss_kib()
                    print(
                        f"  case {number}: RSS {rss[number] / 1024:.1f} MiB "
                        f"({time.perf_counter() - started:.0f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
                if diagnosis is not None:
                    diagnosis.at(number)
            samples = day.samples
    finally:
        if probe is not None:
            probe.close()
        store.close()
    first = min(FIRST, cases)
    result: dict[str, Any] = {
        "cases": cases,
        "window": window,
        "first": first,
        "seconds": time.perf_counter() - started,
        "rss_kib": rss,
        "growth": rss[cases] / rss[first],
        "searches_unpainted": samples.unpainted,
    }
    for kind in ("switch", "toggle", "type", "search"):
        early = samples.medians(kind, max(1, first - window + 1), first)
        late = samples.medians(kind, max(1, cases - window + 1), cases)
        result[kind] = {
            "early": early,
            "late": late,
            "wall_ratio": late["wall_ms"] / early["wall_ms"] if early["wall_ms"] else 0.0,
            "cpu_ratio": late["cpu_ms"] / early["cpu_ms"] if early["cpu_ms"] else 0.0,
        }
    if diagnosis is not None:
        result["diagnosis"] = diagnosis.report
    return result


def working_copy(db: Path, folder: Path) -> Path:
    """A consistent copy of `db` to write to (its WAL included)."""
    from workbench.playbook import default_playbook
    from workbench.store import Store

    target = folder / f"workday-{db.name}"
    with Store(db, default_playbook(), readonly=True) as store:
        store.backup(target, overwrite=True)
    return target


def run(
    db: Path | str,
    cases: int = 500,
    window: int = WINDOW,
    diagnose: tuple[int, int] | None = None,
    *,
    reading: float = READING,
) -> dict[str, Any]:
    """The working day on a copy of `db` (a team database's URL is worked on as it is);
    `reading`: the longest pause on the list between two cases (0: none, the smoke run)."""
    if isinstance(db, str) and "://" in db:
        return asyncio.run(_session(db, cases, window, diagnose, reading))
    with tempfile.TemporaryDirectory(prefix="wb-workday-") as folder:
        copy = working_copy(Path(db), Path(folder))
        return asyncio.run(_session(copy, cases, window, diagnose, reading))


def verdict(ratio: float, limit: float) -> str:
    return "yes" if ratio <= limit else "no"


def speed_verdict(figures: dict[str, Any]) -> str:
    """Met on the wall clock; "cpu only" when only the event loop's own work is within it."""
    if figures["wall_ratio"] <= SPEED_LIMIT:
        return "yes"
    return "cpu only" if figures["cpu_ratio"] <= SPEED_LIMIT else "no"


def lines(result: dict[str, Any]) -> list[str]:
    """The figures, each against its target."""
    first, cases = result["first"], result["cases"]
    rss = result["rss_kib"]
    out = [
        "RSS: " + ", ".join(f"case {n}: {kib / 1024:.1f} MiB" for n, kib in sorted(rss.items())),
        f"RSS growth, case {first} -> {cases}: {result['growth']:.3f}x "
        f"(target <= {GROWTH_LIMIT}x: {verdict(result['growth'], GROWTH_LIMIT)})",
    ]
    names = {
        "switch": "Screen switch (enter, F2-F8, escape)",
        "toggle": "Keystroke on Triage (down, space + save)",
        "type": "Keystroke typing in the narrative",
        "search": "Search the list",
    }
    for kind, name in names.items():
        figures = result[kind]
        early, late = figures["early"], figures["late"]
        target = (
            f"(target <= {SPEED_LIMIT}x: {speed_verdict(figures)})" if kind != "search" else "(-)"
        )
        out.append(
            f"{name}, median at case {first} / {cases}: "
            f"{early['wall_ms']:.1f} / {late['wall_ms']:.1f} ms = {figures['wall_ratio']:.2f}x, "
            f"cpu {early['cpu_ms']:.1f} / {late['cpu_ms']:.1f} ms = {figures['cpu_ratio']:.2f}x "
            f"{target}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workday", description=__doc__.split("\n")[0]
    )
    parser.add_argument("db", help="A database (worked on as a copy), or a team database's URL.")
    parser.add_argument("--cases", type=int, default=500, help="Cases opened one after another.")
    parser.add_argument("--window", type=int, default=WINDOW, help="Cases per median.")
    parser.add_argument("--diagnose", help="A,B: what accumulates between case A and case B.")
    args = parser.parse_args(argv)
    diagnose = None
    if args.diagnose:
        a, b = (int(part) for part in args.diagnose.split(","))
        diagnose = (a, b)
    result = run(args.db, args.cases, args.window, diagnose)
    print("\n".join(lines(result)))
    print(f"({result['seconds']:.0f} s)")
    for line in result.get("diagnosis", []):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
