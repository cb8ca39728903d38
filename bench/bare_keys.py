"""A bare Textual app's cost per keystroke on this machine: the scale for the keystroke rows.

    python -m bench.bare_keys [--keys 200]

A header, a 14-item `SelectionList`, a `TextArea` holding 2,500 characters, a static side panel
and the footer, at 120x40, headless: space toggles an item, a letter is typed at the end of the
text. Each sample runs from the key handed to the driver to the next frame, timed as
`bench.interact` times the workbench's keys (wall clock, and the event loop's CPU time). Not in
`make bench`'s table: the workbench's keys save to the database and repaint the rules' panels,
this app's do neither; it says what the machine makes of Textual alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, SelectionList, Static, TextArea

from bench.interact import GAP, SIZE, percentile


class BareKeys(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("f2", "noop", "Triage"),
        ("f3", "noop", "Impact"),
        ("f4", "noop", "Repro"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical():
                yield SelectionList[int](
                    *[(f"Checklist item {i}, a sentence of a few words", i) for i in range(14)]
                )
                yield TextArea("Narrative " * 250)
            yield Static("\n".join(f"panel line {i}" for i in range(30)))
        yield Footer()

    def action_noop(self) -> None:
        """The footer's keys need an action."""


async def _measure(kind: str, keys: int) -> tuple[list[float], list[float]]:
    app = BareKeys()
    frames: list[tuple[float, float]] = []
    async with app.run_test(size=SIZE) as pilot:
        display = app._display

        def recording(screen: object, renderable: object) -> None:
            if renderable is not None:
                frames.append((time.perf_counter(), time.thread_time()))
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = recording  # type: ignore[method-assign]
        if kind == "toggle":
            app.query_one(SelectionList).focus()
        else:
            area = app.query_one(TextArea)
            area.focus()
            area.move_cursor(area.document.end)
        await pilot.pause(0.3)
        walls: list[float] = []
        cpus: list[float] = []
        key, char = ("space", " ") if kind == "toggle" else ("a", "a")
        for _ in range(keys):
            cpu_started, started = time.thread_time(), time.perf_counter()
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
            while not frames or frames[-1][0] < started:
                await asyncio.sleep(0.001)
            at, cpu = next(frame for frame in frames if frame[0] > started)
            walls.append((at - started) * 1000)
            cpus.append((cpu - cpu_started) * 1000)
            await asyncio.sleep(GAP)
    return walls, cpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--keys", type=int, default=200, help="Samples per kind of key.")
    args = parser.parse_args(argv)
    for kind in ("toggle", "type"):
        walls, cpus = asyncio.run(_measure(kind, args.keys))
        print(
            f"bare Textual, {kind}: p99 {percentile(walls, 99):.1f} ms "
            f"(cpu {percentile(cpus, 99):.1f}), p50 {statistics.median(walls):.1f} "
            f"(cpu {statistics.median(cpus):.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
