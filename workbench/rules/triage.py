"""Triage: keep it in support or escalate, why, where to, and what contradicts what.

The playbook's "Deciding: Escalate or Resolve In-House?" list and its destinations, applied to the items
the agent ticked. The rules never hide a contradiction: when a keep criterion and an escalation answer
are both ticked, escalation wins (any escalation trigger is enough to go up) and the conflict is listed.
Destinations honour tier progression (an L1 agent reaches Engineering through Support L2), except those
that skip it: Security is routed at once, first, whatever the agent's tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import get_args

from workbench.models import Escalation, Recommendation
from workbench.playbook import Criterion, Destination, Playbook

RECOMMENDATIONS: tuple[str, ...] = get_args(Recommendation)


@dataclass(frozen=True)
class RouteSuggestion:
    """A destination the case should go to, and whether the agent's tier may send there now."""

    destination_id: str
    name: str
    direct: bool
    via: str | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TriageResult:
    recommendation: Recommendation
    effective: Recommendation
    reasons: list[str]
    destinations: list[RouteSuggestion]
    conflicts: list[str]
    security: bool


def _escalation_answers(case: Escalation, playbook: Playbook) -> list[tuple[str, Criterion]]:
    """Ticked escalation sub-triggers, as (trigger name, item), in playbook order."""
    checked = case.checked_ids()
    return [
        (trigger.name, item)
        for trigger in playbook.triggers
        for item in trigger.items
        if item.id in checked
    ]


def _destination_answers(
    case: Escalation, playbook: Playbook
) -> list[tuple[Destination, Criterion]]:
    """Ticked destination triggers, as (destination, item), in playbook order."""
    checked = case.checked_ids()
    return [
        (dest, item)
        for dest in playbook.destinations
        for item in dest.triggers
        if item.id in checked
    ]


class _Routes:
    """Collects suggestions in order, merging reasons, and applies tier progression."""

    def __init__(self, case: Escalation, playbook: Playbook) -> None:
        self.case = case
        self.playbook = playbook
        self.order: list[str] = []
        self.reasons: dict[str, list[str]] = {}

    def known(self, destination_id: str) -> bool:
        return any(d.id == destination_id for d in self.playbook.destinations)

    def _reason(self, destination_id: str, reason: str) -> None:
        bucket = self.reasons.setdefault(destination_id, [])
        if reason not in bucket:
            bucket.append(reason)

    def beyond(self, dest: Destination) -> bool:
        """The agent's tier neither sends there nor reaches it through another destination: the agent
        is at or above it (an L2 agent is Support L2), so an implied suggestion would be noise."""
        return not dest.skips_tiers and self.case.tier not in dest.tiers and not dest.via

    def add(self, destination_id: str, reason: str) -> None:
        if not self.known(destination_id):
            return
        dest = self.playbook.destination(destination_id)
        if (
            not dest.skips_tiers
            and self.case.tier not in dest.tiers
            and dest.via
            and self.known(dest.via)
            and dest.via not in self.order
        ):
            via = self.playbook.destination(dest.via)
            self.order.append(via.id)
            self._reason(
                via.id,
                f"Tier progression: from tier {self.case.tier}, {via.name} comes first, "
                f"on the way to {dest.name}",
            )
        if destination_id not in self.order:
            self.order.append(destination_id)
        self._reason(destination_id, reason)

    def suggestions(self) -> list[RouteSuggestion]:
        result: list[RouteSuggestion] = []
        for destination_id in self.order:
            dest = self.playbook.destination(destination_id)
            reasons = list(self.reasons.get(destination_id, []))
            if dest.skips_tiers:
                if dest.rule:
                    reasons.append(dest.rule)
                result.append(RouteSuggestion(dest.id, dest.name, True, None, reasons))
            elif self.case.tier in dest.tiers:
                result.append(RouteSuggestion(dest.id, dest.name, True, None, reasons))
            elif dest.via and self.known(dest.via):
                via = self.playbook.destination(dest.via)
                reasons.append(
                    f"Tier progression: from tier {self.case.tier}, go through {via.name} first "
                    f"({dest.heading})"
                )
                result.append(RouteSuggestion(dest.id, dest.name, False, via.id, reasons))
            else:
                senders = ", ".join(dest.tiers)
                reasons.append(f"{dest.name} is sent to from tier {senders}, not {self.case.tier}")
                result.append(RouteSuggestion(dest.id, dest.name, False, None, reasons))
        # Destinations that skip tier progression (Security) come first: route them at once.
        return sorted(
            result, key=lambda s: not self.playbook.destination(s.destination_id).skips_tiers
        )


def _suggest(case: Escalation, playbook: Playbook) -> list[RouteSuggestion]:
    routes = _Routes(case, playbook)
    for dest, item in _destination_answers(case, playbook):
        routes.add(dest.id, f"{dest.name}: {item.text}")
    for trigger_name, item in _escalation_answers(case, playbook):
        for destination_id in item.implies:
            if routes.known(destination_id) and not routes.beyond(
                playbook.destination(destination_id)
            ):
                routes.add(destination_id, f"{trigger_name}: {item.text}")
    return routes.suggestions()


def _override(case: Escalation) -> Recommendation | None:
    override = case.recommendation_override
    if override is None:
        return None
    if override.value == "keep":
        return "keep"
    if override.value == "escalate":
        return "escalate"
    return None


def assess_triage(case: Escalation, playbook: Playbook, now: datetime) -> TriageResult:
    """The recommendation, its reasons, the suggested destinations and the conflicts."""
    del now  # the checklist answers are timeless; `now` keeps every rule's signature the same
    checked = case.checked_ids()
    keep_items = [item for item in playbook.keep_criteria if item.id in checked]
    escalations = _escalation_answers(case, playbook)
    dest_answers = _destination_answers(case, playbook)
    escalate_reasons = [f"{name}: {item.text}" for name, item in escalations] + [
        f"{dest.name}: {item.text}" for dest, item in dest_answers
    ]

    destinations = _suggest(case, playbook)
    security = any(playbook.destination(s.destination_id).skips_tiers for s in destinations)

    reasons: list[str] = []
    conflicts: list[str] = []
    recommendation: Recommendation
    if escalate_reasons:
        recommendation = "escalate"
        for suggestion in destinations:
            dest = playbook.destination(suggestion.destination_id)
            if dest.skips_tiers and dest.rule and dest.rule not in reasons:
                reasons.append(dest.rule)
        reasons.extend(escalate_reasons)
        for item in keep_items:
            conflicts.append(
                f'Keep in support ("{item.text}") conflicts with escalate '
                f"({'; '.join(escalate_reasons)}): escalation wins, but check the keep answer."
            )
    elif keep_items:
        recommendation = "keep"
        reasons.extend(item.text for item in keep_items)
    else:
        recommendation = "unknown"
        reasons.append(
            "Not enough information: no keep criterion or escalation trigger is checked."
        )

    effective = _override(case) or recommendation
    return TriageResult(
        recommendation=recommendation,
        effective=effective,
        reasons=reasons,
        destinations=destinations,
        conflicts=conflicts,
        security=security,
    )


def routed_destinations(case: Escalation, playbook: Playbook, now: datetime) -> list[str]:
    """Where the case goes: the agent's choice, else the suggestions (none when it stays in
    support)."""
    if case.routed_to:
        return list(case.routed_to)
    result = assess_triage(case, playbook, now)
    if result.effective == "keep":
        return []
    return [s.destination_id for s in result.destinations]
