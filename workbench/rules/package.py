"""Package readiness: the playbook's "Package contents" of each destination, checked against the case.

Each package item in the playbook names a `check`; this module maps every check onto the case fields
that hold it, and says in a few words what is missing. A check name it does not know is reported as
missing ("unknown check") rather than failing the screen, so a team's edited playbook stays usable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from workbench.models import Escalation, LogKind
from workbench.playbook import Playbook
from workbench.rules._common import aware_utc
from workbench.rules.impact import effective_severity
from workbench.rules.triage import routed_destinations
from workbench.vocab import plural


@dataclass(frozen=True)
class PackageStatus:
    destination_id: str
    text: str
    required: bool
    present: bool
    detail: str
    check: str = ""


Check = Callable[[Escalation, Playbook, datetime], tuple[bool, str]]

_COMPETITION = re.compile(
    r"\b(compet\w*|rival\w*|(?:another|other|alternative) (?:vendor|provider|product|tool)s?)\b",
    re.IGNORECASE,
)


def _filled(*values: str) -> bool:
    return any(value.strip() for value in values)


def _missing(parts: list[str]) -> tuple[bool, str]:
    if parts:
        return False, "Missing: " + ", ".join(parts) + "."
    return True, ""


def _latest_expectation(case: Escalation) -> str:
    updates = [e for e in case.log if e.kind == LogKind.CUSTOMER_UPDATE and e.expectation.strip()]
    return max(updates, key=lambda e: e.at).expectation if updates else ""


def _affected_known(case: Escalation) -> bool:
    inputs = case.impact
    return (
        _filled(case.business_impact.affected_customers)
        or inputs.customers_affected is not None
        or inputs.end_users_affected is not None
    )


def check_issue_summary(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    return _missing([] if _filled(case.title) else ["a one-line summary (title)"])


def check_actions_taken(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    tried = [a for a in case.actions if _filled(a.tried)]
    if not tried:
        return False, "Missing: what was tried and its outcome."
    complete = [a for a in tried if _filled(a.outcome)]
    if not complete:
        return False, "Missing: the outcome of what was tried."
    if len(complete) < len(tried):
        left = len(tried) - len(complete)
        return True, f"{plural(left, 'action')} {'has' if left == 1 else 'have'} no outcome yet."
    return True, ""


def check_customer_context(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    missing: list[str] = []
    if not _filled(case.customer):
        missing.append("the customer's name")
    bi, comm, inputs = case.business_impact, case.communication, case.impact
    situation = (
        _filled(bi.affected_customers, bi.operational_effect, bi.revenue_exposure, bi.sla_position)
        or _filled(comm.most_recent_update, comm.customer_expectation, comm.escalation_risk)
        or any(e.kind == LogKind.CUSTOMER_UPDATE for e in case.log)
        or inputs.arr_exposed is not None
        or inputs.sla is not None
        or inputs.reference_account is not None
        or inputs.depth is not None
    )
    if not situation:
        missing.append("the customer's situation (business impact or communication status)")
    return _missing(missing)


def check_reproduction(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    repro = case.reproduction
    missing: list[str] = []
    if not any(_filled(step.action) for step in repro.steps):
        missing.append("steps")
    if not _filled(repro.expected):
        missing.append("expected outcome")
    if not _filled(repro.observed):
        missing.append("observed outcome")
    return _missing(missing)


def check_environment(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    env = case.reproduction.environment
    if _filled(env.browser, env.os, env.plan_tier, env.feature_flags, env.other):
        return True, ""
    return False, "Missing: browser and version, OS, plan tier, feature flags."


def check_logs(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    if _filled(case.reproduction.evidence) or any(_filled(f) for f in case.references.files):
        return True, ""
    return False, "Missing: evidence (error text, logs) or attached log files."


def check_business_impact(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    missing: list[str] = []
    if not _affected_known(case):
        # The count, not the name: the document names the customer when no count is given.
        missing.append("how many customers or users are affected")
    if not (_filled(case.business_impact.operational_effect) or case.impact.depth is not None):
        missing.append("operational effect")
    return _missing(missing)


def check_timeline_commitments(
    case: Escalation, playbook: Playbook, now: datetime
) -> tuple[bool, str]:
    if (
        _filled(case.communication.customer_expectation, _latest_expectation(case))
        or case.request.hard_deadline is not None
    ):
        return True, ""
    return False, "Missing: what the customer expects and by when, or a hard deadline."


def check_narrative(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    return _missing([] if _filled(case.narrative) else ["the problem narrative"])


def check_request_frequency(
    case: Escalation, playbook: Playbook, now: datetime
) -> tuple[bool, str]:
    inputs = case.impact
    if (
        inputs.customers_affected is not None
        or inputs.end_users_affected is not None
        or case.linked
    ):
        return True, ""
    return False, "Missing: how many customers ask for this (customers affected, or linked cases)."


def check_competitive_context(
    case: Escalation, playbook: Playbook, now: datetime
) -> tuple[bool, str]:
    texts = [
        case.narrative,
        case.business_impact.operational_effect,
        case.business_impact.revenue_exposure,
        case.communication.escalation_risk,
        case.request.ask,
    ]
    if any(_COMPETITION.search(text) for text in texts):
        return True, ""
    return False, "No competitor or churn risk mentioned in the narrative or impact."


def check_observations(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    if _filled(case.reproduction.observed, case.narrative, case.reproduction.evidence):
        return True, ""
    return False, "Missing: what was observed (observed outcome, narrative or evidence)."


def check_affected_parties(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    if _affected_known(case) or _filled(case.component):
        return True, ""
    return False, "Missing: affected customers or systems (component)."


def check_severity(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    if effective_severity(case, playbook, now) is not None:
        return True, ""
    return False, "Missing: a severity (answer the impact questions or set one)."


def check_revenue_exposure(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    inputs = case.impact
    if (
        _filled(case.business_impact.revenue_exposure)
        or inputs.arr_exposed is not None
        or inputs.pipeline_at_risk is not None
    ):
        return True, ""
    return False, "Missing: ARR exposed or pipeline at risk."


def check_request(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    missing: list[str] = []
    if case.request.ask_type is None:
        missing.append("the ask type (investigate / fix / decide / exception)")
    if not _filled(case.request.ask):
        missing.append("the precise ask")
    return _missing(missing)


def check_deadline(case: Escalation, playbook: Playbook, now: datetime) -> tuple[bool, str]:
    deadline = case.request.hard_deadline
    if deadline is None:
        if _filled(case.request.deadline_text):
            return False, f'"{case.request.deadline_text.strip()}" is not a date and time.'
        return False, "Missing: a hard deadline."
    if aware_utc(deadline) < aware_utc(now):
        return True, "The hard deadline has passed."
    return True, ""


CHECKS: dict[str, Check] = {
    "issue_summary": check_issue_summary,
    "actions_taken": check_actions_taken,
    "customer_context": check_customer_context,
    "reproduction": check_reproduction,
    "environment": check_environment,
    "logs": check_logs,
    "business_impact": check_business_impact,
    "timeline_commitments": check_timeline_commitments,
    "narrative": check_narrative,
    "request_frequency": check_request_frequency,
    "competitive_context": check_competitive_context,
    "observations": check_observations,
    "affected_parties": check_affected_parties,
    "severity": check_severity,
    "revenue_exposure": check_revenue_exposure,
    "request": check_request,
    "deadline": check_deadline,
}


def package_readiness(
    case: Escalation, playbook: Playbook, now: datetime, destination_id: str | None = None
) -> list[PackageStatus]:
    """Every package item of the destination (default: every routed destination), in playbook
    order. An explicitly named destination must exist; unknown routed ids are skipped."""
    if destination_id is not None:
        destinations = [playbook.destination(destination_id)]
    else:
        known = {d.id for d in playbook.destinations}
        destinations = [
            playbook.destination(d) for d in routed_destinations(case, playbook, now) if d in known
        ]
    statuses: list[PackageStatus] = []
    for dest in destinations:
        for item in dest.package:
            check = CHECKS.get(item.check)
            present, detail = check(case, playbook, now) if check else (False, "unknown check")
            statuses.append(
                PackageStatus(dest.id, item.text, item.required, present, detail, item.check)
            )
    return statuses


def missing_required(statuses: list[PackageStatus]) -> list[PackageStatus]:
    return [status for status in statuses if status.required and not status.present]
