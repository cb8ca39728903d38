"""Cold start and peak memory: the workbench against the bare Textual app, alternately.

Headless: each run is a fresh process (`bench.launch` for the workbench, `bench.bare_app` for the
baseline) with `WORKBENCH_BENCH_EXIT=1`, timed from spawn to its first frame (the workbench's: the
list with its first rows), which the process notes on CLOCK_MONOTONIC as it happens
(`bench.bare_app.record_frame`) before it exits. Peak RSS is the kernel's VmHWM of the process
itself, at that first frame and at exit (the workbench loads what a case needs after the list is
painted, so its exit figure is the memory of a session that is about to open a case). Real terminal: the same commands in a tmux pane of 120x40,
timed from the respawn of the pane to the first `capture-pane` that shows the first row (the bare
app's label); the process is then killed. Runs alternate bare, workbench, bare, ... so load on the
shared machine falls on both alike; the figure is the median of the per-pair ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.bare_app import FRAME_ENV, MARKER

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EXIT_ENV = "WORKBENCH_BENCH_EXIT"
# Where the launched app writes its peak RSS at exit (bench.bare_app, bench.launch): the
# kernel's ru_maxrss of a child counts the parent's memory at the fork (folded in at exec), so
# the benchmark's own size would hide the apps'. VmHWM is the peak of the process's own address
# space, from its exec on.
RSS_ENV = "WORKBENCH_BENCH_RSS"


@dataclass
class Series:
    """Alternating runs of the bare app and the workbench: seconds and peak RSS (KiB) of each."""

    bare: list[float] = field(default_factory=list)
    app: list[float] = field(default_factory=list)
    bare_rss: list[int] = field(default_factory=list)
    app_rss: list[int] = field(default_factory=list)
    bare_rss_exit: list[int] = field(default_factory=list)
    app_rss_exit: list[int] = field(default_factory=list)
    floor_rss_exit: list[int] = field(default_factory=list)  # the bare app with pydantic

    def ratio(self) -> float:
        """Median of the per-pair ratios: each pair ran back to back, under the same load."""
        return statistics.median(a / b for a, b in zip(self.app, self.bare, strict=False))

    def rss_ratio(self) -> float:
        """Peak RSS at the first frame, workbench over bare app."""
        return statistics.median(self.app_rss) / statistics.median(self.bare_rss)

    def rss_exit_ratio(self) -> float:
        """Peak RSS at exit (after the workbench's warm-up), workbench over bare app."""
        return statistics.median(self.app_rss_exit) / statistics.median(self.bare_rss_exit)

    def floor_rss_ratio(self) -> float:
        """Peak RSS of the bare app that also validates one pydantic model, over the bare app:
        the least any app with a pydantic model can reach."""
        return statistics.median(self.floor_rss_exit) / statistics.median(self.bare_rss_exit)


def compile_app() -> str:
    """Compile the app's modules (and this suite's launcher) to bytecode, as `pip install`
    does; what was done, for the report."""
    import compileall

    folders = [ROOT / name for name in ("workbench", "screens", "bench")]
    ok = all(compileall.compile_dir(folder, quiet=1) for folder in folders)
    return "workbench/, screens/, bench/" + ("" if ok else ", with errors")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def bare_command(headless: bool = True, *, pydantic: bool = False) -> list[str]:
    return [
        PYTHON,
        str(ROOT / "bench" / "bare_app.py"),
        *(["--headless"] if headless else []),
        *(["--pydantic"] if pydantic else []),
    ]


def app_command(db: Path, headless: bool = True) -> list[str]:
    if headless:
        return [PYTHON, "-m", "bench.launch", "--db", str(db)]
    workbench = Path(PYTHON).parent / "workbench"
    if workbench.exists():
        return [str(workbench), "--db", str(db)]
    return [PYTHON, "-m", "screens", "--db", str(db)]


@dataclass(frozen=True)
class Run:
    """One headless cold start: seconds to the first frame, peak RSS (KiB) then and at exit."""

    seconds: float
    rss: int
    rss_exit: int


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return ""
    finally:
        path.unlink(missing_ok=True)


def run_once(command: list[str]) -> Run:
    """One headless run of `command`, to its first frame."""
    import tempfile

    files = []
    for prefix in ("wb-rss-", "wb-frame-"):
        with tempfile.NamedTemporaryFile(prefix=prefix, delete=False) as handle:
            files.append(Path(handle.name))
    rss_file, frame_file = files
    frame_file.unlink()  # written by the app at its first frame: absent means it never came
    env = _env(**{EXIT_ENV: "1", RSS_ENV: str(rss_file), FRAME_ENV: str(frame_file)})
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read() if process.stderr else b""
    frame, exit_rss = _read(frame_file).split(), _read(rss_file)
    if process.returncode != 0 or len(frame) != 2 or error.strip():
        raise RuntimeError(
            f"{' '.join(command)} exited {process.returncode} "
            f"({'no first frame noted' if len(frame) != 2 else 'after its first frame'}): "
            f"{error.decode()[-800:]}"
        )
    return Run(
        seconds=float(frame[0]) - started,
        rss=int(frame[1]),
        rss_exit=int(exit_rss) if exit_rss.isdigit() else usage.ru_maxrss,
    )


def headless(db: Path, runs: int, warmup: int = 1, *, floor: bool = False) -> Series:
    """Alternating headless cold starts (the first `warmup` pairs fill the page cache, unscored);
    with `floor`, each pair is followed by the bare app with pydantic, for its peak RSS."""
    series = Series()
    bare, app, with_pydantic = bare_command(), app_command(db), bare_command(pydantic=True)
    for index in range(warmup + runs):
        b = run_once(bare)
        a = run_once(app)
        if floor:
            f = run_once(with_pydantic)
        if index >= warmup:
            if floor:
                series.floor_rss_exit.append(f.rss_exit)
            series.bare.append(b.seconds)
            series.bare_rss.append(b.rss)
            series.bare_rss_exit.append(b.rss_exit)
            series.app.append(a.seconds)
            series.app_rss.append(a.rss)
            series.app_rss_exit.append(a.rss_exit)
    return series


# -- tmux ---------------------------------------------------------------------------------------------
def tmux_available() -> bool:
    return shutil.which("tmux") is not None


class Tmux:
    """A private tmux server (its own socket) with one 120x40 pane to start commands in."""

    def __init__(self) -> None:
        self.socket = f"wb-bench-{os.getpid()}"
        self._tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "bench", "sleep 3600")
        self._tmux("set-option", "-g", "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            env=_env(),
        )
        return done.stdout

    def time_until(self, command: list[str], marker: str, timeout: float = 30.0) -> float:
        """Seconds from starting `command` in the pane to `marker` showing on the screen."""
        shell = " ".join(_quote(part) for part in command)
        started = time.perf_counter()
        self._tmux("respawn-pane", "-k", "-t", "bench", "-c", str(ROOT), f"exec {shell}")
        while True:
            screen = self._tmux("capture-pane", "-p", "-t", "bench")
            elapsed = time.perf_counter() - started
            if marker in screen:
                break
            if elapsed > timeout:
                raise RuntimeError(f"{marker!r} never showed for {shell}:\n{screen}")
            time.sleep(0.003)
        self._tmux("respawn-pane", "-k", "-t", "bench", "sleep 3600")
        return elapsed

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def terminal(db: Path, marker: str, runs: int, warmup: int = 1) -> Series:
    """Alternating cold starts in a real terminal (tmux), to the first row on the screen."""
    series = Series()
    tmux = Tmux()
    try:
        bare, app = bare_command(headless=False), app_command(db, headless=False)
        for index in range(warmup + runs):
            b = tmux.time_until(bare, MARKER)
            a = tmux.time_until(app, marker)
            if index >= warmup:
                series.bare.append(b)
                series.app.append(a)
    finally:
        tmux.close()
    return series


def first_row_marker(db: Path) -> str:
    """What the list shows first: the start of the most recently updated case's title (short
    enough for the narrowest title column), or the empty state."""
    from workbench.playbook import default_playbook
    from workbench.store import Store

    store = Store(db, default_playbook(), readonly=True)
    try:
        rows = store.list_cases(limit=1)
    finally:
        store.close()
    if not rows:
        return "No escalations yet."
    return rows[0].title[:8]


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    s = headless(target, count)
    print(
        f"headless: bare {statistics.median(s.bare) * 1000:.0f} ms, "
        f"app {statistics.median(s.app) * 1000:.0f} ms, ratio {s.ratio():.2f}; "
        f"rss bare {statistics.median(s.bare_rss) / 1024:.1f} MiB app "
        f"{statistics.median(s.app_rss) / 1024:.1f} MiB ratio {s.rss_ratio():.2f}"
    )
    if "--tmux" in sys.argv:
        t = terminal(target, first_row_marker(target), count)
        print(
            f"tmux: bare {statistics.median(t.bare) * 1000:.0f} ms, "
            f"app {statistics.median(t.app) * 1000:.0f} ms, ratio {t.ratio():.2f}"
        )
