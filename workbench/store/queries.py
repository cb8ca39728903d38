"""The list's reads: its rows, the sort keys, and the page and count queries, whose plan is chosen
here (filters first, or the sort index walked) because SQLite without statistics picks badly."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from workbench.store.base import StoreBase
from workbench.store.codec import iso, parse_time
from workbench.store.search import Hits, lookup_cheap, match_query
from workbench.vocab import Severity, Status

if TYPE_CHECKING:
    from workbench.models import Escalation

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
# the matches) or asks FTS about each row walked (`EXISTS`: one lookup per row, about 200 times a
# match read, but it stops once the page is full). The lookups pay once the matches M among N
# cases satisfy M * M > _LOOKUP_COST * rows * N, rows being the page's end (offset + limit): only
# for dense matches, on early pages.
_LOOKUP_COST = 200
_ALL_CASES_BATCH = 200  # cases read per query by `all_cases`
_KEPT_COUNTS = 16  # counts `count_cases` keeps until a case changes

_ROW_COLUMNS = (
    "id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
    "created_at, updated_at"
)

Filter = str | Iterable[str] | None


# -- rows -------------------------------------------------------------------------------------------
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
    # Who made the change: the connected role on a team database; None in a local file.
    author: str | None = None

    @property
    def old_value(self) -> Any:
        return None if self.old is None else json.loads(self.old)

    @property
    def new_value(self) -> Any:
        return None if self.new is None else json.loads(self.new)


def _row(values: tuple[Any, ...]) -> CaseRow:
    """A CaseRow from the `_ROW_COLUMNS` of one row as SQLite returns them."""
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


def _filter_values(value: Filter) -> list[str] | None:
    """A status or severity filter as a list of values; None for no filter."""
    if value is None:
        return None
    if isinstance(value, str):
        return [str(value)]
    return [str(v) for v in value]


def _own_filter(sort: str, status: Filter, severity: Filter) -> bool:
    """Whether the list is filtered on the sort's own column alone (status or severity)."""
    if sort == "status":
        return status is not None and severity is None
    if sort == "severity":
        return severity is not None and status is None
    return False


def _check_page(sort: str, limit: int | None, offset: int) -> None:
    if sort not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}; one of: {', '.join(SORTS)}")
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("limit and offset must not be negative")


# -- the list's queries -----------------------------------------------------------------------------
class ListQueries(StoreBase):
    """The list's pages and counts, and every case in id order."""

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
        owner: str | None = None,
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
        expression, nullable = SORTS[sort]
        if descending:
            order = f"{expression} DESC, id DESC"
        elif nullable:
            order = f"({expression} IS NULL), {expression} ASC, id ASC"
        else:
            order = f"{expression} ASC, id ASC"
        if where and not few and match is None and _own_filter(sort, status, severity):
            # Filtered and sorted by the same column (the kept-in-support cases by status):
            # the sort index walked would pass every other case first (82,000 at 100k, 170 ms);
            # the filter's index holds the sort's value, so the page's ids are sorted from it
            # alone (17,000 entries: 4 ms), then their rows read.
            ids = f"SELECT id FROM cases{where} ORDER BY {order} LIMIT ? OFFSET ?"
            return f"SELECT {_ROW_COLUMNS} FROM cases WHERE id IN ({ids}) ORDER BY {order}", params
        if where and not few:
            where, params = self._where(
                status, severity, match, walk=True, lookup=lookup, hits=hits is not None
            )
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
        owner: str | None = None,
    ) -> tuple[int, list[CaseRow]]:
        """`count_cases` and `list_cases` at once: the list's count line and its page.

        A search for a prefix the prefix index does not hold ("customer" as it is typed) is a
        merge of every word that starts with it, each time FTS is asked, and the count, the
        choice of plan and the page each asked. Here its matches are read once, into a temporary
        table that the count and the page both read, and that the next pages of the same search
        read too while no case changes (`_hits`). One read transaction: the count, the page and
        the matches they read are of the same moment."""
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
        Paging through a long search's results (a page is a screenful) would otherwise be the
        same merge of the index on every page."""
        # Of the page's read transaction, as the matches are: a commit elsewhere after it
        # changes the next page's stamp, and that page reads them again.
        stamp = self._changes()  # the store's lock is re-entrant
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
        owner: str | None = None,
    ) -> int:
        """How many cases match. With `cap`, counting stops past it (a search matching most of
        100,000 cases is not counted to the end for a "1-38 of ..." line): a result over `cap`
        means more than `cap`."""
        with self._guard() as conn:
            # The list shows the count of open cases beside every search, filter and sort: kept
            # until a case changes (a commit of this store's, or of another connection).
            statuses, severities = _filter_values(status), _filter_values(severity)
            key = (
                None if statuses is None else tuple(statuses),
                None if severities is None else tuple(severities),
                query,
                cap,
            )
            stamp = self._changes()
            kept = self._counts.get(key)
            if kept is not None and kept[0] == stamp:
                return kept[1]
            found = self._count(conn, status=status, severity=severity, query=query, cap=cap)
            if len(self._counts) >= _KEPT_COUNTS:
                self._counts.clear()
            self._counts[key] = (stamp, found)
            return found

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
