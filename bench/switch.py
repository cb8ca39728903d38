"""Screen switches in a real terminal: the workbench against a bare Textual app, alternately.

Target (issue): every switch between a case's screens (F2..F7, F8 Similar, escape back, escape to
the list, enter into a case) takes at most 1.5 times what a bare Textual app takes to switch
between two screens of 30 Labels and an Input (`bench.bare_switch`), median, in tmux at 80x24 and
120x40, on the first visit of a screen after the case opens and on later visits.

How: each app runs in its own tmux server (a private socket, `-f /dev/null`, a W x H session).
The workbench is the `workbench` console script on a database of one case with full data (a
shipped sample, `workbench --db PATH import data/samples/security-report.md`). After the first
screen shows, the harness waits as an agent would (the workbench's warm-up runs then), then sends
the keys of `SEQUENCE` one at a time: each is timed from just before `tmux send-keys` to the first
`tmux capture-pane -p` that shows the new screen's marker, polled back to back; the harness then
waits `gap` seconds (an agent reading) before the next key. The first pass over the sequence is
the first visit of each screen in that process (its module imported, its styles applied, the
screen built); later passes are later visits. The bare app gets the same keys (each switches to
its other screen, built anew) and the same waits. Bare and workbench runs alternate (ABAB), a new
process each, so load on the shared machine falls on both alike: compare ratios, not times.

Markers: a step screen's header shows the step tabs with the current one padded (" F3 Impact ",
reverse video; three spaces either side where the others have two, and only the current one keeps
its label when space is short): the whole tabs line, as it reads with that step current, tells
the steps apart (a neighbour's padding alone does not); the list shows "Escalation Workbench ·"; Similar shows "Similar
cases". The bare app's screens show "Bare switch screen A/B is here".

The resolution: one `capture-pane` costs about as much as the detection may lag (the screen can
change just after a capture began); its median is measured in the same run and reported.

    python -m bench.switch                       # 5 rounds, 3 passes, 80x24 and 120x40
    python -m bench.switch --rounds 9 --sizes 120x40
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bare_switch import marker as bare_marker
from bench.startup import app_command

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SAMPLE = ROOT / "data" / "samples" / "security-report.md"
SIZES = ((80, 24), (120, 40))
TARGET = 1.5

Seen = Callable[[str], bool]


TABS = (
    ("F2", "Triage"), ("F3", "Impact"), ("F4", "Reproduction"), ("F5", "Details"),
    ("F6", "Timeline"), ("F7", "Export"),
)  # fmt: skip


def _tab_lines(key: str) -> set[str]:
    """The step tabs line (stripped) with `key` the current step, wide and short (see the module
    doc): the current tab is padded by a space on either side, and alone keeps its label when
    the line is short."""
    lines = set()
    for short in (False, True):
        parts = [
            f" {k} {label} " if k == key else (k if short else f"{k} {label}") for k, label in TABS
        ]
        lines.add("  ".join(parts).strip())
    return lines


def _step(key: str) -> Seen:
    """The step screen `key` is on top: its tabs line is the one with `key` current."""
    wanted = _tab_lines(key)
    return lambda screen: any(line.strip() in wanted for line in screen.splitlines())


def _text(text: str) -> Seen:
    return lambda screen: text in screen


LIST = _text("Escalation Workbench ·")


@dataclass(frozen=True)
class Transition:
    """One key of the sequence: what tmux sends, the row's name, what shows it arrived."""

    key: str
    name: str
    seen: Seen


SEQUENCE: tuple[Transition, ...] = (
    Transition("Enter", "enter: list -> F2 Triage (open the case)", _step("F2")),
    Transition("F3", "F3 Impact", _step("F3")),
    Transition("F4", "F4 Reproduction", _step("F4")),
    Transition("F5", "F5 Details", _step("F5")),
    Transition("F6", "F6 Timeline", _step("F6")),
    Transition("F7", "F7 Export", _step("F7")),
    Transition("F2", "F2 Triage", _step("F2")),
    Transition("F8", "F8 Similar (pushed over the step)", _text("Similar cases")),
    Transition("Escape", "escape: Similar -> F2 Triage", _step("F2")),
    Transition("Escape", "escape: case -> list", LIST),
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.pop("TMUX", None)
    return env


class Pane:
    """One app in its own tmux server, a W x H session."""

    count = 0

    def __init__(self, command: list[str], size: tuple[int, int], polls: list[float]) -> None:
        Pane.count += 1
        self.socket = f"wb-switch-{os.getpid()}-{Pane.count}"
        self.polls = polls
        shell = "exec " + " ".join(shlex.quote(part) for part in command)
        width, height = size
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height),
            "-c", str(ROOT), shell,
        )  # fmt: skip
        self.path = self._tmux("display-message", "-p", "#{socket_path}").strip()

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            env=_env(),
        )
        return done.stdout

    def capture(self) -> str:
        started = time.perf_counter()
        screen = self._tmux("capture-pane", "-p")
        self.polls.append(time.perf_counter() - started)
        return screen

    def wait_for(self, seen: Seen, what: str, timeout: float = 30.0) -> float:
        """Seconds until `seen` holds for the screen, polling back to back."""
        started = time.perf_counter()
        while True:
            screen = self.capture()
            elapsed = time.perf_counter() - started
            if seen(screen):
                return elapsed
            if elapsed > timeout:
                raise RuntimeError(f"{what} never showed in {self.socket}:\n{screen}")

    def press(self, transition: Transition, seen: Seen) -> float:
        """Seconds from sending the key to the first capture that shows `seen`."""
        started = time.perf_counter()
        self._tmux("send-keys", transition.key)
        while True:
            screen = self.capture()
            elapsed = time.perf_counter() - started
            if seen(screen):
                return elapsed
            if elapsed > 30.0:
                raise RuntimeError(f"{transition.name} never showed in {self.socket}:\n{screen}")

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False, env=_env()
        )
        if self.path:  # a killed server leaves its socket file behind
            Path(self.path).unlink(missing_ok=True)
        time.sleep(0.3)  # STACK-NOTES: a server still shutting down can swallow the next start


@dataclass
class Samples:
    """Seconds per transition name: the first visit (first pass) and later visits."""

    first: dict[str, list[float]] = field(default_factory=dict)
    later: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float, *, first: bool) -> None:
        (self.first if first else self.later).setdefault(name, []).append(seconds)


@dataclass
class Settings:
    rounds: int = 5
    passes: int = 3  # the first is the first visit
    gap: float = 0.4  # seconds after a screen shows before the next key
    settle: float = 1.5  # seconds after the first screen shows before the first key


def _bare_run(size: tuple[int, int], samples: Samples, polls: list[float], s: Settings) -> None:
    pane = Pane([PYTHON, str(ROOT / "bench" / "bare_switch.py")], size, polls)
    try:
        current = "A"
        pane.wait_for(_text(bare_marker(current)), "the bare app's first screen")
        time.sleep(s.settle)
        for index in range(s.passes):
            for transition in SEQUENCE:
                current = "B" if current == "A" else "A"
                seconds = pane.press(transition, _text(bare_marker(current)))
                samples.add(transition.name, seconds, first=index == 0)
                time.sleep(s.gap)
    finally:
        pane.close()


def _app_run(
    db: Path, size: tuple[int, int], samples: Samples, polls: list[float], s: Settings
) -> None:
    pane = Pane(app_command(db, headless=False), size, polls)
    try:
        pane.wait_for(lambda screen: LIST(screen) and "Shared report" in screen, "the case list")
        time.sleep(s.settle)
        for index in range(s.passes):
            for transition in SEQUENCE:
                seconds = pane.press(transition, transition.seen)
                samples.add(transition.name, seconds, first=index == 0)
                time.sleep(s.gap)
    finally:
        pane.close()


def one_case_database(folder: Path) -> Path:
    """A database of one case with full data: the shipped security sample, imported through the
    `workbench` command."""
    path = folder / "one-case.db"
    command = app_command(path, headless=False)  # [workbench, --db, PATH]
    subprocess.run(
        [*command, "import", str(SAMPLE)], cwd=ROOT, env=_env(), check=True, capture_output=True
    )
    return path


def _copy(source: Path, folder: Path) -> Path:
    target = folder / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def run(
    settings: Settings | None = None,
    sizes: tuple[tuple[int, int], ...] = SIZES,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Alternating runs at each size; the raw samples and their summary (see `summarize`)."""
    s = settings or Settings()
    folder = Path(tempfile.mkdtemp(prefix="wb-switch-"))
    load_start = os.getloadavg()
    polls: list[float] = []
    bare: dict[str, Samples] = {}
    app: dict[str, Samples] = {}
    try:
        template = one_case_database(folder)
        for number in range(s.rounds):
            for size in sizes:
                name = f"{size[0]}x{size[1]}"
                log(f"  round {number + 1}/{s.rounds}, {name}")
                _bare_run(size, bare.setdefault(name, Samples()), polls, s)
                _app_run(_copy(template, folder), size, app.setdefault(name, Samples()), polls, s)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "settings": vars(s),
        "load_start": load_start,
        "load_end": os.getloadavg(),
        "poll_ms": {
            "n": len(polls),
            "p50": statistics.median(polls) * 1000,
            "p90": sorted(polls)[int(len(polls) * 0.9)] * 1000,
        },
        "sizes": {
            name: {
                "bare": {"first": bare[name].first, "later": bare[name].later},
                "app": {"first": app[name].first, "later": app[name].later},
            }
            for name in app
        },
        "summary": summarize(bare, app),
    }


def summarize(bare: dict[str, Samples], app: dict[str, Samples]) -> list[dict[str, Any]]:
    """Per size and transition: the median of each app, first visit and later, and the ratio."""
    rows = []
    for size, samples in app.items():
        for transition in dict.fromkeys(t.name for t in SEQUENCE):
            row: dict[str, Any] = {"size": size, "name": transition}
            for kind in ("first", "later"):
                mine = getattr(samples, kind)[transition]
                theirs = getattr(bare[size], kind)[transition]
                row[f"{kind}_app_ms"] = statistics.median(mine) * 1000
                row[f"{kind}_bare_ms"] = statistics.median(theirs) * 1000
                row[f"{kind}_ratio"] = row[f"{kind}_app_ms"] / row[f"{kind}_bare_ms"]
            row["met"] = row["first_ratio"] <= TARGET and row["later_ratio"] <= TARGET
            rows.append(row)
    return rows


def measured(row: dict[str, Any]) -> str:
    """`first 1.23x (45/37 ms) · later 1.10x (40/36 ms)`: a row's measured column."""
    return (
        f"first {row['first_ratio']:.2f}x ({row['first_app_ms']:.0f}/{row['first_bare_ms']:.0f}"
        f" ms) · later {row['later_ratio']:.2f}x ({row['later_app_ms']:.0f}/"
        f"{row['later_bare_ms']:.0f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.switch", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--gap", type=float, default=0.4)
    parser.add_argument("--sizes", default="80x24,120x40")
    args = parser.parse_args(argv)
    sizes = tuple((int(w), int(h)) for w, h in (part.split("x") for part in args.sizes.split(",")))
    from bench.startup import compile_app

    compile_app()
    result = run(
        Settings(rounds=args.rounds, passes=args.passes, gap=args.gap),
        sizes,
        log=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(
        f"load {result['load_start'][0]:.1f} -> {result['load_end'][0]:.1f}; capture-pane "
        f"p50 {result['poll_ms']['p50']:.1f} ms, p90 {result['poll_ms']['p90']:.1f} ms "
        f"({result['poll_ms']['n']} polls)"
    )
    for row in result["summary"]:
        verdict = "met" if row["met"] else "missed"
        print(f"{row['size']:>6}  {row['name']:<44} {measured(row)}  <= {TARGET}x {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
