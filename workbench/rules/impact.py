"""Impact: the playbook's six dimensions as levels, a score, and a suggested severity.

"Vague escalations get deprioritized": every level comes from a number or a yes/no answer, against the
thresholds in the playbook's [impact] table. The score picks a severity by `min_score`; the severity
signals of the playbook's "Quick Severity Definitions" can only raise it (a case showing any signal of a
severity is at least that severe). An unanswered dimension scores 0 and says so (`answered=False`),
so "not asked yet" is never mistaken for "no impact".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from workbench import timetext
from workbench.models import Escalation, ImpactInputs, Severity
from workbench.playbook import ImpactDimension, Playbook
from workbench.rules._common import aware_utc
from workbench.vocab import plural

MAX_LEVEL = 3
# The keep criterion whose tick means the playbook's Medium signal "a viable workaround exists".
WORKAROUND_CRITERION = "keep.documented_fix"


@dataclass(frozen=True)
class DimensionLevel:
    level: int
    reason: str
    answered: bool


@dataclass(frozen=True)
class ImpactResult:
    levels: dict[str, DimensionLevel]
    score: int
    max_score: int
    suggested: Severity | None
    reasons: list[str]
    effective: Severity | None
    signals: list[str]


def threshold_level(value: float, thresholds: tuple[float, float, float]) -> int:
    """How many of the ascending thresholds the value reaches (each is the smallest value that
    reaches its level)."""
    return sum(1 for limit in thresholds if value >= limit)


def _cap(level: float) -> int:
    return max(0, min(MAX_LEVEL, int(level)))


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _breadth(dim: ImpactDimension, inputs: ImpactInputs, now: datetime) -> DimensionLevel:
    parts: list[str] = []
    level = 0
    if inputs.customers_affected is not None:
        level = max(
            level,
            threshold_level(inputs.customers_affected, dim.thresholds("customers_thresholds")),
        )
        parts.append(plural(inputs.customers_affected, "customer"))
    if inputs.end_users_affected is not None:
        level = max(
            level,
            threshold_level(inputs.end_users_affected, dim.thresholds("end_users_thresholds")),
        )
        parts.append(plural(inputs.end_users_affected, "end user"))
    if inputs.growing:
        level = _cap(level + dim.number("growing_bonus"))
        parts.append("growing")
    elif inputs.growing is False:
        parts.append("not growing")
    answered = bool(parts)
    return DimensionLevel(level, ", ".join(parts) if parts else "not answered", answered)


def _depth(dim: ImpactDimension, inputs: ImpactInputs, now: datetime) -> DimensionLevel:
    if inputs.depth is None:
        return DimensionLevel(0, "not answered", False)
    return DimensionLevel(_cap(dim.number(inputs.depth)), inputs.depth, True)


def _hours(hours: float) -> str:
    return timetext.span(timedelta(hours=hours))


def _duration(dim: ImpactDimension, inputs: ImpactInputs, now: datetime) -> DimensionLevel:
    parts: list[str] = []
    level = 0
    if inputs.started_at is not None:
        hours = max(0.0, (now - aware_utc(inputs.started_at)).total_seconds() / 3600)
        level = threshold_level(hours, dim.thresholds("hours_thresholds"))
        parts.append(f"{_hours(hours)} since it started")
    if inputs.critical_at is not None:
        left = (aware_utc(inputs.critical_at) - now).total_seconds() / 3600
        if left <= 0:
            level = MAX_LEVEL
            parts.append(f"past the critical point by {_hours(-left)}")
        else:
            if left <= dim.number("critical_window_hours"):
                level = max(level, 2)
            parts.append(f"critical in {_hours(left)}")
    return DimensionLevel(level, "; ".join(parts) if parts else "not answered", bool(parts))


def _revenue(dim: ImpactDimension, inputs: ImpactInputs, now: datetime) -> DimensionLevel:
    parts: list[str] = []
    level = 0
    if inputs.arr_exposed is not None:
        level = max(level, threshold_level(inputs.arr_exposed, dim.thresholds("arr_thresholds")))
        parts.append(f"{inputs.currency}{_count(inputs.arr_exposed)} ARR exposed")
    if inputs.pipeline_at_risk is not None:
        level = max(
            level, threshold_level(inputs.pipeline_at_risk, dim.thresholds("pipeline_thresholds"))
        )
        parts.append(f"{inputs.currency}{_count(inputs.pipeline_at_risk)} pipeline at risk")
    return DimensionLevel(level, ", ".join(parts) if parts else "not answered", bool(parts))


def _flags(dim: ImpactDimension, answers: list[tuple[str, bool | None, str]]) -> DimensionLevel:
    """A dimension made of yes/no answers: the highest level among the answers that are yes."""
    parts: list[str] = []
    level = 0
    for key, value, label in answers:
        if value is None:
            continue
        if value:
            level = max(level, _cap(dim.number(key)))
            parts.append(label)
        else:
            parts.append(f"not {label}")
    return DimensionLevel(level, ", ".join(parts) if parts else "not answered", bool(parts))


def _reputation(dim: ImpactDimension, inputs: ImpactInputs, now: datetime) -> DimensionLevel:
    return _flags(
        dim,
        [
            ("press_or_social", inputs.press_or_social, "could reach press or social media"),
            ("reference_account", inputs.reference_account, "a reference account"),
        ],
    )


def _contractual(dim: ImpactDimension, inputs: ImpactInputs, now: datetime) -> DimensionLevel:
    parts: list[str] = []
    level = 0
    if inputs.sla is not None:
        level = _cap(dim.number(inputs.sla))
        parts.append(f"SLA {inputs.sla.replace('_', ' ')}")
    if inputs.penalties_apply is not None:
        if inputs.penalties_apply:
            level = max(level, _cap(dim.number("penalties")))
            parts.append("penalties apply")
        else:
            parts.append("no penalties")
    return DimensionLevel(level, ", ".join(parts) if parts else "not answered", bool(parts))


_DIMENSIONS: dict[str, Callable[[ImpactDimension, ImpactInputs, datetime], DimensionLevel]] = {
    "breadth": _breadth,
    "depth": _depth,
    "duration": _duration,
    "revenue": _revenue,
    "reputation": _reputation,
    "contractual": _contractual,
}


def dimension_levels(
    case: Escalation, playbook: Playbook, now: datetime
) -> dict[str, DimensionLevel]:
    """Each of the playbook's dimensions, in playbook order, with its level and why."""
    now = aware_utc(now)
    return {
        dim.id: _DIMENSIONS[dim.id](dim, case.impact, now) for dim in playbook.impact.dimensions
    }


def active_signals(case: Escalation, playbook: Playbook) -> list[str]:
    """The severity signals the case shows, in the playbook's order: set on the impact screen,
    carried by ticked checklist items, or read from the numbers."""
    inputs = case.impact
    active = {name for name, on in inputs.signals.items() if on}
    checked = case.checked_ids()
    active.update(
        item.severity_signal
        for item in playbook.all_criteria()
        if item.id in checked and item.severity_signal
    )
    if inputs.sla in ("breached", "at_risk"):
        active.add("sla_approaching")
    if inputs.depth == "blocked":
        top_arr = _top_threshold(playbook, "revenue", "arr_thresholds")
        big_account = (
            inputs.arr_exposed is not None and top_arr is not None and inputs.arr_exposed >= top_arr
        )
        if inputs.reference_account or big_account:
            active.add("key_customer_blocked")
    if WORKAROUND_CRITERION in checked:
        active.add("workaround_available")
    return [name for name in playbook.signals if name in active]


def _top_threshold(playbook: Playbook, dimension_id: str, key: str) -> float | None:
    try:
        return playbook.dimension(dimension_id).thresholds(key)[-1]
    except KeyError:
        return None


def severity_of_signal(playbook: Playbook, signal: str) -> Severity | None:
    """The most severe severity whose definition lists the signal."""
    ranked = [Severity(sev.id) for sev in playbook.severities if signal in sev.signals]
    return max(ranked, key=lambda s: s.rank) if ranked else None


def severity_for_score(playbook: Playbook, score: int) -> Severity | None:
    """The highest severity whose `min_score` the score reaches."""
    reached = [Severity(sev.id) for sev in playbook.severities if score >= sev.min_score]
    return max(reached, key=lambda s: s.rank) if reached else None


def _override(case: Escalation) -> Severity | None:
    override = case.severity_override
    if override is None:
        return None
    try:
        return Severity(override.value.strip().lower())
    except ValueError:
        return None


def assess_impact(case: Escalation, playbook: Playbook, now: datetime) -> ImpactResult:
    """Levels, score and suggested severity, with the reasons in the playbook's words."""
    levels = dimension_levels(case, playbook, now)
    score = sum(dim.level for dim in levels.values())
    max_score = MAX_LEVEL * len(levels)
    signals = active_signals(case, playbook)
    reasons: list[str] = []
    suggested: Severity | None = None

    if any(dim.answered for dim in levels.values()):
        suggested = severity_for_score(playbook, score)
        if suggested is not None:
            definition = playbook.severity(suggested.value)
            reasons.append(
                f"Score {score} of {max_score} reaches {definition.name} "
                f"({definition.min_score} or more)."
            )
    for signal in signals:
        signal_severity = severity_of_signal(playbook, signal)
        if signal_severity is None:
            continue
        definition = playbook.severity(signal_severity.value)
        reasons.append(f"{definition.name}: {playbook.signals[signal]} — {definition.urgency}")
        if suggested is None or signal_severity.rank > suggested.rank:
            suggested = signal_severity

    effective = _override(case) or suggested
    return ImpactResult(
        levels=levels,
        score=score,
        max_score=max_score,
        suggested=suggested,
        reasons=reasons,
        effective=effective,
        signals=signals,
    )


def effective_severity(case: Escalation, playbook: Playbook, now: datetime) -> Severity | None:
    """The severity the case is handled at: the agent's override, else the suggestion."""
    return assess_impact(case, playbook, now).effective
