"""The team database's search at scale, kept honest on small data: the capped count read slice by
slice (`schema.SEARCH_SLICES`) counts what a plain count counts, the statement it runs reads the
slices' indexes, and the list's small columns stay in the row (not in the TOAST table)."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import fixed_clock
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import open_store
from workbench.store.pg.queries import _counted
from workbench.store.pg.schema import SCHEMA, SEARCH_SLICES
from workbench.store.pg.search import server_match
from workbench.store.pg.store import PgStore
from workbench.vocab import Status

CASES = 5 * SEARCH_SLICES + 3  # every slice holds some, not all the same number


def _words(n: int) -> str:
    """Every case says "common"; one in three "third"; the cases of one slice only "sliced"."""
    words = ["common"]
    if n % 3 == 0:
        words.append("third")
    if n % SEARCH_SLICES == 3:
        words.append("sliced")
    return " ".join(words)


@pytest.fixture
def loaded(pg_url: str, playbook: Playbook) -> PgStore:
    store = open_store(pg_url, playbook, clock=fixed_clock)
    assert isinstance(store, PgStore)
    statuses = [Status.DRAFT, Status.ESCALATED, Status.RESOLVED]
    store.create_many(
        Escalation(title=f"Case {n}", narrative=_words(n), status=statuses[n % 3])
        for n in range(1, CASES + 1)
    )
    return store


def _truth(pg_url: str, query: str, status: list[str] | None = None) -> int:
    """The plain count, in SQL that knows nothing of slices."""
    sql = f"SELECT count(*) FROM {SCHEMA}.cases WHERE search_vector @@ to_tsquery('simple', %s)"
    params: list[object] = [query]
    if status is not None:
        sql += " AND status = ANY(%s)"
        params.append(status)
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(
    ("typed", "query"),
    [("common", "common"), ("third", "third"), ("sliced", "sliced"), ("comm", "comm:*")],
)
def test_a_capped_count_read_by_slices_counts_what_a_plain_count_counts(
    loaded: PgStore, pg_url: str, typed: str, query: str
) -> None:
    """Under the cap the exact number, over it cap + 1, whichever slices hold the matches (a
    word of one slice only, a word of every case), with a filter too, in `count_cases` and
    `page` alike."""
    with loaded:
        for status in (None, [Status.DRAFT.value, Status.ESCALATED.value]):
            truth = _truth(pg_url, query, status)
            assert truth > 0
            for cap in (None, 0, 1, 4, truth - 1, truth, truth + 1, 1000):
                expected = truth if cap is None else min(truth, cap + 1)
                loaded._counts_of = None  # no count kept from the last round
                assert loaded.count_cases(query=typed, status=status, cap=cap) == expected
                loaded._counts_of = None
                total, rows = loaded.page(query=typed, status=status, cap=cap, limit=5)
                assert total == expected, (typed, status, cap)
                assert len(rows) == min(5, truth)


def test_the_capped_count_reads_the_slices_indexes_and_stops_past_the_cap(
    loaded: PgStore, pg_url: str
) -> None:
    """The statement a search's count runs: one index scan per slice, none on the whole index,
    and the slices after the one where the cap is passed are never read."""
    match = server_match("common")
    where, params = PgStore._where(None, None, match)
    assert where is not None
    sql, values = _counted(where, params, match, cap=2)
    with loaded, psycopg.connect(pg_url) as conn, conn.transaction():
        conn.execute(f"SET LOCAL search_path = {SCHEMA}")
        conn.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL max_parallel_workers_per_gather = 0"
        )
        found = conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", values).fetchall()
    plan = "\n".join(str(row[0]) for row in found)
    scans = [line for line in plan.splitlines() if "Index Scan on cases_search_vector_" in line]
    assert len(scans) == SEARCH_SLICES, plan
    assert "on cases_search " not in plan, plan  # the whole index: not for the count
    assert "never executed" in plan, plan  # the last slices: the cap was passed before them


def test_the_list_s_columns_stay_in_the_row(pg_url: str, playbook: Playbook) -> None:
    """A case whose search vectors fill a row: its document goes to the TOAST table, and
    nothing else does (its title and times were each stored there, read one fetch each)."""
    narrative = " ".join(f"distinct{i}" for i in range(600))  # vectors of several kB
    with open_store(pg_url, playbook, clock=fixed_clock) as store:
        store.create(
            Escalation(title="A title long enough to be stored apart " * 2, narrative=narrative)
        )
    with psycopg.connect(pg_url) as conn:
        row = conn.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = %s::regclass",
            (f"{SCHEMA}.cases",),
        ).fetchone()
        assert row is not None
        toasted = conn.execute(f"SELECT count(DISTINCT chunk_id) FROM {row[0]}").fetchone()
    assert toasted == (1,)  # the document alone
