"""Follow-through: when the next check-in with the receiving team and the next customer update are due.

"Escalation without follow-up is abandonment." Once a case is escalated, each track (team, customer) is
due a fixed interval after its last logged update, or after the escalation when nothing is logged yet.
The interval is the current effective severity's row of the playbook's cadence table, so re-assessing
severity reschedules from the last update. Hours are real elapsed time (a DST change does not stretch
or shrink them); business days skip weekends and the playbook's holidays and keep the time of day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from workbench.models import Escalation, LogKind, Severity, Status
from workbench.playbook import Cadence, Calendar, Playbook
from workbench.rules._common import aware_utc
from workbench.rules.impact import effective_severity

Track = Literal["team", "customer"]
# An escalated case with no severity yet is followed at the playbook's least urgent cadence.
FALLBACK_SEVERITY = Severity.MEDIUM


@dataclass(frozen=True)
class Due:
    track: Track
    last_at: datetime
    earliest: datetime
    latest: datetime
    overdue: bool
    due: bool


@dataclass(frozen=True)
class Schedule:
    severity: Severity
    team: Due
    customer: Due
    cadence: Cadence
    # True when no severity was set or suggested and FALLBACK_SEVERITY's cadence is used.
    severity_assumed: bool = False


def add_business_days(
    start: datetime, days: float, calendar: Calendar, *, tz: tzinfo | None = None
) -> datetime:
    """`start` plus `days` business days at the same time of day, in `tz` (else the calendar's
    zone, else start's own, else UTC). Weekend days and holidays are skipped; a start on a
    non-business day counts from it, so Saturday 10:00 + 1 is Monday 10:00. A fraction of a day
    is added as real hours at the end."""
    if days < 0 or math.isnan(days) or math.isinf(days):
        raise ValueError(f"business days must be a finite number >= 0, not {days}")
    weekdays = {d for d in calendar.business_days if 1 <= d <= 7}
    if not weekdays:
        raise ValueError("the calendar has no business days (ISO weekdays 1-7)")
    zone = tz or (calendar.zone() if calendar.timezone else None) or start.tzinfo or UTC
    local = (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(zone)
    whole = int(days)
    holidays = set(calendar.holidays)
    day = local.date()
    counted = 0
    while counted < whole:
        day += timedelta(days=1)
        if day.isoweekday() in weekdays and day not in holidays:
            counted += 1
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    # Round-trip through UTC so that a wall time inside a DST gap lands on a real instant.
    result = wall.astimezone(UTC).astimezone(zone)
    fraction = days - whole
    if fraction:
        result = (result.astimezone(UTC) + timedelta(days=fraction)).astimezone(zone)
    return result


def escalated_at(case: Escalation) -> datetime | None:
    """When the follow-up clocks started: the escalation record, else the last "escalated" log
    entry; a later reopening of the case restarts them."""
    if case.escalation is not None:
        start = aware_utc(case.escalation.sent_at)
    else:
        times = [aware_utc(entry.at) for entry in case.log if entry.kind == LogKind.ESCALATED]
        if not times:
            return None
        start = max(times)
    reopened = [aware_utc(entry.at) for entry in case.log if entry.kind == LogKind.REOPENED]
    return max([start, *reopened])


def last_update(case: Escalation, kind: LogKind, since: datetime) -> datetime:
    """The latest logged update of one kind, or `since` (the escalation) when none is later."""
    times = [aware_utc(entry.at) for entry in case.log if entry.kind == kind]
    return max([since, *times])


def _due(
    track: Track, last_at: datetime, earliest: datetime, latest: datetime, now: datetime
) -> Due:
    earliest, latest = aware_utc(earliest), aware_utc(latest)
    return Due(
        track=track,
        last_at=last_at,
        earliest=earliest,
        latest=latest,
        overdue=now > latest,
        due=now >= earliest,
    )


def follow_up_schedule(
    case: Escalation, playbook: Playbook, now: datetime, *, tz: tzinfo | None = None
) -> Schedule | None:
    """The next team check-in and customer update, or None when the case is not (or no longer)
    escalated. `tz` is the zone whose calendar counts business days (when None, the playbook
    calendar's: the agent's, see workbench.settings)."""
    if case.status != Status.ESCALATED:
        return None
    start = escalated_at(case)
    if start is None:
        return None
    now = aware_utc(now)
    severity = effective_severity(case, playbook, now)
    assumed = severity is None
    severity = severity or FALLBACK_SEVERITY
    cadence = playbook.cadence(severity.value)

    team_last = last_update(case, LogKind.TEAM_CHECKIN, start)
    team_at = team_last + timedelta(hours=cadence.team_hours)
    team = _due("team", team_last, team_at, team_at, now)

    customer_last = last_update(case, LogKind.CUSTOMER_UPDATE, start)
    if cadence.customer_unit == "business_days":
        zone = tz or playbook.calendar.zone()
        earliest = add_business_days(
            customer_last, cadence.customer_min, playbook.calendar, tz=zone
        )
        latest = add_business_days(customer_last, cadence.customer_max, playbook.calendar, tz=zone)
    else:
        earliest = customer_last + timedelta(hours=cadence.customer_min)
        latest = customer_last + timedelta(hours=cadence.customer_max)
    customer = _due("customer", customer_last, earliest, latest, now)
    return Schedule(severity, team, customer, cadence, assumed)
