"""Reminders: which follow-ups have just fallen due, or just gone overdue, across the open cases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from workbench.followup.timeline_view import DueLine, describe_due
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.rules.cadence import follow_up_schedule

__all__ = ["FollowUpAlert", "follow_up_alerts"]


@dataclass(frozen=True)
class FollowUpAlert:
    """A follow-up that has just fallen due, or just gone overdue, on one case."""

    case_id: int
    title: str
    track: Literal["team", "customer"]
    overdue: bool
    line: DueLine
    # A window with a width (customer: 2-4 h) is announced when it opens and again when it closes;
    # a point in time (team: every 2 h) only once, or it would ring twice a minute apart.
    has_width: bool = True

    @property
    def key(self) -> tuple[int, str, str, bool]:
        track = f"{self.track}:{self.line.destination}" if self.line.destination else self.track
        return (self.case_id, track, self.line.window, self.overdue and self.has_width)

    @property
    def message(self) -> str:
        """ "#7 Checkout fails: Customer update OVERDUE by 20 m" / "...: Team check-in due now"."""
        title = f" {self.title}" if self.title else ""
        return f"#{self.case_id}{title}: {self.line.label} {self.line.countdown}"


def follow_up_alerts(
    cases: Iterable[Escalation],
    playbook: Playbook,
    now: datetime,
    seen: frozenset[tuple[int, str, str, bool]] = frozenset(),
) -> list[FollowUpAlert]:
    """Follow-ups that are due or overdue now and not yet in `seen` (the keys already announced).

    A track announces itself once when it falls due and, if its window has a width, once more when
    it goes overdue; logging an update moves its window, which makes a new key.
    """
    alerts: list[FollowUpAlert] = []
    for case in cases:
        if case.id is None:
            continue
        schedule = follow_up_schedule(case, playbook, now)
        if schedule is None:
            continue
        named = len(schedule.teams) > 1
        for due in schedule.tracks:
            line = describe_due(due, now, named=named)
            if line.state == "upcoming":
                continue
            overdue = line.state == "overdue"
            has_width = due.latest > due.earliest
            alert = FollowUpAlert(case.id, case.title, due.track, overdue, line, has_width)
            if alert.key not in seen:
                alerts.append(alert)
    return alerts
