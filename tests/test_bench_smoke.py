"""`make bench` must not rot: every benchmark runs here at a tiny size (`python -m bench --smoke`).

No time is asserted (the machine is shared and times are the benchmark's business, not the
tests'): only that each benchmark ran to completion and its figure reached the table and the JSON.
The generator and the store's bulk load are checked for what they promise.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench import generate
from workbench.playbook import default_playbook
from workbench.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_generator_is_deterministic_and_mixed() -> None:
    now = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    first = [case.model_dump_json() for case in generate.generate(300, now)]
    again = [case.model_dump_json() for case in generate.generate(300, now)]
    assert first == again
    cases = list(generate.generate(300, now))
    statuses = Counter(case.status.value for case in cases)
    assert {"resolved", "kept_in_support"} <= set(statuses)
    assert statuses["resolved"] > statuses["draft"]  # years of history: mostly closed
    assert min(c.created_at for c in cases) < now.replace(year=now.year - 3)
    assert [c.created_at for c in cases] == sorted(c.created_at for c in cases)
    assert any(c.log for c in cases) and any(c.reproduction.steps for c in cases)
    assert all(40 <= len(c.title) <= 95 for c in cases)


def test_bulk_load_stores_what_create_would(tmp_path: Path) -> None:
    now = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    playbook = default_playbook()
    cases = list(generate.generate(25, now))
    with Store(tmp_path / "bulk.db", playbook, clock=lambda: now) as store:
        assert store.create_many(cases, batch=10) == 25
        assert store.count_cases() == 25
        stored = store.get(7)
        assert stored.revision == 1
        assert stored.model_copy(update={"id": None, "revision": 0}) == cases[6]
        assert [e.field for e in store.events(7)] == ["created"]
        word = cases[3].title.split()[-1]
        assert 4 in {row.id for row in store.list_cases(query=word, limit=None)}


def test_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = (out / "latest.txt").read_text(encoding="utf-8")
    document = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    figures = [row["figure"] for row in document["rows"]]
    expected = [
        "Cold start headless, 0 cases",
        "Cold start headless, 40 cases",
        "Peak RSS, 40 cases, warm-up included",
        "  the same at the first frame",
        "  floor: bare Textual + pydantic",
        "  the workbench's peak over that floor",
        "Peak RSS, 0 -> 40 cases",
        "Start-up growth",
        "Keystroke: toggle a checklist item",
        "Keystroke: toggle while the follow-up look runs",
        "Keystroke: type in the narrative (commit per key",
        "Search the list",
        "Filter the list",
        "Sort the list",
        "Open a case from the list",
        # The working day (bench/workday.py), one case in the smoke run.
        "A working day at 40 cases: RSS growth",
        "  screen switch median",
        "  keystroke on Triage median",
        "  keystroke typing median",
        "Export: render a full case",
        "Import a document",
        "Disk: bytes per case",
        # The team database's rows (bench/team.py): the same latencies on PostgreSQL.
        "Team database: toggle a checklist item",
        "Team database: search the list",
        "Team database: sort the list",
        "Team database: open a case from the list",
    ]
    if shutil.which("tmux"):
        expected.append("Cold start in tmux, 40 cases")
        # The screen-switch rows (bench.switch), at 80x24 only in a smoke run.
        expected += [
            "Switch enter: list -> F2 Triage (open the case), 80x24",
            "Switch F3 Impact, 80x24: first visit / later",
            "Switch F8 Similar",
            "Switch escape: case -> list, 80x24",
            "  switch resolution: one tmux capture-pane",
        ]
    for name in expected:
        assert any(figure.startswith(name) for figure in figures), name
        assert name in table
    assert document["machine"]["cores"]
    for row in document["rows"]:
        assert row["met"] in ("yes", "no", "cpu only", "-")
    # The floor's app did load pydantic: a memory ratio, not a time (well above the bare app's).
    (floor,) = [row for row in document["rows"] if row["figure"].startswith("  floor:")]
    assert floor["value"] > 1.05
