"""The escalation case: every field of the playbook's document template, plus what the app needs to
triage, score, schedule and audit it.

A case is one pydantic model stored as one JSON document; the store extracts the few columns it lists,
filters and sorts on. Derived things (recommendation, score, suggested severity, due times) are never
stored: the rules compute them from the case, the playbook and "now". What the agent decides against
a suggestion is stored as an override that carries its reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# Re-exported: their home is pydantic-free (the list names them without the model).
from workbench.clock import utcnow as utcnow
from workbench.playbook import Tier
from workbench.vocab import Severity as Severity
from workbench.vocab import Status as Status


def _aware_utc(value: datetime) -> datetime:
    """Times are stored as UTC with zone; a naive time is taken to be UTC already."""
    if value.tzinfo is UTC:  # a copy of a case: seventy-odd times each
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_aware_utc)]


AskType = Literal["investigate", "fix", "decide", "exception"]
SlaPosition = Literal["compliant", "at_risk", "breached"]
Depth = Literal["inconvenienced", "degraded", "blocked"]
Recommendation = Literal["keep", "escalate", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


# -- triage -------------------------------------------------------------------------------------------
class TriageAnswer(_Model):
    """The agent's answer to one checklist item of the playbook, by the item's stable id."""

    checked: bool = False
    note: str = ""


class Override(_Model):
    """A decision taken against the rules' suggestion; the reason is required and logged."""

    value: str
    reason: str = Field(min_length=1)
    at: UtcDatetime = Field(default_factory=utcnow)


# -- impact -------------------------------------------------------------------------------------------
class ImpactInputs(_Model):
    """The numbers behind the six dimensions. None means "not answered yet", never zero."""

    customers_affected: int | None = Field(default=None, ge=0)
    end_users_affected: int | None = Field(default=None, ge=0)
    growing: bool | None = None
    depth: Depth | None = None
    started_at: UtcDatetime | None = None
    critical_at: UtcDatetime | None = None
    arr_exposed: float | None = Field(default=None, ge=0)
    pipeline_at_risk: float | None = Field(default=None, ge=0)
    currency: str = "$"
    press_or_social: bool | None = None
    reference_account: bool | None = None
    sla: SlaPosition | None = None
    penalties_apply: bool | None = None
    # Severity signals from the playbook's definitions that the numbers cannot show by themselves.
    signals: dict[str, bool] = Field(default_factory=dict)


# -- document sections --------------------------------------------------------------------------------
class BusinessImpact(_Model):
    """The document's BUSINESS IMPACT lines as written. Empty lines are composed from the impact
    numbers at export; text written here (or imported) is used as is."""

    affected_customers: str = ""
    operational_effect: str = ""
    revenue_exposure: str = ""
    sla_position: str = ""


class Baseline(_Model):
    account_type: str = ""
    configuration: str = ""
    permissions: str = ""
    prerequisites: str = ""


class ReproStep(_Model):
    action: str = ""
    literal_input: str = ""


class Environment(_Model):
    browser: str = ""
    os: str = ""
    plan_tier: str = ""
    feature_flags: str = ""
    other: str = ""


class Reproduction(_Model):
    baseline: Baseline = Field(default_factory=Baseline)
    steps: list[ReproStep] = Field(default_factory=list)
    expected: str = ""
    observed: str = ""
    environment: Environment = Field(default_factory=Environment)
    frequency: str = ""
    evidence: str = ""
    eliminations: str = ""
    # The section marked as not applicable ("N/A - not a defect"), as typed.
    not_applicable: str = ""


class ActionTaken(_Model):
    tried: str = ""
    outcome: str = ""


class Communication(_Model):
    """CUSTOMER COMMUNICATION STATUS as typed; the latest logged customer update takes precedence."""

    most_recent_update: str = ""
    customer_expectation: str = ""
    escalation_risk: str = ""


class Request(_Model):
    ask_type: AskType | None = None
    ask: str = ""
    hard_deadline: UtcDatetime | None = None
    # What the agent typed for the deadline when it was not a time ("end of week"): kept, flagged.
    deadline_text: str = ""
    # A deadline given as a date without a time ("2026-12-15"), as typed in `deadline_text`.
    deadline_date: date | None = None


class References(_Model):
    tickets: list[str] = Field(default_factory=list)
    threads: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)


# -- follow-through -----------------------------------------------------------------------------------
class LogKind(StrEnum):
    TEAM_CHECKIN = "team_checkin"
    CUSTOMER_UPDATE = "customer_update"
    NOTE = "note"
    TRIAGE = "triage"
    ESCALATED = "escalated"
    SEVERITY = "severity"
    DE_ESCALATED = "de_escalated"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    SIGNAL = "signal"

    @property
    def label(self) -> str:
        return {
            "team_checkin": "Team check-in",
            "customer_update": "Customer update",
            "note": "Note",
            "triage": "Triage decision",
            "escalated": "Escalated",
            "severity": "Severity change",
            "de_escalated": "De-escalated",
            "resolved": "Resolved",
            "reopened": "Reopened",
            "signal": "Signal accepted",
        }[self.value]


class LogEntry(_Model):
    """One line of the running log the playbook asks for. Append-only: entries are never edited."""

    at: UtcDatetime = Field(default_factory=utcnow)
    kind: LogKind
    summary: str
    detail: str = ""
    # For customer updates: what the customer now expects, and by when.
    expectation: str = ""
    # For customer updates: the time the next update was promised for, and a deadline the
    # customer was given; the earlier of either and the cadence sets the next update.
    next_at: UtcDatetime | None = None
    deadline_at: UtcDatetime | None = None
    # For team check-ins (and escalations): which destination's team; empty means every one
    # (a case of the one-destination shape).
    destination: str = ""


EndedBy = Literal["de_escalated", "resolved"]


class EscalationRecord(_Model):
    """When and where the case went: one per destination, each with its receiver and its own team
    check-in clock, which starts at `sent_at`. A destination pulled back (de-escalated) or closed
    by the resolution is ended, not removed: the timeline keeps it."""

    destination: str
    receiver: str = ""
    sent_at: UtcDatetime
    ended_at: UtcDatetime | None = None
    ended_by: EndedBy | None = None

    @property
    def active(self) -> bool:
        return self.ended_at is None


class KeptRecord(_Model):
    """The decision to keep the case in support: the keep criteria that held when it was taken,
    the agent's words, and the short note for the customer or the ticket."""

    criteria: list[str] = Field(default_factory=list)
    reason: str = ""
    note: str = ""
    kept_at: UtcDatetime


class DeEscalationRecord(_Model):
    conditions: dict[str, bool] = Field(default_factory=dict)
    steps_done: dict[str, bool] = Field(default_factory=dict)
    skipped: dict[str, str] = Field(default_factory=dict)
    # Step 2's resolution or new status (also what the customer is told) and step 4's findings.
    outcome: str = ""
    findings: str = ""
    completed_at: UtcDatetime | None = None


class ResolutionRecord(_Model):
    customer_confirmed: bool = False
    tracking_closed: bool = False
    lessons_learned: str = ""
    resolved_at: UtcDatetime | None = None


# -- the case -----------------------------------------------------------------------------------------
class Escalation(_Model):
    """One customer problem from first triage to resolution."""

    id: int | None = None
    # Bumped by the store on every save; a save from an older revision is refused, never merged.
    revision: int = 0
    title: str = ""
    customer: str = ""
    # Every customer the case names ("Affected customers: 3 (A, B, C)"); `customer` is the first.
    customers: list[str] = Field(default_factory=list)
    component: str = ""
    status: Status = Status.DRAFT
    tier: Tier = "L2"
    created_at: UtcDatetime = Field(default_factory=utcnow)
    updated_at: UtcDatetime = Field(default_factory=utcnow)

    triage: dict[str, TriageAnswer] = Field(default_factory=dict)
    recommendation_override: Override | None = None
    impact: ImpactInputs = Field(default_factory=ImpactInputs)
    severity_override: Override | None = None
    # Destination ids chosen by the agent; empty means "as the triage rules suggest".
    routed_to: list[str] = Field(default_factory=list)

    business_impact: BusinessImpact = Field(default_factory=BusinessImpact)
    narrative: str = ""
    reproduction: Reproduction = Field(default_factory=Reproduction)
    actions: list[ActionTaken] = Field(default_factory=list)
    communication: Communication = Field(default_factory=Communication)
    request: Request = Field(default_factory=Request)
    references: References = Field(default_factory=References)

    # Every destination the case went to, in the order it went (several at once is normal).
    escalations: list[EscalationRecord] = Field(default_factory=list)
    kept: KeptRecord | None = None
    log: list[LogEntry] = Field(default_factory=list)
    de_escalation: DeEscalationRecord | None = None
    resolution: ResolutionRecord | None = None
    linked: list[int] = Field(default_factory=list)
    # What an imported document said that no field holds (a section or line the template lacks).
    unplaced: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _one_destination_shape(cls, data: object) -> object:
        """A case stored before several destinations (one `escalation`, or none) loads as a list
        of one (or none)."""
        if isinstance(data, dict) and "escalation" in data:
            data = dict(data)
            old = data.pop("escalation")
            if old is not None and not data.get("escalations"):
                data["escalations"] = [old]
        return data

    @property
    def escalation(self) -> EscalationRecord | None:
        """The latest destination still active, else the latest one (None: never escalated)."""
        active = [record for record in self.escalations if record.active]
        pool = active or self.escalations
        return max(pool, key=lambda record: record.sent_at) if pool else None

    @escalation.setter
    def escalation(self, record: EscalationRecord | None) -> None:
        """Set one destination: it replaces the record of the same destination, else joins the
        others; None clears them all."""
        if record is None:
            self.escalations = []
            return
        others = [r for r in self.escalations if r.destination != record.destination]
        self.escalations = [*others, record]

    def active_escalations(self) -> list[EscalationRecord]:
        """The destinations the case is with now, in the order they were sent."""
        return sorted(
            (record for record in self.escalations if record.active), key=lambda r: r.sent_at
        )

    def checked(self, criterion_id: str) -> bool:
        answer = self.triage.get(criterion_id)
        return bool(answer and answer.checked)

    def checked_ids(self) -> set[str]:
        return {cid for cid, answer in self.triage.items() if answer.checked}
