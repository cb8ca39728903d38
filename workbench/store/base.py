"""The store's connection: opening the file (refusing what is not ours before anything writes),
upgrading its schema, the locks and transactions every read and write goes through, errors as
one-line `StoreError`s, and closing. The reads and writes are mixins over this class
(`queries`, `cases`, `facts`); `core.Store` puts them together."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from workbench.clock import utcnow
from workbench.once import Once, once
from workbench.store import migrations
from workbench.store.checkpointer import BACKSTOP, Checkpointer
from workbench.store.codec import first_error, unpack_document
from workbench.store.columns import derive_columns
from workbench.store.errors import (
    CorruptDatabaseError,
    DatabaseLockedError,
    MigrationError,
    NewerSchemaError,
    ReadOnlyError,
    StoreError,
    brief,
)
from workbench.store.migrations import APPLICATION_ID, SCHEMA_VERSION, MigrationContext
from workbench.store.paths import (
    check_header,
    connect_readonly,
    create_private,
    error_code,
    heal_side_files,
    in_wal_mode,
    is_database_file,
    not_a_file,
    not_writable,
    side_file,
)
from workbench.store.search import Hits

# The case model (pydantic), the playbook and sqlite-utils are imported where a case is read or
# written, not here: the list reads plain columns only, and those imports were half of the
# app's cold start.
if TYPE_CHECKING:
    from sqlite_utils import Database

    from workbench.models import Escalation
    from workbench.playbook import Playbook

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 2.5  # seconds to wait for another process's write lock
CHANGE_POLL = 2.0  # seconds between the list's looks for another process's changes
# The whole-file check reads every page once: a page cache of its own would only add to the
# peak (SQLite's default is 2 MB a connection; the file stays in the OS's cache anyway).
CHECK_CACHE_KIB = 128


class StoreBase:
    """One SQLite file and its connections. Thread-safe (one lock around the connection)."""

    def __init__(
        self,
        path: Path | str,
        playbook: Playbook | Callable[[], Playbook],
        *,
        readonly: bool = False,
        clock: Callable[[], datetime] = utcnow,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = Path(os.path.abspath(Path(path).expanduser()))
        self._playbook = once(playbook) if callable(playbook) else playbook
        self.clock = clock
        self.change_poll = CHANGE_POLL  # PRAGMA data_version: cheap, but a look at the file
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        # A second, read-only connection for the similar-case pool (see `_reading`).
        self._read_conn: sqlite3.Connection | None = None
        self._read_lock = threading.Lock()
        # Copies the WAL into the file after writes, off the thread that commits (checkpointer.py).
        self._checkpointer: Checkpointer | None = None
        self._commits = 0  # this store's own commits: with `data_version`, whether cases changed
        # What temp.search_hits holds: a search's matches, and as of which changes (`_hits`).
        self._held: tuple[Hits, tuple[int, int]] | None = None
        # Counts by their filters, and as of which changes (`count_cases`).
        self._counts: dict[tuple[object, ...], tuple[tuple[int, int], int]] = {}
        # The document of the last save (case id, revision, time saved, document): what the next
        # save of that case diffs against (`CaseWrites._last_saved_document`).
        self._last_saved: tuple[int, int, str | None, dict[str, object]] | None = None
        self._stamp_of: tuple[object, str] | None = None  # the calendar's, see recount_dues
        # Whether the file is damaged, decided once per open (`verify`, `_mark_damaged`): once it
        # is, nothing writes to it any more (no save, recount, migration, repair or checkpoint).
        self.damage: str | None = None
        self._verified = False
        self._verify_lock = threading.Lock()
        # Told (once, from whichever thread found it) when the file turns out damaged: the app
        # shows it and exits.
        self.on_damage: Callable[[str], object] | None = None
        self.readonly = readonly or (
            self.path.exists() and (not_writable(self.path) or not_writable(self.path.parent))
        )
        with self._errors():
            self._open()

    @property
    def playbook(self) -> Playbook:
        """The playbook the list columns are derived with. Given a loader instead (the app, whose
        first screen reads no playbook), it is loaded at the first save that needs it."""
        source = self._playbook
        return source() if isinstance(source, Once) else source

    # -- opening ------------------------------------------------------------------------------------
    def _open(self) -> None:
        path = self.path
        kind = not_a_file(path)
        if kind is not None:
            raise StoreError(f"the database path is {kind}, not a file: {path}")
        if not path.exists():
            if self.readonly:
                raise StoreError(f"no database at {path}")
            try:
                create_private(path)
            except OSError as exc:
                raise StoreError(f"cannot create the database {path}: {exc.strerror}") from exc
        check_header(path)
        version = self._probe(deep=self._needs_deep_probe())
        if self.readonly:
            conn = connect_readonly(path, self.busy_timeout)
        else:
            heal_side_files(path)
            conn = sqlite3.connect(
                path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
        self._conn = conn
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if conn.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
                raise StoreError(f"this SQLite cannot enforce foreign keys: {path}")
            # A search's matches go to a temporary table (`Store.page`): 55,000 of them for a
            # common prefix at 100,000 cases, 3-6 ms a page more in a temporary file than in
            # memory (about 1 MB at most there).
            conn.execute("PRAGMA temp_store = MEMORY")
            if self.readonly:
                if version < SCHEMA_VERSION:
                    raise ReadOnlyError(
                        f"the database needs an upgrade (schema {version} to {SCHEMA_VERSION}) "
                        f"but is read-only: {path}"
                    )
                return
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP}")
            self._checkpointer = Checkpointer(self._checkpoint_connection)
            self._migrate()
        except BaseException:
            self.close()
            raise

    def _needs_deep_probe(self) -> bool:
        """Whether opening the file for writing would write to it before any write of ours:
        a file not in WAL mode (switching it writes the header) or with a -wal beside it (our
        connection's close copies that log into the file). Such a file is checked whole first
        (`quick_check`); one at rest in WAL mode is checked before the first write (`verify`)."""
        if self.readonly or self.path.stat().st_size == 0:
            return False
        return not in_wal_mode(self.path) or side_file(self.path, "-wal").exists()

    def _probe(self, *, deep: bool = False) -> int:
        """Read the schema version through a read-only connection: a newer or foreign file is
        refused before any connection that could write to it is opened; with `deep`, a damaged
        one too."""
        conn = connect_readonly(self.path, self.busy_timeout, probe=True)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            version = migrations.user_version(conn)
            app_id = migrations.application_id(conn)
            if deep:
                self._quick_check(conn)
                self._verified = True
        finally:
            conn.close()
        if version < 0:  # a signed field in the header: only damage makes it negative
            raise CorruptDatabaseError(f"the database header is damaged: {self.path}")
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"the database was written by a newer Escalation Workbench (schema {version}, "
                f"this version knows {SCHEMA_VERSION}); upgrade the app to open it: {self.path}"
            )
        if app_id != APPLICATION_ID and (app_id or version or tables):
            raise CorruptDatabaseError(
                f"an SQLite database but not an Escalation Workbench one: {self.path}"
            )
        return version

    def _database(self) -> Database:
        """sqlite-utils over our connection, made only when a migration or a repair needs it:
        importing it costs about a tenth of the app's cold start, and a file that is up to date
        never needs it."""
        from sqlite_utils import Database

        return Database(self._conn, execute_plugins=False)

    def _migrate(self) -> None:
        assert self._conn is not None
        reached: list[int] = []
        if migrations.user_version(self._conn) < SCHEMA_VERSION:
            if migrations.user_version(self._conn) > 0:
                self.verify()  # an upgrade rewrites tables: never on a damaged file
            ctx = MigrationContext(db=self._database(), derive=self._derive_json)
            try:
                reached = migrations.migrate(ctx)
            except migrations.MigrationFailed as exc:
                raise MigrationError(
                    f"upgrading the database failed, nothing was changed: {exc}"
                ) from exc
        if reached:
            log.info("database %s upgraded to schema %s", self.path, reached[-1])
        if not migrations.fts_intact(self._conn):
            self.verify()
            with self._write():
                migrations.repair_fts(self._database())

    # -- damage -------------------------------------------------------------------------------------
    def verify(self) -> None:
        """Check the whole file (`PRAGMA quick_check`) once per open, on a read-only connection
        of its own: a damaged file raises CorruptDatabaseError, and nothing writes to it from
        then on. Run before the first write (and by the app in the background after its first
        paint): at 20,000 cases it takes about 0.15 s, too long for every open of the app."""
        with self._verify_lock:
            if self.damage is not None:
                raise CorruptDatabaseError(self.damage)
            if self._verified:
                return
            with self._errors():
                conn = connect_readonly(self.path, self.busy_timeout)
                try:
                    conn.execute(f"PRAGMA cache_size = -{CHECK_CACHE_KIB}")
                    self._quick_check(conn)
                finally:
                    conn.close()
            self._verified = True

    def _quick_check(self, conn: sqlite3.Connection) -> None:
        with self._errors():
            rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        if [tuple(row) for row in rows] != [("ok",)]:
            found = str(rows[0][0]) if rows and rows[0] else "no answer"
            found = brief(found.replace("*** in database main ***", ""), 80)
            raise self._mark_damaged(f"the database is damaged ({found}): {self.path}")

    def _mark_damaged(self, message: str) -> CorruptDatabaseError:
        """Note that the file is damaged (writes are refused from now on, the checkpointer
        stops) and tell `on_damage` the first time; returns the error to raise."""
        first = self.damage is None
        if first:
            self.damage = message
            if self._checkpointer is not None:
                self._checkpointer.stop()
            if self.on_damage is not None:
                self.on_damage(message)
        return CorruptDatabaseError(message)

    # -- plumbing -----------------------------------------------------------------------------------
    def people(self, case_id: int) -> dict[str, str] | None:
        """A local file is one agent's: nobody else to name."""
        return None

    def agent(self) -> str | None:
        """A local file is one agent's: every case is "mine" (`owner=` filters nothing here)."""
        return None

    @property
    def location(self) -> str:
        """Where the cases are, fit to show: the file's path."""
        return str(self.path)

    @property
    def schema_version(self) -> int:
        with self._guard() as conn:
            return migrations.user_version(conn)

    def _changes(self) -> tuple[int, int]:
        """What changes when a case may have: another connection's commits (`data_version`) and
        this store's own (`_commits`). What is kept of a read is kept as of this."""
        return (self.data_version(), self._commits)

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process, another window)
        commits to the file, and not on this store's own writes: a cheap poll that tells the
        list to reload."""
        with self._guard() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """sqlite3 and validation errors -> one-line StoreErrors naming the file."""
        path = self.path
        try:
            yield
        except sqlite3.Error as exc:
            code = error_code(exc)
            text = brief(str(exc))
            if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
                raise DatabaseLockedError(
                    f"the database is locked by another process: {path}"
                ) from exc
            if code == sqlite3.SQLITE_READONLY:
                raise ReadOnlyError(f"the database cannot be written (read-only): {path}") from exc
            if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                raise self._mark_damaged(
                    f"the database is damaged or not an SQLite file ({text}): {path}"
                ) from exc
            if code == sqlite3.SQLITE_CANTOPEN:
                raise StoreError(f"cannot open the database: {path}") from exc
            if code == sqlite3.SQLITE_FULL:
                raise StoreError(f"the disk is full, the change was not saved: {path}") from exc
            raise StoreError(f"database error ({text}): {path}") from exc
        except UnicodeDecodeError as exc:
            # SQLite quoted damaged bytes (a flipped byte in the schema) in its own error message.
            raise self._mark_damaged(
                f"the database is damaged (text that is not UTF-8 where SQL should be): {path}"
            ) from exc
        except OSError as exc:
            raise StoreError(f"cannot use the database ({exc.strerror or exc}): {path}") from exc

    @contextlib.contextmanager
    def _decoding(self) -> Iterator[None]:
        """Reading back stored values: one this code could not have written (a byte flipped in a
        page, which SQLite cannot see: pages carry no checksum) is a CorruptDatabaseError, never
        a ValueError or KeyError from a parser reaching the app or the CLI."""
        try:
            yield
        except (ValueError, KeyError, TypeError) as exc:
            raise self._mark_damaged(
                f"the database holds a damaged value ({type(exc).__name__}: {brief(str(exc))}): "
                f"{self.path}"
            ) from exc

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection of its own, for the similar-case pool query that the screens
        run in a worker thread: on a large history it is slow, and on the shared connection it
        held every save (every keystroke's commit) waiting for its lock. With WAL it sees every
        committed save and never makes one wait."""
        with self._read_lock, self._errors():
            if self._conn is None:
                raise StoreError(f"the store is closed: {self.path}")
            if self._read_conn is None:
                self._read_conn = connect_readonly(self.path, self.busy_timeout)
            yield self._read_conn

    @contextlib.contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors():
            if self._conn is None:
                raise StoreError(f"the store is closed: {self.path}")
            yield self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. IMMEDIATE takes the write lock up front, so the revision check
        and the update cannot interleave with another process's save."""
        if self.readonly:
            raise ReadOnlyError(f"the database is open read-only: {self.path}")
        self.verify()  # once per open; a damaged file is never written
        conn = self._conn
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            if self.damage is not None:  # found while writing: none of it is kept
                raise CorruptDatabaseError(self.damage)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._commits += 1  # even a failed commit may have changed something: read again
        if self._checkpointer is not None:
            self._checkpointer.wrote()

    def _checkpoint_connection(self) -> sqlite3.Connection:
        """The checkpointer's own connection, opened on its thread: a checkpoint there never
        holds the lock the app's reads and saves take. mode=rw: never creates a file that has
        gone meanwhile."""
        return sqlite3.connect(
            f"{self.path.as_uri()}?mode=rw",
            uri=True,
            timeout=self.busy_timeout,
            isolation_level=None,
        )

    def _now(self) -> datetime:
        now = self.clock()
        return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)

    # -- cases in and out ---------------------------------------------------------------------------
    def _derive(self, case: Escalation, now: datetime) -> dict[str, object]:
        """The case's list columns (`columns.derive_columns`), with this store's playbook."""
        return derive_columns(case, lambda: self.playbook, now)

    def _derive_json(self, data: object) -> Mapping[str, object]:
        from pydantic import ValidationError

        from workbench.models import Escalation

        try:
            case = Escalation.model_validate_json(unpack_document(data))
        except ValidationError as exc:
            raise ValueError(f"a stored case cannot be read ({first_error(exc)})") from exc
        return self._derive(case, self._now())

    def _load(self, case_id: int, data: object) -> Escalation:
        from pydantic import ValidationError

        from workbench.models import Escalation

        try:
            return Escalation.model_validate_json(unpack_document(data))
        except ValidationError as exc:
            raise self._mark_damaged(
                f"case {case_id} cannot be read ({first_error(exc)}): {self.path}"
            ) from exc
        except ValueError as exc:
            raise self._mark_damaged(
                f"case {case_id} cannot be read ({brief(str(exc))}): {self.path}"
            ) from exc

    # -- file ---------------------------------------------------------------------------------------
    def owns(self, target: Path | str) -> bool:
        """Whether writing a file at `target` would write over this database or its -wal/-shm,
        by the files' identity (a symlinked directory, a hard link, a relative path), not the
        spelling of the path."""
        return is_database_file(Path(os.path.abspath(Path(target).expanduser())), self.path)

    def backup(self, dest_path: Path | str, *, overwrite: bool = False) -> Path:
        """A consistent copy through SQLite's online backup, safe while others write. The copy
        is created 0600 like the original."""
        dest = Path(os.path.abspath(Path(dest_path).expanduser()))
        if self.owns(dest):
            raise StoreError(f"cannot back up the database onto itself or its -wal/-shm: {dest}")
        kind = not_a_file(dest)
        if kind is not None:
            raise StoreError(f"the backup path is {kind}, not a file: {dest}")
        # A stale -wal beside the destination would be replayed into the new copy: the three
        # files go (or stay) together.
        files = [dest, Path(f"{dest}-wal"), Path(f"{dest}-shm")]
        with self._guard() as conn:
            try:
                if any(f.exists() for f in files):
                    if not overwrite:
                        raise StoreError(f"the backup file already exists: {dest}")
                    for f in files:
                        f.unlink(missing_ok=True)
                create_private(dest)
            except OSError as exc:
                raise StoreError(f"cannot write the backup {dest}: {exc.strerror}") from exc
            target = sqlite3.connect(dest)
            try:
                conn.backup(target)
            finally:
                target.close()
        return dest

    def close(self) -> None:
        # The checkpointer's connection first: the store's own, closed last, then checkpoints
        # what is left and removes the -wal and -shm.
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._read_lock:
            if self._read_conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._read_conn.close()
                self._read_conn = None
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._conn = None
            self._held = None  # the temporary table went with the connection
            self._counts.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
