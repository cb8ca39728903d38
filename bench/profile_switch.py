"""Where a screen switch spends its time: the workbench driven in-process, headless, one process.

    python -m bench.profile_switch DB [--size 80x24] [--pyinstrument] [--passes 3] [--settle 0.5 --gap 0.3]

The app starts through the `workbench` console script's entry point (resolved from the installed
metadata, so it follows the code wherever it moves), with `App.run` swapped for a headless
`run_test` that drives it: open the case (enter), then F3, F4, F5, escape, enter, F3, F4, F5,
escape, ... Each switch is timed from handing the key to the driver to (a) the first frame of the
new screen and (b) the app settled (no messages pending anywhere, workers done); the event loop's
CPU time over the same spans is noted too (the app's own work, whatever the load).

With `--timers`, the functions in TIMED are wrapped and their CPU time per switch noted (no
profiler: the closest to the real costs). With `--cprofile`, each switch runs under cProfile timed on the thread's CPU clock (what the load
does not change; cProfile's overhead inflates many-small-call code about 2x): the cumulative CPU
time under KEY_FUNCTIONS and the top self times. With `--pyinstrument` (pip install pyinstrument into the venv; not a dependency of the project),
each switch is sampled and its time split by where it went (CATEGORIES, inclusive, outermost
frame counted once per category); the JSON goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

SEQUENCE = ("enter", "f3", "f4", "f5", "escape")

# (name, test on a frame's function name and file): inclusive time under the outermost match.
CATEGORIES: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    ("compose (all widgets)", lambda f, p: f == "_compose" and "textual/widget.py" in p),
    ("compose_body (step's own)", lambda f, p: f == "compose_body"),
    ("mount (Widget._on_mount / mount_all)", lambda f, p: f in ("mount", "mount_all")),
    ("CSS: styles applied", lambda f, p: "textual/css/stylesheet.py" in p),
    ("CSS: update_styles/_refresh_styles", lambda f, p: f in ("update_styles", "_refresh_styles")),
    ("layout + compositor", lambda f, p: "_compositor.py" in p or "_arrange.py" in p),
    ("render lines (render_lines)", lambda f, p: f in ("render_lines", "_render_content")),
    ("Footer", lambda f, p: "textual/widgets/_footer.py" in p),
    ("Markdown widget", lambda f, p: "textual/widgets/_markdown.py" in p),
    ("CaseScreen.__init__ (store.get)", lambda f, p: f == "__init__" and "case_base.py" in p),
    ("store reads (store.py)", lambda f, p: "workbench/store" in p),
    ("rules (workbench/rules)", lambda f, p: "workbench/rules" in p),
    ("on_mount/fill_inputs/refresh_case", lambda f, p: f in ("fill_inputs", "refresh_case")),
    ("imports", lambda f, p: f == "_find_and_load"),
    ("screens/* code (inclusive)", lambda f, p: "/screens/" in p and "site-packages" not in p),
    ("garbage collection", lambda f, p: f == "<gc>" or "collector.py" in p),
)


def _categorize(session: Any) -> dict[str, float]:
    """Seconds per category in a pyinstrument session."""
    totals = dict.fromkeys((name for name, _ in CATEGORIES), 0.0)
    root = session.root_frame()
    if root is None:
        return totals

    def walk(frame: Any, inside: frozenset[str]) -> None:
        function, path = frame.function or "", frame.file_path or ""
        now_inside = set(inside)
        for name, test in CATEGORIES:
            if name not in inside and test(function, path):
                totals[name] += frame.time
                now_inside.add(name)
        frozen = frozenset(now_inside)
        for child in frame.children:
            walk(child, frozen)

    walk(root, frozenset())
    return totals


# Functions whose cumulative CPU time `--cprofile` reports (file ends with, function name);
# they nest (update_styles calls Stylesheet.apply; _compose mounts), so they do not add up.
KEY_FUNCTIONS: tuple[tuple[str, str], ...] = (
    ("textual/app.py", "_replace_screen"),
    ("textual/widget.py", "_compose"),
    ("textual/widget.py", "_on_compose"),
    ("textual/widget.py", "recompose"),
    ("textual/css/stylesheet.py", "apply"),
    ("textual/css/stylesheet.py", "update_nodes"),
    ("textual/dom.py", "_update_styles"),
    ("textual/widget.py", "_refresh_styles"),
    ("textual/_compositor.py", "reflow"),
    ("textual/_compositor.py", "render_update"),
    ("textual/widget.py", "render_lines"),
    ("textual/widgets/_footer.py", "compose"),
    ("textual/widgets/_footer.py", "recompose"),
    ("textual/screen.py", "_refresh_layout"),
    ("textual/screen.py", "_on_screen_resume"),
    ("screens/case_base.py", "__init__"),
    ("screens/case_base.py", "on_mount"),
    ("screens/case_base.py", "compose"),
    ("workbench/store.py", "get"),
    ("textual/widgets/_markdown.py", "update"),
    ("<built-in method gc.collect>", ""),
)


def _cprofile_figures(profile: Any) -> dict[str, Any]:
    """CPU ms (the event loop thread's) under each of KEY_FUNCTIONS, and the top self times."""
    import pstats

    stats = pstats.Stats(profile)
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    wanted: dict[str, float] = {}
    selves: list[tuple[float, str]] = []
    for (path, _line, function), (_cc, _nc, tottime, cumtime, _callers) in table.items():
        where = f"{function} ({path.split('site-packages/')[-1]})"
        selves.append((tottime * 1000, where))
        for suffix, name in KEY_FUNCTIONS:
            if (path.endswith(suffix) and function == name) or (not name and function == suffix):
                label = f"{suffix.split('/')[-1]}:{name}" if name else suffix
                wanted[label] = wanted.get(label, 0.0) + cumtime * 1000
    return {
        "cumulative_cpu_ms": wanted,
        "top_self_cpu_ms": [(name, ms) for ms, name in sorted(selves, reverse=True)[:15]],
        "total_cpu_ms": sum(ms for ms, _ in selves),
    }


# `--timers`: (module, class, method, label) timed on the thread's CPU clock, outermost call only,
# without a profiler's overhead. Application classes are looked up by name and skipped if they
# moved. Labels nest (the re-apply and the focus restyle are part of "CSS: apply").
TIMED: tuple[tuple[str, str, str, str], ...] = (
    ("textual.css.stylesheet", "Stylesheet", "apply", "CSS: apply rules to a node (all)"),
    ("textual.css.stylesheet", "Stylesheet", "update_nodes", "CSS: re-apply after mount"),
    ("textual.widget", "Widget", "watch_has_focus", "CSS: restyle on a focus change"),
    ("textual.widget", "Widget", "_on_compose", "compose + mount widgets"),
    ("textual.screen", "Screen", "_refresh_layout", "layout (screen._refresh_layout)"),
    ("textual._compositor", "Compositor", "render_update", "render (compositor.render_update)"),
    ("screens.case_base", "CaseScreen", "__init__", "app: CaseScreen.__init__ (store.get)"),
    ("screens.case_base", "CaseScreen", "compose", "app: compose (incl. compose_body)"),
    ("screens.case_base", "CaseScreen", "_refresh_all", "app: header + refresh_case (rules)"),
    ("screens.case_base", "CaseScreen", "fill_inputs", "app: fill_inputs"),
    ("workbench.store", "Store", "get", "app: store.get"),
)


def _install_timers() -> dict[str, float]:
    """Wrap TIMED; returns the dict of CPU seconds per label that the wrappers add to."""
    import functools
    import inspect

    totals: dict[str, float] = {}
    active: set[str] = set()
    for module_name, class_name, method, label in TIMED:
        try:
            owner = getattr(import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue
        original = owner.__dict__.get(method)
        if original is None or inspect.iscoroutinefunction(original):
            continue
        generator = inspect.isgeneratorfunction(original)

        def make(original: Any, label: str, generator: bool) -> Any:
            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                if label in active:
                    return original(*args, **kwargs)
                active.add(label)
                started = time.thread_time()
                try:
                    result = original(*args, **kwargs)
                    if generator:  # compose: the widgets are built as it is consumed
                        result = list(result)
                    return result
                finally:
                    totals[label] = totals.get(label, 0.0) + time.thread_time() - started
                    active.discard(label)

            return timed

        setattr(owner, method, make(original, label, generator))
    return totals


def _top_functions(session: Any, count: int = 12) -> list[tuple[str, float]]:
    """The functions with the most self time (ms), by name and file."""
    selves: dict[str, float] = {}
    root = session.root_frame()

    def walk(frame: Any) -> None:
        key = f"{frame.function} ({(frame.file_path or '').split('site-packages/')[-1]})"
        selves[key] = selves.get(key, 0.0) + frame.total_self_time
        for child in frame.children:
            walk(child)

    if root is not None:
        walk(root)
    ranked = sorted(selves.items(), key=lambda item: -item[1])[:count]
    return [(name, seconds * 1000) for name, seconds in ranked]


async def _drive(
    app: Any,
    size: tuple[int, int],
    passes: int,
    profile: bool,
    cprofile: bool,
    timers: dict[str, float] | None = None,
    settle: float = 0.5,
    gap: float = 0.3,
    sequence: tuple[str, ...] = SEQUENCE,
) -> dict[str, Any]:
    from textual import events

    frames: list[tuple[float, float, Any]] = []
    display = app._display

    def recording_display(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            frames.append((time.perf_counter(), time.thread_time(), screen))
        display(screen, renderable)

    results: list[dict[str, Any]] = []
    async with app.run_test(size=size) as pilot:
        app._display = recording_display
        app.kept.ahead = True  # as in a terminal: the open case's steps are built in its pauses
        await pilot.pause()
        await app.workers.wait_for_complete()  # the warm-up
        await asyncio.sleep(settle)  # on the list: its case's steps are built ahead meanwhile
        seen: set[str] = set()
        for number in range(passes):
            for key in sequence:
                before = app.screen
                profiler = None
                if profile:
                    from pyinstrument import Profiler

                    profiler = Profiler(interval=0.0005, async_mode="disabled")
                    profiler.start()
                cprofiler = None
                if cprofile:
                    import cProfile

                    cprofiler = cProfile.Profile(time.thread_time)  # CPU: load-independent
                    cprofiler.enable()
                if timers is not None:
                    timers.clear()
                # As in a terminal, where the app runs full collections in the agent's pauses
                # (screens/collector.py; headless runs do not): none inside the measured span.
                gc.collect()
                gc.disable()
                cpu0, started = time.thread_time(), time.perf_counter()
                event = events.Key(key, None)
                event.set_sender(app)
                app._driver.send_message(event)
                while True:
                    first = next((f for f in frames if f[0] > started and f[2] is not before), None)
                    if first is not None and app.screen is not before:
                        break
                    await asyncio.sleep(0.001)
                await pilot.pause()
                await pilot.pause()
                await app.workers.wait_for_complete()
                settled, cpu_settled = time.perf_counter(), time.thread_time()
                gc.enable()
                if cprofiler is not None:
                    cprofiler.disable()
                entry: dict[str, Any] = {
                    "key": key,
                    "screen": type(app.screen).__name__,
                    "first_visit": type(app.screen).__name__ not in seen,
                    "pass": number,
                    "frame_ms": (first[0] - started) * 1000,
                    "frame_cpu_ms": (first[1] - cpu0) * 1000,
                    "settled_ms": (settled - started) * 1000,
                    "settled_cpu_ms": (cpu_settled - cpu0) * 1000,
                    "widgets": len(list(app.screen.walk_children(with_self=True))),
                }
                seen.add(entry["screen"])
                if profiler is not None:
                    session = profiler.stop()
                    entry["categories_ms"] = {
                        name: seconds * 1000 for name, seconds in _categorize(session).items()
                    }
                    entry["top_self_ms"] = _top_functions(session)
                    entry["profiled_ms"] = session.duration * 1000
                if timers is not None:
                    entry["timers_cpu_ms"] = {k: v * 1000 for k, v in timers.items()}
                if cprofiler is not None:
                    entry.update(_cprofile_figures(cprofiler))
                results.append(entry)
                await asyncio.sleep(gap)  # an agent reading: the next steps are built ahead
    return {"switches": results}


def workbench_command() -> Callable[[list[str]], Any]:
    """The `workbench` console script, told it runs in a terminal (run_test needs none), so it
    starts the app as an agent's terminal would; `App.run` is the caller's to replace."""
    (point,) = entry_points(group="console_scripts", name="workbench")
    start = import_module(point.module)
    if hasattr(start, "_is_terminal"):
        setattr(start, "_is_terminal", lambda: True)  # noqa: B010
    command: Callable[[list[str]], Any] = point.load()
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_switch")
    parser.add_argument("db")
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--cprofile", action="store_true", help="CPU time per function.")
    parser.add_argument("--settle", type=float, default=0.5, help="Seconds on the list first.")
    parser.add_argument("--gap", type=float, default=0.3, help="Seconds between two keys.")
    parser.add_argument("--timers", action="store_true", help="CPU time of TIMED, no profiler.")
    parser.add_argument(
        "--keys", default=",".join(SEQUENCE), help="The keys of one pass, comma-separated."
    )
    args = parser.parse_args(argv)
    width, height = (int(part) for part in args.size.split("x"))
    workbench = workbench_command()

    from textual.app import App

    out: dict[str, Any] = {}
    timers = _install_timers() if args.timers else None

    def run_driven(self: App[Any], *_: Any, **__: Any) -> None:
        # Full collections only in pauses, as in a terminal (screens/collector.py).
        self._collect_in_pauses = True  # type: ignore[attr-defined]
        out.update(
            asyncio.run(
                _drive(
                    self,
                    (width, height),
                    args.passes,
                    args.pyinstrument,
                    args.cprofile,
                    timers,
                    settle=args.settle,
                    gap=args.gap,
                    sequence=tuple(args.keys.split(",")),
                )
            )
        )

    App.run = run_driven  # type: ignore[method-assign]
    workbench(["--db", args.db, "--no-bell"])
    json.dump(out, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
