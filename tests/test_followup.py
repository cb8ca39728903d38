"""Follow-through operations: each one checks first, then changes the case and explains itself in
the running log; the schedule they start, move and stop comes from the cadence rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from workbench.followup import (
    FollowUpError,
    change_rows,
    de_escalate,
    de_escalation_missing,
    describe_due,
    due_lines,
    escalate,
    follow_up_alerts,
    log_update,
    reassess_severity,
    reopen,
    resolve,
    suggested_log_kind,
    timeline,
)
from workbench.models import Escalation, LogKind, Override, Severity, Status
from workbench.playbook import Playbook, default_playbook
from workbench.rules.cadence import follow_up_schedule

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday
STEPS = (
    "deesc.notify_team",
    "deesc.record_status",
    "deesc.tell_customer",
    "deesc.document_findings",
)


@pytest.fixture
def pb() -> Playbook:
    return default_playbook()


def make_case(severity: str | None = "critical", **fields: Any) -> Escalation:
    case = Escalation(id=7, title="Checkout fails for EU cards", customer="Acme", created_at=T0)
    if severity:
        case.severity_override = Override(value=severity, reason="scored on the call", at=T0)
    for key, value in fields.items():
        setattr(case, key, value)
    return case


def escalated(pb: Playbook, severity: str = "critical") -> Escalation:
    case = make_case(severity)
    escalate(case, pb, "engineering", "Payments squad", T0)
    return case


# -- escalate ---------------------------------------------------------------------------------------
def test_escalate_records_destination_receiver_time_and_starts_the_clocks(pb: Playbook) -> None:
    case = make_case()
    assert follow_up_schedule(case, pb, T0) is None
    entry = escalate(case, pb, "engineering", "Payments squad (Dana)", T0)
    assert case.status is Status.ESCALATED
    assert case.escalation is not None
    assert case.escalation.destination == "engineering"
    assert case.escalation.receiver == "Payments squad (Dana)"
    assert case.escalation.sent_at == T0
    assert case.routed_to == ["engineering"]
    assert [e.kind for e in case.log] == [LogKind.TRIAGE, LogKind.ESCALATED]
    assert entry.summary == "Escalated to Engineering (Payments squad (Dana))"
    schedule = follow_up_schedule(case, pb, T0)
    assert schedule is not None
    assert schedule.team.earliest == T0 + timedelta(hours=2)


def test_escalate_without_receiver_takes_the_playbooks_receiver(pb: Playbook) -> None:
    case = make_case()
    escalate(case, pb, "security", "  ", T0)
    assert case.escalation is not None
    assert case.escalation.receiver == "Security team"


def test_escalate_to_another_destination_adds_it_and_one_triage_decision(pb: Playbook) -> None:
    case = make_case()
    case.recommendation_override = Override(value="escalate", reason="strategic account", at=T0)
    escalate(case, pb, "l2", "", T0)
    entry = escalate(case, pb, "engineering", "Payments squad", T0 + timedelta(hours=1))
    assert [e.kind for e in case.log].count(LogKind.TRIAGE) == 1
    assert "strategic account" in case.log[0].detail
    assert entry.detail == "Also with: Support L2"
    assert [(r.destination, r.active) for r in case.escalations] == [
        ("l2", True),
        ("engineering", True),
    ]
    assert case.routed_to == ["l2", "engineering"]
    assert case.escalation is not None and case.escalation.sent_at == T0 + timedelta(hours=1)


def test_escalate_refuses_unknown_destination_and_resolved_case(pb: Playbook) -> None:
    case = make_case()
    with pytest.raises(FollowUpError, match=r"unknown destination 'moon'.*engineering"):
        escalate(case, pb, "moon", "", T0)
    assert case.log == [] and case.status is Status.DRAFT
    case.status = Status.RESOLVED
    with pytest.raises(FollowUpError, match="reopen"):
        escalate(case, pb, "engineering", "", T0)


# -- log_update -------------------------------------------------------------------------------------
def test_log_customer_update_with_expectation_moves_the_customer_clock(pb: Playbook) -> None:
    case = escalated(pb)
    later = T0 + timedelta(hours=3)
    entry = log_update(
        case,
        LogKind.CUSTOMER_UPDATE,
        "Told Acme the fix\nis in review",
        "Shared the ticket link",
        "Fix deployed by Fri 17:00",
        now=later,
    )
    assert entry.summary == "Told Acme the fix is in review"
    assert entry.expectation == "Fix deployed by Fri 17:00"
    assert entry.at == later
    schedule = follow_up_schedule(case, pb, later)
    assert schedule is not None
    assert schedule.customer.last_at == later
    assert schedule.customer.earliest == later + timedelta(hours=2)
    assert schedule.customer.latest == later + timedelta(hours=4)
    assert schedule.team.last_at == T0


@pytest.mark.parametrize(
    ("kind", "summary", "expectation", "message"),
    [
        ("customer_update", "   ", "", "one-line summary"),
        ("note", "ok", "by Friday", "only a customer update"),
        ("severity", "up", "", "recorded by its own action"),
        ("resolved", "done", "", "recorded by its own action"),
        ("gossip", "hm", "", "unknown kind"),
    ],
)
def test_log_update_refuses_what_it_cannot_log(
    pb: Playbook, kind: str, summary: str, expectation: str, message: str
) -> None:
    case = escalated(pb)
    before = case.model_copy(deep=True)
    with pytest.raises(FollowUpError, match=message):
        log_update(case, kind, summary, "", expectation, now=T0)
    assert case == before


def test_team_checkin_needs_a_receiving_team_but_notes_do_not(pb: Playbook) -> None:
    case = make_case()
    with pytest.raises(FollowUpError, match="escalate the case first"):
        log_update(case, LogKind.TEAM_CHECKIN, "Pinged squad", now=T0)
    log_update(case, "note", "Customer sent a HAR file", now=T0)
    assert [e.kind for e in case.log] == [LogKind.NOTE]


# -- reassess_severity ------------------------------------------------------------------------------
def test_reassess_up_logs_old_to_new_and_reschedules(pb: Playbook) -> None:
    case = escalated(pb, "high")
    noon = T0 + timedelta(hours=3)
    schedule = follow_up_schedule(case, pb, noon)
    assert schedule is not None and schedule.severity is Severity.HIGH
    entry = reassess_severity(case, pb, "critical", "Second region down", noon)
    assert entry.kind is LogKind.SEVERITY
    assert entry.summary == "Severity High -> Critical (up)"
    assert entry.detail == "Second region down"
    assert case.severity_override is not None
    assert case.severity_override.value == "critical"
    assert case.severity_override.reason == "Second region down"
    schedule = follow_up_schedule(case, pb, noon)
    assert schedule is not None and schedule.severity is Severity.CRITICAL


def test_reassess_down_and_first_assessment(pb: Playbook) -> None:
    case = escalated(pb, "critical")
    entry = reassess_severity(case, pb, Severity.MEDIUM, "Workaround holds", T0)
    assert entry.summary == "Severity Critical -> Medium (down)"
    blank = make_case(severity=None)
    entry = reassess_severity(blank, pb, "high", "Key customer blocked", T0)
    assert entry.summary == "Severity set to High"


def test_reassess_refuses_same_severity_missing_reason_and_nonsense(pb: Playbook) -> None:
    case = escalated(pb, "high")
    before = case.model_copy(deep=True)
    with pytest.raises(FollowUpError, match="already High"):
        reassess_severity(case, pb, "high", "again", T0)
    with pytest.raises(FollowUpError, match="say why"):
        reassess_severity(case, pb, "critical", "  ", T0)
    with pytest.raises(FollowUpError, match="unknown severity"):
        reassess_severity(case, pb, "apocalyptic", "x", T0)
    assert case == before


# -- de-escalation ----------------------------------------------------------------------------------
def test_de_escalation_in_progress_is_kept_and_the_case_stays_escalated(pb: Playbook) -> None:
    case = escalated(pb)
    log_len = len(case.log)
    done = de_escalate(
        case,
        pb,
        conditions={"deesc.workaround_found": True},
        steps_done={"deesc.notify_team": True},
        skipped_reasons={},
        now=T0,
    )
    assert done is False
    assert case.status is Status.ESCALATED
    assert case.de_escalation is not None
    assert case.de_escalation.steps_done["deesc.notify_team"] is True
    assert case.de_escalation.completed_at is None
    assert len(case.log) == log_len
    assert follow_up_schedule(case, pb, T0) is not None


def test_de_escalation_complete_stops_the_clocks_and_logs_each_step(pb: Playbook) -> None:
    case = escalated(pb)
    at = T0 + timedelta(hours=5)
    done = de_escalate(
        case,
        pb,
        conditions={"deesc.workaround_found": True},
        steps_done=dict.fromkeys(STEPS, True),
        skipped_reasons={},
        now=at,
        outcome="Workaround: retry with 3-D Secure off; fix tracked in PAY-12",
        findings="EU cards fail when 3DS v1 is forced",
    )
    assert done is True
    assert case.status is Status.DE_ESCALATED
    assert case.de_escalation is not None and case.de_escalation.completed_at == at
    kinds = [e.kind for e in case.log[-3:]]
    assert kinds == [LogKind.TEAM_CHECKIN, LogKind.CUSTOMER_UPDATE, LogKind.DE_ESCALATED]
    assert case.log[-3].summary == "Told Payments squad the case is de-escalated"
    assert case.log[-2].summary.startswith("Outcome: Workaround: retry")
    last = case.log[-1]
    assert (
        last.summary == "De-escalated: A workaround is discovered that fully unblocks the customer"
    )
    assert "Findings: EU cards fail when 3DS v1 is forced" in last.detail
    assert follow_up_schedule(case, pb, at) is None


def test_a_step_skipped_with_a_reason_counts_without_one_it_does_not(pb: Playbook) -> None:
    case = escalated(pb)
    steps = dict.fromkeys(STEPS, True)
    steps["deesc.tell_customer"] = False
    common: dict[str, Any] = {
        "conditions": {"deesc.self_resolved": True},
        "steps_done": steps,
        "now": T0,
        "outcome": "Self-resolved after the CDN purge",
        "findings": "Stale CDN config",
    }
    assert de_escalate(case, pb, skipped_reasons={"deesc.tell_customer": "  "}, **common) is False
    assert case.status is Status.ESCALATED
    assert de_escalate(
        case, pb, skipped_reasons={"deesc.tell_customer": "Customer is away"}, **common
    )
    assert case.status is Status.DE_ESCALATED
    assert (
        "[skipped] Communicate the outcome to the customer: Customer is away" in case.log[-1].detail
    )
    assert LogKind.CUSTOMER_UPDATE not in [e.kind for e in case.log]


def test_de_escalation_missing_names_what_is_left(pb: Playbook) -> None:
    missing = de_escalation_missing(pb, {}, {"deesc.record_status": True}, {})
    assert missing == [
        "Why it comes back: tick one of the conditions",
        "Notify the team that received the escalation: done, or skipped with a reason",
        "Record the resolution or new status in the ticket: write the outcome",
        "Communicate the outcome to the customer: done, or skipped with a reason",
        "Document findings so future agents benefit from the knowledge: done, or skipped with a reason",
    ]


def test_de_escalate_refuses_unescalated_case_and_unknown_ids(pb: Playbook) -> None:
    with pytest.raises(FollowUpError, match="only an escalated case"):
        de_escalate(make_case(), pb, conditions={}, steps_done={}, skipped_reasons={}, now=T0)
    case = escalated(pb)
    with pytest.raises(FollowUpError, match=r"deesc\.pray"):
        de_escalate(
            case, pb, conditions={}, steps_done={"deesc.pray": True}, skipped_reasons={}, now=T0
        )
    assert case.de_escalation is None


# -- resolution -------------------------------------------------------------------------------------
def test_resolve_needs_lessons_learned(pb: Playbook) -> None:
    case = escalated(pb)
    with pytest.raises(ValueError, match="lessons learned are required"):
        resolve(
            case, pb, customer_confirmed=True, tracking_closed=True, lessons_learned=" ", now=T0
        )
    assert case.status is Status.ESCALATED and case.resolution is None


def test_resolve_records_confirmation_tracking_lessons_and_stops_the_clocks(pb: Playbook) -> None:
    case = escalated(pb)
    at = T0 + timedelta(days=1)
    entry = resolve(
        case,
        pb,
        customer_confirmed=True,
        tracking_closed=False,
        lessons_learned="Add EU cards to the checkout smoke test",
        now=at,
        summary="Hotfix 4.2.1 deployed",
    )
    assert case.status is Status.RESOLVED
    assert case.resolution is not None
    assert case.resolution.resolved_at == at
    assert case.resolution.lessons_learned == "Add EU cards to the checkout smoke test"
    assert case.resolution.customer_confirmed and not case.resolution.tracking_closed
    assert entry.summary == "Resolved: Hotfix 4.2.1 deployed"
    assert "[x] Confirm with the customer" in entry.detail
    assert "[ ] Close internal tracking" in entry.detail
    assert case.log[-2].kind is LogKind.CUSTOMER_UPDATE
    assert follow_up_schedule(case, pb, at + timedelta(days=3)) is None
    with pytest.raises(FollowUpError, match="already resolved"):
        resolve(
            case, pb, customer_confirmed=True, tracking_closed=True, lessons_learned="x", now=at
        )


def test_a_de_escalated_case_can_go_up_again(pb: Playbook) -> None:
    case = escalated(pb)
    de_escalate(
        case,
        pb,
        conditions={"deesc.support_can_fix": True},
        steps_done=dict.fromkeys(STEPS, True),
        skipped_reasons={},
        now=T0 + timedelta(hours=1),
        outcome="Config fixed by support",
        findings="Wrong region setting",
    )
    again = T0 + timedelta(days=1)
    escalate(case, pb, "engineering", "Payments squad", again, note="Came back after the fix")
    assert case.status is Status.ESCALATED and case.de_escalation is None
    schedule = follow_up_schedule(case, pb, again)
    assert schedule is not None and schedule.team.last_at == again
    resolve(case, pb, customer_confirmed=True, tracking_closed=True, lessons_learned="L", now=again)
    reopen(case, "still broken", again)
    assert case.status is Status.ESCALATED


def test_reopen_returns_to_the_previous_state_and_restarts_the_clocks(pb: Playbook) -> None:
    case = escalated(pb)
    resolve(case, pb, customer_confirmed=False, tracking_closed=True, lessons_learned="L", now=T0)
    with pytest.raises(FollowUpError, match="say why"):
        reopen(case, "", T0)
    later = T0 + timedelta(days=2)
    entry = reopen(case, "Error is back after the deploy", later)
    assert case.status is Status.ESCALATED and case.resolution is None
    assert entry.kind is LogKind.REOPENED and entry.detail == "Error is back after the deploy"
    schedule = follow_up_schedule(case, pb, later)
    assert schedule is not None
    # The clocks restart from the reopening, not from the old escalation two days ago.
    assert schedule.team.last_at == later and not schedule.team.overdue
    assert schedule.customer.earliest == later + timedelta(hours=2)
    with pytest.raises(FollowUpError, match="only a resolved case"):
        reopen(case, "again", later)
    draft = make_case()
    resolve(draft, pb, customer_confirmed=True, tracking_closed=True, lessons_learned="L", now=T0)
    reopen(draft, "wrong button", T0)
    assert draft.status is Status.DRAFT


# -- what the screens show --------------------------------------------------------------------------
def test_timeline_is_everything_in_order(pb: Playbook) -> None:
    case = escalated(pb)
    log_update(case, "note", "later note", now=T0 + timedelta(hours=2))
    log_update(case, "team_checkin", "Squad is on it", now=T0 + timedelta(hours=1))
    items = timeline(case)
    assert [i.label for i in items] == [
        "Opened",
        "Triage decision",
        "Escalated",
        "Severity change",  # the override make_case sets, not logged: shown from the case
        "Team check-in",
        "Note",
    ]
    assert items[0].summary == "Checkout fails for EU cards"


def test_timeline_shows_overrides_taken_on_other_screens(pb: Playbook) -> None:
    case = make_case(severity=None)
    case.recommendation_override = Override(value="keep", reason="known workaround", at=T0)
    case.severity_override = Override(
        value="high", reason="key customer", at=T0 + timedelta(minutes=5)
    )
    items = timeline(case)
    assert [(i.label, i.summary, i.detail) for i in items[1:]] == [
        ("Triage decision", "Override: resolve in-house", "known workaround"),
        ("Severity change", "Severity set to High (override)", "key customer"),
    ]
    # Once the re-assessment logs it, the log entry is the one shown.
    reassess_severity(case, pb, "critical", "second region down", T0 + timedelta(hours=1))
    severity_items = [i for i in timeline(case) if i.kind is LogKind.SEVERITY]
    assert [i.summary for i in severity_items] == ["Severity High -> Critical (up)"]


def test_due_lines_count_down_then_overdue(pb: Playbook) -> None:
    case = escalated(pb)  # critical: team at 11:00, customer 11:00-13:00
    schedule = follow_up_schedule(case, pb, T0 + timedelta(minutes=48))
    lines = due_lines(schedule, T0 + timedelta(minutes=48), UTC)
    assert [line.text for line in lines] == [
        "Team check-in due 11:00 (in 1 h 12 m)",
        "Customer update due 11:00–13:00 (in 1 h 12 m) · cadence",
    ]
    now = T0 + timedelta(hours=3)
    schedule = follow_up_schedule(case, pb, now)
    assert schedule is not None
    customer = describe_due(schedule.customer, now, UTC)
    assert customer.state == "due" and customer.countdown == "due now, latest in 1 h"
    now = T0 + timedelta(hours=4, minutes=20)
    schedule = follow_up_schedule(case, pb, now)
    assert schedule is not None
    customer = describe_due(schedule.customer, now, UTC)
    assert customer.state == "overdue"
    assert customer.text == "Customer update due 11:00–13:00 (OVERDUE by 20 m) · cadence"
    assert due_lines(None, now) == []


def test_due_lines_name_the_day_when_it_is_not_today(pb: Playbook) -> None:
    case = escalated(pb, "medium")
    schedule = follow_up_schedule(case, pb, T0)
    lines = due_lines(schedule, T0, UTC)
    assert lines[0].window == "Wed 25 Nov 09:00"
    assert lines[1].window == "Wed 25 Nov 09:00–Thu 26 Nov 09:00"


def test_alerts_fire_once_when_due_and_once_more_when_overdue(pb: Playbook) -> None:
    case = escalated(pb)
    resolved = escalated(pb)
    resolved.id = 8
    resolve(
        resolved, pb, customer_confirmed=True, tracking_closed=True, lessons_learned="L", now=T0
    )
    cases = [case, resolved]
    assert follow_up_alerts(cases, pb, T0 + timedelta(hours=1)) == []
    seen: frozenset[tuple[int, str, str, bool]] = frozenset()
    due_now = follow_up_alerts(cases, pb, T0 + timedelta(hours=2), seen)
    assert [(a.case_id, a.track, a.overdue) for a in due_now] == [
        (7, "team", False),
        (7, "customer", False),
    ]
    assert due_now[0].message == "#7 Checkout fails for EU cards: Team check-in due now"
    assert due_now[1].message == (
        "#7 Checkout fails for EU cards: Customer update due now, latest in 2 h"
    )
    seen = seen | {a.key for a in due_now}
    assert follow_up_alerts(cases, pb, T0 + timedelta(hours=2, minutes=1), seen) == []
    late = follow_up_alerts(cases, pb, T0 + timedelta(hours=4, minutes=1), seen)
    # The team's check-in is a point in time, announced once; the customer's window closes too.
    assert [(a.track, a.overdue) for a in late] == [("customer", True)]
    assert late[0].message == "#7 Checkout fails for EU cards: Customer update OVERDUE by 1 m"
    seen = seen | {a.key for a in late}
    log_update(
        case, "customer_update", "Still investigating", now=T0 + timedelta(hours=4, minutes=5)
    )
    assert follow_up_alerts(cases, pb, T0 + timedelta(hours=4, minutes=6), seen) == []


def test_suggested_log_kind_is_the_most_pressing_track(pb: Playbook) -> None:
    assert suggested_log_kind(None) is LogKind.NOTE
    case = escalated(pb, "high")  # team at T0+4h, customer T0+4h..8h
    assert suggested_log_kind(follow_up_schedule(case, pb, T0)) is LogKind.TEAM_CHECKIN
    log_update(case, "team_checkin", "Squad is on it", now=T0 + timedelta(hours=3))
    # Team next at T0+7h; the customer's window T0+4h..8h closes later: the team comes first.
    schedule = follow_up_schedule(case, pb, T0 + timedelta(hours=3))
    assert suggested_log_kind(schedule) is LogKind.TEAM_CHECKIN
    schedule = follow_up_schedule(case, pb, T0 + timedelta(hours=8, minutes=30))
    assert schedule is not None and schedule.customer.overdue and schedule.team.overdue
    assert suggested_log_kind(schedule) is LogKind.TEAM_CHECKIN
    log_update(case, "team_checkin", "Fix in review", now=T0 + timedelta(hours=8, minutes=30))
    schedule = follow_up_schedule(case, pb, T0 + timedelta(hours=9))
    assert suggested_log_kind(schedule) is LogKind.CUSTOMER_UPDATE


@dataclass(frozen=True)
class FakeEvent:
    at: datetime
    field: str
    old: str | None
    new: str | None


def test_change_rows_fold_an_appended_log_entry_and_drop_empty_sections() -> None:
    at = T0
    events = [
        FakeEvent(at, "status", '"draft"', '"escalated"'),
        FakeEvent(at, "escalation", "null", None),
        FakeEvent(at, "escalation.receiver", None, '"Payments squad"'),
        FakeEvent(at, "log.0.at", None, '"2026-11-24T09:00:00Z"'),
        FakeEvent(at, "log.0.kind", None, '"customer_update"'),
        FakeEvent(at, "log.0.summary", None, '"Told Acme"'),
        FakeEvent(at, "log.0.detail", None, '""'),
        FakeEvent(at, "narrative", '"old text"', '""'),
        FakeEvent(at, "impact.customers_affected", "3", "40"),
    ]
    rows = change_rows(events, width=20)
    assert [(r.field, r.text) for r in rows] == [
        ("status", "draft -> escalated"),
        ("escalation.receiver", "— -> Payments squad"),
        ("log.0", "— -> + Customer update: Told Acme"),
        ("narrative", "old text -> (empty)"),
        ("impact.customers_affected", "3 -> 40"),
    ]
    long = change_rows([FakeEvent(at, "narrative", None, json.dumps("x" * 50))], width=20)
    assert long[0].new == "x" * 19 + "…"


@pytest.mark.parametrize(
    ("label", "summary", "line"),
    [
        ("Escalated", "Escalated to Engineering (Dana)", "Escalated to Engineering (Dana)"),
        ("De-escalated", "De-escalated: workaround found", "De-escalated: workaround found"),
        ("Note", "Two more merchants", "Note: Two more merchants"),
        ("Note", "Notes from the call", "Note: Notes from the call"),
    ],
)
def test_a_log_line_says_its_kind_once(label: str, summary: str, line: str) -> None:
    from workbench.followup.timeline_view import entry_line

    assert entry_line(label, summary) == line
