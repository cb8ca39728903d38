"""Search: every text field is found, the index follows updates, and any typed text searches
without error."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.helpers import T0, Clock, ids, new_case
from workbench.models import LogEntry, LogKind, ResolutionRecord
from workbench.playbook import Playbook
from workbench.store import Store


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
