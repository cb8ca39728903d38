"""The plan of a list page on the team database, chosen here where the planner's guess fails.

The planner reads a sorted page either by walking the sort's index and testing each row until the
page is full, or by reading every match (a bitmap) and sorting them. It prices the walk as if the
matches were spread evenly along the sort; when they are not (a customer's name searched in the
list sorted by customer, the kept-in-support cases sorted by status, the critical ones by SLA),
the walk reads most of the table first: 100-500 ms at 100,000 cases.

- A filter alone walks the sort index without reading the rows: each sort index carries the
  filter columns (`schema._sort_indexes`, INCLUDE), so the walk is index-only (about 0.1 us a
  case passed over, against 2-5 us for a row read), and only the page's rows are read.
- A search walks at most the first `HEAD_ROWS` cases of the sort, testing each; when those did
  not fill the page, the matches are read from the search index and sorted (`BITMAP_MAX` of them
  at most: past that, the planner's own walk, which a word held by that many cases ends early
  unless they all lie at the far end of the sort). A search with no more matches than the head
  has cases, or expected to find fewer than two pages in the head, reads its matches at once.
"""

from __future__ import annotations

from typing import Any

from workbench.store.pg.base import Connection
from workbench.store.pg.schema import SORT_EXPRESSIONS, order_by

ROW_COLUMNS = (
    "id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
    "created_at, updated_at"
)
HEAD_ROWS = 3000  # cases of the sort a search walks (each row read and matched) before its bitmap
BITMAP_MAX = 10_000  # matches a page reads and sorts at most; past it the planner's walk


def filtered_page(
    conn: Connection, where: str, params: list[Any], order: str, limit: int | None, offset: int
) -> list[tuple[Any, ...]]:
    """A page of the list filtered without a search: the page's ids by an index-only walk (or
    the planner's other plan), then their rows."""
    if not where:
        sql = f"SELECT {ROW_COLUMNS} FROM cases ORDER BY {order} LIMIT %s OFFSET %s"
        return conn.execute(sql, [limit, offset]).fetchall()
    ids = f"SELECT id FROM cases{where} ORDER BY {order} LIMIT %s OFFSET %s"
    sql = f"SELECT {ROW_COLUMNS} FROM cases WHERE id IN ({ids}) ORDER BY {order}"
    return conn.execute(sql, [*params, limit, offset]).fetchall()


def searched_page(
    conn: Connection,
    *,
    filters: tuple[str, list[Any]],
    match: tuple[list[str], list[Any]],
    sort: str,
    descending: bool,
    limit: int | None,
    offset: int,
    matches: int | None,
) -> list[tuple[Any, ...]]:
    """A page of a search. `filters` and `match` are SQL conditions and their values (the
    filters' WHERE, possibly empty; the match's clauses); `matches` is how many cases match,
    None when more than `BITMAP_MAX` (or more than a count capped lower)."""
    if matches == 0:
        return []
    where, params = filters
    clauses, values = match
    order = order_by(sort, descending)
    matched = " AND ".join(clauses)
    every = f"{where} AND {matched}" if where else f" WHERE {matched}"

    def bitmap() -> list[tuple[Any, ...]]:
        sql = (
            f"WITH found AS MATERIALIZED (SELECT {ROW_COLUMNS} FROM cases{every}) "
            f"SELECT * FROM found ORDER BY {order} LIMIT %s OFFSET %s"
        )
        return conn.execute(sql, [*params, *values, limit, offset]).fetchall()

    def walk() -> list[tuple[Any, ...]]:
        sql = f"SELECT {ROW_COLUMNS} FROM cases{every} ORDER BY {order} LIMIT %s OFFSET %s"
        return conn.execute(sql, [*params, *values, limit, offset]).fetchall()

    few = matches is not None and matches <= BITMAP_MAX
    if limit is None:
        return bitmap() if few else walk()
    # No more matches than the head holds cases: reading them all through the search index
    # costs no more than walking the head, and never needs the bitmap after it (a two-word
    # search's 1,000-2,000 matches, few of them among the latest cases: 4-5 ms, against 13-16
    # for a head walked in vain and then the bitmap).
    if matches is not None and matches <= HEAD_ROWS:
        return bitmap()
    cases = _cases(conn)
    end = offset + limit
    if cases <= HEAD_ROWS or (
        matches is not None and few and matches * HEAD_ROWS < 2 * end * cases
    ):
        return bitmap() if few else walk()
    # The sort's value is a column of the head, so that the page's ORDER BY is seen to be the
    # head's own order: the walk stops once the page is full (ordered by the expression again,
    # the head's rows were all read, then sorted).
    head = (
        f"SELECT {ROW_COLUMNS} FROM (SELECT {ROW_COLUMNS}, search_vector, search_prefixes, "
        f"{SORT_EXPRESSIONS[sort]} AS sort_key FROM cases{where} ORDER BY {order} "
        f"LIMIT {HEAD_ROWS}) AS head WHERE {matched} "
        f"ORDER BY {order_by(sort, descending, key='sort_key')} LIMIT %s OFFSET %s"
    )
    rows = conn.execute(head, [*params, *values, limit, offset]).fetchall()
    if len(rows) == limit:  # the head held the page: its first matches are the list's
        return rows
    return bitmap() if few else walk()


def _cases(conn: Connection) -> int:
    """About how many cases there are (the planner's own figure; the highest id before the
    table was first analysed)."""
    row = conn.execute(
        "SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint "
        "ELSE (SELECT coalesce(max(id), 0) FROM cases) END "
        "FROM pg_class AS c WHERE c.oid = 'cases'::regclass"
    ).fetchone()
    return int(row[0]) if row else 0
