"""Follow-through: when the next check-in with the receiving team and the next customer update are due.

"Escalation without follow-up is abandonment." Once a case is escalated, each track (team, customer) is
due a fixed interval after its last logged update, or after the escalation when nothing is logged yet. A case sent to several destinations has one
team clock per destination (each from its own sent time and its own check-ins). A customer update
may carry the time the next one was promised for, or a deadline the customer was given: the next
update is then due at the earlier of that time and the cadence (`promised_due`).
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
SetBy = Literal["cadence", "promised", "deadline"]
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
    # Team clocks: the destination id and its name ("" for the customer track).
    destination: str = ""
    destination_name: str = ""
    # What set the due time: the cadence, a promised next update, or a deadline given.
    set_by: SetBy = "cadence"


@dataclass(frozen=True)
class Schedule:
    severity: Severity
    # The team clock due first (of `teams`, one per active destination).
    team: Due
    customer: Due
    cadence: Cadence
    # True when no severity was set or suggested and FALLBACK_SEVERITY's cadence is used.
    severity_assumed: bool = False
    teams: tuple[Due, ...] = ()

    @property
    def tracks(self) -> tuple[Due, ...]:
        """Every clock: the team clocks (one per destination), then the customer's."""
        return (*(self.teams or (self.team,)), self.customer)


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


def _restarted(case: Escalation, start: datetime) -> datetime:
    reopened = [aware_utc(entry.at) for entry in case.log if entry.kind == LogKind.REOPENED]
    return max([start, *reopened])


def escalated_at(case: Escalation) -> datetime | None:
    """When the follow-up clocks started: the first active destination's sent time (else the
    latest record's, else the last "escalated" log entry); a later reopening restarts them."""
    active = case.active_escalations()
    if active:
        start = min(aware_utc(record.sent_at) for record in active)
    elif case.escalation is not None:
        start = aware_utc(case.escalation.sent_at)
    else:
        times = [aware_utc(entry.at) for entry in case.log if entry.kind == LogKind.ESCALATED]
        if not times:
            return None
        start = max(times)
    return _restarted(case, start)


def last_update(case: Escalation, kind: LogKind, since: datetime) -> datetime:
    """The latest logged update of one kind, or `since` (the escalation) when none is later."""
    times = [aware_utc(entry.at) for entry in case.log if entry.kind == kind]
    return max([since, *times])


def _due(
    track: Track,
    last_at: datetime,
    earliest: datetime,
    latest: datetime,
    now: datetime,
    *,
    destination: str = "",
    destination_name: str = "",
    set_by: SetBy = "cadence",
) -> Due:
    earliest, latest = aware_utc(earliest), aware_utc(latest)
    return Due(
        track=track,
        last_at=last_at,
        earliest=earliest,
        latest=latest,
        overdue=now > latest,
        due=now >= earliest,
        destination=destination,
        destination_name=destination_name,
        set_by=set_by,
    )


def promised_due(
    earliest: datetime,
    latest: datetime,
    *,
    next_at: datetime | None = None,
    deadline_at: datetime | None = None,
) -> tuple[datetime, datetime, SetBy]:
    """The customer track's window once a time was given to the customer: the earlier of the
    promise (or the deadline) and the cadence's due time (`latest`). A promise strictly before it
    becomes the due time (and the window's start, if earlier); one at or after it changes
    nothing. Of a promise and a deadline, the earlier counts (the promise on a tie)."""
    earliest, latest = aware_utc(earliest), aware_utc(latest)
    given: list[tuple[datetime, int, SetBy]] = []
    if next_at is not None:
        given.append((aware_utc(next_at), 0, "promised"))
    if deadline_at is not None:
        given.append((aware_utc(deadline_at), 1, "deadline"))
    if given:
        at, _order, set_by = min(given)
        if at < latest:
            return min(earliest, at), at, set_by
    return earliest, latest, "cadence"


def team_clocks(
    case: Escalation, playbook: Playbook, hours: float, now: datetime
) -> tuple[Due, ...]:
    """One team check-in clock per active destination, from its sent time (or a reopening)
    and its own check-ins; a check-in naming no destination counts for every one."""
    clocks = []
    for record in case.active_escalations():
        start = _restarted(case, aware_utc(record.sent_at))
        times = [
            aware_utc(entry.at)
            for entry in case.log
            if entry.kind == LogKind.TEAM_CHECKIN and entry.destination in ("", record.destination)
        ]
        last = max([start, *times])
        at = last + timedelta(hours=hours)
        try:
            name = playbook.destination(record.destination).name
        except KeyError:
            name = record.destination
        clocks.append(
            _due("team", last, at, at, now, destination=record.destination, destination_name=name)
        )
    return tuple(clocks)


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

    teams = team_clocks(case, playbook, cadence.team_hours, now)
    if teams:
        team = min(teams, key=lambda due: (due.latest, due.earliest))
    else:  # escalated with no record (a case imported from its log): one clock, as before
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
    updates = [entry for entry in case.log if entry.kind == LogKind.CUSTOMER_UPDATE]
    set_by: SetBy = "cadence"
    if updates:
        latest_update = max(updates, key=lambda entry: aware_utc(entry.at))
        earliest, latest, set_by = promised_due(
            earliest,
            latest,
            next_at=latest_update.next_at,
            deadline_at=latest_update.deadline_at,
        )
    customer = _due("customer", customer_last, earliest, latest, now, set_by=set_by)
    return Schedule(severity, team, customer, cadence, assumed, teams or (team,))
