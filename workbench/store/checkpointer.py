"""WAL checkpoints on a thread of their own, in a pause in the writing, not inside a save.

SQLite copies the write-ahead log back into the database file when a commit takes the log past
`wal_autocheckpoint` pages (a thousand by default). That commit then also writes and syncs about
four megabytes, inside one save or import in thirty. A checkpoint on another thread while saves
go on is not free either: its sync holds up theirs.

So the store's own connection checkpoints only past a far backstop (`BACKSTOP`), and this thread,
with a connection of its own, runs a PASSIVE checkpoint (one that never waits for a writer nor
blocks one) once writing pauses: `QUIET` seconds with no commit, or `LONGEST` after the first
commit it covers should the writes never pause. SQLite runs it with the GIL released. The thread
starts at the first write (a store that only reads never starts it). A failed checkpoint is
counted and the next write tries again; the backstop keeps the log bounded should the thread never
manage one.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable

QUIET = 1.0  # seconds without a commit before the checkpoint
LONGEST = 10.0  # seconds: at most this long after a commit, pause or not
BACKSTOP = 10_000  # pages (40 MB): the store's connection checkpoints in a commit only past this


class Checkpointer:
    """Runs PASSIVE checkpoints of one database on a daemon thread after `wrote` is called."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        *,
        quiet: float | None = None,
        longest: float | None = None,
    ) -> None:
        self._connect = connect
        self.quiet = QUIET if quiet is None else quiet
        self.longest = LONGEST if longest is None else longest
        self.checkpoints = 0  # the number run, for tests and the benchmark
        self.failures = 0
        self.last: tuple[int, int, int] | None = None  # (busy, log frames, checkpointed frames)
        self.done = threading.Event()  # set after each attempt: what a test waits on
        self._due = threading.Event()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def wrote(self) -> None:
        """A write was committed: a checkpoint is due at the next pause. Starts the thread, or
        starts it again if it died (an unexpected error, or this is a forked child)."""
        if self._closing.is_set():
            return
        thread = self._thread
        if thread is None or not thread.is_alive():
            with self._start_lock:
                thread = self._thread
                if (thread is None or not thread.is_alive()) and not self._closing.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name="wal-checkpointer", daemon=True
                    )
                    self._thread.start()
        self._due.set()

    def stop(self) -> None:
        """Run no more checkpoints (the file turned out damaged): the thread ends at its next
        look, without waiting for it here."""
        self._closing.set()
        self._due.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (a checkpoint under way finishes first) and close its connection."""
        self._closing.set()
        self._due.set()
        with self._start_lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while not self._closing.is_set():
                self._due.wait()
                if self._pause():
                    return  # the store is closing: its last connection checkpoints as it closes
                try:
                    if conn is None:
                        conn = self._connect()
                    row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.last = (int(row[0]), int(row[1]), int(row[2]))
                    self.checkpoints += 1
                except sqlite3.Error:
                    self.failures += 1
                finally:
                    self.done.set()
        finally:
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()

    def _pause(self) -> bool:
        """Wait for QUIET seconds without a write (at most LONGEST); True if closing instead.
        Writes from the return on are left for the next checkpoint. A close that sets `_due`
        just before the clear below is not lost: `_closing`, set first, is looked at after it."""
        since = time.monotonic()
        while True:
            self._due.clear()
            left = self.longest - (time.monotonic() - since)
            if self._closing.wait(max(0.0, min(self.quiet, left))):
                return True
            if not self._due.is_set() or time.monotonic() - since >= self.longest:
                self._due.clear()
                return self._closing.is_set()
