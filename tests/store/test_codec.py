"""The store's pure helpers (flattening and diffing documents, the FTS query typed text becomes
and its fallback to a prefix) and the packed documents it stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store.helpers import new_case
from workbench.models import Status
from workbench.store import (
    CorruptDatabaseError,
    Store,
    diff_documents,
    flatten,
    fts_query,
    pack_document,
    unpack_document,
)
from workbench.vocab import OPEN_STATUSES


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
