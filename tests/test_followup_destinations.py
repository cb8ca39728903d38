"""Several destinations at once, promises to the customer, and kept in support: the core rules and
operations (workbench.rules.cadence, workbench.followup, workbench.rules.keep), each factor at its
exact boundary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workbench.document import render_export, render_markdown
from workbench.followup import (
    FollowUpError,
    de_escalate,
    escalate,
    keep_in_support,
    log_update,
    reopen,
    resolve,
    timeline,
    withdraw,
)
from workbench.models import Escalation, LogKind, Override, Status, TriageAnswer
from workbench.playbook import Playbook, default_playbook
from workbench.rules.cadence import follow_up_schedule, promised_due
from workbench.rules.keep import draft_keep_note, keep_check
from workbench.store import Store

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
STEPS = (
    "deesc.notify_team",
    "deesc.record_status",
    "deesc.tell_customer",
    "deesc.document_findings",
)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def case_with(severity: str = "critical") -> Escalation:
    case = Escalation(title="Checkout fails", customer="Globex", created_at=T0 - H)
    case.severity_override = Override(value=severity, reason="set for the test", at=T0)
    return case


def two_teams(pb: Playbook) -> Escalation:
    case = case_with()
    escalate(case, pb, "engineering", "", T0)
    escalate(case, pb, "leadership", "VP Support", T0 + H)
    return case


# -- the promise rule -----------------------------------------------------------------------------
CADENCE_EARLY, CADENCE_DUE = T0 + 2 * H, T0 + 4 * H


def test_a_promise_one_minute_before_the_cadence_sets_the_due_time() -> None:
    promise = CADENCE_DUE - M
    assert promised_due(CADENCE_EARLY, CADENCE_DUE, next_at=promise) == (
        CADENCE_EARLY,
        promise,
        "promised",
    )


@pytest.mark.parametrize("offset", [timedelta(0), M])
def test_a_promise_at_or_after_the_cadence_changes_nothing(offset: timedelta) -> None:
    assert promised_due(CADENCE_EARLY, CADENCE_DUE, next_at=CADENCE_DUE + offset) == (
        CADENCE_EARLY,
        CADENCE_DUE,
        "cadence",
    )


def test_a_promise_before_the_window_opens_moves_its_start_too() -> None:
    promise = CADENCE_EARLY - M
    assert promised_due(CADENCE_EARLY, CADENCE_DUE, next_at=promise) == (
        promise,
        promise,
        "promised",
    )


def test_a_deadline_counts_like_a_promise_and_the_earlier_wins() -> None:
    deadline = CADENCE_DUE - M
    assert promised_due(CADENCE_EARLY, CADENCE_DUE, deadline_at=deadline)[2] == "deadline"
    both = promised_due(CADENCE_EARLY, CADENCE_DUE, next_at=deadline - M, deadline_at=deadline)
    assert both[1:] == (deadline - M, "promised")
    both = promised_due(CADENCE_EARLY, CADENCE_DUE, next_at=deadline, deadline_at=deadline - M)
    assert both[1:] == (deadline - M, "deadline")


def test_only_the_latest_customer_update_carries_a_promise(pb: Playbook) -> None:
    case = case_with()
    escalate(case, pb, "engineering", "", T0)
    log_update(case, "customer_update", "promised", now=T0, next_at=T0 + H)
    schedule = follow_up_schedule(case, pb, T0)
    assert schedule is not None
    assert (schedule.customer.latest, schedule.customer.set_by) == (T0 + H, "promised")
    log_update(case, "customer_update", "update given", now=T0 + 30 * M)
    schedule = follow_up_schedule(case, pb, T0 + 30 * M)
    assert schedule is not None
    assert (schedule.customer.latest, schedule.customer.set_by) == (
        T0 + 30 * M + 4 * H,
        "cadence",
    )


# -- several destinations -------------------------------------------------------------------------
def test_each_destination_has_its_own_team_clock(pb: Playbook) -> None:
    case = two_teams(pb)
    schedule = follow_up_schedule(case, pb, T0 + H)
    assert schedule is not None
    assert [(d.destination, d.latest) for d in schedule.teams] == [
        ("engineering", T0 + 2 * H),
        ("leadership", T0 + 3 * H),
    ]
    assert schedule.team.destination == "engineering"  # the one due first
    log_update(
        case, "team_checkin", "squad on it", now=T0 + H, destination="Engineering", playbook=pb
    )
    schedule = follow_up_schedule(case, pb, T0 + H)
    assert schedule is not None
    assert [d.latest for d in schedule.teams] == [T0 + 3 * H, T0 + 3 * H]


def test_a_check_in_needs_its_team_only_when_there_are_several(pb: Playbook) -> None:
    case = case_with()
    escalate(case, pb, "engineering", "", T0)
    entry = log_update(case, "team_checkin", "one team", now=T0)
    assert entry.destination == "engineering"
    escalate(case, pb, "leadership", "", T0)
    with pytest.raises(FollowUpError, match="several teams"):
        log_update(case, "team_checkin", "which?", now=T0)
    with pytest.raises(FollowUpError, match="not with Product"):
        log_update(case, "team_checkin", "x", now=T0, destination="product", playbook=pb)


def test_escalating_to_the_same_destination_again_restarts_only_its_clock(pb: Playbook) -> None:
    case = two_teams(pb)
    entry = escalate(case, pb, "engineering", "Payments squad", T0 + 2 * H)
    assert entry.summary == "Escalated to Engineering (Payments squad) again"
    assert [(r.destination, r.sent_at) for r in case.active_escalations()] == [
        ("leadership", T0 + H),
        ("engineering", T0 + 2 * H),
    ]


def test_withdraw_one_destination_keeps_the_others_running(pb: Playbook) -> None:
    case = two_teams(pb)
    entry = withdraw(case, pb, "leadership", "no decision needed", T0 + 2 * H)
    assert entry.summary == "De-escalated from Leadership"
    assert case.status is Status.ESCALATED
    assert [r.destination for r in case.active_escalations()] == ["engineering"]
    with pytest.raises(FollowUpError, match="last team"):
        withdraw(case, pb, "engineering", "x", T0 + 2 * H)
    with pytest.raises(FollowUpError, match="not with Leadership"):
        withdraw(case, pb, "leadership", "x", T0 + 2 * H)


def test_de_escalate_one_destination_with_the_procedure(pb: Playbook) -> None:
    case = two_teams(pb)
    done = de_escalate(
        case,
        pb,
        conditions={"deesc.workaround_found": True},
        steps_done=dict.fromkeys(STEPS, True),
        skipped_reasons={},
        now=T0 + 2 * H,
        outcome="workaround",
        findings="cache",
        destination="engineering",
    )
    assert done and case.status is Status.ESCALATED and case.de_escalation is None
    assert [r.destination for r in case.active_escalations()] == ["leadership"]
    told = [e for e in case.log if e.kind is LogKind.TEAM_CHECKIN]
    assert [(e.destination, e.summary) for e in told] == [
        ("engineering", "Told Owning engineering squad the case is de-escalated")
    ]


def test_de_escalate_all_ends_every_destination(pb: Playbook) -> None:
    case = two_teams(pb)
    assert de_escalate(
        case,
        pb,
        conditions={"deesc.self_resolved": True},
        steps_done=dict.fromkeys(STEPS, True),
        skipped_reasons={},
        now=T0 + 2 * H,
        outcome="gone",
        findings="cause",
    )
    assert case.status is Status.DE_ESCALATED
    assert [r.ended_by for r in case.escalations] == ["de_escalated", "de_escalated"]
    assert follow_up_schedule(case, pb, T0 + 2 * H) is None


def test_resolve_closes_all_and_reopen_opens_them_again(pb: Playbook) -> None:
    case = two_teams(pb)
    entry = resolve(
        case,
        pb,
        customer_confirmed=True,
        tracking_closed=True,
        lessons_learned="Check the CDN first",
        now=T0 + 3 * H,
    )
    assert "Closed with: Engineering, Leadership" in entry.detail
    assert [r.ended_by for r in case.escalations] == ["resolved", "resolved"]
    reopen(case, "it came back", T0 + 4 * H)
    assert case.status is Status.ESCALATED
    schedule = follow_up_schedule(case, pb, T0 + 4 * H)
    assert schedule is not None
    assert [d.last_at for d in schedule.teams] == [T0 + 4 * H, T0 + 4 * H]


def test_the_document_routes_to_every_destination(pb: Playbook) -> None:
    document = render_markdown(two_teams(pb), pb, T0 + H, tz=UTC)
    assert "Routed to: Engineering, Leadership" in document


def test_the_timeline_names_each_destination(pb: Playbook) -> None:
    summaries = [item.summary for item in timeline(two_teams(pb))]
    assert "Escalated to Engineering (Owning engineering squad)" in summaries
    assert "Escalated to Leadership (VP Support)" in summaries


# -- a stored case of the one-destination shape ----------------------------------------------------
OLD_SHAPE = {
    "id": 7,
    "title": "Dashboard outage",
    "status": "escalated",
    "created_at": "2026-11-24T06:00:00Z",
    "updated_at": "2026-11-24T07:00:00Z",
    "routed_to": ["engineering"],
    "escalation": {"destination": "engineering", "receiver": "Squad", "sent_at": "2026-11-24T07:00:00Z"},
    "log": [
        {"at": "2026-11-24T08:00:00Z", "kind": "team_checkin", "summary": "spoke", "detail": "",
         "expectation": ""},
    ],
}  # fmt: skip


def test_a_case_of_the_old_shape_loads_unchanged(pb: Playbook) -> None:
    case = Escalation.model_validate_json(json.dumps(OLD_SHAPE))
    assert [(r.destination, r.receiver, r.active) for r in case.escalations] == [
        ("engineering", "Squad", True)
    ]
    assert case.escalation is not None and case.escalation.receiver == "Squad"
    schedule = follow_up_schedule(case, pb, datetime(2026, 11, 24, 8, 30, tzinfo=UTC))
    assert schedule is not None
    # Medium (no severity): once daily, from the check-in that named no destination.
    assert schedule.team.latest == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert Escalation.model_validate({**OLD_SHAPE, "escalation": None}).escalations == []


def test_a_stored_case_of_the_old_shape_reads_from_the_store(tmp_path: Path, pb: Playbook) -> None:
    path = tmp_path / "old.db"
    with Store(path, pb, clock=lambda: T0) as store:
        stored = store.create(Escalation(title="placeholder"))
    import sqlite3

    conn = sqlite3.connect(path)
    data = {**OLD_SHAPE, "id": stored.id, "revision": 1}
    conn.execute("UPDATE cases SET data = ? WHERE id = ?", (json.dumps(data), stored.id))
    conn.commit()
    conn.close()
    with Store(path, pb, clock=lambda: T0) as store:
        assert stored.id is not None
        case = store.get(stored.id)
    assert [r.destination for r in case.escalations] == ["engineering"]


# -- kept in support ------------------------------------------------------------------------------
def kept_candidate() -> Escalation:
    case = Escalation(title="SSO loop", customer="Initech", created_at=T0 - H)
    case.triage = {"keep.documented_fix": TriageAnswer(checked=True, note="KB-1234: clear cookie")}
    return case


def test_keep_records_criteria_reason_note_and_logs(pb: Playbook) -> None:
    case = kept_candidate()
    entry = keep_in_support(case, pb, "known issue", "", T0)
    assert case.status is Status.KEPT_IN_SUPPORT
    assert case.kept is not None and case.kept.criteria == ["keep.documented_fix"]
    assert "KB-1234: clear cookie" in case.kept.note  # drafted from the triage note
    assert entry.kind is LogKind.TRIAGE and entry.summary == "Decision: keep in support"
    assert "A documented fix or known workaround addresses the problem" in entry.detail
    assert keep_check(case, pb).ready


def test_keep_check_needs_a_criterion_and_a_note(pb: Playbook) -> None:
    case = Escalation(title="x")
    keep_in_support(case, pb, "agent's call", "Told them", T0)
    result = keep_check(case, pb)
    assert not result.ready and len(result.missing) == 1
    assert "no keep criterion" in result.missing[0]
    case = kept_candidate()
    keep_in_support(case, pb, "known", "", T0)
    assert case.kept is not None
    case.kept = case.kept.model_copy(update={"note": "  "})
    assert keep_check(case, pb).missing == ("the note for the customer or ticket is empty",)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.ESCALATED, "de-escalate it before"),
        (Status.RESOLVED, "reopen it first"),
        (Status.KEPT_IN_SUPPORT, "already kept"),
    ],
)
def test_keep_refuses(pb: Playbook, status: Status, message: str) -> None:
    case = kept_candidate()
    case.status = status
    with pytest.raises(FollowUpError, match=message):
        keep_in_support(case, pb, "x", "", T0)


def test_keep_needs_a_reason(pb: Playbook) -> None:
    with pytest.raises(FollowUpError, match="say why"):
        keep_in_support(kept_candidate(), pb, "   ", "", T0)


def test_the_export_of_a_kept_case_is_its_note(pb: Playbook) -> None:
    case = kept_candidate()
    keep_in_support(case, pb, "known issue", "Clear the cookie.\x1b[31m", T0)
    text = render_export(case, pb, T0, tz=UTC)
    assert text.startswith("Kept in support: SSO loop\n")
    assert "Clear the cookie." in text and "\x1b" not in text
    assert "ESCALATION" not in text


def test_the_drafted_note_says_what_was_found(pb: Playbook) -> None:
    note = draft_keep_note(kept_candidate(), pb)
    assert note.splitlines() == [
        "Problem: SSO loop",
        "What we found:",
        "- A documented fix or known workaround addresses the problem: KB-1234: clear cookie",
    ]


def test_similar_cases_name_every_destination_a_resolved_case_went_to(pb: Playbook) -> None:
    from workbench.history import describe_outcome

    case = two_teams(pb)
    names = {d.id: d.name for d in pb.destinations}
    assert describe_outcome(case, names) == "Escalated to Engineering, Leadership"
    resolve(
        case, pb, customer_confirmed=True, tracking_closed=True, lessons_learned="x", now=T0 + 3 * H
    )
    assert describe_outcome(case, names) == "Resolved via Engineering, Leadership"


def test_the_timeline_names_the_team_and_the_promise(pb: Playbook) -> None:
    case = two_teams(pb)
    log_update(case, "team_checkin", "on it", now=T0 + H, destination="leadership", playbook=pb)
    log_update(case, "customer_update", "looking", now=T0 + H, next_at=T0 + 3 * H)
    items = timeline(case)
    assert items[-2].label == "Team check-in · leadership"
    assert items[-1].detail.startswith("Next update promised for ")
    assert items[-1].detail == "Next update promised for 12:00"
