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
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import documents, interact, rows, startup, switch, team, workday
from bench.databases import database, working_copy
from bench.report import Row, machine, write

RESULTS = Path(__file__).resolve().parent / "results"


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
    table: list[Row] = []
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
            app_medians[size] = statistics.median(series.app) / statistics.median(series.bare)
            peaks[size] = statistics.median(series.app_rss_exit)
            term = None
            if use_tmux:
                marker = startup.first_row_marker(dbs[size])
                term = startup.terminal(dbs[size], marker, runs, warmup=0 if args.smoke else 1)
                entry["tmux"] = vars(term)
            table += rows.cold_start_rows(size, series, term)
            if size == largest:
                table += rows.memory_rows(size, series)
        smallest = min(sizes)
        if largest != smallest:
            table += rows.growth_rows(smallest, largest, peaks, app_medians)

        log(f"keystrokes, search, filter, sort at {largest:,} cases")
        work = working_copy(dbs[largest], scratch)
        latencies = interact.run(work, keys, smoke=args.smoke)
        raw["interact"] = latencies
        table += rows.latency_rows(latencies, largest)

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
            table += rows.workday_rows(day, largest)

        missing = None if not args.no_team else "--no-team"
        missing = missing or team.available()
        if missing is None:
            log(
                f"team database (PostgreSQL): keystrokes, search, filter, sort at {largest:,} cases"
            )
            with team.team_database(largest, log) as (url, seconds):
                on_server = interact.run(url, keys, smoke=args.smoke)
            raw["team"] = {"load_seconds": seconds, "interact": on_server}
            table += rows.latency_rows(on_server, largest, team=True)
            notes.append(
                f"Team database: PostgreSQL on this machine (unix socket), {largest:,} generated "
                f"cases loaded in {seconds:.0f} s; the same app and latencies as the file."
            )
        else:
            notes.append(f"Team database rows skipped: {missing}.")

        log("export, import, disk")
        docs = documents.documents(work, 20 if args.smoke else 200)
        raw["documents"] = docs
        table += rows.document_rows(docs, largest)
        for size in sizes:
            if size == 0:
                continue
            on_disk = documents.disk(dbs[size], size, docs["markdown_bytes"])
            raw["sizes"][size]["disk"] = on_disk
            table.append(rows.disk_row(size, on_disk))
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
            table += rows.switch_rows(switched)
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

    info["load_end"] = os.getloadavg()[0]
    notes.append(
        "Cold start: median of per-pair ratios, bare Textual app and workbench run alternately "
        f"({runs} pairs per size), each timed to its first frame. Latencies: wall clock from the "
        "key to the screen showing all it caused (after the commit, and after the frame the save "
        "asked for, if it asked for one); 'cpu' is the event loop's CPU time over the same span "
        "(the app's own work, without waiting for a core on the shared machine); 'cpu only' = "
        "only that meets it."
    )
    text_path, json_path, text = write(args.out, table, info, sizes, notes, raw)
    print(text)
    log(f"written: {text_path} and {json_path}")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"bench: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sys.exit(code)
