"""The team database's list reads: pages, counts, every case, and the dashboard's facts, with the
same filters, sorts, paging and search as the local file (`queries`, `facts`). The server's
planner has statistics, so the plan is not chosen here as it is for SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from workbench.store.codec import iso, parse_time
from workbench.store.errors import CorruptDatabaseError
from workbench.store.facts import CaseFacts
from workbench.store.pg.base import Connection
from workbench.store.pg.cases import PgCaseWrites
from workbench.store.pg.schema import order_by
from workbench.store.pg.search import Match, server_match
from workbench.store.queries import CaseRow, Filter, _check_page, _filter_values, _row
from workbench.vocab import OPEN_STATUSES, Severity, Status

_ROW_COLUMNS = (
    "id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
    "created_at, updated_at"
)
_BATCH = 200
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


def _rows(found: list[tuple[Any, ...]]) -> list[CaseRow]:
    try:
        return [_row(values) for values in found]
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptDatabaseError(f"the team database holds a damaged value ({exc})") from exc


class PgListQueries(PgCaseWrites):
    """The list's pages and counts, every case in id order, and the dashboard's facts."""

    def _match(self, conn: Connection, query: str | None) -> Match | None:
        """The search as typed, or with its last word as a prefix when the words as typed find
        nothing (see `search.match_query`)."""
        match = server_match(query) if query else None
        if match is None or query is None:
            return None
        wide = server_match(query, prefix=True)
        if wide is None or wide == match:
            return match
        clauses, params = _match_sql(match)
        probe = f"SELECT 1 FROM cases WHERE {' AND '.join(clauses)} LIMIT 1"
        return wide if conn.execute(probe, params).fetchone() is None else match

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
        where, params = self._where(status, severity, self._match(conn, query), owner)
        if where is None:
            return []
        order = order_by(sort, descending)  # as the sort indexes are made (pg/schema.py)
        sql = f"SELECT {_ROW_COLUMNS} FROM cases{where} ORDER BY {order} LIMIT %s OFFSET %s"
        return conn.execute(sql, [*params, limit, offset]).fetchall()

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
        """The count and the page, read in one snapshot (the same moment)."""
        _check_page(sort, limit, offset)
        with self._snapshot() as conn:
            total = self._count(
                conn, status=status, severity=severity, query=query, cap=cap, owner=owner
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
                owner=owner,
            )
        return total, _rows(found)

    def count_cases(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        cap: int | None = None,
        owner: str | None = None,
    ) -> int:
        with self._guard() as conn:
            return self._count(
                conn, status=status, severity=severity, query=query, cap=cap, owner=owner
            )

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
        where, params = self._where(status, severity, self._match(conn, query), owner)
        if where is None:
            return 0
        rows = f"SELECT 1 FROM cases{where}"
        if cap is not None:
            rows += " LIMIT %s"
            params.append(cap + 1)
        row = conn.execute(f"SELECT count(*) FROM ({rows}) AS counted", params).fetchone()
        return int(row[0]) if row else 0

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
        statuses = {s.value: s for s in Status}
        severities = {s.value: s for s in Severity}
        select = (
            "SELECT id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
            "created_at, escalated_at, resolved_at FROM cases"
        )

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
                (case_id, title, customer, status, severity, routed, next_due, due_latest, sla,
                 created, escalated, resolved) = row  # fmt: skip
                try:
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
                except (ValueError, KeyError) as exc:
                    raise CorruptDatabaseError(f"case {case_id} holds a damaged value") from exc
                yield facts
