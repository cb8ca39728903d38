"""The team database's connections: opening (the schema checked, created or upgraded when the
role may), a small pool for the app's threads, the transactions every read and write goes
through, and driver errors as one-line `StoreError`s that never show a password."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from workbench.clock import utcnow
from workbench.once import Once, once
from workbench.store.codec import first_error, unpack_document
from workbench.store.columns import derive_columns
from workbench.store.errors import (
    CorruptDatabaseError,
    DatabaseLockedError,
    NewerSchemaError,
    ReadOnlyError,
    ServerUnavailableError,
    StoreError,
    TeamSchemaError,
    brief,
)
from workbench.store.pg import schema
from workbench.store.pg.search import indexed, prefixes
from workbench.store.target import redact_url, url_host

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook

log = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[Any, ...]]

CONNECT_TIMEOUT = 5  # seconds, unless the URL says otherwise (libpq's connect_timeout)
CHANGE_POLL = 0.5  # seconds between the list's looks for notifications (no query each time)
POOL_WAIT = 3.0  # seconds a save waits for a connection when the server is away (the UI waits too)
AWAY_BACKOFF = 5.0  # seconds the list stops looking for changes after the server did not answer
POOL_SIZE = 4  # the app's thread, its workers (the similar-case pool) and the CLI's
MAX_INDEXED = 400_000  # characters of a case's search text that go into its tsvector
# The tsvector of a case: the folded words of its title (weight A), search text (B) and
# customer (C), as `search.indexed` gives them.
SEARCH_VECTOR = (
    "setweight(to_tsvector('simple', %(fts_title)s), 'A') || "
    "setweight(to_tsvector('simple', %(fts_text)s), 'B') || "
    "setweight(to_tsvector('simple', %(fts_customer)s), 'C')"
)
PREFIX_VECTOR = "to_tsvector('simple', %(fts_prefixes)s)"


def _init_connection(conn: Connection) -> None:
    conn.execute(f"SET search_path = {schema.SCHEMA}, pg_catalog")


class PgStoreBase:
    """A team database and its pool of connections. Thread-safe: each call takes a connection
    from the pool for its own statements or transaction."""

    def __init__(
        self,
        url: str,
        playbook: Playbook | Callable[[], Playbook],
        *,
        readonly: bool = False,
        clock: Callable[[], datetime] = utcnow,
        pool_size: int = POOL_SIZE,
        pool_wait: float = POOL_WAIT,
    ) -> None:
        self.url = url
        self.shown_url = redact_url(url)
        self._host = url_host(url)
        self._playbook = once(playbook) if callable(playbook) else playbook
        self.clock = clock
        self.change_poll = CHANGE_POLL
        self.readonly = readonly
        self.damage: str | None = None  # a server keeps its own pages: never set here
        self.on_damage: Callable[[str], object] | None = None
        self._commits = 0  # this store's own write transactions (see data_version)
        self._pool_wait = pool_wait
        self._stamp_of: tuple[object, str] | None = None
        self._pool: ConnectionPool[Connection] | None = None
        # LISTEN workbench_cases on a connection of its own: another agent's change arrives as
        # a notification, with no query (see data_version); the pool's backends are ours.
        self._listener: Connection | None = None
        self._listen_lock = threading.Lock()
        self._own_pids: set[int] = set()
        self._seen_changes = 0
        self._agent: str | None = None  # current_user, asked once (`agent`)
        self._away_until = 0.0  # time.monotonic() until which data_version does not try
        self._kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in url:
            self._kwargs["connect_timeout"] = CONNECT_TIMEOUT
        if readonly:
            self._kwargs["options"] = "-c default_transaction_read_only=on"
        with self._errors():
            self._open(pool_size)

    @property
    def playbook(self) -> Playbook:
        source = self._playbook
        return source() if isinstance(source, Once) else source

    @property
    def location(self) -> str:
        return self.shown_url

    # -- opening ------------------------------------------------------------------------------------
    def _open(self, pool_size: int) -> None:
        """One connection first: an unreachable server, a refused login or a schema this role
        cannot use is one clear error here, not a pool retrying in the background."""
        with psycopg.connect(self.url, **self._kwargs) as conn:
            version = schema.schema_version(conn)
            if version > schema.TEAM_SCHEMA_VERSION:
                raise NewerSchemaError(
                    f"the team database was written by a newer Escalation Workbench (schema "
                    f"{version}, this version knows {schema.TEAM_SCHEMA_VERSION}); upgrade the "
                    f"app: {self.shown_url}"
                )
            if version < schema.TEAM_SCHEMA_VERSION:
                if self.readonly:
                    raise ReadOnlyError(
                        f"the team database needs its schema created or upgraded but is open "
                        f"read-only: {self.shown_url}"
                    )
                try:
                    schema.migrate(conn)
                except pg_errors.InsufficientPrivilege as exc:
                    what = "has no workbench schema" if version == 0 else "has an older schema"
                    raise TeamSchemaError(
                        f"the team database {what} (version {version}, this app needs "
                        f"{schema.TEAM_SCHEMA_VERSION}) and this role cannot create it: ask its "
                        f"owner to run 'workbench --db URL team init' ({self.shown_url})"
                    ) from exc
        self._pool = ConnectionPool(
            self.url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs=self._kwargs,
            configure=_init_connection,
            open=True,
            timeout=self._pool_wait,
            name="workbench",
        )
        self._listen()

    def _listen(self) -> None:
        try:
            listener: Connection = psycopg.connect(self.url, **self._kwargs)
            listener.execute(f"LISTEN {schema.CHANNEL}")
        except psycopg.Error:
            log.warning("no change notifications from %s: the list polls instead", self.shown_url)
            return
        self._listener = listener

    # -- plumbing -----------------------------------------------------------------------------------
    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return driver_errors(self._host, self.shown_url, self._pool_wait)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[Connection]:
        """A connection of the pool for some reads (autocommit: each statement its own)."""
        with self._errors():
            if self._pool is None:
                raise StoreError(f"the store is closed: {self.shown_url}")
            with self._pool.connection() as conn:
                yield conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction; it also moves the change counter `data_version` reads."""
        if self.readonly:
            raise ReadOnlyError(f"the team database is open read-only: {self.shown_url}")
        with self._guard() as conn:
            self._own_pids.add(conn.info.backend_pid)
            try:
                with conn.transaction():
                    yield conn
                    conn.execute("UPDATE changes SET n = n + 1")
            finally:
                self._commits += 1

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read-only transaction whose statements all see the same moment (a page's count
        and rows)."""
        with self._guard() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    @property
    def schema_version(self) -> int:
        with self._guard() as conn:
            return schema.schema_version(conn)

    def data_version(self) -> int:
        """A number that changes when another agent (another connection) commits a change; this
        store's own writes are taken out, as SQLite's `data_version` leaves them out. From the
        notifications that arrived (no query: the list can look often); without a listener
        (the server went away), from the change counter, listening again once it answers.
        While the server is away, the list's looks fail at once for a few seconds instead of
        each waiting for a connection."""
        if self._listener is not None and self.wait_for_change(0) is not None:
            return self._seen_changes
        if time.monotonic() < self._away_until:
            raise ServerUnavailableError(f"the team database at {self._host} is not reachable")
        try:
            with self._guard() as conn:
                row = conn.execute("SELECT n FROM changes").fetchone()
        except ServerUnavailableError:
            self._away_until = time.monotonic() + AWAY_BACKOFF
            raise
        with self._listen_lock:
            if self._listener is None:
                self._listen()
        return int(row[0] if row else 0) - self._commits

    def wait_for_change(self, timeout: float) -> bool | None:
        """Wait up to `timeout` seconds for another agent's change to a case (LISTEN/NOTIFY):
        whether one came; None when this store has no listener (the server went away)."""
        with self._listen_lock:
            listener = self._listener
            if listener is None:
                return None
            before = self._seen_changes
            try:
                for note in listener.notifies(timeout=timeout):
                    if note.pid not in self._own_pids:
                        self._seen_changes += 1
                        if timeout > 0:
                            break
            except psycopg.Error:
                self._listener = None
                with contextlib.suppress(psycopg.Error):
                    listener.close()
                return None
            return self._seen_changes != before

    def verify(self) -> None:
        """Nothing to check: the server keeps its own pages (the local file is checked whole)."""

    def owns(self, target: Path | str) -> bool:
        """No local file is the team database."""
        return False

    def backup(self, dest_path: Path | str, *, overwrite: bool = False) -> Path:
        raise StoreError(
            f"a team database is backed up on its server: use pg_dump ({self.shown_url})"
        )

    def _now(self) -> datetime:
        now = self.clock()
        return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)

    # -- cases in and out ---------------------------------------------------------------------------
    def _columns(self, case: Escalation, now: datetime) -> dict[str, object]:
        """The case's list columns (`columns.derive_columns`), and the folded words its search
        vector is made of (`SEARCH_VECTOR`) in place of the local search text."""
        values = derive_columns(case, lambda: self.playbook, now)
        text = str(values.pop("search_text") or "")
        values["fts_title"] = indexed(case.title)
        values["fts_customer"] = indexed(case.customer)
        # A tsvector holds at most 1 MB: the first MAX_INDEXED characters of a huge log are
        # searchable, and the save never fails for its size.
        values["fts_text"] = indexed(text[:MAX_INDEXED])
        values["fts_prefixes"] = prefixes(
            f"{values['fts_title']} {values['fts_customer']} {values['fts_text']}"
        )
        return values

    def _load(self, case_id: int, data: object) -> Escalation:
        from pydantic import ValidationError

        from workbench.models import Escalation

        try:
            return Escalation.model_validate_json(unpack_document(data))
        except ValidationError as exc:
            raise CorruptDatabaseError(
                f"case {case_id} cannot be read ({first_error(exc)}): {self.shown_url}"
            ) from exc
        except ValueError as exc:
            raise CorruptDatabaseError(
                f"case {case_id} cannot be read ({brief(str(exc))}): {self.shown_url}"
            ) from exc

    def close(self) -> None:
        with self._listen_lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(psycopg.Error):
                listener.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(text: str) -> str:
    """libpq's own reason at the end of "connection failed: connection to server at ...
    failed: FATAL:  password authentication failed ...": the part a person acts on."""
    reason = text.rsplit(" failed: ", 1)[-1].strip()
    for label in ("FATAL:", "ERROR:"):
        reason = reason.removeprefix(label).strip()
    return reason or text


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def assignments(values: Mapping[str, object]) -> str:
    """`name = %(name)s, ...` for an UPDATE, the search vector built from its words."""
    parts = [f"{name} = %({name})s" for name in values if not name.startswith("fts_")]
    if any(name.startswith("fts_") for name in values):
        parts.append(f"search_vector = {SEARCH_VECTOR}")
        parts.append(f"search_prefixes = {PREFIX_VECTOR}")
    return ", ".join(parts)


@contextlib.contextmanager
def driver_errors(host: str, shown_url: str, wait: float = POOL_WAIT) -> Iterator[None]:
    """Driver errors -> one-line StoreErrors naming the database without its password."""
    try:
        yield
    except StoreError:
        raise
    except PoolTimeout as exc:
        raise ServerUnavailableError(
            f"the team database at {host} is not reachable (no connection within {wait:g} s)"
        ) from exc
    except psycopg.OperationalError as exc:
        text = brief(_first_line(exc), 120)
        if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.DeadlockDetected):
            raise DatabaseLockedError(f"the team database is busy ({text}): {shown_url}") from exc
        reason = brief(_reason(_first_line(exc)), 120)
        if "authentication failed" in reason or "no password supplied" in reason:
            raise ServerUnavailableError(
                f"the team database at {host} refused the login: {reason}"
            ) from exc
        raise ServerUnavailableError(
            f"the team database at {host} is not reachable: {reason}"
        ) from exc
    except pg_errors.InsufficientPrivilege as exc:
        raise StoreError(
            f"not allowed on the team database ({brief(_first_line(exc), 120)})"
        ) from exc
    except pg_errors.ReadOnlySqlTransaction as exc:
        raise ReadOnlyError(f"the team database is open read-only: {shown_url}") from exc
    except psycopg.Error as exc:
        raise StoreError(
            f"team database error ({brief(_first_line(exc), 120)}): {shown_url}"
        ) from exc
