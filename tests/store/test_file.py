"""The file itself (permissions, WAL, locks, read-only, backup, where it lives) and the
statements a save runs on it."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.store.helpers import T0, Clock, escalated, ids, new_case
from workbench.models import Escalation, Status
from workbench.playbook import Playbook
from workbench.store import (
    DatabaseLockedError,
    ReadOnlyError,
    Store,
    StoreError,
    default_db_path,
    open_store,
    resolve_db_path,
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
