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
import re
import sqlite3
import stat
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from workbench.clock import utcnow
from workbench.once import Once, once
from workbench.store import migrations
from workbench.store.checkpointer import BACKSTOP, Checkpointer
from workbench.store.migrations import APPLICATION_ID, FTS_PREFIX, SCHEMA_VERSION, MigrationContext
from workbench.vocab import Severity, Status

# The case model (pydantic), the playbook and sqlite-utils are imported where a case is read or
# written, not here: the list reads plain columns only, and those imports were half of the
# app's cold start.
if TYPE_CHECKING:
    from pydantic import ValidationError
    from sqlite_utils import Database

    from workbench.models import Escalation
    from workbench.playbook import Playbook
    from workbench.stats import CaseFacts

log = logging.getLogger(__name__)

DB_ENV = "WORKBENCH_DB"
DB_FILENAME = "workbench.db"
DEFAULT_BUSY_TIMEOUT = 2.5  # seconds to wait for another process's write lock
_ALL_CASES_BATCH = 200

# Bookkeeping fields that change on every save; they are not "changes" worth an event.
_NOT_DIFFED = frozenset({"revision", "updated_at"})


# -- errors -------------------------------------------------------------------------------------------
class StoreError(Exception):
    """Anything the store refuses or cannot do; `str(err)` is one line fit for the CLI."""


class NewerSchemaError(StoreError):
    """The file was written by a newer version of the app; it is left untouched."""


class CorruptDatabaseError(StoreError):
    """The file is not SQLite, is damaged or truncated, or is not a workbench database."""


class DatabaseLockedError(StoreError):
    """Another process held the write lock for longer than the busy timeout."""


class ReadOnlyError(StoreError):
    """A write was asked of a store opened read-only (or the file cannot be written)."""


class CaseNotFound(StoreError):
    pass


class UnstorableTextError(StoreError):
    """A field holds text UTF-8 cannot encode (a lone surrogate): that value can never be saved,
    unlike a full disk or a lock, so a caller does not try it again as it is."""


class StaleCaseError(StoreError):
    """The case changed since this copy was loaded; the caller reloads it."""


class MigrationError(StoreError):
    """An upgrade step failed and was rolled back; the file is as it was."""


def case_json(case: Escalation) -> str:
    """The case as JSON. Text UTF-8 cannot hold (a lone surrogate, from a JSON import's
    `\\ud800` or a broken paste) is refused like any write that cannot be done: an
    UnstorableTextError naming the field, never an unexpected exception. The screens copy a case
    through it too, so a paste is refused with the same words before it reaches the store."""
    from pydantic_core import PydanticSerializationError

    try:
        return case.model_dump_json()
    except PydanticSerializationError as exc:
        where = next(
            (
                path
                for path, value in flatten(case.model_dump()).items()
                if isinstance(value, str) and _SURROGATE.search(value)
            ),
            "a field",
        )
        raise UnstorableTextError(
            f"not saved: {where} holds a character that cannot be stored (a lone "
            f"surrogate, not valid Unicode text)"
        ) from exc


class _Hits(NamedTuple):
    """An FTS query whose matches `Store.page` read into temp.search_hits, and how many."""

    match: str
    found: int


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


_MISSING = object()


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


# -- paths --------------------------------------------------------------------------------------------
def default_db_path() -> Path:
    import platformdirs

    from workbench.settings import APP_NAME

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME


def resolve_db_path(cli_value: str | Path | None = None) -> Path:
    """`--db` wins, then the WORKBENCH_DB environment variable, then the user data directory."""
    if cli_value is not None and str(cli_value) != "":
        return Path(cli_value).expanduser()
    env = os.environ.get(DB_ENV, "")
    if env:
        return Path(env).expanduser()
    return default_db_path()


# -- pure helpers (tested directly) -------------------------------------------------------------------
def flatten(doc: object, prefix: str = "") -> dict[str, object]:
    """JSON document -> {"reproduction.steps.0.action": leaf}. Empty lists and objects have no
    leaves; None is a leaf."""
    out: dict[str, object] = {}
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix] = doc
    return out


def _encode(value: object) -> str | None:
    return None if value is _MISSING else json.dumps(value, ensure_ascii=False)


def diff_documents(
    old: Mapping[str, object], new: Mapping[str, object]
) -> list[tuple[str, str | None, str | None]]:
    """(path, old JSON, new JSON) for every leaf that differs; absent leaves are None. The
    changed leaves in the new document's order, then those it no longer has.

    Every save diffs the whole case (a keystroke's save too), so equal subtrees are skipped
    whole: compared as objects, then as JSON text (1 == True == 1.0 in Python, not in the
    document), both at C speed; only the subtrees that differ are walked leaf by leaf."""
    present: list[tuple[str, str | None, str | None]] = []
    removed: list[tuple[str, str | None, str | None]] = []
    for key in [*new, *(k for k in old if k not in new)]:
        if key in _NOT_DIFFED:
            continue
        _diff(old.get(key, _MISSING), new.get(key, _MISSING), str(key), present, removed)
    if len(removed) > 1:  # rare (a step deleted): in the old document's order
        order = {path: index for index, path in enumerate(flatten(dict(old)))}
        removed.sort(key=lambda change: order[change[0]])
    return present + removed


def _diff(
    was: object,
    now: object,
    path: str,
    present: list[tuple[str, str | None, str | None]],
    removed: list[tuple[str, str | None, str | None]],
) -> None:
    if was is not _MISSING and now is not _MISSING and was == now and _encode(was) == _encode(now):
        return
    if isinstance(was, dict) and isinstance(now, dict):
        for key in [*now, *(k for k in was if k not in now)]:
            _diff(was.get(key, _MISSING), now.get(key, _MISSING), f"{path}.{key}", present, removed)
        return
    if isinstance(was, list) and isinstance(now, list):
        for index in range(max(len(was), len(now))):
            _diff(
                was[index] if index < len(was) else _MISSING,
                now[index] if index < len(now) else _MISSING,
                f"{path}.{index}",
                present,
                removed,
            )
        return
    # A leaf, or a container against a leaf or nothing: its leaves, compared one by one.
    before = {} if was is _MISSING else flatten(was, path)
    after = {} if now is _MISSING else flatten(now, path)
    for leaf in after:
        old_text, new_text = _encode(before.get(leaf, _MISSING)), _encode(after[leaf])
        if old_text != new_text:
            present.append((leaf, old_text, new_text))
    for leaf in before:
        if leaf not in after:
            removed.append((leaf, _encode(before[leaf]), None))


# The words of a similar-case query: letters and digits only, so no FTS syntax gets through.
_TERM = re.compile(r"[^\W_]+")

_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Control characters end an FTS query string early (NUL) or cannot be encoded (lone surrogates).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


_PREFIX_MIN = 3  # letters or digits before the word being typed is searched as a prefix
# Words in nearly every case: as a prefix ("the*": the, then, there, these, ...) each merges most
# of the index (0.3 s at 100,000 cases), and nobody means "words starting with the".
_NOT_PREFIXES = frozenset({
    "the", "and", "for", "are", "but", "not", "was", "you", "all", "any", "can", "has", "had",
    "her", "his", "its", "our", "out", "who", "how", "why", "what", "when", "where", "which",
    "there", "their", "them", "then", "than", "they", "this", "that", "these", "those", "with",
    "from", "into", "have", "been", "were", "will", "would", "could", "should", "about", "after",
    "before",
})  # fmt: skip


def fts_query(text: str, *, prefix: bool | None = None) -> str | None:
    """User text -> a safe FTS5 query. Each whitespace-separated chunk becomes a quoted phrase
    (quotes doubled), so quotes, AND/OR/NOT, NEAR, column filters and stray punctuation mean
    nothing, and FTS splits the chunk with the same tokenizer that indexed the text ("foo-bar"
    finds "foo bar"). All chunks are required. None when there is no searchable word.

    The last chunk is a prefix while it is being typed (no trailing space): with `prefix=True`
    always; by default only once its last word holds three letters or digits and is not a word
    found in nearly every case ("the"). A short or common prefix ("e*", "ex*", "the*") matches
    most cases and costs a merge of most of the index; the store tries it only when the words
    as typed find nothing (`Store._match`)."""
    clean = _UNSAFE.sub(" ", text)
    chunks = [chunk for chunk in clean.split() if any(ch.isalnum() for ch in chunk)]
    if not chunks:
        return None
    terms = ['"' + chunk.replace('"', '""') + '"' for chunk in chunks]
    if not clean[-1].isspace():
        words = _TERM.findall(chunks[-1])
        last = words[-1] if words else chunks[-1]
        cheap = len(last) >= _PREFIX_MIN and last.lower() not in _NOT_PREFIXES
        if prefix or (prefix is None and cheap):
            terms[-1] += "*"
    return " ".join(terms)


def lookup_cheap(match: str) -> bool:
    """Whether FTS answers "does this case match?" for `match` (an fts_query) from single index
    entries: every prefix in it is one the prefix index holds (FTS_PREFIX letters or digits).
    Any other prefix is a merge of every word it starts, on each lookup."""
    for phrase in re.findall(r'"((?:[^"]|"")*)"\*', match):
        words = _TERM.findall(phrase.replace('""', '"'))
        if not words or len(words[-1]) != FTS_PREFIX:
            return False
    return True


def search_text(case: Escalation) -> str:
    """What full-text search sees besides title and customer: the symptom, lessons learned and
    de-escalation findings, the notes on checklist items, and the whole running log."""
    parts = [case.component, case.narrative, case.reproduction.observed]
    parts.append(case.reproduction.evidence)  # exact error text is what agents search for
    if case.resolution is not None:
        parts.append(case.resolution.lessons_learned)
    if case.de_escalation is not None:
        parts += [case.de_escalation.outcome, case.de_escalation.findings]
    parts.extend(answer.note for answer in case.triage.values())
    for entry in case.log:
        parts += [entry.summary, entry.detail, entry.expectation]
    return "\n".join(part for part in parts if part)


def escalated_at(case: Escalation) -> datetime | None:
    """When the case first left support: its first "escalated" log entry or its escalation's
    sent time, whichever is earlier (a back-dated escalation is logged at its sent time)."""
    from workbench.models import LogKind

    times = [entry.at for entry in case.log if entry.kind is LogKind.ESCALATED]
    if case.escalation is not None:
        times.append(case.escalation.sent_at)
    aware = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in times]
    return min(aware) if aware else None


def _iso(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


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
# The list columns a change of calendar or of the hour can change (Store.recount_dues).
_RECOUNTED = ("severity", "routed_to", "sla", "next_due", "due_latest")
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
_DERIVED = (
    "title", "customer", "status", "severity", "routed_to", "next_due", "due_latest", "sla",
    "created_at", "updated_at", "escalated_at", "resolved_at", "search_text",
)  # fmt: skip
_PACK_LEVEL = 6  # zlib: a case's JSON to about 40% (5.6 kB -> 2.2 kB on generated cases)


def pack_document(text: str) -> bytes:
    """A case's JSON as stored: zlib-compressed UTF-8. Most of a case is prose and a running
    log, which compresses well; the list, the search and the dashboard read their own columns."""
    return zlib.compress(text.encode("utf-8"), _PACK_LEVEL)


def unpack_document(value: object) -> str:
    """A stored case's JSON: packed (bytes) since schema 3, plain text before, and readable both
    ways. Anything else, or bytes that do not inflate, is a ValueError (a damaged value)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return zlib.decompress(value).decode("utf-8")
        except (zlib.error, UnicodeDecodeError) as exc:
            raise ValueError(f"a stored case does not unpack ({exc})") from exc
    raise ValueError(f"a stored case is neither text nor packed bytes ({type(value).__name__})")


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
        next_due=_parse_time(next_due),
        due_latest=_parse_time(due_latest),
        sla=sla,
        created_at=datetime.fromisoformat(created),
        updated_at=datetime.fromisoformat(updated),
    )


# -- opening the file ---------------------------------------------------------------------------------
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _create_private(path: Path) -> None:
    """Create missing directories 0700 and the file 0600 before SQLite opens it; -wal and -shm
    inherit the file's mode."""
    missing: list[Path] = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _not_writable(path: Path) -> bool:
    """Not writable by us, or its owner took away their own write bit (which root would ignore)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not mode & stat.S_IWUSR


def _check_header(path: Path) -> None:
    """Refuse a file that is not SQLite or is shorter than its header says, before SQLite sees it."""
    size = path.stat().st_size
    if size == 0:
        return  # a file we just created, or an empty database: SQLite treats both as new
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise CorruptDatabaseError(f"not an SQLite database (not a workbench file): {path}")
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    (valid_for,) = struct.unpack(">I", header[92:96])
    if page_size < 512 or page_size & (page_size - 1):
        raise CorruptDatabaseError(f"the database header is damaged: {path}")
    if Path(f"{path}-wal").exists():
        # Another connection may be checkpointing: it writes page 1 (the new size) before the
        # pages that grow the file, so the size is only checked on a file at rest.
        return
    if size % page_size:
        raise CorruptDatabaseError(f"the database file is truncated or damaged: {path}")
    if pages and valid_for == change_counter and size < pages * page_size:
        raise CorruptDatabaseError(f"the database file is truncated: {path}")


def _connect_readonly(path: Path, timeout: float, *, probe: bool = False) -> sqlite3.Connection:
    """mode=ro; a WAL file in a directory we cannot write has no -shm to share, so fall back to
    immutable=1 then. A `probe` of a file with no -wal beside it reads it as immutable: all its
    content is in the file, and nothing (not even an empty -wal or -shm) is created beside it."""
    uri = path.absolute().as_uri()
    immutable = probe and not Path(f"{path}-wal").exists()
    conn = sqlite3.connect(
        f"{uri}?mode=ro{'&immutable=1' if immutable else ''}",
        uri=True,
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        # No -shm to share and none can be created: SQLite says CANTOPEN or READONLY.
        if immutable or _code(exc) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
            conn.close()
            raise
        conn.close()
        conn = sqlite3.connect(
            f"{uri}?mode=ro&immutable=1",
            uri=True,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )
    return conn


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(document)"
    return f"{where}: {first['msg']}"


def _brief(text: str, limit: int = 160) -> str:
    """An error's own text on one short line (SQLite quotes a damaged schema over many lines)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", -1)) & 0xFF


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
        self._held: tuple[_Hits, tuple[int, int]] | None = None
        self._stamp_of: tuple[object, str] | None = None  # the calendar's, see recount_dues
        self.readonly = readonly or (
            self.path.exists() and (_not_writable(self.path) or _not_writable(self.path.parent))
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
                _create_private(path)
            except OSError as exc:
                raise StoreError(f"cannot create the database {path}: {exc.strerror}") from exc
        _check_header(path)
        version = self._probe()
        if self.readonly:
            conn = _connect_readonly(path, self.busy_timeout)
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
        conn = _connect_readonly(self.path, self.busy_timeout, probe=True)
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
            code = _code(exc)
            text = _brief(str(exc))
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
                f"the database holds a damaged value ({type(exc).__name__}: {_brief(str(exc))}): "
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
                self._read_conn = _connect_readonly(self.path, self.busy_timeout)
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
        """The list columns of a case. A failing rule must not lose the agent's edit: the case is
        still saved, with the rule-derived columns empty, and the failure logged."""
        from workbench.rules.summary import summarize

        severity: str | None = None
        routed = ""
        next_due = due_latest = None
        sla: str | None = None
        try:
            summary = summarize(case, self.playbook, now)
            severity, routed, sla = summary.severity, summary.routed_to, summary.sla
            next_due, due_latest = summary.next_due, summary.due_latest
        except Exception:
            log.exception("summarize failed for case %s; list columns left empty", case.id)
        return {
            "title": case.title,
            "customer": case.customer,
            "status": case.status.value,
            "severity": severity,
            "routed_to": routed or "",
            "next_due": _iso(next_due),
            "due_latest": _iso(due_latest),
            "sla": sla,
            "created_at": _iso(case.created_at),
            "updated_at": _iso(case.updated_at),
            "escalated_at": _iso(escalated_at(case)),
            "resolved_at": _iso(case.resolution.resolved_at if case.resolution else None),
            "search_text": search_text(case),
        }

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
            columns = ", ".join(_RECOUNTED)
            rows = conn.execute(
                f"SELECT id, data, {columns} FROM cases WHERE status = ? "
                "OR next_due IS NOT NULL OR due_latest IS NOT NULL",
                (Status.ESCALATED.value,),
            ).fetchall()
            changed = 0
            assignments = ", ".join(f"{name} = :{name}" for name in _RECOUNTED)
            for case_id, data, *stored in rows:
                try:
                    values = self._derive(self._load(case_id, data), now)
                except CorruptDatabaseError:  # that case says so when it is opened
                    continue
                # The due times as of now, and the columns they go with (severity can rise
                # with time, and its cadence with it), so a row is never half one moment.
                fresh = {name: values[name] for name in _RECOUNTED}
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
            raise ValueError(f"a stored case cannot be read ({_first_error(exc)})") from exc
        return self._derive(case, self._now())

    def _load(self, case_id: int, data: object) -> Escalation:
        from pydantic import ValidationError

        from workbench.models import Escalation

        try:
            return Escalation.model_validate_json(unpack_document(data))
        except ValidationError as exc:
            raise CorruptDatabaseError(
                f"case {case_id} cannot be read ({_first_error(exc)}): {self.path}"
            ) from exc
        except ValueError as exc:
            raise CorruptDatabaseError(
                f"case {case_id} cannot be read ({_brief(str(exc))}): {self.path}"
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
                (new_id, _iso(now), json.dumps(stored.title, ensure_ascii=False)),
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
                    created.append((new_id, _iso(data.created_at), title))
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
            at = _iso(now)
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
        hits: _Hits | None = None,
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
        hits: _Hits | None = None,
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
        match = hits.match if hits is not None else self._match(conn, query)
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
                match = self._match(conn, query)
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

    def _hits(self, conn: sqlite3.Connection, match: str) -> _Hits:
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
    def _read_hits(conn: sqlite3.Connection, match: str) -> _Hits:
        """The FTS query's matches, into temp.search_hits (emptied first of another search's)."""
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.search_hits")
        found = conn.execute(
            "INSERT INTO temp.search_hits SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?",
            (match,),
        ).rowcount
        return _Hits(match, found)

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
        hits: _Hits | None = None,
    ) -> int:
        unfiltered = status is None and severity is None
        if hits is not None and unfiltered:
            return hits.found if cap is None else min(hits.found, cap + 1)
        match = hits.match if hits is not None else self._match(conn, query)
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
            return int(conn.execute(sql, (_iso(now),)).fetchone()[0])

    @staticmethod
    def _match(conn: sqlite3.Connection, query: str | None) -> str | None:
        """The FTS query for the search text: the words as typed, or, when they find nothing and
        the last word is still being typed, that word as a prefix ("hp" for HPE, "50" for 502:
        too short or too common to be tried first, see fts_query)."""
        match = fts_query(query) if query else None
        if match is None or query is None:
            return None
        wide = fts_query(query, prefix=True)
        if wide is None or wide == match:
            return match
        probe = "SELECT 1 FROM cases_fts WHERE cases_fts MATCH ? LIMIT 1"
        return wide if conn.execute(probe, (match,)).fetchone() is None else match

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
        an FTS query (Store._match). `walk` marks the filter columns with `+` so no index on
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
        words = list(dict.fromkeys(w for term in terms for w in _TERM.findall(term)))[:64]
        if not words or limit <= 0:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
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
                    yield conn.execute(sql, [*still_open, _iso(since)]).fetchall()
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
                        _parse_time(escalated),
                        _parse_time(resolved) if status == "resolved" else None,
                        _parse_time(next_due),
                        _parse_time(due_latest),
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
                _create_private(dest)
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
