"""What the timeline's dialogs return: one `workbench.followup` operation each, ready to apply to a
case (`CaseScreen.edit` saves it and writes the audit events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from workbench import followup
from workbench.models import Escalation, LogKind, Severity
from workbench.playbook import Playbook


class Request(Protocol):
    """What a dialog returns: one follow-up operation, ready to apply to a case."""

    def apply(self, case: Escalation, playbook: Playbook) -> None: ...


R = TypeVar("R", bound=Request)


@dataclass(frozen=True)
class EscalateRequest:
    destination: str
    receiver: str
    at: datetime
    note: str = ""

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.escalate(case, playbook, self.destination, self.receiver, self.at, note=self.note)


@dataclass(frozen=True)
class LogRequest:
    kind: LogKind
    summary: str
    at: datetime
    detail: str = ""
    expectation: str = ""
    next_at: datetime | None = None
    destination: str = ""

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.log_update(
            case,
            self.kind,
            self.summary,
            self.detail,
            self.expectation,
            now=self.at,
            next_at=self.next_at,
            destination=self.destination,
            playbook=playbook,
        )


@dataclass(frozen=True)
class KeepRequest:
    reason: str
    note: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.keep_in_support(case, playbook, self.reason, self.note, self.at)


@dataclass(frozen=True)
class ReassessRequest:
    severity: Severity
    reason: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.reassess_severity(case, playbook, self.severity, self.reason, self.at)


@dataclass(frozen=True)
class DeEscalateRequest:
    conditions: dict[str, bool]
    steps_done: dict[str, bool]
    skipped: dict[str, str]
    outcome: str
    findings: str
    at: datetime
    missing: list[str] = field(default_factory=list)
    # One destination to pull the case back from while it stays with the others ("": all).
    destination: str = ""

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.de_escalate(
            case,
            playbook,
            conditions=self.conditions,
            steps_done=self.steps_done,
            skipped_reasons=self.skipped,
            now=self.at,
            outcome=self.outcome,
            findings=self.findings,
            destination=self.destination,
        )


@dataclass(frozen=True)
class ResolveRequest:
    customer_confirmed: bool
    tracking_closed: bool
    lessons_learned: str
    summary: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.resolve(
            case,
            playbook,
            customer_confirmed=self.customer_confirmed,
            tracking_closed=self.tracking_closed,
            lessons_learned=self.lessons_learned,
            now=self.at,
            summary=self.summary,
        )


@dataclass(frozen=True)
class ReopenRequest:
    reason: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.reopen(case, self.reason, self.at)
