"""The team database's rows of `make bench`: the same generated cases loaded into PostgreSQL, and
the same in-process latencies (`interact`: a keystroke's commit, search, filter, sort) measured
on it through the real app. The server is the one WORKBENCH_BENCH_PG names (an empty database
the run may fill), else a throwaway cluster the run starts (`tests/pg.py`: pgserver, or the
machine's binaries); the load is not cached."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

BENCH_PG_ENV = "WORKBENCH_BENCH_PG"


def available() -> str | None:
    """Why the team rows cannot run (no driver), or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "no PostgreSQL driver (pip install '.[team]')"
    return None


@contextlib.contextmanager
def team_database(count: int, log: Callable[[str], None]) -> Iterator[tuple[str, float]]:
    """A team database holding `count` generated cases: (its URL, the seconds the load took)."""
    given = os.environ.get(BENCH_PG_ENV, "").strip()
    if given:
        yield given, _load(given, count)
        return
    from tests.pg import create_database, pg_test_server

    os.environ.pop("WORKBENCH_TEST_PG", None)
    with pg_test_server() as admin:
        _, url = create_database(admin)
        seconds = _load(url, count)
        log(f"  team database, {count:,} cases: loaded in {seconds:.1f} s")
        yield url, seconds


def _load(url: str, count: int) -> float:
    from bench.generate import generate
    from workbench.playbook import default_playbook
    from workbench.store import open_store

    now = datetime.now(UTC)
    started = time.perf_counter()
    with open_store(url, default_playbook(), clock=lambda: now) as store:
        if count:
            store.create_many(generate(count, now, workers=1 if count >= 5000 else 0))
    return time.perf_counter() - started
