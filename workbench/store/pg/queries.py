"""The team database's list reads: pages, counts, every case, and the dashboard's facts, with the
same filters, sorts, paging and search as the local file (`queries`, `facts`). The server's
planner has statistics, so the plan is not chosen here as it is for SQLite."""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from workbench.store.codec import iso
from workbench.store.errors import CorruptDatabaseError
from workbench.store.facts import FACTS_COLUMNS, CaseFacts, facts_from_row
from workbench.store.pg import plans
from workbench.store.pg.base import Connection
from workbench.store.pg.cases import PgCaseWrites
from workbench.store.pg.plans import filtered_page, searched_page
from workbench.store.pg.schema import SEARCH_SLICES, order_by, slice_of
from workbench.store.pg.search import Match, server_match
from workbench.store.queries import CaseRow, Filter, _check_page, _filter_values, _row
from workbench.vocab import OPEN_STATUSES

_BATCH = 200
_T = TypeVar("_T")
_MATCH = "search_vector @@ to_tsquery('simple', %s)"
_PREFIX = "search_prefixes @@ to_tsquery('simple', %s)"


def _match_sql(match: Match) -> tuple[list[str], list[Any]]:
    clauses, params = [], []
    if match.words is not None:
        clauses.append(_MATCH)
        params.append(match.words)
    if match.prefix is not None:
        clauses.append(_PREFIX)
        params.append(match.prefix)
    return clauses, params


def _counted(
    where: str, params: list[Any], match: Match | None, cap: int | None
) -> tuple[str, list[Any]]:
    """The rows a count counts (no column: a bitmap scan counts them from the index and the
    visibility map without reading their pages), at most `cap + 1`. A search's capped count reads
    the search indexes' slices one after the other (`schema.SEARCH_SLICES`) and stops in the
    slice where it passes the cap: for a word most cases hold, the bitmaps of two slices instead
    of one of every case ("customer": 23 -> 9 ms at 100,000 cases); a rarer word reads every
    slice, each a slice's share of the whole index's work."""
    if cap is None:
        return f"SELECT FROM cases{where}", list(params)
    if match is None:
        return f"SELECT FROM cases{where} LIMIT %s", [*params, cap + 1]
    slices = " UNION ALL ".join(
        f"SELECT FROM cases{where} AND {slice_of(k)}" for k in range(SEARCH_SLICES)
    )
    return f"{slices} LIMIT %s", [*params * SEARCH_SLICES, cap + 1]


def _rows(found: list[tuple[Any, ...]]) -> list[CaseRow]:
    try:
        return [_row(values) for values in found]
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptDatabaseError(f"the team database holds a damaged value ({exc})") from exc


@contextlib.contextmanager
def _by_index(conn: Connection, query: str | None, *, snapshot: bool = False) -> Iterator[None]:
    """A search's statements read the full-text indexes, never every row: the planner takes a
    common word's capped count for cheap by a scan of the table, where each row's tsvector is
    read and matched (100-130 ms for "customer" at 100,000 cases, 15-30 ms by the index). Its
    own transaction, so the settings end with it. No parallel workers: the capped count's slices
    (`_counted`) are read one after the other so that it stops early, where a parallel plan
    started two workers (3-4 ms) that each read slices of their own past the cap. `snapshot`:
    the statements see one moment (a page's count, then its rows)."""
    if not query and not snapshot:
        yield
        return
    settings = ["SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"] if snapshot else []
    if query:
        settings += [
            "SET LOCAL enable_seqscan = off",
            "SET LOCAL max_parallel_workers_per_gather = 0",
        ]
    with conn.transaction():
        conn.execute("; ".join(settings))
        yield


def _count_key(
    status: Filter, severity: Filter, query: str | None, cap: int | None, owner: str | None
) -> tuple[object, ...]:
    """What a count depends on besides the cases themselves (see `PgStoreBase._known_count`)."""
    values = (_filter_values(status), _filter_values(severity))
    return (*(None if v is None else tuple(v) for v in values), query, cap, owner)


class PgListQueries(PgCaseWrites):
    """The list's pages and counts, every case in id order, and the dashboard's facts."""

    def _searched(
        self,
        conn: Connection,
        query: str | None,
        run: Callable[[Match | None], _T],
        empty: Callable[[_T], bool] = operator.not_,
    ) -> _T:
        """`run` with the search as typed; again with its last word as a prefix when the words
        as typed match no case at all (see `search.match_query`). Whether they match any is
        asked only when `run` found nothing: for a word most cases hold ("the"), that question
        alone built the index's bitmap of every case (12 ms at 100,000) before each search."""
        match = server_match(query) if query else None
        found = run(match)
        if match is None or query is None or not empty(found):
            return found
        wide = server_match(query, prefix=True)
        if wide is None or wide == match:
            return found
        clauses, params = _match_sql(match)
        probe = f"SELECT 1 FROM cases WHERE {' AND '.join(clauses)} LIMIT 1"
        return found if conn.execute(probe, params).fetchone() is not None else run(wide)

    @staticmethod
    def _where(
        status: Filter, severity: Filter, match: Match | None, owner: str | None = None
    ) -> tuple[str | None, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if owner is not None:  # "mine": the cases this agent holds
            clauses.append("owner = %s")
            params.append(owner)
        for column, value in (("status", status), ("severity", severity)):
            values = _filter_values(value)
            if values is None:
                continue
            if not values:
                return None, []
            clauses.append(f"{column} = ANY(%s)")
            params.append(values)
        if match is not None:
            more, values = _match_sql(match)
            clauses += more
            params += values
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def _fetch(
        self,
        conn: Connection,
        *,
        status: Filter,
        severity: Filter,
        query: str | None,
        sort: str,
        descending: bool,
        limit: int | None,
        offset: int,
        owner: str | None = None,
    ) -> list[tuple[Any, ...]]:

        def fetch(match: Match | None) -> list[tuple[Any, ...]]:
            matches = None
            if match is not None:  # how many, for the plan (pg/plans.py)
                where, params = self._where(status, severity, match, owner)
                if where is None:
                    return []
                counted, count_params = _counted(where, params, match, plans.BITMAP_MAX)
                row = conn.execute(
                    f"SELECT count(*) FROM ({counted}) AS counted", count_params
                ).fetchone()
                found = int(row[0]) if row else 0
                matches = found if found <= plans.BITMAP_MAX else None
            return self._page_rows(
                conn, status, severity, owner, match, (sort, descending), limit, offset, matches
            )

        return self._searched(conn, query, fetch)

    def _page_rows(
        self,
        conn: Connection,
        status: Filter,
        severity: Filter,
        owner: str | None,
        match: Match | None,
        sorted_by: tuple[str, bool],
        limit: int | None,
        offset: int,
        matches: int | None,
    ) -> list[tuple[Any, ...]]:
        """The page's rows, by the plan `pg/plans.py` chooses for them."""
        where, params = self._where(status, severity, None, owner)
        if where is None:
            return []
        sort, descending = sorted_by
        if match is None:
            return filtered_page(conn, where, params, order_by(sort, descending), limit, offset)
        return searched_page(
            conn,
            filters=(where, params),
            match=_match_sql(match),
            sort=sort,
            descending=descending,
            limit=limit,
            offset=offset,
            matches=matches,
        )

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
        _check_page(sort, limit, offset)
        with self._guard() as conn, _by_index(conn, query):
            found = self._fetch(
                conn,
                status=status,
                severity=severity,
                query=query,
                sort=sort,
                descending=descending,
                limit=limit,
                offset=offset,
                owner=owner,
            )
        return _rows(found)

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
        """The count and the page, read in one snapshot (the same moment): the count first (or
        the one kept since the last change), then the page by the plan it tells (`pg/plans.py`),
        and again with the search's last word as a prefix when the words as typed found
        nothing."""
        _check_page(sort, limit, offset)
        key = _count_key(status, severity, query, cap, owner)
        known, generation = self._known_count(key)

        def read(match: Match | None) -> tuple[int, list[tuple[Any, ...]]]:
            where, params = self._where(status, severity, match, owner)
            if where is None:
                return 0, []
            total = known
            if total is None:
                counted, count_params = _counted(where, params, match, cap)
                row = conn.execute(
                    f"SELECT count(*) FROM ({counted}) AS counted", count_params
                ).fetchone()
                total = int(row[0]) if row else 0
                if total == 0:
                    return 0, []
            # How many match, for the plan: exact up to the cap (a count over it: more).
            matches = total if cap is None or total <= cap else None
            rows = self._page_rows(
                conn, status, severity, owner, match, (sort, descending), limit, offset, matches
            )
            return total, rows

        # A count kept of the search widened (its last word as a prefix, the words as typed
        # matching nothing) is the widened search's: its page is read at once, not after the
        # words as typed were looked for again along the whole sort.
        widened = (*key, "widened")
        used: list[Match | None] = []

        def reading(match: Match | None) -> tuple[int, list[tuple[Any, ...]]]:
            used.append(match)
            return read(match)

        with self._guard() as conn, _by_index(conn, query, snapshot=known is None):
            wide = server_match(query, prefix=True) if query else None
            if known is not None and self._known_count(widened)[0] and wide is not None:
                total, rows = read(wide)
            else:
                # Nothing on the page: nothing matched, unless a count known already says
                # otherwise (a page past the end), or the count it had was of the search widened.
                total, rows = self._searched(
                    conn,
                    query,
                    reading,
                    lambda found: not found[1] and (known is not None or not found[0]),
                )
        if known is not None:
            return known, _rows(rows)
        self._keep_count(key, generation, total)
        if query and used and used[-1] != server_match(query):
            self._keep_count(widened, generation, 1)
        return total, _rows(rows)

    def count_cases(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        cap: int | None = None,
        owner: str | None = None,
    ) -> int:
        key = _count_key(status, severity, query, cap, owner)
        known, generation = self._known_count(key)
        if known is not None:
            return known
        with self._guard() as conn, _by_index(conn, query):
            total = self._count(
                conn, status=status, severity=severity, query=query, cap=cap, owner=owner
            )
        self._keep_count(key, generation, total)
        return total

    def _count(
        self,
        conn: Connection,
        *,
        status: Filter,
        severity: Filter,
        query: str | None,
        cap: int | None,
        owner: str | None = None,
    ) -> int:

        def count(match: Match | None) -> int:
            where, params = self._where(status, severity, match, owner)
            if where is None:
                return 0
            rows, row_params = _counted(where, params, match, cap)
            row = conn.execute(f"SELECT count(*) FROM ({rows}) AS counted", row_params).fetchone()
            return int(row[0]) if row else 0

        return self._searched(conn, query, count)

    def count_overdue(self, now: datetime) -> int:
        with self._guard() as conn:
            row = conn.execute(
                'SELECT count(*) FROM cases WHERE due_latest COLLATE "C" < %s', (iso(now),)
            ).fetchone()
        return int(row[0]) if row else 0

    def all_cases(self) -> Iterator[Any]:
        """Every case in id order, read in batches (no transaction held between them)."""
        last_id = 0
        while True:
            with self._guard() as conn:
                rows = conn.execute(
                    "SELECT id, data FROM cases WHERE id > %s ORDER BY id LIMIT %s",
                    (last_id, _BATCH),
                ).fetchall()
            if not rows:
                return
            for case_id, data in rows:
                yield self._load(case_id, data)
            last_id = rows[-1][0]

    def case_facts(self, *, since: datetime | None = None) -> Iterator[CaseFacts]:
        """As `DashboardFacts.case_facts`: one small record per case, from the list columns."""
        breached = self.playbook.sla_label("breached").lower()
        select = f"SELECT {FACTS_COLUMNS} FROM cases"

        def batches() -> Iterator[list[tuple[Any, ...]]]:
            if since is not None:
                still_open = [s.value for s in OPEN_STATUSES]
                sql = f'{select} WHERE status = ANY(%s) OR updated_at COLLATE "C" >= %s ORDER BY id'
                with self._guard() as conn:
                    yield conn.execute(sql, (still_open, iso(since))).fetchall()
                return
            last = 0
            while True:
                with self._guard() as conn:
                    rows = conn.execute(
                        f"{select} WHERE id > %s ORDER BY id LIMIT 5000", (last,)
                    ).fetchall()
                if not rows:
                    return
                yield rows
                last = rows[-1][0]

        for rows in batches():
            for row in rows:
                try:
                    facts = facts_from_row(row, breached)
                except (ValueError, KeyError) as exc:
                    raise CorruptDatabaseError(f"case {row[0]} holds a damaged value") from exc
                yield facts
