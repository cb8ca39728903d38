"""The playbook as validated data.

Everything the app asks, checks, scores, schedules and renders comes from `data/playbook.toml`; this
module turns that file into typed pydantic models once, at start, and refuses a broken file with one
error that names the key and the line, so a team editing its own policy is never left guessing.
"""

from __future__ import annotations

from datetime import UTC, date, tzinfo
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from workbench.settings import PLAYBOOK_ENV as PLAYBOOK_ENV
from workbench.settings import playbook_path_from_env as playbook_path_from_env
from workbench.settings import zone_named
from workbench.tomlfile import line_of, read_toml

Tier = Literal["L1", "L2", "manager"]
TIERS: tuple[Tier, ...] = ("L1", "L2", "manager")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Criterion(_Strict):
    """One checklist item with a stable id: a keep criterion, sub-trigger or destination trigger."""

    id: str
    text: str
    implies: tuple[str, ...] = ()
    severity_signal: str | None = None


class Trigger(_Strict):
    """One of the six escalation triggers, with its sub-triggers."""

    id: str
    name: str
    items: tuple[Criterion, ...]


class PackageItem(_Strict):
    text: str
    check: str
    required: bool = True


class Destination(_Strict):
    id: str
    name: str
    route_label: str
    heading: str
    sender: str
    receiver: str
    tiers: tuple[Tier, ...]
    via: str | None = None
    skips_tiers: bool = False
    rule: str | None = None
    triggers: tuple[Criterion, ...]
    package: tuple[PackageItem, ...]


class Decision(_Strict):
    title: str
    keep_heading: str
    escalate_heading: str


class DocumentHeadings(_Strict):
    business_impact: str
    narrative: str
    reproduction: str
    actions: str
    communication: str
    request: str
    attachments: str


class DocumentLabels(_Strict):
    affected_customers: str
    operational_effect: str
    revenue_exposure: str
    sla_position: str
    baseline: str
    expected: str
    observed: str
    environment: str
    frequency: str
    evidence: str
    eliminations: str
    most_recent_update: str
    customer_expectation: str
    escalation_risk: str
    hard_deadline: str
    tickets: str
    threads: str
    files: str
    linked_cases: str


class NarrativeRule(_Strict):
    min_sentences: int = Field(ge=1)
    max_sentences: int = Field(ge=1)
    covers: str


class Choice(_Strict):
    id: str
    label: str


class Document(_Strict):
    intro: str
    title_label: str
    severity_label: str
    routed_label: str
    placeholder: str
    headings: DocumentHeadings
    labels: DocumentLabels
    narrative: NarrativeRule
    ask_types: tuple[Choice, ...]
    sla_positions: tuple[Choice, ...]


class SeverityDefinition(_Strict):
    id: Literal["critical", "high", "medium"]
    name: str
    definition: str
    urgency: str
    signals: tuple[str, ...]
    min_score: int = Field(ge=0)


class ImpactDimension(_Strict):
    """A dimension's questions and thresholds; which thresholds apply depends on the dimension."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    id: Literal["breadth", "depth", "duration", "revenue", "reputation", "contractual"]
    name: str
    questions: tuple[str, ...]

    def number(self, key: str) -> float:
        """A scalar setting of this dimension, such as `blocked` or `growing_bonus`."""
        value = (self.model_extra or {}).get(key)
        if not isinstance(value, int | float):
            raise KeyError(f"impact dimension {self.id!r} has no number {key!r}")
        return float(value)

    def thresholds(self, key: str) -> tuple[float, float, float]:
        """The three ascending values that reach levels 1, 2 and 3."""
        value = (self.model_extra or {}).get(key)
        if not (isinstance(value, list) and len(value) == 3):
            raise KeyError(f"impact dimension {self.id!r} has no thresholds {key!r}")
        low, mid, high = (float(v) for v in value)
        return (low, mid, high)


class Impact(_Strict):
    intro: str
    level_names: tuple[str, str, str, str]
    dimensions: tuple[ImpactDimension, ...]


class Cadence(_Strict):
    severity: Literal["critical", "high", "medium"]
    team_label: str
    customer_label: str
    team_hours: float = Field(gt=0)
    customer_min: float = Field(gt=0)
    customer_max: float = Field(gt=0)
    customer_unit: Literal["hours", "business_days"]

    @model_validator(mode="after")
    def _ordered(self) -> Cadence:
        if self.customer_min > self.customer_max:
            raise ValueError("customer_min must not exceed customer_max")
        return self


class FollowThrough(_Strict):
    title: str
    motto: str
    responsibilities: tuple[str, ...]
    cadence: tuple[Cadence, ...]


class Calendar(_Strict):
    business_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    holidays: tuple[date, ...] = ()
    # The IANA zone whose days are counted ("Europe/Berlin"); None: UTC. The app and the CLI
    # fill it from the agent's settings, else the machine's own zone (workbench.settings).
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        """Trimmed, as the settings file's is: " Europe/Berlin " is that zone, not a mistake."""
        if name is None:
            return None
        if zone_named(trimmed := name.strip()) is None:
            raise ValueError(f"{name!r} is not a time zone (an IANA name, e.g. Europe/Berlin)")
        return trimmed

    def zone(self) -> tzinfo:
        """The zone business days are counted in."""
        return (zone_named(self.timezone) if self.timezone else None) or UTC


class DeEscalation(_Strict):
    title: str
    intro: str
    conditions: tuple[Criterion, ...]
    procedure: tuple[Criterion, ...]


class Principle(_Strict):
    id: str
    text: str


class ReproductionAdvice(_Strict):
    baseline: str
    exact_actions: str
    literal_inputs: str
    environment: str
    frequency: str
    evidence: str
    eliminations: str


class Reproduction(_Strict):
    title: str
    intro: str
    advice: ReproductionAdvice


class Lint(_Strict):
    adjectives: tuple[str, ...]
    quantified_fields: tuple[str, ...]
    vague_actions: tuple[str, ...]
    vague_inputs: tuple[str, ...]
    defect_words: tuple[str, ...]


class Playbook(_Strict):
    """The whole policy. Look-ups by id are methods so callers never scan lists by hand."""

    name: str
    version: int
    decision: Decision
    keep_criteria: tuple[Criterion, ...]
    triggers: tuple[Trigger, ...]
    destinations: tuple[Destination, ...]
    document: Document
    severities: tuple[SeverityDefinition, ...]
    signals: dict[str, str]
    impact: Impact
    follow_through: FollowThrough
    calendar: Calendar = Calendar()
    de_escalation: DeEscalation
    resolution: tuple[Criterion, ...]
    principles: tuple[Principle, ...]
    reproduction: Reproduction
    lint: Lint

    @model_validator(mode="after")
    def _consistent(self) -> Playbook:
        ids = [c.id for c in self.all_criteria()]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate criterion ids: {', '.join(dupes)}")
        dest_ids = {d.id for d in self.destinations}
        for item in self.all_criteria():
            unknown = [d for d in item.implies if d not in dest_ids]
            if unknown:
                raise ValueError(f"{item.id} implies unknown destination(s): {', '.join(unknown)}")
            if item.severity_signal and item.severity_signal not in self.signals:
                raise ValueError(
                    f"{item.id} names unknown severity signal {item.severity_signal!r}"
                )
        for dest in self.destinations:
            if dest.via and dest.via not in dest_ids:
                raise ValueError(f"destination {dest.id} goes via unknown destination {dest.via!r}")
        for sev in self.severities:
            unknown = [s for s in sev.signals if s not in self.signals]
            if unknown:
                raise ValueError(f"severity {sev.id} names unknown signal(s): {', '.join(unknown)}")
        if {c.severity for c in self.follow_through.cadence} != {"critical", "high", "medium"}:
            raise ValueError(
                "follow_through.cadence needs one row for each of critical, high, medium"
            )
        if {s.id for s in self.severities} != {"critical", "high", "medium"}:
            raise ValueError("severities needs critical, high and medium")
        return self

    # -- look-ups -----------------------------------------------------------------------------------
    def trigger_items(self) -> tuple[Criterion, ...]:
        return tuple(item for trigger in self.triggers for item in trigger.items)

    def destination_triggers(self) -> tuple[Criterion, ...]:
        return tuple(item for dest in self.destinations for item in dest.triggers)

    def all_criteria(self) -> tuple[Criterion, ...]:
        """Every checklist item of the triage screen, in playbook order."""
        return self.keep_criteria + self.trigger_items() + self.destination_triggers()

    def criterion(self, criterion_id: str) -> Criterion:
        for item in self.all_criteria():
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    def trigger_of(self, criterion_id: str) -> Trigger | None:
        for trigger in self.triggers:
            if any(item.id == criterion_id for item in trigger.items):
                return trigger
        return None

    def destination(self, destination_id: str) -> Destination:
        for dest in self.destinations:
            if dest.id == destination_id:
                return dest
        raise KeyError(destination_id)

    def destination_of_trigger(self, criterion_id: str) -> Destination | None:
        for dest in self.destinations:
            if any(item.id == criterion_id for item in dest.triggers):
                return dest
        return None

    def severity(self, severity_id: str) -> SeverityDefinition:
        for sev in self.severities:
            if sev.id == severity_id:
                return sev
        raise KeyError(severity_id)

    def cadence(self, severity_id: str) -> Cadence:
        for row in self.follow_through.cadence:
            if row.severity == severity_id:
                return row
        raise KeyError(severity_id)

    def dimension(self, dimension_id: str) -> ImpactDimension:
        for dim in self.impact.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(dimension_id)

    def ask_label(self, ask_id: str) -> str:
        return next((c.label for c in self.document.ask_types if c.id == ask_id), ask_id)

    def sla_label(self, sla_id: str) -> str:
        return next((c.label for c in self.document.sla_positions if c.id == sla_id), sla_id)


class PlaybookError(Exception):
    """A playbook that cannot be used; the message names the file, the key and the line."""


def data_dir() -> Path:
    """Where the shipped data lives: beside the package in a wheel, `data/` in a checkout."""
    packaged = Path(__file__).resolve().parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def default_playbook_path() -> Path:
    return data_dir() / "playbook.toml"


def load_playbook(path: Path | str | None = None) -> Playbook:
    """Load and validate a playbook; raises PlaybookError with one clear line on any mistake."""
    source = Path(path) if path is not None else default_playbook_path()
    text, raw = read_toml(source, "playbook", PlaybookError)
    try:
        return Playbook.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = line_of(text, loc)
        where = f"{source}:{line}" if line else str(source)
        raise PlaybookError(f"{where}: {key}: {first['msg']}") from exc


@cache
def default_playbook() -> Playbook:
    """The shipped playbook, loaded once per process."""
    return load_playbook(default_playbook_path())
