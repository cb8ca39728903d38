"""The playbook's rules as pure functions of (case, playbook, now).

Screens, the store and the command line show what these return; no rule lives anywhere else.
"""

from workbench.rules.cadence import Due, Schedule, add_business_days, follow_up_schedule
from workbench.rules.impact import DimensionLevel, ImpactResult, assess_impact, effective_severity
from workbench.rules.lint import Finding, count_sentences, lint_case
from workbench.rules.package import PackageStatus, missing_required, package_readiness
from workbench.rules.summary import CaseSummary, summarize
from workbench.rules.triage import (
    RouteSuggestion,
    TriageResult,
    assess_triage,
    routed_destinations,
)

__all__ = [
    "CaseSummary",
    "DimensionLevel",
    "Due",
    "Finding",
    "ImpactResult",
    "PackageStatus",
    "RouteSuggestion",
    "Schedule",
    "TriageResult",
    "add_business_days",
    "assess_impact",
    "assess_triage",
    "count_sentences",
    "effective_severity",
    "follow_up_schedule",
    "lint_case",
    "missing_required",
    "package_readiness",
    "routed_destinations",
    "summarize",
]
