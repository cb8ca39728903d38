"""WAL checkpoints on the checkpointer's thread: the store's commits no longer copy the log back
into the file themselves (at the default threshold, one save or import in thirty did, for 50 ms at
100,000 cases), and what they write is still checkpointed, by the thread, once writing pauses."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from workbench.models import Escalation
from workbench.playbook import default_playbook
from workbench.store import Store, checkpointer
from workbench.store.checkpointer import BACKSTOP, Checkpointer

WAIT = 10.0  # seconds: what a test waits at most for the thread (a failure, never a sleep)
PAGE = 4096


def case(narrative: str = "") -> Escalation:
    return Escalation(title="Exports time out", narrative=narrative, created_at=datetime.now(UTC))


def wal_pages(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size // PAGE if wal.exists() else 0


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "workbench.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store(db, default_playbook()) as opened:
        yield opened


def test_commits_past_the_default_threshold_leave_the_checkpoint_to_the_thread(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpointer, "QUIET", 3600.0)  # the thread never gets to it here
    with Store(db, default_playbook()) as store:
        big = "The export job stalls after the first batch. " * 4000  # about 180 KB a case
        for _ in range(25):  # about 2,000 pages of log
            store.create(case(big))
        # SQLite's default (1000 pages) would have checkpointed inside a commit and started the
        # log again from its beginning: the file would not have grown past it.
        assert 1200 < wal_pages(db) < BACKSTOP
        assert store._checkpointer is not None and store._checkpointer.checkpoints == 0


def test_what_a_save_wrote_is_checkpointed_by_the_thread(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpointer, "QUIET", 0.0)
    with Store(db, default_playbook()) as store:
        worker = store._checkpointer
        assert worker is not None
        worker.done.clear()
        created = store.create(case())
        assert worker.done.wait(WAIT)
        assert worker.failures == 0
        busy, frames, copied = worker.last or (-1, -1, -1)
        assert busy == 0 and frames > 0 and copied == frames
        # The case is in the file itself now: a reader that ignores the log sees it.
        reader = sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True)
        try:
            titles = reader.execute("SELECT title FROM cases WHERE id = ?", (created.id,))
            assert titles.fetchone() == ("Exports time out",)
        finally:
            reader.close()


def test_a_store_that_only_reads_starts_no_thread(db: Path) -> None:
    with Store(db, default_playbook()) as store:
        store.create(case())
    before = {thread.ident for thread in threading.enumerate()}
    with Store(db, default_playbook()) as store:
        store.list_cases()
        store.list_cases(query="exports")
        assert store._checkpointer is not None and store._checkpointer._thread is None
    assert {thread.ident for thread in threading.enumerate()} == before
    with Store(db, default_playbook(), readonly=True) as store:
        assert store._checkpointer is None


def test_close_stops_the_thread_and_the_last_connection_removes_the_wal(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpointer, "QUIET", 0.0)
    store = Store(db, default_playbook())
    worker = store._checkpointer
    assert worker is not None
    worker.done.clear()
    store.create(case())
    assert worker.done.wait(WAIT)
    thread = worker._thread
    assert thread is not None and thread.is_alive()
    store.close()
    assert not thread.is_alive()
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    worker.wrote()  # a write reported after the close starts nothing
    assert worker._thread is thread and not thread.is_alive()


def test_a_failed_checkpoint_is_counted_and_the_next_write_tries_again(db: Path) -> None:
    sqlite3.connect(db).close()
    attempts: list[int] = []

    def connect() -> sqlite3.Connection:
        attempts.append(1)
        if len(attempts) == 1:
            raise sqlite3.OperationalError("unable to open database file")
        return sqlite3.connect(db, isolation_level=None)

    worker = Checkpointer(connect, quiet=0.0)
    try:
        worker.wrote()
        assert worker.done.wait(WAIT)
        assert (worker.failures, worker.checkpoints) == (1, 0)
        worker.done.clear()
        worker.wrote()
        assert worker.done.wait(WAIT)
        assert (worker.failures, worker.checkpoints) == (1, 1)
    finally:
        worker.close()
    assert worker._thread is not None and not worker._thread.is_alive()


def test_writes_that_come_before_the_pause_share_one_checkpoint(db: Path) -> None:
    """A burst of commits is covered by one checkpoint once it pauses, not one each."""
    sqlite3.connect(db).close()
    worker = Checkpointer(lambda: sqlite3.connect(db, isolation_level=None), quiet=0.2)
    try:
        for _ in range(50):  # microseconds apart: no pause among them
            worker.wrote()
        assert worker.done.wait(WAIT)
        assert worker.checkpoints == 1
        assert not worker._due.is_set()  # nothing left due: the thread waits for the next write
    finally:
        worker.close()


def test_writes_that_never_pause_are_checkpointed_after_the_longest_wait(db: Path) -> None:
    sqlite3.connect(db).close()
    worker = Checkpointer(
        lambda: sqlite3.connect(db, isolation_level=None), quiet=WAIT, longest=0.1
    )
    try:
        writes = 0
        while not worker.done.is_set() and writes < 1000:
            worker.wrote()  # every 5 ms: far more often than the quiet time asks
            writes += 1
            worker.done.wait(0.005)
        assert worker.checkpoints == 1 and writes < 1000
    finally:
        worker.close()


def test_a_close_that_lands_as_the_pause_ends_still_stops_the_thread(db: Path) -> None:
    """close() sets `_closing`, then `_due`; the thread clears `_due` as its pause ends. A close
    between the two must not be lost (the thread would wait for a write for ever, and the store's
    close would no longer be the last connection's)."""
    sqlite3.connect(db).close()
    worker = Checkpointer(lambda: sqlite3.connect(db, isolation_level=None), quiet=0.0)

    class ClosingAsThePauseEnds(threading.Event):
        def is_set(self) -> bool:
            seen = super().is_set()
            if threading.current_thread().name == "wal-checkpointer" and not seen:
                worker._closing.set()  # all that close() signals, landing just before the
                self.set()  # thread's clear of `_due`
            return seen

    worker._due = ClosingAsThePauseEnds()
    worker.wrote()
    thread = worker._thread
    assert thread is not None
    try:
        thread.join(WAIT)  # what close() then does: no further signal comes
        assert not thread.is_alive()
        assert worker.checkpoints == 0  # nothing run once the close had begun
    finally:
        worker.close()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_thread_that_died_is_started_again_at_the_next_write(db: Path) -> None:
    sqlite3.connect(db).close()
    calls: list[int] = []

    def connect() -> sqlite3.Connection:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("not an sqlite3.Error: the thread ends")
        return sqlite3.connect(db, isolation_level=None)

    worker = Checkpointer(connect, quiet=0.0)
    try:
        worker.wrote()
        assert worker.done.wait(WAIT)
        first = worker._thread
        assert first is not None
        first.join(WAIT)
        assert not first.is_alive() and worker.checkpoints == 0
        worker.done.clear()
        worker.wrote()
        assert worker.done.wait(WAIT)
        assert worker._thread is not first and worker.checkpoints == 1
    finally:
        worker.close()
