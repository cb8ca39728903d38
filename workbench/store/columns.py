"""The list columns derived from a case: what the list, its search and the dashboard read, so
they never parse a case. The rule-derived ones (severity, routing, follow-ups, SLA) come from the
playbook's rules; the rest are copied or computed from the case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workbench.store.codec import iso
from workbench.store.search import search_text

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook

log = logging.getLogger(__name__)

# Every column `derive_columns` fills, in the table's order.
DERIVED = (
    "title", "customer", "status", "severity", "routed_to", "next_due", "due_latest", "sla",
    "created_at", "updated_at", "escalated_at", "resolved_at", "search_text",
)  # fmt: skip
# The list columns a change of calendar or of the hour can change (Store.recount_dues).
RECOUNTED = ("severity", "routed_to", "sla", "next_due", "due_latest")


def escalated_at(case: Escalation) -> datetime | None:
    """When the case first left support: its first "escalated" log entry or its escalation's
    sent time, whichever is earlier (a back-dated escalation is logged at its sent time)."""
    from workbench.models import LogKind

    times = [entry.at for entry in case.log if entry.kind is LogKind.ESCALATED]
    if case.escalation is not None:
        times.append(case.escalation.sent_at)
    aware = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in times]
    return min(aware) if aware else None


def derive_columns(
    case: Escalation, playbook: Callable[[], Playbook], now: datetime
) -> dict[str, object]:
    """The list columns of a case. A failing rule must not lose the agent's edit: the case is
    still saved, with the rule-derived columns empty, and the failure logged. The playbook is
    asked for inside that guard, so one that fails to load counts as a failing rule."""
    from workbench.rules.summary import summarize

    severity: str | None = None
    routed = ""
    next_due = due_latest = None
    sla: str | None = None
    try:
        summary = summarize(case, playbook(), now)
        severity, routed, sla = summary.severity, summary.routed_to, summary.sla
        next_due, due_latest = summary.next_due, summary.due_latest
    except Exception:
        log.exception("summarize failed for case %s; list columns left empty", case.id)
    return {
        "title": case.title,
        "customer": case.customer,
        "status": case.status.value,
        "severity": severity,
        "routed_to": routed or "",
        "next_due": iso(next_due),
        "due_latest": iso(due_latest),
        "sla": sla,
        "created_at": iso(case.created_at),
        "updated_at": iso(case.updated_at),
        "escalated_at": iso(escalated_at(case)),
        "resolved_at": iso(case.resolution.resolved_at if case.resolution else None),
        "search_text": search_text(case),
    }
