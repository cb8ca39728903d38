"""The case store: one SQLite file, the only module (with `migrations`) that speaks SQL.

A case is kept as its JSON document (packed with zlib) plus a few extracted columns the list, the
search and the dashboard read, so they never parse a case and the document is never split across
tables. Every create and save is its own transaction, committed before the call returns (no save
key to forget), and every save writes one append-only event per changed field in that same
transaction. Saves are optimistic: a save from an older copy of the case is refused, never merged,
because two windows editing one case must not silently overwrite each other.

Safety first: the file is created readable by its owner only, WAL and foreign keys are on, a file
from a newer version, a file that is not ours or not SQLite at all is refused before anything writes
to it, and every failure is a `StoreError` whose message fits on one line of the CLI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.clock import utcnow
from workbench.once import Once, once
from workbench.store import migrations
from workbench.store.checkpointer import BACKSTOP, Checkpointer
from workbench.store.codec import (
    case_json,
    diff_documents,
    first_error,
    iso,
    pack_document,
    parse_time,
    unpack_document,
)
from workbench.store.columns import RECOUNTED, derive_columns
from workbench.store.errors import (
    CaseNotFound,
    CorruptDatabaseError,
    DatabaseLockedError,
    MigrationError,
    NewerSchemaError,
    ReadOnlyError,
    StaleCaseError,
    StoreError,
    brief,
)
from workbench.store.migrations import APPLICATION_ID, SCHEMA_VERSION, MigrationContext
from workbench.store.paths import (
    check_header,
    connect_readonly,
    create_private,
    error_code,
    not_writable,
)
from workbench.store.search import Hits, any_word_query, lookup_cheap, match_query
from workbench.vocab import Severity, Status

# The case model (pydantic), the playbook and sqlite-utils are imported where a case is read or
# written, not here: the list reads plain columns only, and those imports were half of the
# app's cold start.
if TYPE_CHECKING:
    from sqlite_utils import Database

    from workbench.models import Escalation
    from workbench.playbook import Playbook
    from workbench.stats import CaseFacts

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 2.5  # seconds to wait for another process's write lock
_ALL_CASES_BATCH = 200


def _check_page(sort: str, limit: int | None, offset: int) -> None:
    if sort not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}; one of: {', '.join(SORTS)}")
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("limit and offset must not be negative")


# -- rows ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CaseRow:
    """One line of the escalation list, read from the extracted columns only."""

    id: int
    title: str
    customer: str
    status: Status
    severity: Severity | None
    routed_to: str
    next_due: datetime | None
    due_latest: datetime | None
    sla: str | None
    created_at: datetime
    updated_at: datetime

    def overdue(self, now: datetime) -> bool:
        """A follow-up is overdue once now is past the latest time it was due."""
        return self.due_latest is not None and now > self.due_latest


@dataclass(frozen=True, slots=True)
class Event:
    """One changed field of one save. `old`/`new` are JSON text; None means the field was absent."""

    id: int
    case_id: int
    at: datetime
    field: str
    old: str | None
    new: str | None

    @property
    def old_value(self) -> Any:
        return None if self.old is None else json.loads(self.old)

    @property
    def new_value(self) -> Any:
        return None if self.new is None else json.loads(self.new)


# -- list queries -------------------------------------------------------------------------------------
# Sort keys the list accepts -> (SQL expression, nullable). Only these strings reach the SQL, and
# each has an index on exactly this expression (migrations v1/v2; a test checks the plans), so a
# sorted page reads its rows in index order instead of sorting the whole table. Empty values sort
# last either way: NULL is the smallest value in SQLite, so DESC puts it last by itself and ASC
# sorts on `(expr IS NULL), expr`, which has an index of its own.
_STATUS_RANK = (
    "(CASE status WHEN 'draft' THEN 0 WHEN 'kept_in_support' THEN 1 WHEN 'escalated' THEN 2 "
    "WHEN 'de_escalated' THEN 3 WHEN 'resolved' THEN 4 END)"
)
_SEVERITY_RANK = (
    "(CASE severity WHEN 'medium' THEN 1 WHEN 'high' THEN 2 WHEN 'critical' THEN 3 END)"
)
SORTS: dict[str, tuple[str, bool]] = {
    "id": ("id", False),
    "title": ("title COLLATE NOCASE", False),
    "customer": ("customer COLLATE NOCASE", False),
    "status": (_STATUS_RANK, False),
    "severity": (_SEVERITY_RANK, True),
    "routed_to": ("routed_to COLLATE NOCASE", False),
    "next_due": ("next_due", True),
    "due_latest": ("due_latest", True),
    "sla": ("sla", True),
    "created_at": ("created_at", False),
    "updated_at": ("updated_at", False),
}

# Up to this many matching rows, the filters (their index, or the FTS match) pick the rows and
# SQLite sorts them; beyond it the sort index is walked and the filters test each row, which
# stops as soon as the page is full. Chosen per query by counting at most this many matches.
_SMALL_MATCH = 1000
# Walking the sort index, a search either reads every match first (`id IN (...)`: cost grows with
# the matches, 30 ms for a word in nearly all of 100,000 cases) or asks FTS about each row walked
# (`EXISTS`: one lookup per row, about 200 times a match read, but it stops once the page is full).
# The lookups pay once the matches M among N cases satisfy M * M > _LOOKUP_COST * rows * N, rows
# being the page's end (offset + limit): only for dense matches, on early pages.
_LOOKUP_COST = 200

_ROW_COLUMNS = (
    "id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
    "created_at, updated_at"
)
Filter = str | Iterable[str] | None


def _filter_values(value: Filter) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [str(value)]
    return [str(v) for v in value]


def _row(values: tuple[Any, ...]) -> CaseRow:
    (case_id, title, customer, status, severity, routed, next_due, due_latest, sla, created,
     updated) = values  # fmt: skip
    return CaseRow(
        id=case_id,
        title=title,
        customer=customer,
        status=Status(status),
        severity=Severity(severity) if severity in Severity._value2member_map_ else None,
        routed_to=routed,
        next_due=parse_time(next_due),
        due_latest=parse_time(due_latest),
        sla=sla,
        created_at=datetime.fromisoformat(created),
        updated_at=datetime.fromisoformat(updated),
    )


# -- the store ----------------------------------------------------------------------------------------
class Store:
    """Cases and their event log in one SQLite file. Thread-safe (one lock around the connection)."""

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
        self._stamp_of: tuple[object, str] | None = None  # the calendar's, see recount_dues
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
        if path.is_dir():
            raise StoreError(f"the database path is a directory: {path}")
        if not path.exists():
            if self.readonly:
                raise StoreError(f"no database at {path}")
            try:
                create_private(path)
            except OSError as exc:
                raise StoreError(f"cannot create the database {path}: {exc.strerror}") from exc
        check_header(path)
        version = self._probe()
        if self.readonly:
            conn = connect_readonly(path, self.busy_timeout)
        else:
            conn = sqlite3.connect(
                path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
        self._conn = conn
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if conn.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
                raise StoreError(f"this SQLite cannot enforce foreign keys: {path}")
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

    def _probe(self) -> int:
        """Read the schema version through a read-only connection: a newer or foreign file is
        refused before any connection that could write to it is opened."""
        conn = connect_readonly(self.path, self.busy_timeout, probe=True)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            version = migrations.user_version(conn)
            app_id = migrations.application_id(conn)
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
            with self._write():
                migrations.repair_fts(self._database())

    # -- plumbing -----------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        with self._guard() as conn:
            return migrations.user_version(conn)

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
                raise CorruptDatabaseError(
                    f"the database is damaged or not an SQLite file ({text}): {path}"
                ) from exc
            if code == sqlite3.SQLITE_CANTOPEN:
                raise StoreError(f"cannot open the database: {path}") from exc
            if code == sqlite3.SQLITE_FULL:
                raise StoreError(f"the disk is full, the change was not saved: {path}") from exc
            raise StoreError(f"database error ({text}): {path}") from exc
        except UnicodeDecodeError as exc:
            # SQLite quoted damaged bytes (a flipped byte in the schema) in its own error message.
            raise CorruptDatabaseError(
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
            raise CorruptDatabaseError(
                f"the database holds a damaged value ({type(exc).__name__}: {brief(str(exc))}): "
                f"{self.path}"
            ) from exc

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection of its own, for the similar-case pool query that the screens
        run in a worker thread: at 100,000 cases it takes most of a second, and on the shared
        connection it held every save (every keystroke's commit) waiting for its lock. With WAL
        it sees every committed save and never makes one wait."""
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
        conn = self._conn
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
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

    def _derive(self, case: Escalation, now: datetime) -> dict[str, object]:
        """The case's list columns (`columns.derive_columns`), with this store's playbook."""
        return derive_columns(case, lambda: self.playbook, now)

    def recount_dues(self) -> int:
        """Count the open cases' follow-up columns (`next_due`, `due_latest`) again when the
        playbook's calendar is not the one they were counted with: the agent's zone or holidays
        changed, or the database was last written by an older version. The list, its overdue
        count and the dashboard read those columns; the timeline and `workbench due` count
        live. Returns how many cases' columns changed.

        A database another process is writing to is left as it is (0): the command or the app
        that opened it goes on, and a later open counts them."""
        if self.readonly:
            return 0
        stamp = self._calendar_stamp()
        with self._guard() as conn:
            if self._stamp(conn) == stamp:
                return 0
        with self._guard() as conn:
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                return self._recount_dues(stamp)
            except DatabaseLockedError:
                return 0
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def _recount_dues(self, stamp: str) -> int:
        with self._guard(), self._write() as conn:
            if self._stamp(conn) == stamp:  # another process got here first
                return 0
            now = self._now()
            columns = ", ".join(RECOUNTED)
            rows = conn.execute(
                f"SELECT id, data, {columns} FROM cases WHERE status = ? "
                "OR next_due IS NOT NULL OR due_latest IS NOT NULL",
                (Status.ESCALATED.value,),
            ).fetchall()
            changed = 0
            assignments = ", ".join(f"{name} = :{name}" for name in RECOUNTED)
            for case_id, data, *stored in rows:
                try:
                    values = self._derive(self._load(case_id, data), now)
                except CorruptDatabaseError:  # that case says so when it is opened
                    continue
                # The due times as of now, and the columns they go with (severity can rise
                # with time, and its cadence with it), so a row is never half one moment.
                fresh = {name: values[name] for name in RECOUNTED}
                if tuple(fresh.values()) != tuple(stored):
                    conn.execute(
                        f"UPDATE cases SET {assignments} WHERE id = :id", {**fresh, "id": case_id}
                    )
                    changed += 1
            conn.execute(
                "INSERT OR REPLACE INTO derived_from (key, value) VALUES ('calendar', ?)", (stamp,)
            )
        return changed

    def _keep_stamp_true(self, conn: sqlite3.Connection) -> None:
        """A save derives its row with this store's calendar: if the columns were stamped as
        counted with another (another process, another zone), they no longer all are, and the
        next open counts them again."""
        stamp = self._stamp(conn)
        if stamp is not None and stamp != self._calendar_stamp():
            conn.execute("DELETE FROM derived_from WHERE key = 'calendar'")

    def _calendar_stamp(self) -> str:
        calendar = self.playbook.calendar
        cached = self._stamp_of
        if cached is None or cached[0] is not calendar:
            cached = self._stamp_of = (
                calendar,
                json.dumps(calendar.model_dump(mode="json"), sort_keys=True),
            )
        return cached[1]

    @staticmethod
    def _stamp(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT value FROM derived_from WHERE key = 'calendar'").fetchone()
        return None if row is None else str(row[0])

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
            raise CorruptDatabaseError(
                f"case {case_id} cannot be read ({first_error(exc)}): {self.path}"
            ) from exc
        except ValueError as exc:
            raise CorruptDatabaseError(
                f"case {case_id} cannot be read ({brief(str(exc))}): {self.path}"
            ) from exc

    # -- cases --------------------------------------------------------------------------------------
    def create(self, case: Escalation) -> Escalation:
        """Store a new case under a new id, revision 1; its created_at is kept (an import keeps
        the original), updated_at is now."""
        with self._guard(), self._write() as conn:
            now = self._now()
            new_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
            data = case.model_copy(update={"id": new_id, "revision": 1, "updated_at": now})
            data_json = case_json(data)
            stored = type(case).model_validate_json(data_json)
            values = self._derive(stored, now)
            values.update(id=new_id, revision=1, data=pack_document(data_json))
            names = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            conn.execute(f"INSERT INTO cases ({names}) VALUES ({marks})", values)
            conn.execute(
                "INSERT INTO events (case_id, at, field, old, new) VALUES (?, ?, 'created', NULL, ?)",
                (new_id, iso(now), json.dumps(stored.title, ensure_ascii=False)),
            )
            self._keep_stamp_true(conn)
            return stored

    def create_many(self, cases: Iterable[Escalation], *, batch: int = 2000) -> int:
        """Store many new cases at once (a history brought over from elsewhere, a benchmark's
        generated cases): new ids in order, revision 1, each with its "created" event, one
        transaction per `batch` cases. Unlike `create`, each case keeps its own `updated_at` and
        is trusted as validated (no JSON round trip): it is a bulk load of a history, about ten
        times faster per case than `create` in a loop. Returns how many were stored."""
        stored = 0
        pending = iter(cases)
        while chunk := [case for _, case in zip(range(batch), pending, strict=False)]:
            with self._guard(), self._write() as conn:
                now = self._now()
                first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
                rows: list[dict[str, object]] = []
                created: list[tuple[int, str | None, str]] = []
                for new_id, case in enumerate(chunk, start=first):
                    data = case.model_copy(update={"id": new_id, "revision": 1})
                    values = self._derive(data, now)
                    values.update(id=new_id, revision=1, data=pack_document(case_json(data)))
                    rows.append(values)
                    title = json.dumps(data.title, ensure_ascii=False)
                    created.append((new_id, iso(data.created_at), title))
                names = ", ".join(rows[0])
                marks = ", ".join(f":{name}" for name in rows[0])
                conn.executemany(f"INSERT INTO cases ({names}) VALUES ({marks})", rows)
                conn.executemany(
                    "INSERT INTO events (case_id, at, field, old, new) "
                    "VALUES (?, ?, 'created', NULL, ?)",
                    created,
                )
                self._keep_stamp_true(conn)
            stored += len(chunk)
        return stored

    def get(self, case_id: int) -> Escalation:
        with self._guard() as conn:
            row = conn.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()
            if row is None:
                raise CaseNotFound(f"no case with id {case_id}")
            return self._load(case_id, row[0])

    def save(self, case: Escalation) -> Escalation:
        """Write the case if its revision is the stored one; one event per changed leaf field.

        Returns the stored case (revision + 1, updated_at = now). When nothing changed, nothing is
        written and the stored case is returned as it is.
        """
        if case.id is None:
            raise ValueError("save() needs a case that was created first (its id is None)")
        with self._guard(), self._write() as conn:
            row = conn.execute(
                "SELECT revision, data FROM cases WHERE id = ?", (case.id,)
            ).fetchone()
            if row is None:
                raise CaseNotFound(f"no case with id {case.id}")
            revision, old_data = row
            if case.revision != revision:
                raise StaleCaseError(
                    f"case {case.id} was changed in another window or process (revision "
                    f"{revision}, this copy has {case.revision}); reload it and redo the change"
                )
            now = self._now()
            data = case.model_copy(update={"revision": revision + 1, "updated_at": now})
            data_json = case_json(data)
            with self._decoding():
                stored_doc = json.loads(unpack_document(old_data))
            changes = diff_documents(stored_doc, json.loads(data_json))
            if not changes:
                return self._load(case.id, old_data)
            stored = type(case).model_validate_json(data_json)
            values = self._derive(stored, now)
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            values.update(
                id=case.id,
                revision=revision + 1,
                old_revision=revision,
                data=pack_document(data_json),
            )
            conn.execute(
                f"UPDATE cases SET revision = :revision, data = :data, {assignments} "
                "WHERE id = :id AND revision = :old_revision",
                values,
            )
            at = iso(now)
            conn.executemany(
                "INSERT INTO events (case_id, at, field, old, new) VALUES (?, ?, ?, ?, ?)",
                [(case.id, at, path, old, new) for path, old, new in changes],
            )
            self._keep_stamp_true(conn)
            return stored

    def list_cases(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        sort: str = "updated_at",
        descending: bool = True,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[CaseRow]:
        """One page of the list. `sort` is one of SORTS; empty values (no severity, nothing due)
        sort last in either direction; ties break on id so pages never overlap."""
        _check_page(sort, limit, offset)
        with self._guard() as conn:
            found = self._fetch(
                conn,
                status=status,
                severity=severity,
                query=query,
                sort=sort,
                descending=descending,
                limit=limit,
                offset=offset,
            )
        with self._decoding():
            return [_row(values) for values in found]

    def _fetch(
        self,
        conn: sqlite3.Connection,
        *,
        status: Filter,
        severity: Filter,
        query: str | None,
        sort: str,
        descending: bool,
        limit: int | None,
        offset: int,
        hits: Hits | None = None,
    ) -> list[Any]:
        """The page's rows as SQLite returns them (see list_cases)."""
        sql, params = self._list_sql(
            conn,
            status=status,
            severity=severity,
            query=query,
            sort=sort,
            descending=descending,
            rows=None if limit is None else offset + limit,
            hits=hits,
        )
        if sql is None:
            return []
        params.extend([-1 if limit is None else limit, offset])
        return conn.execute(sql, params).fetchall()

    def _list_sql(
        self,
        conn: sqlite3.Connection,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        sort: str = "updated_at",
        descending: bool = True,
        rows: int | None = None,
        hits: Hits | None = None,
    ) -> tuple[str | None, list[Any]]:
        """The page query (without LIMIT/OFFSET values), or None when nothing can match. `rows`
        is where the page ends (offset + limit; None: the whole list); `hits`, the search's
        matches when `page` has read them already.

        SQLite without statistics prefers an index on a filter over the sort index, which costs a
        full sort when the filter matches most of 100,000 rows. So the plan is chosen here: a
        capped count says whether the matches are few (let the filters drive) or many (walk the
        sort index; `+column` keeps SQLite from using the filter's index instead), and, for a
        search, whether they are so many that asking FTS about each row walked is cheaper than
        reading them all (_LOOKUP_COST)."""
        match = hits.match if hits is not None else match_query(conn, query)
        where, params = self._where(status, severity, match, hits=hits is not None)
        if where is None:
            return None, []
        few = lookup = False
        if hits is not None:  # read already: looking a row up in them costs next to nothing
            if hits.found == 0:
                return None, []
            few, lookup = hits.found <= _SMALL_MATCH, True
        elif match is not None:  # the FTS index alone, capped: cheap even for "e*"
            dense = self._dense(conn, match, rows)
            cap = max(_SMALL_MATCH, dense or 0)
            found = conn.execute(
                "SELECT count(*) FROM (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? "
                f"LIMIT {cap + 1})",
                (match,),
            ).fetchone()[0]
            if found == 0:
                return None, []
            few = found <= _SMALL_MATCH
            lookup = dense is not None and found > dense
        if not few and (status is not None or severity is not None):
            probe = f"SELECT count(*) FROM (SELECT 1 FROM cases{where} LIMIT {_SMALL_MATCH + 1})"
            found = conn.execute(probe, params).fetchone()[0]
            if found == 0:
                return None, []
            few = found <= _SMALL_MATCH
        if where and not few:
            where, params = self._where(
                status, severity, match, walk=True, lookup=lookup, hits=hits is not None
            )
        expression, nullable = SORTS[sort]
        if descending:
            order = f"{expression} DESC, id DESC"
        elif nullable:
            order = f"({expression} IS NULL), {expression} ASC, id ASC"
        else:
            order = f"{expression} ASC, id ASC"
        return f"SELECT {_ROW_COLUMNS} FROM cases{where} ORDER BY {order} LIMIT ? OFFSET ?", params

    def page(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        sort: str = "updated_at",
        descending: bool = True,
        limit: int | None = 100,
        offset: int = 0,
        cap: int | None = None,
    ) -> tuple[int, list[CaseRow]]:
        """`count_cases` and `list_cases` at once: the list's count line and its page.

        A search for a prefix the prefix index does not hold ("customer" as it is typed) is a
        merge of every word that starts with it, each time FTS is asked, and the count, the
        choice of plan and the page each asked (20-35 ms at 100,000 cases). Here its matches
        are read once, into a temporary table that the count and the page both read, and that
        the next pages of the same search read too while no case changes (`_hits`). One read
        transaction: the count, the page and the matches they read are of the same moment."""
        _check_page(sort, limit, offset)
        with self._guard() as conn:
            conn.execute("BEGIN")
            try:
                match = match_query(conn, query)
                hits = None
                if match is not None and not lookup_cheap(match):
                    hits = self._hits(conn, match)
                total = self._count(
                    conn, status=status, severity=severity, query=query, cap=cap, hits=hits
                )
                found = self._fetch(
                    conn,
                    status=status,
                    severity=severity,
                    query=query,
                    sort=sort,
                    descending=descending,
                    limit=limit,
                    offset=offset,
                    hits=hits,
                )
                conn.execute("COMMIT")
            except BaseException:
                # Whatever the table holds now (a read rolled back, a table gone), it is read
                # again: a page never reuses matches it could not read whole.
                self._held = None
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        with self._decoding():
            return total, [_row(values) for values in found]

    def _hits(self, conn: sqlite3.Connection, match: str) -> Hits:
        """The search's matches in temp.search_hits: read again for another search, or once a
        case changed (a commit of this store's, or of another connection: `data_version`).
        Paging through a long search's results (a page is a screenful) was the same merge of
        the index on every page: 20-35 ms at 100,000 cases for "customer", now 1-2."""
        # Of the page's read transaction, as the matches are: a commit elsewhere after it
        # changes the next page's stamp, and that page reads them again.
        stamp = (self.data_version(), self._commits)  # the store's lock is re-entrant
        held = self._held
        if held is not None and held[0].match == match and held[1] == stamp:
            return held[0]
        self._held = None  # until the table holds this search's matches, all of them
        hits = self._read_hits(conn, match)
        self._held = (hits, stamp)
        return hits

    @staticmethod
    def _read_hits(conn: sqlite3.Connection, match: str) -> Hits:
        """The FTS query's matches, into temp.search_hits (emptied first of another search's)."""
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.search_hits")
        found = conn.execute(
            "INSERT INTO temp.search_hits SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?",
            (match,),
        ).rowcount
        return Hits(match, found)

    def count_cases(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        cap: int | None = None,
    ) -> int:
        """How many cases match. With `cap`, counting stops past it (a search matching most of
        100,000 cases is not counted to the end for a "1-38 of ..." line): a result over `cap`
        means more than `cap`."""
        with self._guard() as conn:
            return self._count(conn, status=status, severity=severity, query=query, cap=cap)

    def _count(
        self,
        conn: sqlite3.Connection,
        *,
        status: Filter,
        severity: Filter,
        query: str | None,
        cap: int | None,
        hits: Hits | None = None,
    ) -> int:
        unfiltered = status is None and severity is None
        if hits is not None and unfiltered:
            return hits.found if cap is None else min(hits.found, cap + 1)
        match = hits.match if hits is not None else match_query(conn, query)
        if match is not None and hits is None and unfiltered:
            # Every FTS row is a case: count the index alone, never touching the rows.
            rows = "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?"
            params: list[Any] = [match]
        else:
            where, params = self._where(status, severity, match, hits=hits is not None)
            if where is None:
                return 0
            rows = f"SELECT 1 FROM cases{where}"
        if cap is None:
            sql = f"SELECT count(*) FROM ({rows})"
        else:
            sql = f"SELECT count(*) FROM ({rows} LIMIT ?)"
            params.append(cap + 1)
        return int(conn.execute(sql, params).fetchone()[0])

    def count_overdue(self, now: datetime) -> int:
        """Cases whose latest follow-up time is past (`CaseRow.overdue`): one count on the
        `due_latest` index, whose fixed-width UTC text sorts as time does."""
        with self._guard() as conn:
            sql = "SELECT count(*) FROM cases WHERE due_latest < ?"
            return int(conn.execute(sql, (iso(now),)).fetchone()[0])

    @staticmethod
    def _dense(conn: sqlite3.Connection, match: str, rows: int | None) -> int | None:
        """How many matches make FTS lookups row by row the cheaper way to a page ending at
        `rows` (_LOOKUP_COST); None when they never are: the whole list, or a match whose lookup
        is itself a merge (a prefix FTS has no index for, see `lookup_cheap`)."""
        if rows is None or not lookup_cheap(match):
            return None
        total = conn.execute("SELECT max(id) FROM cases").fetchone()[0] or 0
        return math.isqrt(_LOOKUP_COST * rows * total) + 1

    @staticmethod
    def _where(
        status: Filter,
        severity: Filter,
        match: str | None,
        *,
        walk: bool = False,
        lookup: bool = False,
        hits: bool = False,
    ) -> tuple[str | None, list[Any]]:
        """WHERE clause and parameters; (None, []) when a filter can match nothing. `match` is
        an FTS query (`search.match_query`). `walk` marks the filter columns with `+` so no index on
        them is used; `lookup` asks FTS about each row instead of reading every match first;
        `hits`: the matches are in temp.search_hits (`page`), not to be asked of FTS again."""
        plus = "+" if walk else ""
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("status", status), ("severity", severity)):
            values = _filter_values(value)
            if values is None:
                continue
            if not values:
                return None, []
            clauses.append(f"{plus}{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        if match is not None:
            if hits:  # read by `page` already: FTS is not asked again
                each = "EXISTS (SELECT 1 FROM temp.search_hits AS hit WHERE hit.id = cases.id)"
                every = "id IN (SELECT id FROM temp.search_hits)"
            else:
                each = (
                    "EXISTS (SELECT 1 FROM cases_fts WHERE cases_fts MATCH ? AND rowid = cases.id)"
                )
                every = "id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)"
                params.append(match)
            clauses.append(each if lookup else plus + every)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process, another window)
        commits to the file, and not on this store's own writes: a cheap poll that tells the
        list to reload."""
        with self._guard() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    def all_cases(self) -> Iterator[Escalation]:
        """Every case in id order, read in batches (no read transaction is held between them)."""
        last_id = 0
        while True:
            with self._guard() as conn:
                rows = conn.execute(
                    "SELECT id, data FROM cases WHERE id > ? ORDER BY id LIMIT ?",
                    (last_id, _ALL_CASES_BATCH),
                ).fetchall()
            if not rows:
                return
            for case_id, data in rows:
                yield self._load(case_id, data)
            last_id = rows[-1][0]

    def events(self, case_id: int) -> list[Event]:
        """The case's change log, oldest first."""
        with self._guard() as conn:
            if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
                raise CaseNotFound(f"no case with id {case_id}")
            rows = conn.execute(
                "SELECT id, case_id, at, field, old, new FROM events WHERE case_id = ? ORDER BY id",
                (case_id,),
            ).fetchall()
        with self._decoding():
            return [
                Event(
                    id=r[0],
                    case_id=r[1],
                    at=datetime.fromisoformat(r[2]),
                    field=r[3],
                    old=r[4],
                    new=r[5],
                )
                for r in rows
            ]

    # -- history and patterns (workbench.history, workbench.signals, workbench.stats) ----------------
    def similar_candidates(
        self, terms: Iterable[str], *, exclude_id: int | None = None, limit: int = 200
    ) -> list[Escalation]:
        """The pool the similar-case ranking reads: cases holding any of `terms` as a word, best
        bm25 first (title weighs most), at most `limit` of them, so finding similar cases never
        scans the whole history. Exact words, not prefixes: prefix queries are several times
        slower on a large history (the caller passes the inflections it wants)."""
        match = any_word_query(terms)
        if match is None or limit <= 0:
            return []
        sql = (
            "SELECT c.id, c.data FROM (SELECT rowid AS id, bm25(cases_fts, 3.0, 0.5, 1.0) AS score "
            "FROM cases_fts WHERE cases_fts MATCH ? ORDER BY score LIMIT ?) AS hit "
            "JOIN cases AS c ON c.id = hit.id WHERE c.id != ? ORDER BY hit.score"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (match, limit + 1, exclude_id or 0)).fetchall()
        return [self._load(case_id, data) for case_id, data in rows[:limit]]

    def get_many(self, case_ids: Iterable[int]) -> list[Escalation]:
        """The cases with these ids that exist, in the order asked (linked cases, evidence)."""
        wanted = list(dict.fromkeys(int(i) for i in case_ids))
        if not wanted:
            return []
        found: dict[int, Escalation] = {}
        with self._guard() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for case_id, data in conn.execute(
                    f"SELECT id, data FROM cases WHERE id IN ({marks})", chunk
                ).fetchall():
                    found[case_id] = self._load(case_id, data)
        return [found[i] for i in wanted if i in found]

    def case_facts(self, *, since: datetime | None = None) -> Iterator[CaseFacts]:
        """What the dashboard counts, one small record per case, read from the list columns
        (with the first escalation and the resolution times); no case is parsed. With `since`,
        only open cases and cases updated since then (through the status and updated_at
        indexes): a case escalated, resolved or opened after `since` was necessarily saved
        after it too."""
        from workbench.stats import CaseFacts

        breached = self.playbook.sla_label("breached").lower()
        statuses = {s.value: s for s in Status}
        severities = {s.value: s for s in Severity}
        select = (
            "SELECT id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
            "created_at, escalated_at, resolved_at FROM cases"
        )

        def batches() -> Iterator[list[Any]]:
            if since is not None:
                still_open = [s.value for s in Status if s is not Status.RESOLVED]
                marks = ", ".join("?" * len(still_open))
                sql = f"{select} WHERE status IN ({marks}) OR updated_at >= ? ORDER BY id"
                with self._guard() as conn:
                    yield conn.execute(sql, [*still_open, iso(since)]).fetchall()
                return
            last = 0
            while True:
                with self._guard() as conn:
                    rows = conn.execute(
                        f"{select} WHERE id > ? ORDER BY id LIMIT 5000", (last,)
                    ).fetchall()
                if not rows:
                    return
                yield rows
                last = rows[-1][0]

        for rows in batches():
            for row in rows:
                (case_id, title, customer, status, severity, routed, next_due, due_latest, sla,
                 created, escalated, resolved) = row  # fmt: skip
                with self._decoding():
                    facts = CaseFacts(
                        case_id,
                        title,
                        customer,
                        statuses[status],
                        severities.get(severity) if severity else None,
                        tuple(p.strip() for p in routed.split(",") if p.strip()) if routed else (),
                        datetime.fromisoformat(created),
                        parse_time(escalated),
                        parse_time(resolved) if status == "resolved" else None,
                        parse_time(next_due),
                        parse_time(due_latest),
                        bool(sla) and str(sla).lower().startswith(breached),
                    )
                yield facts

    # -- file ---------------------------------------------------------------------------------------
    def backup(self, dest_path: Path | str, *, overwrite: bool = False) -> Path:
        """A consistent copy through SQLite's online backup, safe while others write. The copy
        is created 0600 like the original."""
        dest = Path(os.path.abspath(Path(dest_path).expanduser()))
        if dest == self.path:
            raise StoreError(f"cannot back up the database onto itself: {dest}")
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
