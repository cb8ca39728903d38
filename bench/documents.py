"""Export, import and disk: the escalation document both ways, and what a case costs on disk.

- Export: `render_markdown` of full cases (the generator's, read back from the database).
- Import: `parse_markdown` of those documents, alone and followed by `Store.create` into the
  benchmark database (what `workbench import` does after reading the file).
- Disk: the database's bytes (after a checkpoint, so the WAL is in the file) per case, against
  the mean size of the cases' exported Markdown.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.interact import percentile


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": statistics.median(ms),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms),
    }


def _sample_ids(db: Path, count: int) -> list[int]:
    """Evenly spread case ids: old resolved cases and recent open ones alike."""
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        total = conn.execute("SELECT max(id) FROM cases").fetchone()[0] or 0
    finally:
        conn.close()
    if not total:
        return []
    step = max(1, total // count)
    return list(range(1, total + 1, step))[:count]


def documents(db: Path, count: int = 200) -> dict[str, Any]:
    """Render and parse `count` cases of the database; import them into it again."""
    from workbench.document import parse_markdown, render_markdown
    from workbench.playbook import default_playbook
    from workbench.store import Store

    playbook = default_playbook()
    now = datetime.now(UTC)
    store = Store(db, playbook)
    try:
        cases = store.get_many(_sample_ids(db, count))
        if cases:
            # First use imports markdown-it and builds validators: not what a document costs.
            warm = render_markdown(cases[0], playbook, now, tz=UTC)
            parse_markdown(warm, playbook, now=now, tz=UTC)
        render: list[float] = []
        texts: list[str] = []
        for case in cases:
            started = time.perf_counter()
            text = render_markdown(case, playbook, now, tz=UTC)
            render.append(time.perf_counter() - started)
            texts.append(text)
        parse: list[float] = []
        full: list[float] = []
        for text in texts:
            started = time.perf_counter()
            parsed = parse_markdown(text, playbook, now=now, tz=UTC)
            parse.append(time.perf_counter() - started)
            store.create(parsed.model_copy(update={"id": None, "revision": 0}))
            full.append(time.perf_counter() - started)
        markdown = [len(text.encode("utf-8")) for text in texts]
    finally:
        store.close()
    return {
        "render": _summary(render),
        "parse": _summary(parse),
        "import": _summary(full),
        "markdown_bytes": statistics.mean(markdown) if markdown else 0.0,
    }


def disk(db: Path, count: int, markdown_bytes: float) -> dict[str, float]:
    """Bytes per case of the database file (WAL checkpointed into it) and the ratio to the
    cases' mean exported Markdown."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        conn.close()
    size = os.path.getsize(db) + sum(
        os.path.getsize(f"{db}{suffix}") for suffix in ("-wal",) if os.path.exists(f"{db}{suffix}")
    )
    per_case = size / cases if cases else 0.0
    return {
        "cases": cases,
        "file_bytes": size,
        "bytes_per_case": per_case,
        "markdown_bytes": markdown_bytes,
        "ratio": per_case / markdown_bytes if markdown_bytes else 0.0,
    }


if __name__ == "__main__":
    import json
    import sys

    target = Path(sys.argv[1])
    result = documents(target, int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    result["disk"] = disk(target, 0, result["markdown_bytes"])
    print(json.dumps(result, indent=1))
