"""How people name the template's parts when they write a document by hand: the other headings and
labels an import accepts beside the playbook's own (which always match). Lower case; a heading is
compared after its numbering, emphasis, brackets and trailing colon are taken off."""

from __future__ import annotations

__all__ = [
    "ASK_LABELS",
    "COMPONENT_LABELS",
    "CUSTOMER_LABELS",
    "DEADLINE_LABELS",
    "DESTINATION_ALIASES",
    "FIELD_LABEL_ALIASES",
    "HEADING_ALIASES",
    "NOT_APPLICABLE",
    "ROUTED_LABELS",
    "SEVERITY_LABELS",
    "TITLE_LABELS",
]

# Section key -> other headings for it.
HEADING_ALIASES: dict[str, tuple[str, ...]] = {
    "business_impact": ("impact", "business impact assessment", "customer impact"),
    "narrative": (
        "narrative",
        "problem",
        "problem description",
        "problem statement",
        "description",
    ),
    "reproduction": (
        "reproduction",
        "repro",
        "reproduction steps",
        "steps to reproduce",
        "how to reproduce",
    ),
    "actions": ("actions taken", "actions", "what we tried", "troubleshooting", "steps taken"),
    "communication": (
        "customer communication",
        "communication",
        "communication status",
        "customer comms",
        "comms",
    ),
    "request": ("the ask", "ask", "the request", "requests", "what we need"),
    "attachments": ("attachments", "references", "links", "attachments & references"),
}

# Field key -> other labels for it (the playbook's label always matches too).
FIELD_LABEL_ALIASES: dict[str, tuple[str, ...]] = {
    "affected_customers": (
        "customers affected",
        "customers",
        "affected accounts",
        "accounts affected",
        "affected customers and users",
        "affected customers/users",
        "customers and users affected",
        "affected users",
        "users affected",
        "affected",
        "who is affected",
        "blast radius",
    ),
    "operational_effect": ("operational impact", "effect", "impact on operations"),
    "revenue_exposure": (
        "revenue at risk",
        "arr exposure",
        "arr at risk",
        "arr exposed",
        "revenue",
        "revenue impact",
        "financial exposure",
        "pipeline",
        "pipeline at risk",
    ),
    "sla_position": ("sla status", "sla", "sla state"),
    "most_recent_update": ("last update", "latest update", "last contact", "most recent contact"),
    "customer_expectation": ("expectation", "customer expects", "expectations"),
    "escalation_risk": ("escalation risk", "risk of further escalation", "risk"),
    "expected": ("expected", "expected result", "expected behaviour", "expected behavior"),
    "observed": ("observed", "actual", "actual result", "actual outcome", "observed result"),
    "environment": ("env",),
    "baseline": ("baseline", "preconditions", "setup"),
    "tickets": ("tickets", "ticket", "ticket links"),
    "threads": ("threads", "discussion", "internal threads"),
    "files": ("files", "logs", "screenshots"),
}

# The request's deadline and its ask, written by hand.
DEADLINE_LABELS: tuple[str, ...] = (
    "deadline",
    "needed by",
    "due",
    "due by",
    "by when",
    "required by",
    "respond by",
    "decision by",
)
# Label -> ask type it states ("" : the ask type comes from the wording).
ASK_LABELS: dict[str, str] = {
    "ask": "",
    "the ask": "",
    "request": "",
    "we need": "",
    "what we need": "",
    "decision needed": "decide",
    "decision requested": "decide",
    "exception requested": "exception",
    "fix needed": "fix",
}

TITLE_LABELS: tuple[str, ...] = ("escalation", "summary", "title", "subject")
SEVERITY_LABELS: tuple[str, ...] = ("severity", "sev", "priority")
ROUTED_LABELS: tuple[str, ...] = (
    "routed to",
    "route",
    "routing",
    "route to",
    "destination",
    "destinations",
    "escalate to",
    "escalated to",
    "escalating to",
)
# The case's own customer and component, as a header line above the sections ("Customer: Acme").
CUSTOMER_LABELS: tuple[str, ...] = (
    "customer",
    "customer name",
    "account",
    "account name",
    "client",
    "company",
    "organization",
    "organisation",
)
COMPONENT_LABELS: tuple[str, ...] = (
    "component",
    "components",
    "product area",
    "area",
    "module",
    "feature",
    "feature area",
    "service",
)
# Other names for the destinations (the playbook's id, name and route label always match).
DESTINATION_ALIASES: dict[str, tuple[str, ...]] = {
    "l2": ("tier 2", "tier two", "tier-2", "t2", "l2", "support tier 2", "level 2", "l2 support"),
    "engineering": ("eng", "engineering team", "dev", "development", "r&d"),
    "product": ("product management", "pm", "product team"),
    "security": ("security team", "infosec", "secops", "sec"),
    "leadership": ("management", "executives", "exec", "leadership team", "senior leadership"),
}

# A section that says it does not apply starts with one of these.
NOT_APPLICABLE: tuple[str, ...] = ("not applicable", "n/a", "na ", "none (", "not a defect")
