"""Shared by the store tests: a fixed start (T0, a Monday), a clock the test moves by hand,
and cases made to measure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workbench.models import Escalation, EscalationRecord, Override, Status
from workbench.store import queries as store_module

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class Clock:
    """A fixed clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


def new_case(**fields: object) -> Escalation:
    fields.setdefault("created_at", T0 - timedelta(days=1))
    return Escalation.model_validate(fields)


def escalated(severity: str, sent_at: datetime, **fields: object) -> Escalation:
    case = new_case(**fields)
    case.status = Status.ESCALATED
    case.severity_override = Override(value=severity, reason="agreed with the customer", at=T0)
    case.escalation = EscalationRecord(destination="engineering", sent_at=sent_at)
    case.routed_to = ["engineering"]
    return case


def ids(rows: list[store_module.CaseRow]) -> list[int]:
    return [row.id for row in rows]
