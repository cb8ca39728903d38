"""The list's columns for one case: what the store extracts so that the home screen and `workbench
list`/`due` can filter and sort without running the rules on every row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from workbench.models import Escalation, Recommendation
from workbench.playbook import Playbook
from workbench.rules.cadence import follow_up_schedule
from workbench.rules.impact import effective_severity
from workbench.rules.triage import assess_triage, routed_destinations


@dataclass(frozen=True)
class CaseSummary:
    # The severity id ("critical", "high", "medium"): a `Severity`, which is a `str`.
    severity: str | None
    routed_to: str
    # The earliest of the two tracks' earliest times: when something is first due.
    next_due: datetime | None
    # The earliest of the two tracks' latest times: past it, the case is overdue.
    due_latest: datetime | None
    sla: str | None
    recommendation: Recommendation


def _label(playbook: Playbook, destination_id: str) -> str:
    return next(
        (d.route_label for d in playbook.destinations if d.id == destination_id), destination_id
    )


def routed_label(case: Escalation, playbook: Playbook, now: datetime) -> str:
    """Where the case is routed, as the list and the case header show it ("" when nowhere).
    The header needs this and the severity alone: not the follow-up schedule `summarize` works
    out as well, on every save."""
    return ", ".join(_label(playbook, d) for d in routed_destinations(case, playbook, now))


def summarize(
    case: Escalation, playbook: Playbook, now: datetime, *, tz: tzinfo | None = None
) -> CaseSummary:
    """The derived list columns; `tz` is passed on to business-day counting."""
    schedule = follow_up_schedule(case, playbook, now, tz=tz)
    next_due = due_latest = None
    if schedule is not None:
        next_due = min(schedule.team.earliest, schedule.customer.earliest)
        due_latest = min(schedule.team.latest, schedule.customer.latest)
    sla: str | None = None
    if case.impact.sla is not None:
        sla = playbook.sla_label(case.impact.sla)
    elif case.business_impact.sla_position.strip():
        sla = case.business_impact.sla_position.strip()
    return CaseSummary(
        severity=effective_severity(case, playbook, now),
        routed_to=routed_label(case, playbook, now),
        next_due=next_due,
        due_latest=due_latest,
        sla=sla,
        recommendation=assess_triage(case, playbook, now).effective,
    )
