"""The database schema as an ordered list of forward migrations.

Schema version N is what an empty file holds after `MIGRATIONS[:N]` have run; `PRAGMA user_version`
records N. A released migration is never edited: a change of schema is a new function appended to the
list, so every database, however old, reaches today's schema by the same steps. Only the store calls
this module (it is part of "the only SQL"); the store supplies `derive`, the function that turns a
stored case document into the columns the list shows, so a migration that adds such a column can fill
it without knowing the rules.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only the store's migrations use sqlite-utils: the import stays off the app's start-up.
    from sqlite_utils import Database

# "EWKB": marks a file as ours, so `--db` pointed at some other SQLite file is refused, not migrated.
APPLICATION_ID = 0x45574B42

FTS_COLUMNS = ("title", "customer", "search_text")
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
FTS_TRIGGERS = ("cases_ai", "cases_ad", "cases_au")
# Three-character prefixes get an index of their own (schema 4): see `create_fts`.
FTS_PREFIX = 3

_BATCH = 500


@dataclass(frozen=True)
class MigrationContext:
    """What a migration step may use: the database (inside the step's transaction) and `derive`."""

    db: Database
    # A stored case (its JSON, plain or packed) -> derived column values as the current code
    # computes them.
    derive: Callable[[object], Mapping[str, object]]


Migration = Callable[[MigrationContext], None]


class MigrationFailed(Exception):
    """A step failed; its transaction was rolled back, the file is as it was before the step."""


def _v1_initial(ctx: MigrationContext) -> None:
    """The first schema: cases as JSON plus list columns, an append-only event log, FTS."""
    db = ctx.db
    db.table("cases").create(
        {
            "id": int,
            "revision": int,
            "title": str,
            "customer": str,
            "status": str,
            "severity": str,
            "routed_to": str,
            "next_due": str,
            "created_at": str,
            "updated_at": str,
            "search_text": str,
            "data": str,
        },
        pk="id",
        not_null={"revision", "title", "customer", "status", "routed_to", "created_at"}
        | {"updated_at", "search_text", "data"},
        defaults={"title": "", "customer": "", "routed_to": "", "search_text": ""},
    )
    db.table("events").create(
        {"id": int, "case_id": int, "at": str, "field": str, "old": str, "new": str},
        pk="id",
        not_null={"case_id", "at", "field"},
        foreign_keys=[("case_id", "cases", "id")],
    )
    db.executescript(
        """
        CREATE INDEX idx_events_case ON events(case_id, id);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: an event cannot be changed'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: an event cannot be deleted'); END;
        CREATE INDEX idx_cases_status ON cases(status);
        CREATE INDEX idx_cases_severity ON cases(severity);
        CREATE INDEX idx_cases_routed_to ON cases(routed_to COLLATE NOCASE);
        CREATE INDEX idx_cases_next_due ON cases(next_due);
        CREATE INDEX idx_cases_created_at ON cases(created_at);
        CREATE INDEX idx_cases_updated_at ON cases(updated_at);
        CREATE INDEX idx_cases_title ON cases(title COLLATE NOCASE);
        CREATE INDEX idx_cases_customer ON cases(customer COLLATE NOCASE);
        """
    )
    # v1 search_text held the component and the narrative (see v2).
    db.table("cases").enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZE)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


_V2_STATUS_RANK = (
    "(CASE status WHEN 'draft' THEN 0 WHEN 'kept_in_support' THEN 1 WHEN 'escalated' THEN 2 "
    "WHEN 'de_escalated' THEN 3 WHEN 'resolved' THEN 4 END)"
)
_V2_SEVERITY_RANK = (
    "(CASE severity WHEN 'medium' THEN 1 WHEN 'high' THEN 2 WHEN 'critical' THEN 3 END)"
)
V2_DERIVED = ("severity", "routed_to", "next_due", "due_latest", "sla", "search_text")


def _backfill(ctx: MigrationContext, names: Sequence[str], *, not_null: Sequence[str] = ()) -> None:
    """Fill the derived columns `names` of every case from its stored document, in batches
    (`not_null` ones get "" for nothing). Run after a transform: its FTS triggers are gone, so
    nothing fires; the caller rebuilds the index once."""
    db = ctx.db
    set_sql = ", ".join(f"{name} = :{name}" for name in names)
    last_id = 0
    while True:
        rows = db.execute(
            "SELECT id, data FROM cases WHERE id > ? ORDER BY id LIMIT ?", (last_id, _BATCH)
        ).fetchall()
        if not rows:
            return
        for case_id, data in rows:
            derived = ctx.derive(data)
            values: dict[str, Any] = {name: derived.get(name) for name in names}
            for name in not_null:
                values[name] = values[name] or ""
            values["id"] = case_id
            db.execute(f"UPDATE cases SET {set_sql} WHERE id = :id", values)
        last_id = rows[-1][0]


def _v2_due_latest_sla_wider_search(ctx: MigrationContext) -> None:
    """Add `due_latest` (overdue is now > it) and `sla`; search also the observed outcome, lessons
    learned and log summaries; index every sort of the list. The new columns are moved before
    `data` (a transform) so reading list rows never touches the JSON's overflow pages; transform
    drops the FTS triggers, so the FTS index is rebuilt afterwards (STACK-NOTES)."""
    db = ctx.db
    cases = db.table("cases")
    cases.add_column("due_latest", str)
    cases.add_column("sla", str)
    order = [
        "id", "revision", "title", "customer", "status", "severity", "routed_to", "next_due",
        "due_latest", "sla", "created_at", "updated_at", "search_text", "data",
    ]  # fmt: skip
    cases.transform(column_order=order)
    # The triggers are gone now: backfill without firing them, then rebuild the index once.
    _backfill(ctx, V2_DERIVED, not_null=("routed_to", "search_text"))
    cases.disable_fts()
    cases.enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZE)
    # Indexes for every sort of the list, in both directions; ascending puts empty values last.
    db.executescript(
        f"""
        CREATE INDEX idx_cases_due_latest ON cases(due_latest);
        CREATE INDEX idx_cases_sla ON cases(sla);
        CREATE INDEX idx_cases_next_due_asc ON cases((next_due IS NULL), next_due);
        CREATE INDEX idx_cases_due_latest_asc ON cases((due_latest IS NULL), due_latest);
        CREATE INDEX idx_cases_sla_asc ON cases((sla IS NULL), sla);
        CREATE INDEX idx_cases_status_rank ON cases({_V2_STATUS_RANK});
        CREATE INDEX idx_cases_severity_rank ON cases({_V2_SEVERITY_RANK});
        CREATE INDEX idx_cases_severity_rank_asc
            ON cases(({_V2_SEVERITY_RANK} IS NULL), {_V2_SEVERITY_RANK});
        """
    )


V3_DERIVED = ("escalated_at", "resolved_at")


def _v3_dashboard_times_packed_documents(ctx: MigrationContext) -> None:
    """The first escalation and the resolution times as columns: the dashboard read them out of
    the JSON with json_extract, and the JSON is now stored packed (zlib; the store reads plain
    and packed alike, and packs a case when it next saves it). The columns go before `data`, as
    in v2, and the FTS index is rebuilt after the transform."""
    db = ctx.db
    cases = db.table("cases")
    for name in V3_DERIVED:
        cases.add_column(name, str)
    order = [
        "id", "revision", "title", "customer", "status", "severity", "routed_to", "next_due",
        "due_latest", "sla", "created_at", "updated_at", *V3_DERIVED, "search_text", "data",
    ]  # fmt: skip
    cases.transform(column_order=order)
    _backfill(ctx, V3_DERIVED)
    cases.disable_fts()
    cases.enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZE)


def create_fts(db: Database) -> None:
    """The FTS index of the cases, filled, and the triggers that keep it in step (the ones
    sqlite-utils' `enable_fts` writes, and written so its `detect_fts` still finds the table),
    with a prefix index for three-character prefixes. The
    search box searches the word being typed as a prefix once it has three letters ("exp" is
    "exp*"), and without that index FTS5 merges the entries of every word that starts with them
    (40 ms for "exp" at 100,000 cases; 1 ms with it, for about 9% more disk)."""
    columns = ", ".join(FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    db.executescript(
        f"""
        CREATE VIRTUAL TABLE cases_fts USING fts5(
            {columns}, tokenize='{FTS_TOKENIZE}', prefix='{FTS_PREFIX}', content="cases"
        );
        INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
        CREATE TRIGGER cases_ai AFTER INSERT ON cases BEGIN
          INSERT INTO cases_fts (rowid, {columns}) VALUES (new.rowid, {new});
        END;
        CREATE TRIGGER cases_ad AFTER DELETE ON cases BEGIN
          INSERT INTO cases_fts (cases_fts, rowid, {columns}) VALUES ('delete', old.rowid, {old});
        END;
        CREATE TRIGGER cases_au AFTER UPDATE ON cases BEGIN
          INSERT INTO cases_fts (cases_fts, rowid, {columns}) VALUES ('delete', old.rowid, {old});
          INSERT INTO cases_fts (rowid, {columns}) VALUES (new.rowid, {new});
        END;
        """
    )


def update_only_changed_text(db: Database) -> None:
    """The update trigger again, now firing only when what the index holds for the row changed:
    its text or its rowid. Most saves (a tick, a score, a status) change neither, and
    re-indexing the case anyway wrote a new FTS segment each time: a third of the pages a save
    wrote (36 -> 23 for a large case) (schema 5). Two statements
    run one by one on the caller's transaction (no script, which may commit it)."""
    columns = ", ".join(FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("rowid", *FTS_COLUMNS))
    db.conn.execute("DROP TRIGGER IF EXISTS cases_au")
    db.conn.execute(
        f"""CREATE TRIGGER cases_au AFTER UPDATE ON cases WHEN {changed} BEGIN
          INSERT INTO cases_fts (cases_fts, rowid, {columns}) VALUES ('delete', old.rowid, {old});
          INSERT INTO cases_fts (rowid, {columns}) VALUES (new.rowid, {new});
        END"""
    )


def drop_fts(db: Database) -> None:
    """The FTS index and its triggers, whichever of them are there."""
    triggers = "".join(f"DROP TRIGGER IF EXISTS {name};" for name in FTS_TRIGGERS)
    db.executescript(f"{triggers} DROP TABLE IF EXISTS cases_fts;")


def _v4_fts_prefix_index(ctx: MigrationContext) -> None:
    """The FTS index rebuilt with its prefix index (`create_fts`)."""
    drop_fts(ctx.db)
    create_fts(ctx.db)


def _v5_fts_update_only_on_indexed_change(ctx: MigrationContext) -> None:
    """The FTS update trigger fires only when the indexed text changed (`update_only_changed_text`)."""
    update_only_changed_text(ctx.db)


def _v6_derived_from(ctx: MigrationContext) -> None:
    """What the due columns were last counted with (the playbook's calendar: business days,
    holidays, zone), so a store opened with another calendar counts its open cases again
    (`Store.recount_dues`). Empty here: the first open after this step counts them."""
    ctx.db.conn.execute(
        "CREATE TABLE IF NOT EXISTS derived_from (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial,
    _v2_due_latest_sla_wider_search,
    _v3_dashboard_times_packed_documents,
    _v4_fts_prefix_index,
    _v5_fts_update_only_on_indexed_change,
    _v6_derived_from,
)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def application_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA application_id").fetchone()[0])


def migrate(
    ctx: MigrationContext,
    target: int = SCHEMA_VERSION,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> list[int]:
    """Bring the database up to `target`, one step per transaction; returns the versions reached.

    Each step runs with foreign keys off (the SQLite way to rebuild a table that others reference),
    checks them before committing, and sets `user_version` in the same transaction, so a killed
    process leaves the file at the previous version, never half-way. The version is re-read after
    taking the write lock, so two processes opening an old file at once migrate it once.
    """
    conn = ctx.db.conn
    reached: list[int] = []
    while True:
        version = user_version(conn)
        if version >= target:
            return reached
        step = migrations[version]
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if user_version(conn) != version:  # another process got here first
                    conn.execute("ROLLBACK")
                    continue
                step(ctx)
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationFailed(f"foreign key check failed: {broken[:3]}")
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError | MigrationFailed):
                    raise
                if isinstance(exc, Exception):
                    name = getattr(step, "__name__", "step")
                    raise MigrationFailed(f"{name}: {' '.join(str(exc).split())}") from exc
                raise
        finally:
            conn.execute("PRAGMA foreign_keys = ON")
        reached.append(version + 1)


def fts_intact(db: Database | sqlite3.Connection) -> bool:
    """The FTS table and its three sync triggers exist (a transform silently drops the triggers)."""
    names = {
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE name IN (?, ?, ?, ?)",
            ("cases_fts", *FTS_TRIGGERS),
        ).fetchall()
    }
    return names == {"cases_fts", *FTS_TRIGGERS}


def repair_fts(db: Database) -> None:
    """Recreate the FTS index and its triggers as today's schema has them, from the cases table
    (in the caller's transaction)."""
    drop_fts(db)
    create_fts(db)
    update_only_changed_text(db)
