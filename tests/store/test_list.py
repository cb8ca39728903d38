"""The list: sorts, filters, counts and pages, the query plans behind them (each sort reads an
index), and the pages of a search that reads its matches once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

import pytest

from tests.store.helpers import T0, Clock, escalated, ids, new_case
from workbench.models import Escalation, Severity, Status
from workbench.playbook import Playbook
from workbench.store import SORTS, Store, StoreError, lookup_cheap
from workbench.store import queries as store_module


# -- the list -----------------------------------------------------------------------------------------
@pytest.fixture
def listed(store: Store, clock: Clock) -> Store:
    """Five cases with known columns, created an hour apart."""
    specs = [
        new_case(title="bravo", customer="Acme"),
        escalated("critical", T0, title="Alpha", customer="globex"),
        escalated("medium", T0, title="charlie", customer="Initech"),
        new_case(title="delta", customer="acme", status=Status.RESOLVED),
        escalated("high", T0 - timedelta(hours=1), title="Echo", customer="Umbrella"),
    ]
    for case in specs:
        clock.advance(hours=1)
        store.create(case)
    return store


def test_list_default_is_most_recently_updated_first(listed: Store) -> None:
    rows = listed.list_cases()
    assert ids(rows) == [5, 4, 3, 2, 1]
    assert rows[1].status == Status.RESOLVED
    assert rows[0].severity == Severity.HIGH and rows[0].next_due is not None
    assert rows[0].routed_to == "Engineering" and rows[0].due_latest is not None


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("title", False, [2, 1, 3, 4, 5]),  # case-insensitive
        ("customer", False, [1, 4, 2, 3, 5]),  # ties by id
        ("severity", True, [2, 5, 3, 4, 1]),  # by rank, unassessed last
        ("severity", False, [3, 5, 2, 1, 4]),  # unassessed last either way
        ("status", False, [1, 2, 3, 5, 4]),  # lifecycle order
        ("next_due", False, [2, 5, 3, 1, 4]),  # soonest first, nothing due last
        ("due_latest", True, [3, 5, 2, 4, 1]),
        ("created_at", False, [1, 2, 3, 4, 5]),
        ("id", True, [5, 4, 3, 2, 1]),
    ],
)
def test_list_sorts(listed: Store, sort: str, descending: bool, expected: list[int]) -> None:
    assert ids(listed.list_cases(sort=sort, descending=descending)) == expected


def test_list_sort_is_whitelisted(listed: Store) -> None:
    with pytest.raises(ValueError, match="cannot sort by"):
        listed.list_cases(sort="title; DROP TABLE cases")
    with pytest.raises(ValueError):
        listed.list_cases(limit=-1)
    assert listed.count_cases() == 5


def test_list_filters_and_count(listed: Store) -> None:
    assert ids(listed.list_cases(status=Status.ESCALATED, sort="id", descending=False)) == [2, 3, 5]
    assert ids(listed.list_cases(status=["draft", "resolved"], sort="id")) == [4, 1]
    assert ids(listed.list_cases(severity="critical")) == [2]
    assert ids(listed.list_cases(status="escalated", severity=["high", "medium"])) == [5, 3]
    assert ids(listed.list_cases(status=[])) == []
    assert listed.count_cases(status="escalated") == 3
    assert listed.count_cases(status="escalated", query="ech") == 1
    assert listed.count_cases(status=[]) == 0
    assert listed.count_cases(query="   ") == 5  # nothing searchable: no search filter


def test_list_paging(listed: Store) -> None:
    pages = [
        ids(listed.list_cases(sort="customer", descending=False, limit=2, offset=o))
        for o in (0, 2, 4, 6)
    ]
    assert pages == [[1, 4], [2, 3], [5], []]
    assert ids(listed.list_cases(limit=None)) == [5, 4, 3, 2, 1]


@pytest.mark.sqlite_only  # the SQLite plans and files
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_reads_an_index(listed: Store, sort: str, descending: bool) -> None:
    """No sort needs a full-table sort: each ORDER BY matches an index expression exactly."""
    conn = listed._conn
    assert conn is not None
    for filters in ({}, {"status": "escalated", "query": "ech"}):
        sql, params = listed._list_sql(conn, sort=sort, descending=descending, **filters)
        assert sql is not None
        if filters:  # few matches here: force the many-matches form to check its plan too
            sql, params = (
                sql.replace(" status IN", " +status IN").replace(" id IN", " +id IN"),
                params,
            )
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [*params, 100, 0])]
        assert not any("TEMP B-TREE" in step for step in plan), plan


@pytest.mark.sqlite_only  # the SQLite plans and files
@pytest.mark.parametrize(
    "filters",
    [
        {"status": "escalated"},
        {"query": "acm"},
        {"status": ["escalated", "draft"], "query": "ech"},
        {"severity": ["high", "critical"]},
    ],
)
def test_few_and_many_match_plans_agree(
    listed: Store, monkeypatch: pytest.MonkeyPatch, filters: dict[str, object]
) -> None:
    for sort in SORTS:
        for descending in (False, True):
            few = listed.list_cases(sort=sort, descending=descending, **filters)  # type: ignore[arg-type]
            monkeypatch.setattr(store_module, "_SMALL_MATCH", 0)
            many = listed.list_cases(sort=sort, descending=descending, **filters)  # type: ignore[arg-type]
            monkeypatch.setattr(store_module, "_SMALL_MATCH", 1000)
            assert ids(few) == ids(many) and few, (sort, descending)


@pytest.fixture
def searchable(store: Store, clock: Clock) -> Store:
    """Eight cases, most of them about exports, over every status and severity."""
    specs = [
        new_case(title="Export times out", customer="Acme"),
        escalated("critical", T0, title="Export stalls at 99%", customer="Globex"),
        escalated("medium", T0, title="Exports time out behind the proxy", customer="Initech"),
        new_case(title="Export timeout on large files", customer="Acme", status=Status.RESOLVED),
        escalated("high", T0, title="Expired certificate on export", customer="Umbrella"),
        new_case(title="Login loop", customer="Hooli"),
        escalated("high", T0 - timedelta(hours=1), title="Export timeout", customer="Stark"),
        new_case(title="Export button missing", customer="Wayne", status=Status.KEPT_IN_SUPPORT),
    ]
    for case in specs:
        clock.advance(hours=1)
        store.create(case)
    return store


@pytest.mark.sqlite_only  # the SQLite plans and files
@pytest.mark.parametrize(
    "filters",
    [
        {"query": "export "},  # a finished word
        {"query": "exp"},  # a three-letter prefix: the prefix index answers each lookup
        {"status": ["escalated", "draft"], "query": "export "},
        {"severity": ["high", "critical"], "query": "export "},
    ],
)
def test_row_by_row_lookups_and_reading_every_match_agree(
    searchable: Store, monkeypatch: pytest.MonkeyPatch, filters: dict[str, object]
) -> None:
    """Dense matches are looked up row by row as the sort index is walked (`EXISTS`); the rows
    and their order are those of reading every match first (`id IN`), on every page."""
    lookups: list[bool] = []
    where = Store._where

    def spy(*args: Any, **kwargs: Any) -> Any:
        lookups.append(bool(kwargs.get("lookup")))
        return where(*args, **kwargs)

    monkeypatch.setattr(Store, "_where", staticmethod(spy))
    monkeypatch.setattr(store_module, "_SMALL_MATCH", 0)
    for sort in SORTS:
        for descending in (False, True):
            for offset in (0, 1, 3):
                kwargs: dict[str, Any] = dict(sort=sort, descending=descending, limit=2, **filters)
                monkeypatch.setattr(store_module, "_LOOKUP_COST", 10**9)
                read = searchable.list_cases(offset=offset, **kwargs)
                assert lookups[-1] is False
                monkeypatch.setattr(store_module, "_LOOKUP_COST", 0)
                looked_up = searchable.list_cases(offset=offset, **kwargs)
                assert lookups[-1] is True
                assert ids(looked_up) == ids(read), (sort, descending, offset)
    assert len(searchable.list_cases(**filters)) > 2  # type: ignore[arg-type]


@pytest.mark.sqlite_only  # the SQLite plans and files
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(SORTS))
def test_row_by_row_lookups_walk_the_sort_index(
    listed: Store, monkeypatch: pytest.MonkeyPatch, sort: str, descending: bool
) -> None:
    conn = listed._conn
    assert conn is not None
    monkeypatch.setattr(store_module, "_SMALL_MATCH", 0)
    monkeypatch.setattr(store_module, "_LOOKUP_COST", 0)
    sql, params = listed._list_sql(conn, sort=sort, descending=descending, query="acme ", rows=20)
    assert sql is not None and "EXISTS" in sql
    plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [*params, 20, 0])]
    assert not any("TEMP B-TREE" in step for step in plan), plan


@pytest.mark.sqlite_only  # the SQLite plans and files
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"query": "export"},  # a prefix no index holds: read once into temp.search_hits
        {"query": "export ti"},
        {"query": "exp"},  # a prefix the index holds: asked of FTS as before
        {"query": "export "},
        {"query": "expor", "status": ["escalated", "draft"]},
        {"query": "expor", "severity": ["high", "critical"]},
        {"query": "zzzz"},
        {"status": "escalated"},
    ],
)
def test_a_page_is_the_count_and_the_rows_of_their_own_calls(
    searchable: Store, monkeypatch: pytest.MonkeyPatch, filters: dict[str, Any]
) -> None:
    for small in (1000, 0):  # the few-matches plan and the walk
        monkeypatch.setattr(store_module, "_SMALL_MATCH", small)
        for sort in ("updated_at", "title", "severity"):
            for descending in (False, True):
                for offset, cap in ((0, None), (2, None), (0, 2), (6, 1)):
                    order: dict[str, Any] = dict(sort=sort, descending=descending)
                    total, rows = searchable.page(
                        **filters, **order, limit=3, offset=offset, cap=cap
                    )
                    assert total == searchable.count_cases(**filters, cap=cap)
                    listed = searchable.list_cases(**filters, **order, limit=3, offset=offset)
                    assert ids(rows) == ids(listed), (sort, descending, offset)
    conn = searchable._conn
    assert conn is not None
    tables = [row[0] for row in conn.execute("SELECT name FROM temp.sqlite_master")]
    assert tables in ([], ["search_hits"])  # made by a page that needed it


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_a_page_reads_a_prefix_match_from_fts_once(searchable: Store) -> None:
    conn = searchable._conn
    assert conn is not None
    asked: list[str] = []
    conn.set_trace_callback(lambda sql: asked.append(sql) if "MATCH" in sql else None)
    try:
        total, rows = searchable.page(query="expor", limit=2)
    finally:
        conn.set_trace_callback(None)
    assert total == 7 and len(rows) == 2
    assert len([sql for sql in asked if "cases_fts MATCH" in sql]) == 1, asked


def _fts_reads(store: Store, pages: Callable[[], object]) -> int:
    conn = store._conn
    assert conn is not None
    asked: list[str] = []
    conn.set_trace_callback(lambda sql: asked.append(sql) if "cases_fts MATCH" in sql else None)
    try:
        pages()
    finally:
        conn.set_trace_callback(None)
    return len(asked)


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_the_pages_of_one_search_read_its_matches_once(searchable: Store) -> None:
    """Paging through a long search (a page is a screenful) merged the index on every page."""
    first = searchable.page(query="expor", limit=3)
    assert _fts_reads(searchable, lambda: searchable.page(query="expor", limit=3, offset=3)) == 0
    assert _fts_reads(searchable, lambda: searchable.page(query="expor", limit=3)) == 0
    assert searchable.page(query="expor", limit=3) == first
    assert _fts_reads(searchable, lambda: searchable.page(query="logi", limit=3)) == 1
    assert _fts_reads(searchable, lambda: searchable.page(query="expor", limit=3)) == 1


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_a_search_s_matches_are_read_again_once_a_case_changed(
    searchable: Store, playbook: Playbook
) -> None:
    assert searchable.page(query="expor", limit=10)[0] == 7
    case = searchable.get(6)  # "Login loop"
    searchable.save(case.model_copy(update={"title": "Login loop after export"}))
    assert searchable.page(query="expor", limit=10)[0] == 8  # a save of this store's
    with Store(searchable.path, playbook) as other:  # another window, or the CLI
        other.create(Escalation(title="Exported twice"))
    assert searchable.page(query="expor", limit=10)[0] == 9
    total, rows = searchable.page(query="expor", limit=10)
    assert total == 9 and ids(rows) == ids(searchable.list_cases(query="expor", limit=10))


def test_later_pages_and_a_case_that_stops_matching(searchable: Store) -> None:
    pages = [searchable.page(query="expor", limit=3, offset=offset) for offset in (0, 3, 6)]
    for offset, (total, rows) in zip((0, 3, 6), pages, strict=True):
        assert total == 7
        assert ids(rows) == ids(searchable.list_cases(query="expor", limit=3, offset=offset))
    case = searchable.get(pages[0][1][0].id)
    searchable.save(case.model_copy(update={"title": "Login loop", "component": ""}))
    total, rows = searchable.page(query="expor", limit=10)
    assert total == 6 and case.id not in ids(rows)


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_a_commit_elsewhere_during_a_read_is_seen_by_the_next_page(
    searchable: Store, playbook: Playbook
) -> None:
    """A page reads in one transaction: a commit that lands while its matches are read is not
    in them, nor taken as seen; the next page reads them again."""
    conn = searchable._conn
    assert conn is not None
    other = Store(searchable.path, playbook)
    committed: list[bool] = []

    def meanwhile(sql: str) -> None:
        if "INSERT INTO temp.search_hits" in sql and not committed:
            committed.append(True)
            other.create(Escalation(title="Exported twice"))

    conn.set_trace_callback(meanwhile)
    try:
        assert searchable.page(query="expor", limit=10)[0] == 7  # its own moment
    finally:
        conn.set_trace_callback(None)
        other.close()
    assert committed and searchable.page(query="expor", limit=10)[0] == 8


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_a_page_recovers_when_its_matches_table_is_gone(searchable: Store) -> None:
    conn = searchable._conn
    assert conn is not None
    expected = searchable.page(query="expor", limit=4)
    conn.execute("DROP TABLE temp.search_hits")  # as a change of PRAGMA temp_store would
    with pytest.raises(StoreError):
        searchable.page(query="expor", limit=4)
    assert searchable.page(query="expor", limit=4) == expected


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_a_search_whose_read_failed_is_read_again(
    searchable: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = searchable._conn
    assert conn is not None
    expected = searchable.page(query="expor", limit=4)
    searchable.page(query="logi", limit=4)

    def half_read(conn: sqlite3.Connection, match: str) -> object:
        conn.execute("DELETE FROM temp.search_hits")
        conn.execute("INSERT INTO temp.search_hits VALUES (1), (6)")
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(Store, "_read_hits", staticmethod(half_read))
    with pytest.raises(StoreError):
        searchable.page(query="expor", limit=4)
    monkeypatch.undo()
    total, rows = searchable.page(query="logi", limit=4)
    assert total == 1 and [row.title for row in rows] == ["Login loop"]  # not what was left
    assert searchable.page(query="expor", limit=4) == expected


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_a_page_of_a_read_only_store(searchable: Store, playbook: Playbook) -> None:
    with Store(searchable.path, playbook, readonly=True) as readonly:
        assert readonly.page(query="expor", limit=10) == searchable.page(query="expor", limit=10)


@pytest.mark.parametrize(
    ("match", "cheap"),
    [
        ('"the"', True),  # words, no prefix: one entry each
        ('"export" "timeout"', True),
        ('"exp"*', True),  # the prefix index's length
        ('"export" "tim"*', True),
        ('"expo"*', False),  # a merge of every word starting "expo", on each lookup
        ('"ex"*', False),
        ('"export" "t"*', False),
        ('"foo-bar"*', True),  # FTS splits the chunk: "bar" is the prefix
        ('"say ""hi"""*', False),
        ('"naïve"*', False),  # four letters
        ('"café"', True),
    ],
)
def test_lookup_cheap(match: str, cheap: bool) -> None:
    assert lookup_cheap(match) is cheap


def test_row_overdue(listed: Store) -> None:
    row = listed.list_cases(severity="critical")[0]
    assert row.due_latest is not None
    assert not row.overdue(row.due_latest)
    assert row.overdue(row.due_latest + timedelta(seconds=1))
    assert not listed.list_cases(status="draft")[0].overdue(T0 + timedelta(days=999))


def test_count_with_a_cap_stops_past_it(listed: Store) -> None:
    everything = listed.count_cases()
    assert everything > 3
    assert listed.count_cases(cap=2) == 3  # over the cap: cap + 1
    drafts = listed.count_cases(status="draft")
    assert listed.count_cases(status="draft", cap=1) == min(drafts, 2)
    assert listed.count_cases(status="draft", cap=drafts) == drafts  # not over: exact
    found = listed.count_cases(query="acm")
    assert found and listed.count_cases(query="acm", cap=found) == found
    assert listed.count_cases(query="acm", cap=0) == 1  # over 0: "more than none"


def test_count_overdue_agrees_with_the_rows(listed: Store) -> None:
    rows = listed.list_cases(limit=None)
    dues = sorted({row.due_latest for row in rows if row.due_latest is not None})
    assert dues
    offsets = (timedelta(seconds=-1), timedelta(0), timedelta(microseconds=1), timedelta(days=1))
    for moment in [T0, *(due + offset for due in dues for offset in offsets)]:
        expected = sum(row.overdue(moment) for row in rows)
        assert listed.count_overdue(moment) == expected, moment
    # Another zone is the same moment.
    later = dues[-1] + timedelta(seconds=1)
    assert listed.count_overdue(later.astimezone(timezone(timedelta(hours=-5)))) == sum(
        row.overdue(later) for row in rows
    )


def test_a_kept_count_follows_every_change(
    listed: Store, db_target: Any, playbook: Playbook, clock: Clock, backend: str
) -> None:
    """The list asks for the open count with every search: it is kept, until a case changes,
    by this store or (on the file) by another connection."""
    open_statuses = ("draft", "escalated")
    before = listed.count_cases(status=open_statuses)
    assert listed.count_cases(status=list(open_statuses)) == before  # the same filter, kept
    listed.create(new_case(title="foxtrot"))
    assert listed.count_cases(status=open_statuses) == before + 1
    if backend != "sqlite":
        return  # another agent's change: the team store's notifications (tests/team)
    from workbench.store import open_store

    with open_store(db_target, playbook, clock=clock) as other:
        other.create(new_case(title="golf"))
        other.create(escalated("high", T0, title="hotel"))
    assert listed.count_cases(status=open_statuses) == before + 3
    assert listed.count_cases(status="escalated") == listed.count_cases(status=("escalated",))
