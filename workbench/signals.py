"""Pattern signals: what the history of cases suggests for the triage checklist.

Three of the playbook's triggers and one keep-in-support criterion can only be judged against other
cases (three independent reports, a resurfaced issue, severity trending upward, historical tickets
resolved in support), and two depend on the clock (open past SLA, a customer waiting past the
cadence). This module proposes them as `Signal`s with the evidence behind each; it never ticks
anything itself. `accept_signal` is the one change it makes, when the agent accepts: it ticks the
item and logs the acceptance with its evidence, so the decision stays the agent's and is auditable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from workbench import timetext
from workbench.history import SimilarCase, SimilarityIndex, rank_similar
from workbench.models import Escalation, LogEntry, LogKind, Severity, Status, TriageAnswer
from workbench.playbook import Playbook
from workbench.rules._common import aware_utc
from workbench.rules.cadence import (
    FALLBACK_SEVERITY,
    add_business_days,
    follow_up_schedule,
    last_update,
)
from workbench.rules.impact import effective_severity
from workbench.symptom import query_terms, symptom_text

THREE_REPORTS = "esc.recurring.three_reports"
RESURFACED = "esc.recurring.resurfaced"
SEVERITY_TRENDING = "esc.recurring.severity_trending"
HISTORICAL_SUPPORT = "keep.historical_support"
PAST_SLA = "esc.stalled.past_sla"
LONG_WAIT = "esc.stalled.long_wait"

SIGNAL_IDS: tuple[str, ...] = (
    THREE_REPORTS,
    RESURFACED,
    SEVERITY_TRENDING,
    HISTORICAL_SUPPORT,
    PAST_SLA,
    LONG_WAIT,
)

# "Three or more independent reports": the case itself counts as one report.
MIN_INDEPENDENT_REPORTS = 3
# "Historical tickets" (plural): at least this many resolved in support, and more than were escalated.
MIN_SUPPORT_RESOLVED = 2
# Severity trending needs this many rated related cases (the case included) to call it a trend.
MIN_TREND_POINTS = 3

SeverityOf = Callable[[Escalation], Severity | None]


@dataclass(frozen=True)
class Signal:
    """A suggestion to tick one checklist item, and the cases that support it."""

    criterion_id: str
    message: str
    evidence_case_ids: tuple[int, ...] = ()


def customer_key(name: str) -> str:
    """Customers compare case- and space-insensitively: "ACME  corp" and "Acme Corp" are one."""
    return " ".join(name.lower().split())


def _ids(cases: Sequence[Escalation]) -> tuple[int, ...]:
    return tuple(c.id for c in cases if c.id is not None)


def _refs(cases: Sequence[Escalation], limit: int = 5) -> str:
    shown = [f"#{c.id} {c.customer.strip() or '(no customer)'}" for c in cases[:limit]]
    more = len(cases) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _day(moment: datetime, zone: tzinfo) -> str:
    """The day in the zone the agent's days are counted in (the playbook's calendar)."""
    return timetext.day(aware_utc(moment), zone)


def is_open(case: Escalation) -> bool:
    return case.status.is_open


def resolved_in_support(case: Escalation) -> bool:
    """Resolved without ever leaving support: the history `keep.historical_support` looks for."""
    return case.status is Status.RESOLVED and case.escalation is None


def was_patched(case: Escalation) -> bool:
    """Resolved after an escalation: a fix came from beyond support."""
    return case.status is Status.RESOLVED and case.escalation is not None


def resolved_at(case: Escalation) -> datetime | None:
    if case.resolution is not None and case.resolution.resolved_at is not None:
        return aware_utc(case.resolution.resolved_at)
    times = [aware_utc(e.at) for e in case.log if e.kind is LogKind.RESOLVED]
    return max(times) if times else None


def same_problem_cases(
    case: Escalation, history: Sequence[Escalation], similar: Sequence[SimilarCase]
) -> list[Escalation]:
    """The history cases that describe the same problem (close match or linked), oldest first."""
    by_id = {c.id: c for c in history if c.id is not None and c.id != case.id}
    wanted = {s.case_id for s in similar if s.same_problem}
    wanted |= {i for i in case.linked if i in by_id}
    wanted |= {i for i, c in by_id.items() if case.id is not None and case.id in c.linked}
    found = [by_id[i] for i in wanted if i in by_id]
    return sorted(found, key=lambda c: (aware_utc(c.created_at), c.id or 0))


# -- the signals -----------------------------------------------------------------------------------
def _three_reports(case: Escalation, related: list[Escalation]) -> Signal | None:
    """Independent = a different customer; the case's own customer counts as one report."""
    own = customer_key(case.customer)
    firsts: dict[str, Escalation] = {}
    for other in related:
        key = customer_key(other.customer)
        if key and key != own and key not in firsts:
            firsts[key] = other
    reports = len(firsts) + (1 if own else 0)
    if reports < MIN_INDEPENDENT_REPORTS:
        return None
    cited = list(firsts.values())
    this = f"this case ({' '.join(case.customer.split())}), " if own else ""
    return Signal(
        THREE_REPORTS,
        f"{reports} independent reports of the same symptom from different customers: "
        + this
        + _refs(cited),
        _ids(cited),
    )


def _resurfaced(case: Escalation, related: list[Escalation], zone: tzinfo) -> Signal | None:
    """A same-problem case resolved through an escalation before this case was opened."""
    opened = aware_utc(case.created_at)
    patched: list[tuple[datetime, Escalation]] = []
    for other in related:
        when = resolved_at(other)
        if was_patched(other) and when is not None and when <= opened:
            patched.append((when, other))
    if not patched:
        return None
    patched.sort(key=lambda item: item[0], reverse=True)
    when, latest = patched[0]
    cited = [other for _, other in patched]
    return Signal(
        RESURFACED,
        f"A previously-patched issue has resurfaced: #{latest.id} ({latest.customer.strip() or '?'})"
        f" had the same symptom and was resolved after escalation on {_day(when, zone)}",
        _ids(cited),
    )


def _historical_support(related: list[Escalation]) -> Signal | None:
    kept = [c for c in related if resolved_in_support(c)]
    escalated = [c for c in related if c.escalation is not None]
    if len(kept) < MIN_SUPPORT_RESOLVED or len(kept) <= len(escalated):
        return None
    tail = f"; {len(escalated)} went beyond support" if escalated else ""
    return Signal(
        HISTORICAL_SUPPORT,
        f"{len(kept)} past cases with the same profile were resolved in support{tail}: "
        + _refs(kept),
        _ids(kept),
    )


def _severity_trending(
    case: Escalation, related: list[Escalation], severity_of: SeverityOf
) -> Signal | None:
    """Rated related cases (this one included) in the order they were opened: the newer half is
    more severe on average than the older half, and the newest is above the oldest."""
    points: list[tuple[datetime, Escalation, Severity]] = []
    for item in [*related, case]:
        severity = severity_of(item)
        if severity is not None:
            points.append((aware_utc(item.created_at), item, severity))
    if len(points) < MIN_TREND_POINTS:
        return None
    points.sort(key=lambda p: (p[0], p[1].id or 0))
    ranks = [p[2].rank for p in points]
    half = len(ranks) // 2
    older, newer = ranks[:half], ranks[len(ranks) - half :]
    rising = sum(newer) / len(newer) > sum(older) / len(older) and ranks[-1] > ranks[0]
    if not rising:
        return None
    steps = " → ".join(
        f"{p[2].label} (#{p[1].id})" if p[1] is not case else f"{p[2].label} (this case)"
        for p in points[-6:]
    )
    cited = [p[1] for p in points if p[1] is not case]
    return Signal(
        SEVERITY_TRENDING, f"Severity is trending upward across related cases: {steps}", _ids(cited)
    )


def sla_breached(case: Escalation, playbook: Playbook) -> bool:
    """The SLA position says breached (the impact answer, else the typed document line)."""
    if case.impact.sla is not None:
        return case.impact.sla == "breached"
    typed = case.business_impact.sla_position.strip().lower()
    return bool(typed) and typed.startswith(playbook.sla_label("breached").lower())


def _past_sla(case: Escalation, playbook: Playbook, now: datetime) -> Signal | None:
    if not is_open(case) or not sla_breached(case, playbook):
        return None
    age = now - aware_utc(case.created_at)
    return Signal(
        PAST_SLA,
        f"Open for {timetext.span(age)} with the SLA position breached: the issue has sat open past SLA",
    )


def customer_wait_deadline(
    case: Escalation, playbook: Playbook, now: datetime
) -> tuple[datetime, datetime, Severity] | None:
    """(last customer update, latest next update, severity whose cadence applies) for an open case.

    Escalated cases use the follow-up schedule. Cases still in support (draft, kept, de-escalated)
    are held to the same customer cadence from their last customer update or their opening: that
    is the wait the stalled-progress trigger is about.
    """
    if not is_open(case):
        return None
    schedule = follow_up_schedule(case, playbook, now)
    if schedule is not None:
        return (schedule.customer.last_at, schedule.customer.latest, schedule.severity)
    if case.status is Status.ESCALATED:
        return None
    severity = effective_severity(case, playbook, now) or FALLBACK_SEVERITY
    cadence = playbook.cadence(severity.value)
    since = last_update(case, LogKind.CUSTOMER_UPDATE, aware_utc(case.created_at))
    if cadence.customer_unit == "business_days":
        latest = add_business_days(since, cadence.customer_max, playbook.calendar)
    else:
        latest = since + timedelta(hours=cadence.customer_max)
    return (since, latest, severity)


def _long_wait(case: Escalation, playbook: Playbook, now: datetime) -> Signal | None:
    wait = customer_wait_deadline(case, playbook, now)
    if wait is None:
        return None
    since, latest, severity = wait
    if now <= latest:
        return None
    cadence = playbook.cadence(severity.value)
    due = aware_utc(latest).astimezone(playbook.calendar.zone())
    return Signal(
        LONG_WAIT,
        f"The customer has waited {timetext.span(now - since)} since the last update; the {severity.label}"
        f" cadence asks for one {cadence.customer_label.lower()} (due"
        f" {timetext.clock(due, due, due.tzinfo, with_day=True, with_year=True)}"
        f" {due.tzname() or 'UTC'})",
    )


def detect_signals(
    case: Escalation,
    history: Sequence[Escalation],
    playbook: Playbook,
    now: datetime,
    *,
    similar: Sequence[SimilarCase] | None = None,
    severity_of: SeverityOf | None = None,
) -> list[Signal]:
    """The signals for `case` given past cases, in playbook order; items already ticked are left
    out (there is nothing left to suggest). `similar` is the ranking of `history` when the caller
    has it already; `severity_of` defaults to the rules' effective severity at `now`."""
    now = aware_utc(now)
    if similar is None:
        similar = rank_similar(case, history, limit=max(50, len(history)))
    rate: SeverityOf = severity_of or (lambda c: effective_severity(c, playbook, now))
    related = same_problem_cases(case, history, similar)
    found = [
        _three_reports(case, related),
        _resurfaced(case, related, playbook.calendar.zone()),
        _severity_trending(case, related, rate),
        _historical_support(related),
        _past_sla(case, playbook, now),
        _long_wait(case, playbook, now),
    ]
    known = {c.id for c in playbook.all_criteria()}
    signals = [
        s
        for s in found
        if s is not None and s.criterion_id in known and not case.checked(s.criterion_id)
    ]
    order = {cid: i for i, cid in enumerate(c.id for c in playbook.all_criteria())}
    return sorted(signals, key=lambda s: order[s.criterion_id])


def accept_signal(case: Escalation, signal: Signal, playbook: Playbook, now: datetime) -> LogEntry:
    """Tick the signal's checklist item and log the acceptance with its evidence (pure change)."""
    criterion = playbook.criterion(signal.criterion_id)
    answer = case.triage.get(signal.criterion_id, TriageAnswer())
    note = answer.note
    if signal.evidence_case_ids:
        cites = "see " + ", ".join(f"#{i}" for i in signal.evidence_case_ids)
        note = f"{note}; {cites}" if note.strip() else cites
    case.triage = {
        **case.triage,
        signal.criterion_id: TriageAnswer(checked=True, note=note),
    }
    detail = signal.message
    if signal.evidence_case_ids:
        detail += "\nEvidence: " + ", ".join(f"#{i}" for i in signal.evidence_case_ids)
    entry = LogEntry(
        at=aware_utc(now),
        kind=LogKind.SIGNAL,
        summary=f"Accepted: {criterion.text}",
        detail=detail,
    )
    case.log = [*case.log, entry]
    return entry


# -- one call for the screens and the CLI ----------------------------------------------------------
class CaseSource(Protocol):
    """What `review_case` needs from the store (kept as a protocol so this module stays pure)."""

    def similar_candidates(
        self, terms: Iterable[str], *, exclude_id: int | None = None, limit: int = 200
    ) -> list[Escalation]: ...

    def get_many(self, case_ids: Iterable[int]) -> list[Escalation]: ...


@dataclass(frozen=True)
class Review:
    """The similar cases, the cases they refer to (by id) and the signals, for one case."""

    similar: tuple[SimilarCase, ...]
    cases: Mapping[int, Escalation]
    signals: tuple[Signal, ...]

    def case(self, case_id: int) -> Escalation | None:
        return self.cases.get(case_id)


POOL_SIZE = 200


def ranking_key(case: Escalation) -> tuple[object, ...]:
    """Everything the candidate pool and the ranking read. The signals read more (status, ticks,
    the log), but those are cheap to look at again; the pool query and the ranking are not."""
    env = case.reproduction.environment
    return (
        case.id,
        symptom_text(case),
        case.component,
        case.customer,
        (env.browser, env.os, env.plan_tier, env.feature_flags, env.other),
        tuple(case.linked),
    )


@dataclass
class RankingCache:
    """The last pool and ranking of one caller (a screen's strip), reused while the case's
    symptom text, component, customer, environment and links stay the same: a checklist toggle
    then costs the signals only, not a full-text query over the whole history."""

    key: tuple[object, ...] | None = None
    candidates: list[Escalation] = field(default_factory=list)
    ranked: list[SimilarCase] = field(default_factory=list)


def review_case(
    source: CaseSource,
    case: Escalation,
    playbook: Playbook,
    now: datetime,
    *,
    limit: int = 10,
    pool: int = POOL_SIZE,
    cache: RankingCache | None = None,
) -> Review:
    """Similar cases and signals for `case`: a full-text pool of at most `pool` candidates (plus
    the linked cases), ranked, then the signals over the same pool. Never a scan of the history."""
    key = ranking_key(case)
    if cache is not None and cache.key == key:
        candidates, ranked = cache.candidates, cache.ranked
    else:
        terms = query_terms(case)
        candidates = (
            source.similar_candidates(terms, exclude_id=case.id, limit=pool) if terms else []
        )
        known = {c.id for c in candidates}
        missing = [i for i in case.linked if i not in known]
        if missing:
            candidates = [*candidates, *source.get_many(missing)]
        index = SimilarityIndex(candidates)
        ranked = index.rank(case, limit=max(limit, len(candidates)))
        if cache is not None:
            cache.key, cache.candidates, cache.ranked = key, candidates, ranked
    signals = detect_signals(case, candidates, playbook, now, similar=ranked)
    cases = {c.id: c for c in candidates if c.id is not None}
    return Review(tuple(ranked[:limit]), cases, tuple(signals))
