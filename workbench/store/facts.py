"""What the dashboard counts: one small record per case, read from the list columns without
parsing a case. The record lives here, below the dashboard (`workbench.stats`), because the
store makes it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from workbench.store.base import StoreBase
from workbench.store.codec import iso, parse_time
from workbench.vocab import OPEN_STATUSES, Severity, Status


class CaseFacts(NamedTuple):
    """What the dashboard needs to know about one case (a tuple: 100,000 of them are cheap)."""

    id: int
    title: str
    customer: str
    status: Status
    severity: Severity | None
    # Route labels ("Engineering", "Leadership"); empty when routed nowhere.
    destinations: tuple[str, ...]
    created_at: datetime
    # When the case first left support, if it ever did.
    escalated_at: datetime | None
    resolved_at: datetime | None
    next_due: datetime | None
    due_latest: datetime | None
    sla_breached: bool

    @property
    def open(self) -> bool:
        return self.status.is_open

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def kept(self) -> bool:
        """Decided to stay in support: kept, or resolved without ever being escalated."""
        return not self.escalated and self.status in (Status.KEPT_IN_SUPPORT, Status.RESOLVED)


class DashboardFacts(StoreBase):
    """The dashboard's read of every case (or of those a window can count)."""

    def case_facts(self, *, since: datetime | None = None) -> Iterator[CaseFacts]:
        """What the dashboard counts, one small record per case, read from the list columns
        (with the first escalation and the resolution times); no case is parsed. With `since`,
        only open cases and cases updated since then (through the status and updated_at
        indexes): a case escalated, resolved or opened after `since` was necessarily saved
        after it too."""
        breached = self.playbook.sla_label("breached").lower()
        select = f"SELECT {FACTS_COLUMNS} FROM cases"

        def batches() -> Iterator[list[Any]]:
            if since is not None:
                still_open = [s.value for s in OPEN_STATUSES]
                marks = ", ".join("?" * len(still_open))
                sql = f"{select} WHERE status IN ({marks}) OR updated_at >= ? ORDER BY id"
                with self._guard() as conn:
                    yield conn.execute(sql, [*still_open, iso(since)]).fetchall()
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
                with self._decoding():
                    facts = facts_from_row(row, breached)
                yield facts


_STATUSES = {s.value: s for s in Status}
_SEVERITIES = {s.value: s for s in Severity}
FACTS_COLUMNS = (
    "id, title, customer, status, severity, routed_to, next_due, due_latest, sla, "
    "created_at, escalated_at, resolved_at"
)


def facts_from_row(row: Sequence[Any], breached: str) -> CaseFacts:
    """One row of `FACTS_COLUMNS` as the dashboard's record (both backends store the same
    columns); a damaged value raises ValueError or KeyError. `breached` is the playbook's
    breached SLA label, lower-cased."""
    (case_id, title, customer, status, severity, routed, next_due, due_latest, sla,
     created, escalated, resolved) = row  # fmt: skip
    return CaseFacts(
        case_id,
        title,
        customer,
        _STATUSES[status],
        _SEVERITIES.get(severity) if severity else None,
        tuple(p.strip() for p in routed.split(",") if p.strip()) if routed else (),
        datetime.fromisoformat(created),
        parse_time(escalated),
        parse_time(resolved) if status == "resolved" else None,
        parse_time(next_due),
        parse_time(due_latest),
        bool(sla) and str(sla).lower().startswith(breached),
    )
