"""The list columns the store extracts from a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workbench.models import (
    Escalation,
    EscalationRecord,
    ImpactInputs,
    LogEntry,
    LogKind,
    Override,
    Severity,
    Status,
    TriageAnswer,
)
from workbench.playbook import Playbook, default_playbook
from workbench.rules.summary import summarize

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def test_a_blank_case(pb: Playbook) -> None:
    summary = summarize(Escalation(), pb, NOW)
    assert summary.severity is None
    assert summary.routed_to == ""
    assert summary.next_due is None and summary.due_latest is None
    assert summary.sla is None
    assert summary.recommendation == "unknown"


def test_an_escalated_case(pb: Playbook) -> None:
    sent = NOW - timedelta(hours=3)
    case = Escalation(
        status=Status.ESCALATED,
        tier="L1",
        triage={"dest.engineering.confirmed_defect": TriageAnswer(checked=True)},
        impact=ImpactInputs(sla="breached"),
        escalation=EscalationRecord(destination="engineering", sent_at=sent),
        log=[LogEntry(kind=LogKind.CUSTOMER_UPDATE, at=NOW - timedelta(hours=1), summary="call")],
    )
    summary = summarize(case, pb, NOW)
    assert summary.severity == Severity.HIGH
    assert summary.severity == "high"
    assert summary.routed_to == "Support L2, Engineering"
    # High: team at sent + 4 h (13:00); customer 4-8 h after the 11:00 update (15:00-19:00).
    assert summary.next_due == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert summary.due_latest == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
    assert summary.sla == "Breached"
    assert summary.recommendation == "escalate"


def test_labels_overrides_and_typed_sla(pb: Playbook) -> None:
    case = Escalation(
        routed_to=["security", "leadership", "legal"],
        severity_override=Override(value="critical", reason="r"),
        recommendation_override=Override(value="escalate", reason="r"),
        business_impact={"sla_position": "At risk (4 h left)"},
    )
    summary = summarize(case, pb, NOW)
    assert summary.routed_to == "Security, Leadership, legal"
    assert summary.severity == "critical"
    assert summary.sla == "At risk (4 h left)"
    assert summary.recommendation == "escalate"
    assert summary.next_due is None
