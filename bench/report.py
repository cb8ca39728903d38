"""The benchmark's table and JSON: every figure beside its target, and the machine it ran on."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One line of the table. `met` is "yes", "no", "cpu only" (the event loop's own work meets
    the target, the wall clock on the shared machine does not) or "-" (reported, no target)."""

    figure: str
    measured: str
    target: str
    met: str
    value: float | None = None
    limit: float | None = None


def verdict(value: float, limit: float) -> str:
    return "yes" if value <= limit else "no"


def latency_verdict(wall: float, cpu: float, limit: float) -> str:
    if wall <= limit:
        return "yes"
    return "cpu only" if cpu <= limit else "no"


def keystroke_verdict(wall: float, cpu: float, limit: float, cpu_limit: float) -> str:
    """A keystroke has two lines: its wall clock under `limit`, and the event loop's CPU time at
    most `cpu_limit` (the headroom that keeps the wall line on a busy machine)."""
    if cpu > cpu_limit:
        return "no"
    return "yes" if wall <= limit else "cpu only"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return pages / 1024**3
    except (ValueError, OSError):
        return 0.0


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "textual": version("textual"),
        "sqlite": sqlite3.sqlite_version,
        "load_start": os.getloadavg()[0],
    }


def machine_line(info: dict[str, Any]) -> str:
    load = f"load {info['load_start']:.1f}"
    if "load_end" in info:
        load += f" -> {info['load_end']:.1f}"
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, {info['os']}, "
        f"Python {info['python']}, Textual {info['textual']}, SQLite {info['sqlite']}; {load}"
    )


def table(rows: list[Row], info: dict[str, Any], sizes: list[int], notes: list[str]) -> str:
    headers = ("figure", "measured", "target", "met")
    cells = [(r.figure, r.measured, r.target, r.met) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [
        f"Escalation Workbench benchmark, {info['date']}",
        f"Machine: {machine_line(info)}",
        f"Sizes: {', '.join(f'{size:,}' for size in sizes)} cases",
        "",
        line(headers),
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
        *(line(c) for c in cells),
    ]
    if notes:
        out += ["", *notes]
    return "\n".join(out) + "\n"


def write(
    out_dir: Path,
    rows: list[Row],
    info: dict[str, Any],
    sizes: list[int],
    notes: list[str],
    raw: dict[str, Any],
) -> tuple[Path, Path, str]:
    """Write `latest.txt`/`latest.json` and a dated copy of the JSON; returns the paths and the
    table text."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = table(rows, info, sizes, notes)
    document = {
        "machine": info,
        "sizes": sizes,
        "rows": [asdict(row) for row in rows],
        "notes": notes,
        "raw": raw,
        "argv": sys.argv,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = out_dir / "latest.json"
    text_path = out_dir / "latest.txt"
    payload = json.dumps(document, indent=2, default=str)
    json_path.write_text(payload, encoding="utf-8")
    (out_dir / f"bench-{stamp}.json").write_text(payload, encoding="utf-8")
    text_path.write_text(text, encoding="utf-8")
    return text_path, json_path, text
