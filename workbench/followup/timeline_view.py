"""What the timeline shows, in the app and in `workbench show`: the case's history in order, the
audit log as change rows, and the due-next lines with their countdown."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, tzinfo
from typing import Literal, Protocol

from workbench import timetext
from workbench.models import Escalation, LogEntry, LogKind, Severity
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
    author: str | None = None  # who logged it, on a team database (`log_authors`)

    @property
    def line(self) -> str:
        """`Note: two more merchants`; the summary alone when it starts with the label already
        ("Escalated to Engineering", never "Escalated: Escalated to Engineering")."""
        return entry_line(self.label, self.summary)

    @property
    def rest(self) -> str:
        """The summary after the label when it repeats it ("to Engineering"), for a view that
        shows the label apart."""
        if repeats_label(self.label, self.summary):
            return self.summary[len(self.label) :].lstrip(" :")
        return self.summary


def repeats_label(label: str, summary: str) -> bool:
    """The summary starts with the label as a word ("Escalated to…", not "Notes…" for "Note")."""
    head, rest = summary[: len(label)], summary[len(label) :]
    return bool(label) and head.lower() == label.lower() and not rest[:1].isalnum()


def entry_line(label: str, summary: str) -> str:
    """A log entry as one line: its kind's label, then the summary, the label said once."""
    return summary if repeats_label(label, summary) else f"{label}: {summary}"


_DECISIONS = {
    "keep": "resolve in-house",
    "escalate": "escalate",
    "unknown": "not enough information",
}


def log_authors(events: Sequence[ChangeEvent]) -> dict[int, str]:
    """Who logged each running-log entry, by its index, from the change log's authors (a team
    database's; a local file has none): the author of the save that first wrote its summary."""
    found: dict[int, str] = {}
    for event in events:
        author = getattr(event, "author", None)
        leaf = _LOG_LEAF.fullmatch(event.field)
        if author and leaf is not None and leaf[2] == "summary" and event.old is None:
            found.setdefault(int(leaf[1]), author)
    return found


def timeline(case: Escalation, authors: Mapping[int, str] | None = None) -> list[TimelineItem]:
    """Everything that happened, oldest first: the case opened, the running log, and the decisions
    taken on the other screens that the log does not hold yet (a triage override, a severity
    override set on the impact screen), so the follow-up view misses none of them.

    Entries logged at the same moment keep the order they were logged in.
    """
    items = [TimelineItem(case.created_at, None, "Opened", case.title or "(untitled case)")]
    several = len({record.destination for record in case.escalations}) > 1
    known = authors or {}
    items += [
        TimelineItem(
            e.at,
            e.kind,
            _label(e, several),
            e.summary,
            _detail(e),
            e.expectation,
            author=known.get(index),
        )
        for index, e in enumerate(case.log)
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


def _label(entry: LogEntry, several: bool) -> str:
    """A team check-in names its team when the case went to several."""
    if several and entry.kind is LogKind.TEAM_CHECKIN and entry.destination:
        return f"{entry.kind.label} · {entry.destination}"
    return entry.kind.label


def _detail(entry: LogEntry) -> str:
    """The entry's detail, and the times a customer update gave the customer."""
    lines = [entry.detail] if entry.detail else []
    given = (("Next update promised for", entry.next_at), ("Deadline given", entry.deadline_at))
    for words, at in given:
        if at is not None:
            lines.append(f"{words} {timetext.clock(at, entry.at)}")
    return "\n".join(lines)


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
    author: str | None = None  # who made it, on a team database (the connected role)

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
                row = ChangeRow(
                    event.at, f"log.{leaf[1]}", "—", "", author=getattr(event, "author", None)
                )
                entries[key] = row
                rows.append(row)
            row.parts[leaf[2]] = new
            continue
        rows.append(
            ChangeRow(
                event.at,
                event.field,
                _shown(old, width),
                _shown(new, width),
                author=getattr(event, "author", None),
            )
        )
    for row in entries.values():
        kind = row.parts.get("kind")
        try:
            label = LogKind(str(kind)).label
        except ValueError:
            label = str(kind)
        summary = str(row.parts.get("summary") or "")
        shown = _shown(summary, width)
        row.new = f"+ {shown}" if repeats_label(label, summary) else f"+ {label}: {shown}"
    return rows


DueState = Literal["upcoming", "due", "overdue"]


@dataclass(frozen=True)
class DueLine:
    """One "due next" line: "Customer update due 14:00–16:00 (OVERDUE by 20 m)", or for a point in
    time "Team check-in due 14:30 (in 30 m)"."""

    track: Literal["team", "customer"]
    label: str
    window: str
    countdown: str
    state: DueState
    # The customer track: what set the due time ("cadence", "promised 05:30", "deadline 17:00").
    source: str = ""
    destination: str = ""

    @property
    def text(self) -> str:
        tail = f" · {self.source}" if self.source else ""
        return f"{self.label} due {self.window} ({self.countdown}){tail}"


def describe_due(
    due: Due, now: datetime, tz: tzinfo | None = None, *, named: bool = False
) -> DueLine:
    """The due line of one track: its window (earliest–latest, one time when they are the same)
    and a countdown: to the earliest time before the window, to the latest inside it, and how long
    past the latest once it is overdue (`workbench.timetext`). `named`: a team line says which
    destination's team (when the case is with several). A customer line says what set it: the
    cadence, or the time promised ("promised 05:30") or the deadline given to the customer.
    """
    label = "Team check-in" if due.track == "team" else "Customer update"
    if named and due.track == "team" and due.destination_name:
        label = f"{label} · {due.destination_name}"
    source = ""
    if due.track == "customer":
        source = "cadence"
        if due.set_by != "cadence":
            source = f"{due.set_by} {timetext.clock(due.latest, now, tz)}"
    window = timetext.window(due.earliest, due.latest, now, tz)
    overdue = due.overdue or now > due.latest
    countdown = timetext.countdown(
        due.earliest, now, latest=due.latest, overdue=overdue, until_latest=True
    )
    state: DueState = "overdue" if overdue else "due" if now >= due.earliest else "upcoming"
    return DueLine(due.track, label, window, countdown, state, source, due.destination)


def due_lines(schedule: Schedule | None, now: datetime, tz: tzinfo | None = None) -> list[DueLine]:
    """The due lines: one per destination's team clock, then the customer's; empty when nothing
    is scheduled."""
    if schedule is None:
        return []
    teams = schedule.teams or (schedule.team,)
    named = len(teams) > 1
    return [describe_due(due, now, tz, named=named) for due in teams] + [
        describe_due(schedule.customer, now, tz)
    ]


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
