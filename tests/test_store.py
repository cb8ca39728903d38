"""The case store: CRUD, the per-field event log, optimistic saves, search, the list, and the file
itself (permissions, WAL, locks, read-only, backup)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.models import (
    Escalation,
    EscalationRecord,
    LogEntry,
    LogKind,
    Override,
    ReproStep,
    ResolutionRecord,
    Severity,
    Status,
)
from workbench.playbook import Playbook, default_playbook
from workbench.store import (
    SORTS,
    CaseNotFound,
    CorruptDatabaseError,
    DatabaseLockedError,
    ReadOnlyError,
    StaleCaseError,
    Store,
    StoreError,
    default_db_path,
    diff_documents,
    flatten,
    fts_query,
    lookup_cheap,
    open_store,
    pack_document,
    resolve_db_path,
    unpack_document,
)
from workbench.store import queries as store_module
from workbench.vocab import OPEN_STATUSES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class Clock:
    """A fixed clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def playbook() -> Playbook:
    return default_playbook()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "workbench.db"


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """The file is `db_path` (in a folder not made yet); a team database is the test's own."""
    if backend == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return tmp_path / "data" / "workbench.db"


@pytest.fixture
def store(db_target: Path | str, playbook: Playbook, clock: Clock) -> Iterator[Store]:
    """The store on both backends (`backend`): the local file, and a team database."""
    with open_store(db_target, playbook, clock=clock) as opened:
        yield opened  # type: ignore[misc]


def new_case(**fields: object) -> Escalation:
    fields.setdefault("created_at", T0 - timedelta(days=1))
    return Escalation.model_validate(fields)


def escalated(severity: str, sent_at: datetime, **fields: object) -> Escalation:
    case = new_case(**fields)
    case.status = Status.ESCALATED
    case.severity_override = Override(value=severity, reason="agreed with the customer", at=T0)
    case.escalation = EscalationRecord(destination="engineering", sent_at=sent_at)
    case.routed_to = ["engineering"]
    return case


def ids(rows: list[store_module.CaseRow]) -> list[int]:
    return [row.id for row in rows]


# -- create / get / save ------------------------------------------------------------------------------
def test_create_assigns_id_and_revision_and_logs_creation(store: Store, clock: Clock) -> None:
    first = store.create(new_case(title="Export fails", id=77, revision=5))
    second = store.create(new_case(title="Login loop"))
    assert (first.id, first.revision, second.id) == (1, 1, 2)
    assert first.updated_at == clock.now
    assert first.created_at == T0 - timedelta(days=1)  # kept: an import keeps its original time
    assert store.get(1) == first
    [event] = store.events(1)
    assert (event.field, event.old, event.new_value, event.at) == (
        "created",
        None,
        "Export fails",
        clock.now,
    )


def test_get_unknown_case(store: Store) -> None:
    with pytest.raises(CaseNotFound, match="no case with id 9"):
        store.get(9)
    with pytest.raises(CaseNotFound):
        store.events(9)


def test_save_writes_one_event_per_changed_leaf(store: Store, clock: Clock) -> None:
    case = store.create(new_case(title="Export fails"))
    case.title = "CSV export fails"
    case.reproduction.steps = [ReproStep(action="Click Export", literal_input="Q3 report")]
    case.impact.customers_affected = 12
    at = clock.advance(minutes=5)
    saved = store.save(case)
    assert (saved.revision, saved.updated_at) == (2, at)
    assert store.get(saved.id or 0) == saved
    changes = {e.field: (e.old, e.new) for e in store.events(1)[1:]}
    assert changes == {
        "title": ('"Export fails"', '"CSV export fails"'),
        "reproduction.steps.0.action": (None, '"Click Export"'),
        "reproduction.steps.0.literal_input": (None, '"Q3 report"'),
        "impact.customers_affected": ("null", "12"),
    }
    assert all(e.at == at for e in store.events(1)[1:])

    saved.reproduction.steps = []
    saved.title = 'He said "hi"\nthen left'
    clock.advance(minutes=1)
    store.save(saved)
    changes = {e.field: (e.old_value, e.new) for e in store.events(1)[5:]}
    assert changes == {
        "title": ("CSV export fails", json.dumps('He said "hi"\nthen left')),
        "reproduction.steps.0.action": ("Click Export", None),
        "reproduction.steps.0.literal_input": ("Q3 report", None),
    }


def test_save_without_changes_writes_nothing(store: Store, clock: Clock) -> None:
    case = store.create(new_case(title="Same"))
    clock.advance(hours=1)
    again = store.save(case)
    assert again == case and again.revision == 1
    assert len(store.events(1)) == 1


def test_stale_revision_is_refused(store: Store) -> None:
    created = store.create(new_case(title="Original"))
    window_a = store.get(created.id or 0)
    window_b = store.get(created.id or 0)
    window_a.title = "Edited in window A"
    store.save(window_a)
    window_b.title = "Edited in window B"
    with pytest.raises(StaleCaseError, match="another window or process") as info:
        store.save(window_b)
    assert "\n" not in str(info.value)
    assert store.get(1).title == "Edited in window A"
    assert len(store.events(1)) == 2


def test_stale_revision_across_connections(store: Store, db_path: Path, playbook: Playbook) -> None:
    """Two processes (two connections) on one file: the later save from an old copy is refused."""
    case = store.create(new_case(title="shared"))
    with Store(db_path, playbook, clock=Clock()) as other:
        theirs = other.get(1)
        theirs.customer = "Globex"
        other.save(theirs)
    case.customer = "Initech"
    with pytest.raises(StaleCaseError):
        store.save(case)
    assert store.get(1).customer == "Globex"


def test_save_is_one_transaction(store: Store, db_path: Path) -> None:
    case = store.create(new_case(title="Before", customer="Acme"))
    other = sqlite3.connect(db_path)
    other.execute(
        "CREATE TRIGGER fail_title BEFORE INSERT ON events WHEN new.field = 'title' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    other.commit()
    other.close()
    case.customer = "Globex"
    case.title = "After"
    with pytest.raises(StoreError, match="boom"):
        store.save(case)
    assert store.get(1).customer == "Acme"  # the case update was rolled back with the event
    assert store.get(1).revision == 1
    assert [e.field for e in store.events(1)] == ["created"]
    assert ids(store.list_cases(query="Globex")) == []


def test_failing_rule_does_not_lose_the_edit(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    case = store.create(escalated("critical", T0, title="Keep me"))
    assert store.list_cases()[0].severity == Severity.CRITICAL

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("rule bug")

    monkeypatch.setattr("workbench.rules.summary.summarize", broken)
    case.title = "Still saved"
    assert store.save(case).title == "Still saved"
    row = store.list_cases()[0]
    assert (row.title, row.severity, row.next_due) == ("Still saved", None, None)


def test_save_needs_a_created_case(store: Store) -> None:
    with pytest.raises(ValueError):
        store.save(new_case())
    with pytest.raises(CaseNotFound):
        store.save(new_case(id=5, revision=1))


def test_events_are_append_only(store: Store, db_path: Path) -> None:
    store.create(new_case(title="x"))
    conn = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE events SET new = '\"y\"'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM events")
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    finally:
        conn.close()


def test_all_cases_in_batches(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_ALL_CASES_BATCH", 2)
    for n in range(5):
        store.create(new_case(title=f"case {n}"))
    assert [c.title for c in store.all_cases()] == [f"case {n}" for n in range(5)]


def test_closed_store_refuses(store: Store) -> None:
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.list_cases()


# -- pure helpers -------------------------------------------------------------------------------------
def test_flatten_and_diff() -> None:
    doc = {"a": {"b": [1, {"c": None}], "e": []}, "f": "x"}
    assert flatten(doc) == {"a.b.0": 1, "a.b.1.c": None, "f": "x"}
    assert diff_documents(
        {"n": 1, "k": True, "revision": 1}, {"n": 1.0, "k": 1, "revision": 2}
    ) == [
        ("n", "1", "1.0"),
        ("k", "true", "1"),
    ]


def _reference_diff(
    old: dict[str, object], new: dict[str, object]
) -> list[tuple[str, str | None, str | None]]:
    """The plain definition: flatten both, compare every leaf's JSON."""
    import json

    def enc(value: object) -> str | None:
        return None if value is _ABSENT else json.dumps(value, ensure_ascii=False)

    before, after = flatten(old), flatten(new)
    changes = []
    for path in [*after, *(p for p in before if p not in after)]:
        if path.split(".", 1)[0] in ("revision", "updated_at"):
            continue
        was, now = enc(before.get(path, _ABSENT)), enc(after.get(path, _ABSENT))
        if was != now:
            changes.append((path, was, now))
    return changes


_ABSENT = object()
_json_leaves = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, 1.0, 2.5])
_json_leaves |= st.sampled_from(["", "a", "b", "é"])
_json = st.recursive(
    _json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c", "revision"]), inner, max_size=3)
    ),
    max_leaves=12,
)
_docs = st.dictionaries(st.sampled_from(["a", "b", "c", "revision", "updated_at"]), _json)


@given(old=_docs, new=_docs)
@settings(max_examples=400, deadline=None)
def test_diff_is_the_leaf_by_leaf_comparison(
    old: dict[str, object], new: dict[str, object]
) -> None:
    assert diff_documents(old, new) == _reference_diff(old, new)


@given(doc=_docs, data=st.data())
@settings(max_examples=200, deadline=None)
def test_diff_of_a_small_edit_is_that_edit(doc: dict[str, object], data: st.DataObject) -> None:
    import copy

    edited = copy.deepcopy(doc)
    edited["c"] = data.draw(_json)
    assert diff_documents(doc, edited) == _reference_diff(doc, edited)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("export fai", '"export" "fai"*'),
        ("export fails ", '"export" "fails"'),
        ('say "hi', '"say" """hi"'),
        ('say "hiya', '"say" """hiya"*'),
        ("title:x OR y*", '"title:x" "OR" "y*"'),
        ("title:x OR yz*", '"title:x" "OR" "yz*"'),
        ("title:x OR xyz*", '"title:x" "OR" "xyz*"*'),
        ("  - ) ", None),
        ("", None),
        ("a\x00b", '"a" "b"'),
        ("e", '"e"'),  # one letter is a word, not a prefix that matches every case
        ("ex", '"ex"'),  # two letters: still a word
        ("exp", '"exp"*'),
        ("export t", '"export" "t"'),
        ("4", '"4"'),
        ("429", '"429"*'),
        ("the", '"the"'),  # in nearly every case: a word, not "the*"
        ("The", '"The"'),
        ("theme", '"theme"*'),
        ("timeout the", '"timeout" "the"'),
        ("the,", '"the,"'),  # the last word decides, not the punctuation around it
        ("PAY-1", '"PAY-1"'),  # "PAY" "1": a one-digit prefix would match most cases
        ("PAY-123", '"PAY-123"*'),
    ],
)
def test_fts_query(text: str, expected: str | None) -> None:
    assert fts_query(text) == expected


def test_fts_query_as_a_prefix_on_request() -> None:
    assert fts_query("hp", prefix=True) == '"hp"*'
    assert fts_query("the", prefix=True) == '"the"*'
    assert fts_query("hp ", prefix=True) == '"hp"'  # a finished word stays a word
    assert fts_query("export", prefix=False) == '"export"'


def test_short_and_common_words_fall_back_to_a_prefix_when_nothing_matches(
    store: Store,
) -> None:
    """Found in review: "hp" (HPE), "50" (502) and "out" (Outage) found nothing while typed."""
    store.create(new_case(title="Gateway returns 502 after deploy", customer="HPE"))
    store.create(new_case(title="Outage in the EU region", customer="Initech"))
    store.create(new_case(title="Invoice totals wrong", customer="Globex"))
    for typed, title in [
        ("hp", "Gateway returns 502 after deploy"),
        ("50", "Gateway returns 502 after deploy"),
        ("out", "Outage in the EU region"),
        ("gateway 50", "Gateway returns 502 after deploy"),
    ]:
        rows = store.list_cases(query=typed)
        assert [row.title for row in rows] == [title], typed
        assert store.count_cases(query=typed) == 1, typed
    assert store.list_cases(query="hp ") == []  # a finished word is not a prefix
    assert store.count_cases(query="in") == 1  # "in" is a word here: no fallback needed


def test_a_prefix_fallback_keeps_its_meaning_under_filters_pages_and_known_counts(
    store: Store,
) -> None:
    """The words as typed are tried first, and widened to a prefix only when they match no case
    at all: not when a filter, or a page past the end, leaves nothing to show. A count kept from
    a widened search pages the widened search."""
    for n in range(3):
        store.create(new_case(title=f"Outage in region {n}", customer="Initech"))
    store.create(new_case(title="Log out fails", customer="Acme", status=Status.RESOLVED))
    # "out" is a word of the resolved case: among the open ones it finds nothing, and is not
    # widened to "Outage" for that.
    assert store.page(query="out", status=list(OPEN_STATUSES), cap=100) == (0, [])
    assert store.count_cases(query="out", status=list(OPEN_STATUSES)) == 0
    total, rows = store.page(query="out", cap=100)
    assert (total, [row.title for row in rows]) == (1, ["Log out fails"])
    # "ou" is no word of any case: widened to a prefix, counted, then paged with the count kept.
    first = store.page(query="ou", cap=100, limit=2, sort="id", descending=False)
    assert (first[0], [row.title for row in first[1]]) == (
        4,
        ["Outage in region 0", "Outage in region 1"],
    )
    total, rows = store.page(query="ou", cap=100, limit=2, offset=2, sort="id", descending=False)
    assert (total, [row.title for row in rows]) == (4, ["Outage in region 2", "Log out fails"])
    assert store.page(query="ou", cap=100, limit=2, offset=4) == (4, [])  # past the end
    assert store.count_cases(query="ou") == 4
    assert [r.title for r in store.list_cases(query="ou", limit=1, offset=3, sort="id")] == [
        "Outage in region 0"
    ]


# -- packed documents ---------------------------------------------------------------------------------
def test_documents_are_stored_packed_and_read_plain_or_packed(store: Store, db_path: Path) -> None:
    case = store.create(new_case(title="Packed", narrative="words " * 400))
    conn = sqlite3.connect(db_path)
    (data,) = conn.execute("SELECT data FROM cases WHERE id = ?", (case.id,)).fetchone()
    assert isinstance(data, bytes) and len(data) < len(case.model_dump_json()) / 3
    assert unpack_document(data) == case.model_dump_json()
    # a row written plain (before schema 3) reads the same, and is packed when saved again
    conn.execute("UPDATE cases SET data = ? WHERE id = ?", (case.model_dump_json(), case.id))
    conn.commit()
    assert store.get(case.id or 0) == case
    case.title = "Packed again"
    store.save(case)
    assert isinstance(conn.execute("SELECT data FROM cases").fetchone()[0], bytes)
    conn.close()


def test_a_packed_document_that_does_not_unpack_is_a_damaged_database(
    store: Store, db_path: Path
) -> None:
    case = store.create(new_case(title="Soon damaged"))
    packed = pack_document(case.model_dump_json())
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE cases SET data = ? WHERE id = ?", (packed[:-6] + b"garble", case.id))
    conn.commit()
    conn.close()
    with pytest.raises(CorruptDatabaseError, match="cannot be read"):
        store.get(case.id or 0)
    with pytest.raises(ValueError, match="neither text nor packed"):
        unpack_document(42)


# -- search -------------------------------------------------------------------------------------------
def test_search_covers_every_text_field(store: Store, clock: Clock) -> None:
    case = new_case(
        title="Zebra title",
        customer="Müller GmbH",
        component="billingengine",
        narrative="Narrative mentions kangaroo.",
        log=[LogEntry(at=T0, kind=LogKind.NOTE, summary="called walrus team")],
    )
    case.reproduction.observed = "Observed a 503 gateway error"
    case.resolution = ResolutionRecord(lessons_learned="lessons about quokkas")
    store.create(case)
    store.create(new_case(title="Unrelated"))
    for query in [
        "zebra",
        "muller",
        "Müll",
        "billingeng",
        "kangaroo",
        "503 gate",
        "walrus",
        "quokkas",
    ]:
        assert ids(store.list_cases(query=query)) == [1], query
        assert store.count_cases(query=query) == 1


def test_search_follows_updates_and_prefix(store: Store) -> None:
    case = store.create(new_case(title="Printer on fire"))
    assert ids(store.list_cases(query="pri")) == [1]
    assert ids(store.list_cases(query="pri ")) == []  # a finished word is matched whole
    case.title = "Scanner jammed"
    store.save(case)
    assert ids(store.list_cases(query="printer")) == []
    assert ids(store.list_cases(query="scanner jam")) == [1]
    assert ids(store.list_cases(query="jammed scanner")) == [1]  # words in any order
    assert ids(store.list_cases(query="scanner printer")) == []  # every word is required


@pytest.mark.parametrize(
    "query",
    ['"', "'", '"unbalanced', "a AND", "NOT", "NEAR(a b)", "title:x", "*", "(", "a -b", "^a"],
)
def test_search_with_fts_syntax_never_raises(store: Store, query: str) -> None:
    store.create(new_case(title='He said "NOT" (really) AND title:x -b ^a'))
    store.list_cases(query=query)
    store.count_cases(query=query)


def test_search_text_property(tmp_path: Path, playbook: Playbook) -> None:
    """Any typed text searches without error; a title is found by any of its own words."""
    with Store(tmp_path / "h.db", playbook, clock=Clock()) as hstore:
        hstore.create(new_case(title="quotes \" and ' and \\ and \x00 NUL"))

        @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.text())
        def never_raises(query: str) -> None:
            rows = hstore.list_cases(query=query, limit=5)
            assert hstore.count_cases(query=query) >= len(rows)

        never_raises()

        letters = st.characters(
            categories=("L", "N", "P", "Zs", "S"), max_codepoint=0x4FF, exclude_characters="\x00"
        )

        def words_of(text: str, data: st.DataObject) -> str | None:
            chunks = [c for c in text.split() if any(ch.isalnum() for ch in c)]
            if not chunks:
                return None
            return " ".join(data.draw(st.lists(st.sampled_from(chunks), min_size=1, max_size=3)))

        texts = st.text(letters, min_size=1, max_size=40)

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(texts, texts, st.data())
        def finds_own_words(first: str, second: str, data: st.DataObject) -> None:
            case = hstore.create(new_case(title=first))
            query = words_of(first, data)
            if query is not None:
                assert case.id in ids(hstore.list_cases(query=query, limit=None))
            case.narrative = second  # and after an update
            hstore.save(case)
            query = words_of(second, data)
            if query is not None:
                assert case.id in ids(hstore.list_cases(query=query, limit=None))

        finds_own_words()


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


# -- the file -----------------------------------------------------------------------------------------
def test_file_permissions(store: Store, db_path: Path) -> None:
    store.create(new_case(title="private"))
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_path}{suffix}")
        assert path.exists(), suffix
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, suffix


def test_wal_and_foreign_keys(store: Store, db_path: Path) -> None:
    conn = store._conn
    assert conn is not None
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute("INSERT INTO events (case_id, at, field) VALUES (99, 'x', 'y')")
    reader = sqlite3.connect(db_path)
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # stored in the file
    reader.close()


def test_locked_database(store: Store, db_path: Path, playbook: Playbook) -> None:
    store.create(new_case(title="one"))
    store.close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE cases SET title = title")
    try:
        second = Store(db_path, playbook, busy_timeout=0.05)
        assert second.get(1).title == "one"  # WAL: reading goes on beside a writer
        started = time.monotonic()
        with pytest.raises(DatabaseLockedError) as info:
            second.create(new_case(title="two"))
        assert time.monotonic() - started < 1.0
        assert str(info.value) == f"the database is locked by another process: {db_path}"
        other.execute("ROLLBACK")
        assert second.create(new_case(title="two")).id == 2  # nothing half-written
        second.close()
    finally:
        other.close()


def test_locked_database_on_open(store: Store, db_path: Path, playbook: Playbook) -> None:
    store.close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLockedError):
            Store(db_path, playbook, busy_timeout=0.05)
    finally:
        other.close()


def test_readonly_store(store: Store, db_path: Path, playbook: Playbook) -> None:
    created = store.create(new_case(title="read me"))
    ro = Store(db_path, playbook, readonly=True)
    try:
        assert ro.readonly and not store.readonly
        assert ro.get(1) == created
        assert ids(ro.list_cases(query="read")) == [1]
        with pytest.raises(ReadOnlyError, match="read-only"):
            ro.create(new_case(title="no"))
        with pytest.raises(ReadOnlyError):
            ro.save(created)
        store.save(created.model_copy(update={"title": "changed elsewhere"}))
        assert ro.get(1).title == "changed elsewhere"  # sees others' commits
    finally:
        ro.close()


def test_readonly_detected_from_file_mode(store: Store, db_path: Path, playbook: Playbook) -> None:
    store.create(new_case(title="locked down"))
    store.close()
    db_path.chmod(0o400)
    try:
        with Store(db_path, playbook) as ro:
            assert ro.readonly
            assert ro.get(1).title == "locked down"
            with pytest.raises(ReadOnlyError):
                ro.create(new_case())
    finally:
        db_path.chmod(0o600)


def test_readonly_directory(store: Store, db_path: Path, playbook: Playbook) -> None:
    store.create(new_case(title="in a read-only dir"))
    store.close()  # the last connection removes -wal and -shm
    db_path.parent.chmod(0o500)
    try:
        with Store(db_path, playbook) as ro:
            assert ro.readonly
            assert ro.get(1).title == "in a read-only dir"
    finally:
        db_path.parent.chmod(0o700)


def test_open_errors_are_one_line(tmp_path: Path, playbook: Playbook) -> None:
    with pytest.raises(StoreError, match="no database"):
        Store(tmp_path / "missing.db", playbook, readonly=True)
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path, playbook)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create") as info:
        Store(blocker / "sub" / "w.db", playbook)
    assert "\n" not in str(info.value)


@pytest.mark.sqlite_only  # the SQLite plans and files
def test_backup(store: Store, tmp_path: Path, playbook: Playbook) -> None:
    store.create(new_case(title="backed up"))
    dest = store.backup(tmp_path / "backups" / "copy.db")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    with Store(dest, playbook, readonly=True) as copy:
        assert [c.title for c in copy.all_cases()] == ["backed up"]
        assert len(copy.events(1)) == 1
    with pytest.raises(StoreError, match="already exists"):
        store.backup(dest)
    store.create(new_case(title="second"))
    store.backup(dest, overwrite=True)
    with Store(dest, playbook, readonly=True) as copy:
        assert copy.count_cases() == 2
    with pytest.raises(StoreError, match="onto itself"):
        store.backup(store.path)


def test_resolve_db_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(tmp_path / "cli.db") == tmp_path / "cli.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.setenv("WORKBENCH_DB", "")
    assert resolve_db_path(None) == default_db_path()
    assert default_db_path().parent.name == "escalation-workbench"
    assert os.path.isabs(default_db_path())


@pytest.mark.parametrize(
    "target",
    ["postgresql:/team/cases", "postgres:alice@db/cases", Path("postgresql://alice@db/cases")],
)
def test_a_url_that_lost_its_slashes_is_refused_not_made_a_file(
    target: Path | str, playbook: Playbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in the URL (or a URL passed through a Path, which folds "//") once made a new,
    empty SQLite file under ./postgresql:/ and the app showed no cases."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=r"neither a file nor a team database's URL"):
        open_store(target, playbook)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_only  # the SQLite statements
def test_a_save_sets_only_the_list_columns_it_changes(store: Store, clock: Clock) -> None:
    """Each list column is in an index or two, and SQLite rewrites an index's entry for every
    column an UPDATE sets, changed or not: a save sets those that changed, and afterwards every
    column is what the case derives, as if all had been set."""
    from workbench.store.columns import DERIVED, derive_columns

    case = store.create(escalated("high", T0, title="Export stalls", customer="Acme"))
    conn = store._conn
    assert conn is not None
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:

        def saved_and_set(change: Callable[[Escalation], None]) -> set[str]:
            nonlocal case
            statements.clear()
            clock.advance(minutes=5)
            change(case)
            case = store.save(case)
            # (the trace names the statement again for each step of its triggers)
            update = next(s for s in statements if s.startswith("UPDATE cases SET"))
            assigned = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
            row = conn.execute(
                f"SELECT {', '.join(DERIVED)} FROM cases WHERE id = ?", (case.id,)
            ).fetchone()
            assert dict(zip(DERIVED, row, strict=True)) == derive_columns(
                case, lambda: store.playbook, case.updated_at
            )
            return {part.split(" = ")[0].strip() for part in assigned.split(",")}

        # Text the search reads: the document, its time and the search text, no other column.
        assert saved_and_set(lambda c: setattr(c, "narrative", "Seen again.")) == {
            "revision", "data", "updated_at", "search_text"
        }  # fmt: skip
        assert saved_and_set(lambda c: setattr(c, "title", "Export stalls at 99%")) == {
            "revision", "data", "updated_at", "title"
        }  # fmt: skip
        assert saved_and_set(lambda c: setattr(c, "status", Status.RESOLVED)) >= {
            "revision", "data", "updated_at", "status"
        }  # fmt: skip
    finally:
        conn.set_trace_callback(None)


@pytest.mark.sqlite_only  # the SQLite statements
def test_a_save_diffs_against_the_document_it_saved_last_unless_it_changed_since(
    store: Store, playbook: Playbook, clock: Clock
) -> None:
    """The next save of the case just saved does not read its document back (the keystrokes of
    one field, one after another); a save from elsewhere in between (another window, the CLI)
    makes it read the row again, so the events say what changed since that save."""
    case = store.create(new_case(title="Export stalls", customer="Acme"))
    assert case.id is not None
    conn = store._conn
    assert conn is not None
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        clock.advance(minutes=1)
        case = store.save(case.model_copy(update={"narrative": "One."}))
        clock.advance(minutes=1)
        statements.clear()
        case = store.save(case.model_copy(update={"narrative": "One. Two."}))
        assert not [s for s in statements if s.startswith("SELECT data")]
        other = Store(store.path, playbook, clock=clock)  # another window on the same file
        try:
            clock.advance(minutes=1)
            other.save(other.get(case.id).model_copy(update={"title": "Export stalls at 99%"}))
        finally:
            other.close()
        clock.advance(minutes=1)
        statements.clear()
        mine = store.get(case.id).model_copy(update={"narrative": "One. Two. Three."})
        store.save(mine)
        assert [s for s in statements if s.startswith("SELECT data")]
    finally:
        conn.set_trace_callback(None)
    changes = [(e.field, e.old, e.new) for e in store.events(case.id) if e.field != "created"]
    assert changes[-3:] == [
        ("narrative", '"One."', '"One. Two."'),
        ("title", '"Export stalls"', '"Export stalls at 99%"'),
        ("narrative", '"One. Two."', '"One. Two. Three."'),
    ]
