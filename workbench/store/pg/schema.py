"""The team database's schema, kept in step with the local file's: the same version numbers
(`migrations.SCHEMA_VERSION`), reached by forward steps, recorded in `meta`. The team schema
starts at the local schema 6 in one step (today's tables at once); every later local migration
needs its step here too (a test checks that the two versions agree).

What the server enforces, not the app's good manners: every event's author and every case's
creator, last writer and owner come from the connected role (triggers overwrite whatever a
client sends); the event log cannot be updated, deleted or truncated (a trigger raises, for
the owner too); a change of owner is logged by the server itself."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from workbench.store.errors import TeamSchemaError
from workbench.store.migrations import SCHEMA_VERSION

SCHEMA = "workbench"
CHANNEL = "workbench_cases"  # NOTIFY channel: a case's id, on each insert or update

_STATUS_RANK = (
    "(CASE status WHEN 'draft' THEN 0 WHEN 'kept_in_support' THEN 1 WHEN 'escalated' THEN 2 "
    "WHEN 'de_escalated' THEN 3 WHEN 'resolved' THEN 4 END)"
)
_SEVERITY_RANK = (
    "(CASE severity WHEN 'medium' THEN 1 WHEN 'high' THEN 2 WHEN 'critical' THEN 3 END)"
)
# The list's sort keys -> the SQL expression, as `queries.SORTS` for the local file. Text sorts
# compare as SQLite's NOCASE does (ASCII case folded, then bytes: collation "C"); times are the
# same fixed-width UTC text as locally, whose byte order is time order.
SORT_EXPRESSIONS: dict[str, str] = {
    "id": "id",
    "title": 'lower(title COLLATE "C")',
    "customer": 'lower(customer COLLATE "C")',
    "status": _STATUS_RANK,
    "severity": _SEVERITY_RANK,
    "routed_to": 'lower(routed_to COLLATE "C")',
    "next_due": 'next_due COLLATE "C"',
    "due_latest": 'due_latest COLLATE "C"',
    "sla": 'sla COLLATE "C"',
    "created_at": 'created_at COLLATE "C"',
    "updated_at": 'updated_at COLLATE "C"',
}

_ISO_NOW = (
    "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'"
)


# Sorts whose column can be empty: empty values last both ways, so each has a second index for
# the descending order (a btree read backwards gives DESC NULLS FIRST). The others are never
# empty, and one index serves both directions.
NULLABLE_SORTS = frozenset({"severity", "next_due", "due_latest", "sla"})


def order_by(sort: str, descending: bool, *, key: str | None = None) -> str:
    """The ORDER BY of a list page, as the indexes below are made for it; ties on id. `key`
    names a column holding the sort's expression already (a subquery's, `plans.searched_page`)."""
    expression = key or SORT_EXPRESSIONS[sort]
    way = "DESC" if descending else "ASC"
    if sort == "id":
        return f"id {way}"
    if sort in NULLABLE_SORTS:
        return f"({expression}) {way} NULLS LAST, id {way}"
    return f"({expression}) {way}, id {way}"


# The search vectors' GIN indexes again, each over one slice of the cases (`mod(id, SEARCH_SLICES)`):
# a search's capped count reads the slices one after the other and stops once past the cap. A GIN
# index can only build the bitmap of every case it matches (no scan that stops early), and for a
# word most cases hold that bitmap was most of a search (`customer:*`, 55,000 cases: 20 ms at
# 100,000); a slice's is an eighth of it. The whole indexes stay for the page, whose plan needs
# every match of a rare word (a slice's index serves only statements naming its slice).
SEARCH_SLICES = 8
SLICED_VECTORS = ("search_vector", "search_prefixes")


def slice_of(k: int) -> str:
    """The condition of slice `k`, written as the partial indexes' predicate is (the planner
    uses a partial index only for a condition it can prove implies the predicate)."""
    return f"mod(id, {SEARCH_SLICES}) = {k}"


# The text columns kept in the row (see the ALTER TABLE in _V6_TEAM): all but the document.
ROW_COLUMNS = (
    "title", "customer", "status", "severity", "routed_to", "next_due", "due_latest", "sla",
    "created_at", "updated_at", "escalated_at", "resolved_at", "owner", "created_by",
    "updated_by", "source",
)  # fmt: skip


def _in_the_row() -> str:
    return ", ".join(f"ALTER {column} SET STORAGE MAIN" for column in ROW_COLUMNS)


def _slice_indexes() -> str:
    return "\n".join(
        f"CREATE INDEX cases_{column}_{k} ON cases USING gin ({column}) WHERE {slice_of(k)};"
        for column in SLICED_VECTORS
        for k in range(SEARCH_SLICES)
    )


# The columns the list filters on, carried by every sort index (INCLUDE): a filtered page walks
# the sort index without reading a row until the page is full (`plans.filtered_page`), where
# reading each row made a filter whose cases lie at the far end of the sort (the kept-in-support
# ones sorted by status, descending) read 82,000 rows first (240 ms at 100,000 cases). The walk is
# index-only for the sorts whose expression the index can give (status, severity, the times);
# for the text sorts (`lower(title)`) it would need the text itself in the index too, which would
# halve the longest title the index takes (a btree entry holds about 2,700 bytes).
FILTER_COLUMNS = "status, severity, owner"


def _sort_indexes() -> str:
    """An index per sort key (and a second, descending, where empty values must come last)."""
    out = []
    for name, expression in SORT_EXPRESSIONS.items():
        if name == "id":
            continue
        carried = FILTER_COLUMNS
        out.append(
            f"CREATE INDEX cases_sort_{name} ON cases (({expression}) NULLS LAST, id) "
            f"INCLUDE ({carried});"
        )
        if name in NULLABLE_SORTS:
            out.append(
                f"CREATE INDEX cases_sort_{name}_desc ON cases "
                f"(({expression}) DESC NULLS LAST, id DESC) INCLUDE ({carried});"
            )
    return "\n".join(out)


_V6_TEAM = f"""
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE derived_from (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE changes (n bigint NOT NULL);
INSERT INTO changes VALUES (0);
CREATE TABLE cases (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    revision integer NOT NULL,
    title text NOT NULL DEFAULT '',
    customer text NOT NULL DEFAULT '',
    status text NOT NULL,
    severity text,
    routed_to text NOT NULL DEFAULT '',
    next_due text,
    due_latest text,
    sla text,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    escalated_at text,
    resolved_at text,
    search_vector tsvector NOT NULL,
    search_prefixes tsvector NOT NULL DEFAULT '',
    data bytea NOT NULL,
    owner text NOT NULL DEFAULT current_user,
    created_by text NOT NULL DEFAULT current_user,
    updated_by text NOT NULL DEFAULT current_user,
    source text UNIQUE
);
-- The search vectors stay in the row (compressed), where a search or the similar-case pool
-- matches them, instead of in the TOAST table (a fetch each: the pool's 85,000 matches at 100k
-- cases 520 -> 240 ms); the document, packed already, goes out of line uncompressed.
-- The list's small columns stay in the row too: with the vectors (2-3 kB, which pglz rarely
-- shrinks) the row stays over the toaster's 2 kB target once the document is out, and it then
-- moved every other text column of over 24 bytes (titles, times) to the TOAST table, one
-- fetch per value read: a page sorted by a time or a title fetched them at each comparison
-- (the 194 rows of a search sorted by updated_at: 9 ms, 13,800 buffers). Kept in the row
-- (MAIN), a value leaves it only when the row could not fit a page otherwise.
ALTER TABLE cases ALTER data SET STORAGE EXTERNAL,
    ALTER search_vector SET STORAGE MAIN, ALTER search_prefixes SET STORAGE MAIN,
    {_in_the_row()};
CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES cases (id),
    at text NOT NULL,
    field text NOT NULL,
    old text,
    new text,
    author text NOT NULL DEFAULT current_user
);
CREATE INDEX events_case ON events (case_id, id);
CREATE INDEX cases_search ON cases USING gin (search_vector);
CREATE INDEX cases_search_prefixes ON cases USING gin (search_prefixes);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_severity ON cases (severity);
CREATE INDEX cases_owner ON cases (owner);
{_slice_indexes()}
{_sort_indexes()}

CREATE FUNCTION events_stamp_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.author := current_user;
    RETURN NEW;
END $$;
CREATE TRIGGER events_author BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_stamp_author();

CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: an event cannot be changed or deleted'
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

CREATE FUNCTION cases_stamp_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.owner := current_user;
        NEW.created_by := current_user;
    ELSE
        NEW.created_by := OLD.created_by;
        IF NEW.owner IS DISTINCT FROM OLD.owner THEN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = NEW.owner) THEN
                RAISE EXCEPTION 'no agent named %', NEW.owner
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
            INSERT INTO events (case_id, at, field, old, new)
            VALUES (NEW.id, {_ISO_NOW}, 'owner', to_json(OLD.owner)::text,
                    to_json(NEW.owner)::text);
        END IF;
    END IF;
    NEW.updated_by := current_user;
    RETURN NEW;
END $$;
CREATE TRIGGER cases_roles BEFORE INSERT OR UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_stamp_roles();

-- One notification per statement, with no payload (the server folds a transaction's identical
-- ones into one): a listener only learns that cases changed. One per row was 100,000 for a bulk
-- load, which a listener that is not reading (the loading store's own) blocked on, holding its
-- snapshot: VACUUM then marked almost no page all-visible.
CREATE FUNCTION cases_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$;
CREATE TRIGGER cases_changed AFTER INSERT OR UPDATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION cases_notify();
CREATE FUNCTION cases_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cases are never deleted: resolve a case instead'
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER cases_no_delete BEFORE DELETE OR TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION cases_refuse_delete();
"""

Step = Callable[[psycopg.Connection[tuple[object, ...]]], None]


def _v6_team(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Today's schema at once: the local schema 6's tables, columns and sorts, with the team's
    own columns (owner, authors, the import's source key) and the server's rules."""
    conn.execute(_V6_TEAM.encode())


# (from version, to version, step): the team schema starts at the local version 6.
STEPS: tuple[tuple[int, int, Step], ...] = ((0, 6, _v6_team),)
TEAM_SCHEMA_VERSION = STEPS[-1][1]
assert TEAM_SCHEMA_VERSION == SCHEMA_VERSION, "a local migration needs its team step (pg/schema)"


def schema_version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """The team schema's version; 0 when the database holds none yet."""
    row = conn.execute("SELECT to_regclass('workbench.meta') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return 0
    found = conn.execute("SELECT value FROM workbench.meta WHERE key = 'schema_version'").fetchone()
    return int(str(found[0])) if found else 0


def migrate(conn: psycopg.Connection[tuple[object, ...]]) -> list[int]:
    """Bring the schema up to today's, one transaction per step, under an advisory lock (two
    processes upgrading at once upgrade once); returns the versions reached. Needs a role that
    may create in the database (its owner): `team init`."""
    reached: list[int] = []
    while True:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('workbench schema'))")
            version = schema_version(conn)
            if version >= TEAM_SCHEMA_VERSION:
                return reached
            step = next((s for s in STEPS if s[0] == version), None)
            if step is None:
                raise TeamSchemaError(
                    f"the team database has an older schema (version {version}) that this app "
                    f"cannot upgrade: its owner runs 'workbench --db URL team init' with the "
                    f"version of the app that wrote it first"
                )
            _, target, run = step
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            conn.execute(f"SET LOCAL search_path = {SCHEMA}")
            run(conn)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(target),),
            )
        reached.append(target)
