"""The baseline: the smallest Textual app there is, one label on the screen.

Start-up and memory targets are ratios to this app, measured in the same run, alternately with the
workbench, so the machine's load falls on both alike. Like the workbench under
`WORKBENCH_BENCH_EXIT=1`, it exits right after its first frame is painted; `--headless` runs it
with Textual's headless driver (as `bench.launch` runs the workbench).
"""

from __future__ import annotations

import atexit
import os
import sys

from textual.app import App, ComposeResult
from textual.widgets import Label

MARKER = "Bare Textual baseline"


def _peak_rss() -> None:
    """At exit, this process's own peak RSS (KiB) to the file `WORKBENCH_BENCH_RSS` names (see
    bench.startup; kept here so the process imports nothing more for it)."""
    target = os.environ.get("WORKBENCH_BENCH_RSS")
    if target:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    with open(target, "w", encoding="ascii") as out:
                        out.write(line.split()[1])


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Label(MARKER)

    def on_mount(self) -> None:
        if os.environ.get("WORKBENCH_BENCH_EXIT"):
            self.call_after_refresh(self.exit)


def main() -> None:
    atexit.register(_peak_rss)
    headless = "--headless" in sys.argv[1:]
    BareApp().run(headless=headless, size=(120, 40) if headless else None)


if __name__ == "__main__":
    main()
