"""What building each step screen ahead costs: the CPU a first visit waits for when its build
has not finished before the key arrives.

    python -m bench.profile_builds DB [--size 120x40] [--runs 3] [--cprofile STEP]

The app starts through the `workbench` console script's entry point, headless (`run_test`), as
`bench.profile_switch` does. On the list, with the automatic build ahead off, each step of the
first case is built ahead by hand, in STEPS order, exactly as `screens/kept.py` builds it (build
the screen, install it, `prepare_offscreen`), and timed on the event loop thread's CPU clock
until `KeptSteps.built` hears it is ready (drawn offscreen) (compose, mount, fill, rules, styles, layout, the document
preview, the offscreen draw). Garbage collection is held off as the terminal app holds it
off in a burst. `--runs` repeats it with a new app each time (the first run includes the step
modules' imports: the warm-up imports only Triage's); medians of the later runs are the steady
cost. `--cprofile STEP` prints the top functions of that step's build (cumulative, CPU clock;
cProfile about doubles totals, so shares only).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
from typing import Any

from bench.profile_switch import workbench_command


async def _build_each(app: Any, size: tuple[int, int], profile_step: str | None) -> dict[str, Any]:
    from screens.case_base import STEPS, CaseScreen
    from screens.kept import KeptSteps, build_step

    drawn: set[int] = set()
    original = KeptSteps.built

    def recording(self: KeptSteps, screen: CaseScreen) -> None:
        original(self, screen)
        drawn.add(id(screen))

    KeptSteps.built = recording  # type: ignore[method-assign]
    out: dict[str, Any] = {}
    async with app.run_test(size=size) as pilot:
        app.kept.ahead = False
        await pilot.pause()
        await app.workers.wait_for_complete()  # the warm-up
        await pilot.pause()
        case_id = app.screen.current_case_id()
        app.kept.case_id = case_id
        for info in STEPS:
            gc.collect()
            gc.disable()
            profiler = None
            if info.name == profile_step:
                import cProfile

                profiler = cProfile.Profile(time.thread_time)
                profiler.enable()
            cpu0, wall0 = time.thread_time(), time.perf_counter()
            screen = build_step(app, case_id, info.name)
            app.kept._keep(info.name, screen)
            app.kept.building = screen
            screen.prepare_offscreen()
            while id(screen) not in drawn:
                await asyncio.sleep(0.0005)
            cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
            if profiler is not None:
                profiler.disable()
                _print_profile(profiler)
            gc.enable()
            widgets = len(list(screen.walk_children(with_self=True)))
            out[info.name] = {"cpu_ms": cpu * 1000, "wall_ms": wall * 1000, "widgets": widgets}
    KeptSteps.built = original  # type: ignore[method-assign]
    return out


# Whose calls `--cprofile` lists (pstats patterns): the restyling a build asks for.
CALLERS_OF = ("update_node_styles", r"dom.py:\d+\(add_class\)", "watch_has_focus", "set_class")


def _print_profile(profiler: Any) -> None:
    import io
    import pstats

    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    for name in CALLERS_OF:
        stats.print_callers(name)
    print(stream.getvalue(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_builds")
    parser.add_argument("db")
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cprofile", metavar="STEP", help="cProfile this step's build.")
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.split("x"))
    workbench = workbench_command()

    from textual.app import App

    runs: list[dict[str, Any]] = []

    def run_driven(self: App[Any], *_: Any, **__: Any) -> None:
        # Full collections only in pauses, as in a terminal (screens/collector.py).
        self._collect_in_pauses = True  # type: ignore[attr-defined]
        profile = args.cprofile if len(runs) == args.runs - 1 else None
        runs.append(asyncio.run(_build_each(self, (width, height), profile)))

    App.run = run_driven  # type: ignore[method-assign]
    for _ in range(args.runs):
        workbench(["--db", args.db, "--no-bell"])
    later = runs[1:] or runs
    summary = {
        step: {
            "first_run_cpu_ms": round(runs[0][step]["cpu_ms"], 1),
            "median_cpu_ms": round(statistics.median(r[step]["cpu_ms"] for r in later), 1),
            "median_wall_ms": round(statistics.median(r[step]["wall_ms"] for r in later), 1),
            "widgets": runs[-1][step]["widgets"],
        }
        for step in runs[0]
    }
    total = sum(row["median_cpu_ms"] for row in summary.values())
    json.dump(
        {"size": args.size, "steps": summary, "total_median_cpu_ms": total}, sys.stdout, indent=1
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
