"""The table's rows: each benchmark's figures beside their targets, worded as the table shows them
(`python -m bench` measures, these lines say what was measured against what)."""

from __future__ import annotations

import statistics
from typing import Any

from bench import startup, switch, workday
from bench.report import Row, keystroke_verdict, latency_verdict, verdict

# Targets (issue: "Performance: a benchmark suite with targets").
START_RATIO = 1.25
START_GROWTH = 1.10  # start-up at the largest size over start-up at 0 cases: "must not grow"
RSS_RATIO = 1.3
RSS_FLAT = 1.05  # peak RSS at the largest size over the smallest: "flat from 0 to 100,000 cases"
KEY_MS = 16.0
KEY_CPU_MS = 12.0  # the event loop's CPU time per keystroke, p99: headroom under KEY_MS
SEARCH_MS = 30.0
LIST_MS = 100.0
RENDER_MS = 5.0
IMPORT_MS = 10.0
DISK_RATIO = 3.0

# The in-process latencies with a target: key in `bench.interact.run`'s results, the figure.
_LATENCIES = (
    ("toggle", "toggle a checklist item (commit + repaint)", KEY_MS),
    ("type", "type in the narrative (commit per key + repaint)", KEY_MS),
    ("search", "search the list", SEARCH_MS),
    ("search_sorted", "search the list under every sort, both ways", SEARCH_MS),
    ("filter", "filter the list (status, severity)", LIST_MS),
    ("sort", "sort the list (every column, both ways)", LIST_MS),
)
_KEYSTROKES = ("toggle", "type")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _latency(stats: dict[str, float]) -> str:
    """`p99 12.0 ms (cpu 11.6), p50 9.1 (cpu 8.7)`: a latency row's measured column."""
    return (
        f"p99 {stats['p99_ms']:.1f} ms (cpu {stats['cpu_p99_ms']:.1f}), "
        f"p50 {stats['p50_ms']:.1f} (cpu {stats['cpu_p50_ms']:.1f})"
    )


def _ratio_row(figure: str, ratio: float, app: list[float], bare: list[float]) -> Row:
    """A cold start against the bare app's."""
    return Row(
        figure,
        f"{ratio:.2f}x ({_ms(statistics.median(app))} / {_ms(statistics.median(bare))})",
        f"<= {START_RATIO}x",
        verdict(ratio, START_RATIO),
        ratio,
        START_RATIO,
    )


# -- start-up and memory ---------------------------------------------------------------------------
def cold_start_rows(
    size: int, series: startup.Series, term: startup.Series | None = None
) -> list[Row]:
    """The cold starts at one size, headless and (when it ran) in tmux."""
    rows = [
        _ratio_row(
            f"Cold start headless, {size:,} cases (vs bare Textual)",
            series.ratio(),
            series.app,
            series.bare,
        )
    ]
    if term is not None:
        rows.append(
            _ratio_row(
                f"Cold start in tmux, {size:,} cases (vs bare Textual)",
                term.ratio(),
                term.app,
                term.bare,
            )
        )
    return rows


def memory_rows(size: int, series: startup.Series) -> list[Row]:
    """Peak RSS at the largest size: against the bare app, and against the pydantic floor."""
    mib = {
        name: statistics.median(getattr(series, name)) / 1024
        for name in ("app_rss_exit", "bare_rss_exit", "app_rss", "bare_rss", "floor_rss_exit")
    }
    peak, first, floor = series.rss_exit_ratio(), series.rss_ratio(), series.floor_rss_ratio()
    # The target is the peak: at exit, with what a case needs loaded by the warm-up.
    over = mib["app_rss_exit"] / mib["floor_rss_exit"]
    return [
        Row(
            f"Peak RSS, {size:,} cases, warm-up included (vs bare Textual)",
            f"{peak:.2f}x ({mib['app_rss_exit']:.1f} / {mib['bare_rss_exit']:.1f} MiB)",
            # The target is over the pydantic floor (below): pydantic is the design's.
            "-",
            "-",
            peak,
            None,
        ),
        Row(
            "  the same at the first frame (before the warm-up)",
            f"{first:.2f}x ({mib['app_rss']:.1f} / {mib['bare_rss']:.1f} MiB)",
            "-",
            "-",
            None,
            None,
        ),
        # What the target leaves once the case model is pydantic (DESIGN.md): the bare app that
        # validates one two-field model, and the workbench over that.
        Row(
            "  floor: bare Textual + pydantic, one two-field model (vs bare Textual)",
            f"{floor:.2f}x ({mib['floor_rss_exit']:.1f} / {mib['bare_rss_exit']:.1f} MiB)",
            "-",
            "-",
            floor,
            None,
        ),
        Row(
            "  the workbench's peak over that floor",
            f"{over:.2f}x",
            f"<= {RSS_RATIO}x",
            verdict(over, RSS_RATIO),
            over,
            RSS_RATIO,
        ),
    ]


def growth_rows(
    smallest: int, largest: int, peaks: dict[int, float], starts: dict[int, float]
) -> list[Row]:
    """From the smallest size to the largest: peak RSS (KiB) and start-up (over the bare app's)."""
    flat = peaks[largest] / peaks[smallest]
    growth = starts[largest] / starts[smallest]
    return [
        Row(
            f"Peak RSS, {smallest:,} -> {largest:,} cases",
            f"{flat:.3f}x ({peaks[smallest] / 1024:.1f} -> {peaks[largest] / 1024:.1f} MiB)",
            f"<= {RSS_FLAT}x",
            verdict(flat, RSS_FLAT),
            flat,
            RSS_FLAT,
        ),
        Row(
            f"Start-up growth, {smallest:,} -> {largest:,} cases",
            f"{growth:.2f}x",
            f"<= {START_GROWTH}x",
            verdict(growth, START_GROWTH),
            growth,
            START_GROWTH,
        ),
    ]


# -- keystrokes and the list -----------------------------------------------------------------------
def latency_rows(latencies: dict[str, Any], largest: int, *, team: bool = False) -> list[Row]:
    """The keystrokes, the list's search, filter and sort, and opening a case: on the local file,
    or (`team`) the same on a team database, its rows named so."""
    rows = []
    for key, figure, limit in _LATENCIES:
        if team:
            name = f"Team database: {figure}"
        elif key in _KEYSTROKES:
            name = f"Keystroke: {figure}"
        else:
            name = figure[0].upper() + figure[1:]
        stats = latencies[key]
        if key in _KEYSTROKES:
            target = f"p99 < {limit:.0f} ms; cpu p99 <= {KEY_CPU_MS:.0f} ms"
            met = keystroke_verdict(stats["p99_ms"], stats["cpu_p99_ms"], limit, KEY_CPU_MS)
        else:
            target = f"p99 < {limit:.0f} ms"
            met = latency_verdict(stats["p99_ms"], stats["cpu_p99_ms"], limit)
        rows.append(
            Row(f"{name}, {largest:,} cases", _latency(stats), target, met, stats["p99_ms"], limit)
        )
    if not team:
        stats = latencies["toggle_during_look"]
        rows.append(
            Row(
                "Keystroke: toggle while the follow-up look runs (back to back, not waiting for "
                "a pause)",
                _latency(stats),
                f"p99 < {KEY_MS:.0f} ms",
                latency_verdict(stats["p99_ms"], stats["cpu_p99_ms"], KEY_MS),
                stats["p99_ms"],
                KEY_MS,
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
    prefix = "Team database: open" if team else "Open"
    rows.append(
        Row(
            f"{prefix} a case from the list (to Triage painted): first / again",
            f"{opened['first_ms']:.0f} ms / {opened['later_ms']:.0f} ms",
            "-",
            "-",
            opened["first_ms"],
        )
    )
    return rows


# -- a working day --------------------------------------------------------------------------------
def workday_rows(day: dict[str, Any], largest: int) -> list[Row]:
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


# -- documents and disk ----------------------------------------------------------------------------
def document_rows(docs: dict[str, Any], largest: int) -> list[Row]:
    """Export's render, the import, and the parse alone."""
    rows = []
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
    return rows


def disk_row(size: int, on_disk: dict[str, float]) -> Row:
    return Row(
        f"Disk: bytes per case, {size:,} cases (vs its Markdown)",
        f"{on_disk['ratio']:.2f}x ({on_disk['bytes_per_case']:,.0f} B / "
        f"{on_disk['markdown_bytes']:,.0f} B)",
        f"< {DISK_RATIO}x",
        verdict(on_disk["ratio"], DISK_RATIO - 1e-9),
        on_disk["ratio"],
        DISK_RATIO,
    )


# -- screen switches -------------------------------------------------------------------------------
def switch_rows(switched: dict[str, Any]) -> list[Row]:
    """Each switch's first visit and later ones against the bare switch, and the resolution."""
    rows = []
    for item in switched["summary"]:
        worst = max(item["first_ratio"], item["later_ratio"])
        rows.append(
            Row(
                f"Switch {item['name']}, {item['size']}: first visit / later (vs bare Textual)",
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
    return rows
