"""`PgStore`: the cases of a team in a shared PostgreSQL database, behind the same interface as
the local `Store` (`interface.CaseStore`)."""

from __future__ import annotations

from workbench.store.pg.queries import PgListQueries


class PgStore(PgListQueries):
    """Cases and their event log in a team database. Thread-safe (a pool of connections).

    The connection, its opening and its transactions are `pg.base`; the cases' writes and
    reads `pg.cases`; the list's reads and the dashboard's `pg.queries`."""
