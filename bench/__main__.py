"""`python -m bench` (`make bench`): every benchmark, one table, one JSON.

    python -m bench                      # sizes 0, 10,000 and 100,000; results in bench/results/
    python -m bench --smoke              # every benchmark at a tiny size, in seconds (make test)
    python -m bench --sizes 0,10000 --runs 6 --keys 100
    python -m bench --switch-rounds 0    # without the screen switches in tmux (bench/switch.py)

Generated databases are kept under bench/results/cache/, named by a hash of everything that
shapes them (the generator, the store, the schema, the models, the rules, the playbook, the date),
so a second run the same day reuses them; `--fresh` builds them again. Benchmarks that write (the
keystrokes and the import) run on a copy, so the cached file stays as generated.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import documents, generate, interact, startup, switch, team, workday
from bench.report import Row, latency_verdict, machine, verdict, write

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHAPING = (
    "bench/generate.py",
    "workbench/models.py",
    "workbench/playbook.py",
    "data/playbook.toml",
)

# Targets (issue: "Performance: a benchmark suite with targets").
START_RATIO = 1.25
START_GROWTH = 1.10  # start-up at the largest size over start-up at 0 cases: "must not grow"
RSS_RATIO = 1.3
RSS_FLAT = 1.05  # peak RSS at the largest size over the smallest: "flat from 0 to 100,000 cases"
KEY_MS = 16.0
SEARCH_MS = 30.0
LIST_MS = 100.0
RENDER_MS = 5.0
IMPORT_MS = 10.0
DISK_RATIO = 3.0


def _cache_key(count: int) -> str:
    digest = hashlib.sha256()
    for name in SHAPING:
        digest.update((ROOT / name).read_bytes())
    for folder in ("store", "rules"):
        for path in sorted((ROOT / "workbench" / folder).glob("*.py")):
            digest.update(path.read_bytes())
    digest.update(f"{count}:{generate.SEED}:{datetime.now(UTC).date()}".encode())
    return digest.hexdigest()[:16]


def database(count: int, folder: Path, *, fresh: bool, cache: bool, log: Any) -> tuple[Path, float]:
    """The database of `count` generated cases, and the seconds it took to build (0 if cached)."""
    path = (
        folder / f"cases-{count}-{_cache_key(count)}.db" if cache else folder / f"cases-{count}.db"
    )
    if cache and path.exists() and not fresh:
        log(f"  {count:,} cases: cached {path.name}")
        return path, 0.0
    if cache:
        for old in folder.glob(f"cases-{count}-*.db*"):
            old.unlink()
    workers = 1 if count >= 5000 else 0
    seconds = generate.build_database(path, count, workers=workers)
    _sync(path)  # written back now, not under the benchmarks that follow (see working_copy)
    log(f"  {count:,} cases: built in {seconds:.1f} s")
    return path, seconds


def working_copy(source: Path, folder: Path) -> Path:
    """A copy of `source` to write to, on the disk before it is used. Left in the page cache
    (700 MB at 100,000 cases), the copy was written back by the app's first sync of the
    database file, its first WAL checkpoint, and the saves beside that checkpoint waited for it:
    40-120 ms toggles, the benchmark's own doing."""
    target = folder / f"work-{source.name}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)
    _sync(target)
    with contextlib.suppress(OSError):  # the entry: some file systems cannot sync a directory
        _sync(folder, os.O_DIRECTORY)
    return target


def _sync(path: Path, flags: int = 0) -> None:
    """fsync a file, or with O_DIRECTORY a directory's entries."""
    descriptor = os.open(path, os.O_RDONLY | flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _latency(stats: dict[str, float]) -> str:
    """`p99 12.0 ms (cpu 11.6), p50 9.1 (cpu 8.7)`: a latency row's measured column."""
    return (
        f"p99 {stats['p99_ms']:.1f} ms (cpu {stats['cpu_p99_ms']:.1f}), "
        f"p50 {stats['p50_ms']:.1f} (cpu {stats['cpu_p50_ms']:.1f})"
    )


def _workday_rows(day: dict[str, Any], largest: int) -> list[Row]:
    """The working day's rows (bench/workday.py): RSS growth, and each median at the last case
    over the same at case 50."""
    first, last, rss = day["first"], day["cases"], day["rss_kib"]
    rows = [
        Row(
            f"A working day at {largest:,} cases: RSS growth, case {first} -> {last}",
            f"{day['growth']:.3f}x ({rss[first] / 1024:.1f} -> {rss[last] / 1024:.1f} MiB)",
            f"<= {workday.GROWTH_LIMIT}x",
            verdict(day["growth"], workday.GROWTH_LIMIT),
            day["growth"],
            workday.GROWTH_LIMIT,
        )
    ]
    for kind, name in (
        ("switch", "screen switch"),
        ("toggle", "keystroke on Triage"),
        ("type", "keystroke typing"),
    ):
        figures = day[kind]
        early, late = figures["early"], figures["late"]
        rows.append(
            Row(
                f"  {name} median, case {first} -> {last}",
                f"{figures['wall_ratio']:.2f}x ({early['wall_ms']:.1f} -> {late['wall_ms']:.1f} "
                f"ms; cpu {figures['cpu_ratio']:.2f}x)",
                f"<= {workday.SPEED_LIMIT}x",
                workday.speed_verdict(figures),
                figures["wall_ratio"],
                workday.SPEED_LIMIT,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,10000,100000", help="Case counts, comma-separated.")
    parser.add_argument("--runs", type=int, default=10, help="Cold-start pairs per size and mode.")
    parser.add_argument("--keys", type=int, default=200, help="Samples per keystroke benchmark.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where results are written.")
    parser.add_argument("--fresh", action="store_true", help="Build the databases again.")
    parser.add_argument("--no-tmux", action="store_true", help="Skip the real-terminal runs.")
    parser.add_argument("--smoke", action="store_true", help="Every benchmark, tiny sizes.")
    parser.add_argument(
        "--no-team", action="store_true", help="Skip the team database (PostgreSQL) rows."
    )
    parser.add_argument(
        "--workday-cases",
        type=int,
        default=500,
        help="Cases of the working day at the largest size (bench/workday.py; 0 skips it).",
    )
    parser.add_argument(
        "--switch-rounds",
        type=int,
        default=5,
        help="Rounds of the screen-switch benchmark in tmux (0 skips it).",
    )
    args = parser.parse_args(argv)

    if args.smoke:
        sizes, runs, keys, cache = [0, 40], 1, 3, False
    else:
        sizes, runs, keys, cache = (
            sorted({int(s) for s in args.sizes.split(",")}),
            args.runs,
            args.keys,
            True,
        )
    largest = max(sizes)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    info = machine()
    info["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    raw: dict[str, Any] = {"sizes": {}}
    rows: list[Row] = []
    notes: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    cache_dir = args.out / "cache" if cache else scratch
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        log("databases")
        dbs: dict[int, Path] = {}
        for size in sizes:
            dbs[size], seconds = database(size, cache_dir, fresh=args.fresh, cache=cache, log=log)
            raw["sizes"][size] = {"build_seconds": seconds}
            if seconds and size == largest:
                notes.append(f"Built the {size:,}-case database in {seconds:.0f} s.")

        # An installed app starts from bytecode (pip compiles it); this checkout may run where
        # Python writes none (PYTHONDONTWRITEBYTECODE), and compiling every module at every
        # start is not the app's cost: compile them once, as an install would.
        compiled = startup.compile_app()
        notes.append(f"Bytecode compiled before the cold starts, as an install would ({compiled}).")
        use_tmux = not args.no_tmux and startup.tmux_available()
        app_medians: dict[int, float] = {}
        peaks: dict[int, float] = {}  # median peak RSS (KiB) at exit, per size
        for size in sizes:
            log(f"cold start, {size:,} cases")
            series = startup.headless(
                dbs[size], runs, warmup=0 if args.smoke else 1, floor=size == largest
            )
            entry = raw["sizes"][size]
            entry["headless"] = vars(series)
            ratio = series.ratio()
            app_medians[size] = statistics.median(series.app) / statistics.median(series.bare)
            peaks[size] = statistics.median(series.app_rss_exit)
            rows.append(
                Row(
                    f"Cold start headless, {size:,} cases (vs bare Textual)",
                    f"{ratio:.2f}x ({_ms(statistics.median(series.app))} / "
                    f"{_ms(statistics.median(series.bare))})",
                    f"<= {START_RATIO}x",
                    verdict(ratio, START_RATIO),
                    ratio,
                    START_RATIO,
                )
            )
            if use_tmux:
                marker = startup.first_row_marker(dbs[size])
                term = startup.terminal(dbs[size], marker, runs, warmup=0 if args.smoke else 1)
                entry["tmux"] = vars(term)
                ratio = term.ratio()
                rows.append(
                    Row(
                        f"Cold start in tmux, {size:,} cases (vs bare Textual)",
                        f"{ratio:.2f}x ({_ms(statistics.median(term.app))} / "
                        f"{_ms(statistics.median(term.bare))})",
                        f"<= {START_RATIO}x",
                        verdict(ratio, START_RATIO),
                        ratio,
                        START_RATIO,
                    )
                )
            if size == largest:
                # The target is the peak: at exit, with what a case needs loaded by the warm-up.
                peak = series.rss_exit_ratio()
                rows.append(
                    Row(
                        f"Peak RSS, {size:,} cases, warm-up included (vs bare Textual)",
                        f"{peak:.2f}x ({statistics.median(series.app_rss_exit) / 1024:.1f} / "
                        f"{statistics.median(series.bare_rss_exit) / 1024:.1f} MiB)",
                        # The target is over the pydantic floor (below): pydantic is the design's.
                        "-",
                        "-",
                        peak,
                        None,
                    )
                )
                first = series.rss_ratio()
                rows.append(
                    Row(
                        "  the same at the first frame (before the warm-up)",
                        f"{first:.2f}x ({statistics.median(series.app_rss) / 1024:.1f} / "
                        f"{statistics.median(series.bare_rss) / 1024:.1f} MiB)",
                        "-",
                        "-",
                        None,
                        None,
                    )
                )
                # What the target leaves once the case model is pydantic (DESIGN.md): the bare
                # app that validates one two-field model, and the workbench over that.
                floor = series.floor_rss_ratio()
                floor_mib = statistics.median(series.floor_rss_exit) / 1024
                rows.append(
                    Row(
                        "  floor: bare Textual + pydantic, one two-field model (vs bare Textual)",
                        f"{floor:.2f}x ({floor_mib:.1f} / "
                        f"{statistics.median(series.bare_rss_exit) / 1024:.1f} MiB)",
                        "-",
                        "-",
                        floor,
                        None,
                    )
                )
                over = statistics.median(series.app_rss_exit) / 1024 / floor_mib
                rows.append(
                    Row(
                        "  the workbench's peak over that floor",
                        f"{over:.2f}x",
                        f"<= {RSS_RATIO}x",
                        verdict(over, RSS_RATIO),
                        over,
                        RSS_RATIO,
                    )
                )
        smallest = min(sizes)
        if largest != smallest:
            flat = peaks[largest] / peaks[smallest]
            rows.append(
                Row(
                    f"Peak RSS, {smallest:,} -> {largest:,} cases",
                    f"{flat:.3f}x ({peaks[smallest] / 1024:.1f} -> {peaks[largest] / 1024:.1f} MiB)",
                    f"<= {RSS_FLAT}x",
                    verdict(flat, RSS_FLAT),
                    flat,
                    RSS_FLAT,
                )
            )
            growth = app_medians[largest] / app_medians[smallest]
            rows.append(
                Row(
                    f"Start-up growth, {smallest:,} -> {largest:,} cases",
                    f"{growth:.2f}x",
                    f"<= {START_GROWTH}x",
                    verdict(growth, START_GROWTH),
                    growth,
                    START_GROWTH,
                )
            )

        log(f"keystrokes, search, filter, sort at {largest:,} cases")
        work = working_copy(dbs[largest], scratch)
        latencies = interact.run(work, keys, smoke=args.smoke)
        raw["interact"] = latencies
        for key, figure, limit in (
            ("toggle", "Keystroke: toggle a checklist item (commit + repaint)", KEY_MS),
            ("type", "Keystroke: type in the narrative (commit per key + repaint)", KEY_MS),
            ("search", "Search the list", SEARCH_MS),
            ("search_sorted", "Search the list under every sort, both ways", SEARCH_MS),
            ("filter", "Filter the list (status, severity)", LIST_MS),
            ("sort", "Sort the list (every column, both ways)", LIST_MS),
        ):
            stats = latencies[key]
            rows.append(
                Row(
                    f"{figure}, {largest:,} cases",
                    _latency(stats),
                    f"p99 < {limit:.0f} ms",
                    latency_verdict(stats["p99_ms"], stats["cpu_p99_ms"], limit),
                    stats["p99_ms"],
                    limit,
                )
            )
        stats = latencies["toggle_during_look"]
        rows.append(
            Row(
                "Keystroke: toggle while the follow-up look runs (back to back, not waiting for a pause)",
                _latency(stats),
                "-",
                "-",
                stats["p99_ms"],
            )
        )
        stats = latencies["type_debounced"]
        rows.append(
            Row(
                "Keystroke: type in the narrative (saved after the pause, as shipped)",
                _latency(stats),
                "-",
                "-",
                stats["p99_ms"],
            )
        )
        opened = latencies["open_case"]
        rows.append(
            Row(
                "Open a case from the list (to Triage painted): first / again",
                f"{opened['first_ms']:.0f} ms / {opened['later_ms']:.0f} ms",
                "-",
                "-",
                opened["first_ms"],
            )
        )

        day_cases = 1 if args.smoke else args.workday_cases
        if day_cases > 0:
            log(f"a working day: {day_cases} cases one after another, at {largest:,} cases")
            day = workday.run(
                work,
                day_cases,
                1 if args.smoke else workday.WINDOW,
                reading=0.0 if args.smoke else workday.READING,
            )
            raw["workday"] = day
            rows += _workday_rows(day, largest)

        missing = None if not args.no_team else "--no-team"
        missing = missing or team.available()
        if missing is None:
            log(
                f"team database (PostgreSQL): keystrokes, search, filter, sort at {largest:,} cases"
            )
            with team.team_database(largest, log) as (url, seconds):
                on_server = interact.run(url, keys, smoke=args.smoke)
            raw["team"] = {"load_seconds": seconds, "interact": on_server}
            for key, figure, limit in (
                ("toggle", "Team database: toggle a checklist item (commit + repaint)", KEY_MS),
                ("type", "Team database: type in the narrative (commit per key + repaint)", KEY_MS),
                ("search", "Team database: search the list", SEARCH_MS),
                (
                    "search_sorted",
                    "Team database: search the list under every sort, both ways",
                    SEARCH_MS,
                ),
                ("filter", "Team database: filter the list (status, severity)", LIST_MS),
                ("sort", "Team database: sort the list (every column, both ways)", LIST_MS),
            ):
                stats = on_server[key]
                rows.append(
                    Row(
                        f"{figure}, {largest:,} cases",
                        _latency(stats),
                        f"p99 < {limit:.0f} ms",
                        latency_verdict(stats["p99_ms"], stats["cpu_p99_ms"], limit),
                        stats["p99_ms"],
                        limit,
                    )
                )
            opened = on_server["open_case"]
            rows.append(
                Row(
                    "Team database: open a case from the list (to Triage painted): first / again",
                    f"{opened['first_ms']:.0f} ms / {opened['later_ms']:.0f} ms",
                    "-",
                    "-",
                    opened["first_ms"],
                )
            )
            notes.append(
                f"Team database: PostgreSQL on this machine (unix socket), {largest:,} generated "
                f"cases loaded in {seconds:.0f} s; the same app and latencies as the file."
            )
        else:
            notes.append(f"Team database rows skipped: {missing}.")

        log("export, import, disk")
        docs = documents.documents(work, 20 if args.smoke else 200)
        raw["documents"] = docs
        for key, figure, limit in (
            ("render", "Export: render a full case", RENDER_MS),
            ("import", "Import a document (parse + store)", IMPORT_MS),
        ):
            stats = docs[key]
            rows.append(
                Row(
                    f"{figure}, {largest:,} cases",
                    f"p99 {stats['p99_ms']:.1f} ms, p50 {stats['p50_ms']:.1f}",
                    f"p99 < {limit:.0f} ms",
                    verdict(stats["p99_ms"], limit),
                    stats["p99_ms"],
                    limit,
                )
            )
        stats = docs["parse"]
        rows.append(
            Row(
                "Import: parse alone",
                f"p99 {stats['p99_ms']:.1f} ms, p50 {stats['p50_ms']:.1f}",
                "-",
                "-",
                stats["p99_ms"],
            )
        )
        for size in sizes:
            if size == 0:
                continue
            on_disk = documents.disk(dbs[size], size, docs["markdown_bytes"])
            raw["sizes"][size]["disk"] = on_disk
            rows.append(
                Row(
                    f"Disk: bytes per case, {size:,} cases (vs its Markdown)",
                    f"{on_disk['ratio']:.2f}x ({on_disk['bytes_per_case']:,.0f} B / "
                    f"{on_disk['markdown_bytes']:,.0f} B)",
                    f"< {DISK_RATIO}x",
                    verdict(on_disk["ratio"], DISK_RATIO - 1e-9),
                    on_disk["ratio"],
                    DISK_RATIO,
                )
            )
        if use_tmux and (args.smoke or args.switch_rounds > 0):
            log("screen switches in tmux (one case, vs a bare Textual app)")
            settings = (
                switch.Settings(rounds=1, passes=2, gap=0.1, settle=0.5)
                if args.smoke
                else switch.Settings(rounds=args.switch_rounds)
            )
            switched = switch.run(
                settings, switch.SIZES[:1] if args.smoke else switch.SIZES, log=log
            )
            raw["switch"] = switched
            for item in switched["summary"]:
                worst = max(item["first_ratio"], item["later_ratio"])
                rows.append(
                    Row(
                        f"Switch {item['name']}, {item['size']}: first visit / later "
                        "(vs bare Textual)",
                        switch.measured(item),
                        f"<= {switch.TARGET}x",
                        verdict(worst, switch.TARGET),
                        worst,
                        switch.TARGET,
                    )
                )
            poll = switched["poll_ms"]
            rows.append(
                Row(
                    "  switch resolution: one tmux capture-pane (polled back to back)",
                    f"p50 {poll['p50']:.1f} ms, p90 {poll['p90']:.1f}",
                    "-",
                    "-",
                    poll["p50"],
                )
            )
            notes.append(
                "Switches: tmux, from send-keys to the first capture-pane showing the new "
                "screen's marker; bare Textual app (two screens of 30 Labels and an Input) and "
                f"workbench (one full case) alternately, {settings.rounds} round(s) of "
                f"{settings.passes} passes; first visit = the first pass of each process; "
                "ratios of medians. Load during the switches: "
                f"{switched['load_start'][0]:.1f} -> {switched['load_end'][0]:.1f}."
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    import os

    info["load_end"] = os.getloadavg()[0]
    notes.append(
        "Cold start: median of per-pair ratios, bare Textual app and workbench run alternately "
        f"({runs} pairs per size), each timed to its first frame. Latencies: wall clock from the "
        "key to the screen showing all it caused (after the commit, and after the frame the save "
        "asked for, if it asked for one); 'cpu' is the event loop's CPU time over the same span "
        "(the app's own work, without waiting for a core on the shared machine); 'cpu only' = "
        "only that meets it."
    )
    text_path, json_path, text = write(args.out, rows, info, sizes, notes, raw)
    print(text)
    log(f"written: {text_path} and {json_path}")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sys.exit(code)
