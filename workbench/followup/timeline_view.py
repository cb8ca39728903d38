"""What the timeline shows, in the app and in `workbench show`: the case's history in order, the
audit log as change rows, and the due-next lines with their countdown."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta, tzinfo
from typing import Literal, Protocol

from workbench.models import Escalation, LogKind, Severity
from workbench.rules.cadence import Due, Schedule

__all__ = [
    "ChangeEvent",
    "ChangeRow",
    "DueLine",
    "DueState",
    "TimelineItem",
    "change_rows",
    "describe_due",
    "due_lines",
    "format_span",
    "suggested_log_kind",
    "timeline",
]


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened to the case, in the order it happened."""

    at: datetime
    kind: LogKind | None  # None: the case was opened
    label: str
    summary: str
    detail: str = ""
    expectation: str = ""


_DECISIONS = {
    "keep": "resolve in-house",
    "escalate": "escalate",
    "unknown": "not enough information",
}


def timeline(case: Escalation) -> list[TimelineItem]:
    """Everything that happened, oldest first: the case opened, the running log, and the decisions
    taken on the other screens that the log does not hold yet (a triage override, a severity
    override set on the impact screen), so the follow-up view misses none of them.

    Entries logged at the same moment keep the order they were logged in.
    """
    items = [TimelineItem(case.created_at, None, "Opened", case.title or "(untitled case)")]
    items += [
        TimelineItem(e.at, e.kind, e.kind.label, e.summary, e.detail, e.expectation)
        for e in case.log
    ]
    decision = case.recommendation_override
    if decision is not None and not any(e.kind is LogKind.TRIAGE for e in case.log):
        what = _DECISIONS.get(decision.value, decision.value)
        items.append(
            TimelineItem(
                decision.at,
                LogKind.TRIAGE,
                LogKind.TRIAGE.label,
                f"Override: {what}",
                decision.reason,
            )
        )
    severity = case.severity_override
    if severity is not None and not any(
        e.kind is LogKind.SEVERITY and e.at == severity.at for e in case.log
    ):
        try:
            label = Severity(severity.value).label
        except ValueError:
            label = severity.value
        items.append(
            TimelineItem(
                severity.at,
                LogKind.SEVERITY,
                LogKind.SEVERITY.label,
                f"Severity set to {label} (override)",
                severity.reason,
            )
        )
    return sorted(items, key=lambda item: item.at)


class ChangeEvent(Protocol):
    """One changed field of one save, as the store's audit log keeps it (JSON text or None)."""

    @property
    def at(self) -> datetime: ...
    @property
    def field(self) -> str: ...
    @property
    def old(self) -> str | None: ...
    @property
    def new(self) -> str | None: ...


@dataclass
class ChangeRow:
    """One line of the full change log: when, which field, old -> new (short, one line)."""

    at: datetime
    field: str
    old: str
    new: str
    parts: dict[str, object] = dataclass_field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return f"{self.old} -> {self.new}"


_LOG_LEAF = re.compile(r"log\.(\d+)\.(\w+)")


def _value(raw: str | None) -> object:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _shown(value: object, width: int) -> str:
    if value is None:
        return "—"
    if value == "":
        return "(empty)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def change_rows(events: Sequence[ChangeEvent], *, width: int = 80) -> list[ChangeRow]:
    """The audit log as a reader wants it, oldest first: one row per changed field, except that a
    log entry appended in one save is one row ("+ Customer update: ...") rather than five, and a
    section that only went from null to filled (its fields have their own rows) is left out."""
    rows: list[ChangeRow] = []
    entries: dict[tuple[datetime, str], ChangeRow] = {}
    for event in events:
        old, new = _value(event.old), _value(event.new)
        if old is None and new is None:
            continue
        leaf = _LOG_LEAF.fullmatch(event.field)
        if leaf is not None and event.old is None:
            key = (event.at, leaf[1])
            row = entries.get(key)
            if row is None:
                row = ChangeRow(event.at, f"log.{leaf[1]}", "—", "")
                entries[key] = row
                rows.append(row)
            row.parts[leaf[2]] = new
            continue
        rows.append(ChangeRow(event.at, event.field, _shown(old, width), _shown(new, width)))
    for row in entries.values():
        kind = row.parts.get("kind")
        try:
            label = LogKind(str(kind)).label
        except ValueError:
            label = str(kind)
        row.new = f"+ {label}: {_shown(row.parts.get('summary', ''), width)}"
    return rows


DueState = Literal["upcoming", "due", "overdue"]


@dataclass(frozen=True)
class DueLine:
    """One "due next" line: "Customer update due 14:00–16:00 (OVERDUE by 20 m)"."""

    track: Literal["team", "customer"]
    label: str
    window: str
    countdown: str
    state: DueState

    @property
    def text(self) -> str:
        return f"{self.label} due {self.window} ({self.countdown})"


def format_span(delta: timedelta) -> str:
    """A duration as the timeline counts it: "1 h 12 m", "2 d 3 h", "45 s" under a minute."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{value} {unit}" for value, unit in ((days, "d"), (hours, "h"), (mins, "m")) if value]
    return " ".join(parts[:2])


def _clock(moment: datetime, day_of: datetime, tz: tzinfo | None) -> str:
    """ "HH:MM" when `moment` falls on the same local day as `day_of`, else "Wed 25 Nov HH:MM"."""
    local = moment.astimezone(tz) if tz is not None else moment.astimezone()
    other = day_of.astimezone(tz) if tz is not None else day_of.astimezone()
    if local.date() == other.date():
        return f"{local:%H:%M}"
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def describe_due(due: Due, now: datetime, tz: tzinfo | None = None) -> DueLine:
    """The due line of one track: its window (earliest–latest) and a countdown.

    The window's start carries its day unless it is today, its end unless it is the start's day.
    Before the window it counts down to the earliest time; inside it, to the latest; past the
    latest it is overdue by how long.
    """
    label = "Team check-in" if due.track == "team" else "Customer update"
    start = _clock(due.earliest, now, tz)
    end = _clock(due.latest, due.earliest, tz)
    window = f"{start}–{end}"
    if due.overdue or now > due.latest:
        return DueLine(
            due.track, label, window, f"OVERDUE by {format_span(now - due.latest)}", "overdue"
        )
    if now >= due.earliest:
        left = f", latest in {format_span(due.latest - now)}" if due.latest > now else ""
        return DueLine(due.track, label, window, f"due now{left}", "due")
    return DueLine(due.track, label, window, f"in {format_span(due.earliest - now)}", "upcoming")


def due_lines(schedule: Schedule | None, now: datetime, tz: tzinfo | None = None) -> list[DueLine]:
    """The two tracks' due lines, team first; empty when nothing is scheduled."""
    if schedule is None:
        return []
    return [describe_due(schedule.team, now, tz), describe_due(schedule.customer, now, tz)]


def suggested_log_kind(schedule: Schedule | None) -> LogKind:
    """The kind an update most likely is: the track that is most overdue or due soonest; a note
    when nothing is scheduled."""
    if schedule is None:
        return LogKind.NOTE
    team, customer = schedule.team, schedule.customer
    pick = customer if (customer.latest, customer.earliest) < (team.latest, team.earliest) else team
    if team.overdue != customer.overdue:
        pick = team if team.overdue else customer
    return LogKind.TEAM_CHECKIN if pick.track == "team" else LogKind.CUSTOMER_UPDATE
