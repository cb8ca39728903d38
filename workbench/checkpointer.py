"""WAL checkpoints on a thread of their own, not inside the commit that crosses the threshold.

SQLite copies the write-ahead log back into the database file when a commit takes the log past
`wal_autocheckpoint` pages (a thousand by default). That commit then also writes and syncs about
four megabytes: 50 ms at 100,000 cases, inside one save or import in thirty. So the store's own
connection keeps only a far backstop (`BACKSTOP`), and after writes this thread, with a connection
of its own, runs a PASSIVE checkpoint: one that never waits for a writer nor blocks one. SQLite
runs it with the GIL released, so the app's keystrokes and saves go on while it copies.

A checkpoint comes `DELAY` seconds after the first write it covers: at most one per DELAY while
writes go on, and none while nothing is written. The thread starts at the first write (a store
that only reads never starts it). A failed checkpoint is counted and the next write tries again;
the backstop keeps the log bounded should the thread never manage one.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable

DELAY = 0.25  # seconds from a write to the checkpoint that covers it
BACKSTOP = 4000  # pages: the store's connection checkpoints in its commit only past this


class Checkpointer:
    """Runs PASSIVE checkpoints of one database on a daemon thread after `wrote` is called."""

    def __init__(
        self, connect: Callable[[], sqlite3.Connection], *, delay: float | None = None
    ) -> None:
        self._connect = connect
        self.delay = DELAY if delay is None else delay
        self.checkpoints = 0  # the number run, for tests and the benchmark
        self.failures = 0
        self.last: tuple[int, int, int] | None = None  # (busy, log frames, checkpointed frames)
        self.done = threading.Event()  # set after each attempt: what a test waits on
        self._due = threading.Event()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def wrote(self) -> None:
        """A write was committed: a checkpoint is due in `delay` seconds."""
        if self._closing.is_set():
            return
        if self._thread is None:
            with self._start_lock:
                if self._thread is None and not self._closing.is_set():
                    self._thread = threading.Thread(
                        target=self._run, name="wal-checkpointer", daemon=True
                    )
                    self._thread.start()
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
            while True:
                self._due.wait()
                if self._closing.wait(self.delay):
                    return  # the store is closing: its last connection checkpoints as it closes
                self._due.clear()  # writes from here on are covered by the next one
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
