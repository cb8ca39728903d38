"""The case store's records: create, get and save, the per-field event log, optimistic saves
(a stale revision is refused) and one transaction per save."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.store.helpers import T0, Clock, escalated, ids, new_case
from workbench.models import ReproStep, Severity
from workbench.playbook import Playbook
from workbench.store import CaseNotFound, StaleCaseError, Store, StoreError
from workbench.store import queries as store_module


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
