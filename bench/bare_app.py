"""The baseline: the smallest Textual app there is, one label on the screen.

Start-up and memory targets are ratios to this app, measured in the same run, alternately with the
workbench, so the machine's load falls on both alike. Like the workbench under
`WORKBENCH_BENCH_EXIT=1`, it exits right after its first frame is painted, and `record_frame`
notes when that was (and the memory then); `--headless` runs it with Textual's headless driver
(as `bench.launch` runs the workbench).

`--pydantic` is the floor of the memory target: the same app, which after its first frame imports
pydantic and validates one two-field model, as any app whose model is pydantic (DESIGN.md's is)
must at least do before it opens a record.
"""

from __future__ import annotations

import atexit
import os
import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "Bare Textual baseline"


FRAME_ENV = "WORKBENCH_BENCH_FRAME"


def _vm_hwm() -> str:
    """This process's peak RSS so far (KiB), from the kernel."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return line.split()[1]
    return "0"


def record_frame() -> None:
    """The first frame is painted: write `monotonic-seconds peak-RSS-KiB` to the file
    WORKBENCH_BENCH_FRAME names (once). CLOCK_MONOTONIC is the same clock in every process, so
    the benchmark subtracts the moment it spawned this one: the cold start to the first frame,
    whatever the app goes on to do (the workbench loads what a case needs after it)."""
    target = os.environ.pop(FRAME_ENV, None)
    if target:
        moment = time.monotonic()
        with open(target, "w", encoding="ascii") as out:
            out.write(f"{moment!r} {_vm_hwm()}")


def write_peak_rss() -> None:
    """At exit, this process's own peak RSS (KiB) to the file `WORKBENCH_BENCH_RSS` names (see
    bench.startup; kept here so the process imports nothing more for it)."""
    target = os.environ.get("WORKBENCH_BENCH_RSS")
    if target:
        with open(target, "w", encoding="ascii") as out:
            out.write(_vm_hwm())


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(MARKER)

    def on_mount(self) -> None:
        if os.environ.get("WORKBENCH_BENCH_EXIT"):
            self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        record_frame()
        if "--pydantic" in sys.argv[1:]:
            _one_pydantic_model()
        self.exit()


def _one_pydantic_model() -> None:
    from pydantic import BaseModel

    class Note(BaseModel):
        title: str
        count: int = 0

    Note.model_validate_json('{"title": "floor"}')


def main() -> None:
    atexit.register(write_peak_rss)
    headless = "--headless" in sys.argv[1:]
    BareApp().run(headless=headless, size=(120, 40) if headless else None)


if __name__ == "__main__":
    main()
