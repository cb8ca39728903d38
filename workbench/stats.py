"""The lead's dashboard: the numbers a support lead asks for, from the history of cases.

Open cases by severity and destination, follow-ups due and overdue, escalations per week over the
last quarter, median time to resolution by severity, the share kept in support versus escalated,
SLA breaches and the most frequent symptoms. Everything is a pure function of `CaseFacts` (the few
fields per case that the figures need, which the store reads from its list columns without parsing
each case) and `now`, so the figures are checked against hand-computed values.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from workbench.models import Escalation, LogKind, Severity, Status
from workbench.playbook import Playbook
from workbench.rules._common import aware_utc
from workbench.store import CaseFacts
from workbench.symptom import content_words

WEEKS = 13  # "the last quarter"
UNRATED = "unrated"
UNROUTED = "Support"  # an open case routed nowhere is still with support
SEVERITY_ORDER: tuple[str, ...] = ("critical", "high", "medium", UNRATED)


def split_routes(routed_to: str) -> tuple[str, ...]:
    """The list column "Engineering, Leadership" -> ("Engineering", "Leadership")."""
    return tuple(part.strip() for part in routed_to.split(",") if part.strip())


def first_escalated_at(case: Escalation) -> datetime | None:
    times = [aware_utc(e.at) for e in case.log if e.kind is LogKind.ESCALATED]
    if case.escalation is not None:
        times.append(aware_utc(case.escalation.sent_at))
    return min(times) if times else None


def facts_of(case: Escalation, playbook: Playbook, now: datetime) -> CaseFacts:
    """Facts from a full case through the rules (the store reads the same from its columns)."""
    from workbench.rules.summary import summarize
    from workbench.signals import resolved_at, sla_breached

    summary = summarize(case, playbook, now)
    assert case.id is not None
    return CaseFacts(
        id=case.id,
        title=case.title,
        customer=case.customer,
        status=case.status,
        severity=Severity(summary.severity) if summary.severity else None,
        destinations=split_routes(summary.routed_to),
        created_at=aware_utc(case.created_at),
        escalated_at=first_escalated_at(case),
        resolved_at=resolved_at(case) if case.status is Status.RESOLVED else None,
        next_due=summary.next_due,
        due_latest=summary.due_latest,
        sla_breached=sla_breached(case, playbook),
    )


# -- the figures -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekCount:
    start: datetime  # Monday 00:00 UTC
    count: int


@dataclass(frozen=True)
class Symptom:
    phrase: str
    count: int
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    window_start: datetime  # Monday 00:00 UTC of the first of the WEEKS weeks
    total: int
    open_total: int
    # severity id (or "unrated") -> destination label (or "Support") -> open cases; a case routed
    # to two destinations counts in both columns, once in `open_by_severity`
    open_matrix: dict[str, dict[str, int]]
    open_by_severity: dict[str, int]
    destinations: tuple[str, ...]
    followups_due: int  # due now, not yet overdue
    followups_overdue: int
    weekly: tuple[WeekCount, ...]
    # severity id -> median hours from opening to resolution (resolved in the window), None if none
    median_resolution_hours: dict[str, float | None]
    resolved_in_window: dict[str, int]
    kept: int  # decided in the window: kept in support
    escalated: int  # decided in the window: escalated
    sla_breaches_open: int
    sla_breaches_window: int
    top_symptoms: tuple[Symptom, ...] = field(default_factory=tuple)

    @property
    def kept_share(self) -> float | None:
        decided = self.kept + self.escalated
        return self.kept / decided if decided else None

    @property
    def escalations_in_window(self) -> int:
        return sum(w.count for w in self.weekly)


def week_start(moment: datetime, zone: tzinfo = UTC) -> datetime:
    """Monday 00:00 in `zone` of the week holding `moment`: the agent's weeks (the playbook
    calendar's zone, which the settings fill), as their business days are."""
    day = aware_utc(moment).astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone)


def window_start(now: datetime, weeks: int = WEEKS, zone: tzinfo = UTC) -> datetime:
    """Monday 00:00 in `zone` of the first week of the dashboard's window (the current week and
    the `weeks - 1` before it). Cases not updated since then only count in the open figures."""
    # Aware arithmetic keeps the wall clock: midnight stays midnight across a summer-time change.
    return week_start(now, zone) - timedelta(weeks=weeks - 1)


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def top_symptoms(cases: Iterable[tuple[int, str]], limit: int = 5) -> tuple[Symptom, ...]:
    """The phrases most cases' titles share, as a lead would name the symptom ("CSV export", "SSO
    login loop"): runs of one to three content words, each counted once per case, most frequent
    first and the longer phrase first at equal count. A phrase whose cases all belong to a phrase
    already listed is a detail of it ("times out" under "CSV export") and is left out. Shown as
    most often written."""
    grams: dict[tuple[str, ...], set[int]] = {}
    titles: list[list[tuple[str, str]]] = []
    for case_id, title in cases:
        words = content_words(title)
        titles.append(words)
        terms = [term for term, _ in words]
        for size in (1, 2, 3):
            for start in range(len(terms) - size + 1):
                key = tuple(terms[start : start + size])
                if size > 1 and len(set(key)) < size:
                    continue  # "export export"
                ids = grams.get(key)
                if ids is None:
                    grams[key] = {case_id}
                else:
                    ids.add(case_id)
    ranked = sorted(
        ((key, ids) for key, ids in grams.items() if len(ids) >= 2),
        key=lambda item: (-len(item[1]), -len(item[0]), item[0]),
    )
    chosen: list[tuple[tuple[str, ...], set[int]]] = []
    for key, ids in ranked:
        if len(chosen) >= limit:
            break
        if any(ids <= taken for _, taken in chosen):
            continue
        chosen.append((key, ids))
    # How each chosen phrase is most often written (a second pass, for the chosen few only).
    surface: dict[tuple[str, ...], Counter[str]] = {key: Counter() for key, _ in chosen}
    for words in titles:
        for key in surface:
            size = len(key)
            for start in range(len(words) - size + 1):
                run = words[start : start + size]
                if tuple(term for term, _ in run) == key:
                    surface[key][" ".join(word for _, word in run)] += 1
    return tuple(
        Symptom(surface[key].most_common(1)[0][0], len(ids), tuple(sorted(ids)))
        for key, ids in chosen
    )


def compute_dashboard(
    facts: Iterable[CaseFacts],
    now: datetime,
    *,
    destinations: Sequence[str] = (),
    weeks: int = WEEKS,
    symptoms: int = 5,
    total: int | None = None,
    zone: tzinfo = UTC,
) -> Dashboard:
    """All the figures in one pass over the facts. `destinations` fixes the column order (the
    playbook's route labels); destinations not in it are appended as met.

    The window is the current week and the `weeks - 1` before it. Escalations per week count cases
    by when they first left support; medians, the kept/escalated share, breaches in the window and
    the symptoms look at cases opened (or resolved, for the medians) in the window.

    `facts` may leave out resolved cases not updated since the window started (they count in
    nothing but the total): pass the number of all cases as `total` then. Weeks are `zone`'s."""
    now = aware_utc(now)
    first_week = window_start(now, weeks, zone)
    columns: list[str] = [*destinations]
    matrix: dict[str, dict[str, int]] = {s: {} for s in SEVERITY_ORDER}
    by_severity: dict[str, int] = dict.fromkeys(SEVERITY_ORDER, 0)
    weekly = [0] * weeks
    durations: dict[str, list[float]] = {s: [] for s in SEVERITY_ORDER}
    seen = open_total = due = overdue = kept = escalated = 0
    breaches_open = breaches_window = 0
    titles: list[tuple[int, str]] = []
    for fact in facts:
        seen += 1
        severity = fact.severity.value if fact.severity else UNRATED
        in_window = aware_utc(fact.created_at) >= first_week
        if fact.open:
            open_total += 1
            by_severity[severity] += 1
            routes = fact.destinations or (UNROUTED,)
            for route in routes:
                if route not in columns:
                    columns.append(route)
                row = matrix[severity]
                row[route] = row.get(route, 0) + 1
            if fact.due_latest is not None and now > aware_utc(fact.due_latest):
                overdue += 1
            elif fact.next_due is not None and now >= aware_utc(fact.next_due):
                due += 1
            if fact.sla_breached:
                breaches_open += 1
        if fact.escalated_at is not None:
            # Whole weeks between the two local Mondays, by their dates (a week that changes to
            # summer time is an hour short).
            index = (week_start(fact.escalated_at, zone).date() - first_week.date()).days // 7
            if 0 <= index < weeks and aware_utc(fact.escalated_at) <= now:
                weekly[index] += 1
        if fact.resolved_at is not None and first_week <= aware_utc(fact.resolved_at) <= now:
            hours = (aware_utc(fact.resolved_at) - aware_utc(fact.created_at)).total_seconds()
            durations[severity].append(max(0.0, hours / 3600))
        if in_window:
            if fact.escalated:
                escalated += 1
            elif fact.kept:
                kept += 1
            if fact.sla_breached:
                breaches_window += 1
            titles.append((fact.id, fact.title))
    if UNROUTED in columns:
        columns.remove(UNROUTED)
        columns.append(UNROUTED)
    return Dashboard(
        now=now,
        window_start=first_week,
        total=seen if total is None else total,
        open_total=open_total,
        open_matrix=matrix,
        open_by_severity=by_severity,
        destinations=tuple(columns),
        followups_due=due,
        followups_overdue=overdue,
        weekly=tuple(
            WeekCount(first_week + timedelta(weeks=i), count) for i, count in enumerate(weekly)
        ),
        median_resolution_hours={s: _median(v) for s, v in durations.items()},
        resolved_in_window={s: len(v) for s, v in durations.items()},
        kept=kept,
        escalated=escalated,
        sla_breaches_open=breaches_open,
        sla_breaches_window=breaches_window,
        top_symptoms=top_symptoms(titles, limit=symptoms),
    )


class FactSource(Protocol):
    """What `dashboard_from` needs of the store (a protocol keeps this module free of SQL)."""

    def case_facts(self, *, since: datetime | None = None) -> Iterable[CaseFacts]: ...

    def count_cases(self) -> int: ...


def dashboard_from(source: FactSource | None, playbook: Playbook, now: datetime) -> Dashboard:
    """The dashboard over a store: open cases and cases touched in the window, plus the total;
    an empty dashboard when there is no store (no database yet)."""
    labels = route_labels(playbook)
    zone = playbook.calendar.zone()
    if source is None:
        return compute_dashboard((), now, destinations=labels, zone=zone)
    facts = source.case_facts(since=window_start(now, zone=zone))
    return compute_dashboard(facts, now, destinations=labels, total=source.count_cases(), zone=zone)


def route_labels(playbook: Playbook) -> tuple[str, ...]:
    """The dashboard's destination columns in playbook order."""
    return tuple(d.route_label for d in playbook.destinations)


def dashboard_json(board: Dashboard) -> dict[str, object]:
    """The figures as plain JSON for `workbench stats --json`."""

    def iso(moment: datetime) -> str:
        return aware_utc(moment).isoformat()

    return {
        "now": iso(board.now),
        "window_start": iso(board.window_start),
        "total": board.total,
        "open": {
            "total": board.open_total,
            "by_severity": board.open_by_severity,
            "by_severity_and_destination": {
                s: dict(row) for s, row in board.open_matrix.items() if row
            },
        },
        "follow_ups": {"due": board.followups_due, "overdue": board.followups_overdue},
        "escalations_per_week": [
            {"week_start": w.start.date().isoformat(), "count": w.count} for w in board.weekly
        ],
        "median_hours_to_resolution": board.median_resolution_hours,
        "resolved_in_window": board.resolved_in_window,
        "kept_in_support": board.kept,
        "escalated": board.escalated,
        "kept_share": board.kept_share,
        "sla_breaches": {"open": board.sla_breaches_open, "in_window": board.sla_breaches_window},
        "top_symptoms": [
            {"phrase": s.phrase, "count": s.count, "case_ids": list(s.case_ids)}
            for s in board.top_symptoms
        ],
    }
