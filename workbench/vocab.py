"""A case's status, severity and SLA position: plain words in a module of their own, so the case
list (which shows them on every row) can name them without importing pydantic, the case model or
the playbook."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    KEPT_IN_SUPPORT = "kept_in_support"
    ESCALATED = "escalated"
    DE_ESCALATED = "de_escalated"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        """As the playbook writes it: "Kept in support", "De-escalated"."""
        if self is Status.DE_ESCALATED:
            return "De-escalated"
        return self.value.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        """Still being worked: every status but resolved (OPEN_STATUSES)."""
        return self in OPEN_STATUSES


# The one definition of an open case, counted alike by the list header, the dashboard and `stats`:
# every status but resolved. A case kept in support or de-escalated is still worked in support.
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s is not Status.RESOLVED)


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """Higher is more severe: Medium 1, High 2, Critical 3."""
        return {"medium": 1, "high": 2, "critical": 3}[self.value]


# The shipped playbook's words for the SLA positions (its `document.sla_positions`; a test holds
# the two equal). The list shows these until the playbook is loaded, after its first paint.
SLA_LABELS: dict[str, str] = {
    "compliant": "Compliant",
    "at_risk": "At risk",
    "breached": "Breached",
}


def plural(count: int, word: str) -> str:
    """`1 case`, `2 cases`, `1,200 customers`: a count and its word (regular plurals only)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
