"""The case store: one SQLite file, and (with `migrations`) the only code that speaks SQL.

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

from workbench.store.cases import CaseWrites
from workbench.store.facts import DashboardFacts
from workbench.store.queries import ListQueries


class Store(ListQueries, CaseWrites, DashboardFacts):
    """Cases and their event log in one SQLite file. Thread-safe (one lock around the connection).

    The connection, its opening and its transactions are `base.StoreBase`; the list's reads are
    `queries`, the cases' writes and reads `cases`, the dashboard's read `facts`."""
