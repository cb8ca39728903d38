"""Pattern signals: each fires on its case, with its evidence, and stays quiet on the near misses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.history_data import PROBLEMS, labelled_history, make_case
from workbench.models import (
    Escalation,
    EscalationRecord,
    ImpactInputs,
    LogEntry,
    LogKind,
    Override,
    Reproduction,
    ResolutionRecord,
    Status,
    TriageAnswer,
)
from workbench.playbook import Playbook
from workbench.signals import (
    HISTORICAL_SUPPORT,
    LONG_WAIT,
    PAST_SLA,
    RESURFACED,
    SEVERITY_TRENDING,
    THREE_REPORTS,
    Signal,
    accept_signal,
    detect_signals,
)

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # a Tuesday
SYMPTOM = "CSV export times out for large reports"
OBSERVED = 'Error "Export failed (E-1042)" after 30 s'


def report(
    case_id: int,
    customer: str,
    *,
    title: str = SYMPTOM,
    observed: str = OBSERVED,
    days_ago: float = 10,
    status: Status = Status.DRAFT,
    severity: str | None = None,
    escalated_days_ago: float | None = None,
    resolved_days_ago: float | None = None,
    linked: tuple[int, ...] = (),
) -> Escalation:
    created = NOW - timedelta(days=days_ago)
    case = Escalation(
        id=case_id,
        title=title,
        customer=customer,
        component="Reports",
        status=status,
        created_at=created,
        updated_at=created,
        linked=list(linked),
        reproduction=Reproduction(observed=observed),
    )
    if severity is not None:
        case.severity_override = Override(value=severity, reason="set for the test", at=created)
    if escalated_days_ago is not None:
        case.escalation = EscalationRecord(
            destination="engineering", sent_at=NOW - timedelta(days=escalated_days_ago)
        )
    if resolved_days_ago is not None:
        case.status = Status.RESOLVED
        case.resolution = ResolutionRecord(
            lessons_learned="Split the export", resolved_at=NOW - timedelta(days=resolved_days_ago)
        )
    return case


def ids(signals: list[Signal]) -> list[str]:
    return [s.criterion_id for s in signals]


def detect(case: Escalation, history: list[Escalation], playbook: Playbook) -> list[Signal]:
    return detect_signals(case, history, playbook, NOW)


def only(signals: list[Signal], criterion_id: str) -> Signal:
    found = [s for s in signals if s.criterion_id == criterion_id]
    assert len(found) == 1, ids(signals)
    return found[0]


UNRELATED = [
    report(90, "Hooli", title="SSO login redirects in a loop", observed="ERR_TOO_MANY_REDIRECTS"),
    report(91, "Wonka", title="Invoice totals off by a cent", observed="One cent difference"),
    report(92, "Tyrell", title="Mobile app crashes on photo upload", observed="App closes"),
]


# -- three or more independent reports --------------------------------------------------------------
def test_three_reports_from_three_customers_fire_citing_the_others(playbook: Playbook) -> None:
    history = [report(1, "Globex"), report(2, "Initech"), *UNRELATED]
    signal = only(detect(report(10, "Acme Corp", days_ago=0), history, playbook), THREE_REPORTS)
    assert signal.evidence_case_ids == (1, 2)
    assert signal.message == (
        "3 independent reports of the same symptom from different customers: "
        "this case (Acme Corp), #1 Globex, #2 Initech"
    )


def test_two_reports_are_not_a_pattern(playbook: Playbook) -> None:
    history = [report(1, "Globex"), *UNRELATED]
    assert THREE_REPORTS not in ids(detect(report(10, "Acme Corp"), history, playbook))


def test_three_reports_from_one_customer_are_not_independent(playbook: Playbook) -> None:
    history = [report(1, "Acme Corp"), report(2, "ACME  corp "), *UNRELATED]
    assert THREE_REPORTS not in ids(detect(report(10, "Acme Corp"), history, playbook))


def test_two_other_customers_but_one_is_this_customer(playbook: Playbook) -> None:
    history = [report(1, "Globex"), report(2, "Acme Corp"), report(3, "globex"), *UNRELATED]
    assert THREE_REPORTS not in ids(detect(report(10, "Acme Corp"), history, playbook))


def test_reports_of_other_symptoms_do_not_count(playbook: Playbook) -> None:
    history = [report(1, "Globex"), *UNRELATED]  # Hooli, Wonka, Tyrell: other problems
    assert THREE_REPORTS not in ids(detect(report(10, "Acme Corp"), history, playbook))


def test_linked_cases_count_even_when_worded_differently(playbook: Playbook) -> None:
    history = [
        report(1, "Globex"),
        report(2, "Initech", title="Finance cannot pull month-end data", observed="Spinner"),
    ]
    quiet = detect(report(10, "Acme Corp"), history, playbook)
    assert THREE_REPORTS not in ids(quiet)
    linked = detect(report(10, "Acme Corp", linked=(2,)), history, playbook)
    assert only(linked, THREE_REPORTS).evidence_case_ids == (1, 2)


def test_a_case_without_customer_needs_three_other_customers(playbook: Playbook) -> None:
    two = [report(1, "Globex"), report(2, "Initech")]
    assert THREE_REPORTS not in ids(detect(report(10, ""), two, playbook))
    three = [*two, report(3, "Umbrella")]
    assert THREE_REPORTS in ids(detect(report(10, ""), three, playbook))


def test_generated_history_fires_for_a_recurring_problem_only(playbook: Playbook) -> None:
    """A new report of one of the labelled problems (6 reports, several customers) fires; a new
    report that matches none of them stays quiet."""
    import random

    history, labels = labelled_history(7)
    history = [c for c in history if labels[c.id or 0] != "noise"]
    problem = next(p for p in PROBLEMS if p.key == "sso_loop")
    new = make_case(problem, random.Random(1), 500, "Brand New Customer")
    signal = only(detect(new, history, playbook), THREE_REPORTS)
    cited = {labels[i] for i in signal.evidence_case_ids}
    assert cited == {"sso_loop"}
    assert len(signal.evidence_case_ids) >= 2
    lone = Escalation(id=501, title="Calendar invites show the wrong time zone", customer="X")
    assert THREE_REPORTS not in ids(detect(lone, history, playbook))


# -- a previously-patched issue has resurfaced -------------------------------------------------------
def test_resolved_after_escalation_then_seen_again_is_resurfaced(playbook: Playbook) -> None:
    patched = report(1, "Globex", days_ago=60, escalated_days_ago=58, resolved_days_ago=40)
    signal = only(detect(report(10, "Acme Corp", days_ago=1), [patched], playbook), RESURFACED)
    assert signal.evidence_case_ids == (1,)
    assert "#1 (Globex)" in signal.message


@pytest.mark.parametrize(
    "past",
    [
        report(1, "Globex", days_ago=60, resolved_days_ago=40),  # resolved in support: no patch
        report(1, "Globex", days_ago=60, escalated_days_ago=58),  # escalated, still open
        # resolved only after this case was opened: not a resurfacing
        report(1, "Globex", days_ago=60, escalated_days_ago=58, resolved_days_ago=0.5),
        # patched, but a different symptom
        report(
            1,
            "Globex",
            title="SSO login redirects in a loop",
            observed="ERR_TOO_MANY_REDIRECTS",
            days_ago=60,
            escalated_days_ago=58,
            resolved_days_ago=40,
        ),
    ],
    ids=["resolved-in-support", "still-open", "resolved-later", "other-symptom"],
)
def test_resurfaced_near_misses(past: Escalation, playbook: Playbook) -> None:
    assert RESURFACED not in ids(detect(report(10, "Acme Corp", days_ago=1), [past], playbook))


# -- historical tickets resolved in support ----------------------------------------------------------
def test_same_profile_resolved_in_support_suggests_keeping_it(playbook: Playbook) -> None:
    history = [
        report(1, "Globex", days_ago=90, resolved_days_ago=88),
        report(2, "Initech", days_ago=50, resolved_days_ago=49),
        report(3, "Umbrella", days_ago=40, escalated_days_ago=39, resolved_days_ago=20),
    ]
    signal = only(detect(report(10, "Globex"), history, playbook), HISTORICAL_SUPPORT)
    assert signal.evidence_case_ids == (1, 2)
    assert "2 past cases with the same profile were resolved in support" in signal.message
    assert "1 went beyond support" in signal.message


@pytest.mark.parametrize(
    "history",
    [
        [report(1, "Globex", days_ago=90, resolved_days_ago=88)],  # only one
        [
            report(1, "Globex", days_ago=90, resolved_days_ago=88),
            report(2, "Initech", days_ago=50, resolved_days_ago=49),
            report(3, "Umbrella", days_ago=40, escalated_days_ago=39),
            report(4, "Hooli", days_ago=30, escalated_days_ago=29),
        ],  # as many went beyond support
        [
            report(1, "Globex", days_ago=90, status=Status.KEPT_IN_SUPPORT),
            report(2, "Initech", days_ago=50, status=Status.KEPT_IN_SUPPORT),
        ],  # kept but not resolved yet
    ],
    ids=["one", "as-many-escalated", "not-resolved"],
)
def test_historical_support_near_misses(history: list[Escalation], playbook: Playbook) -> None:
    assert HISTORICAL_SUPPORT not in ids(detect(report(10, "Acme Corp"), history, playbook))


# -- severity trending upward ------------------------------------------------------------------------
def test_rising_severity_across_related_cases(playbook: Playbook) -> None:
    history = [
        report(1, "Globex", days_ago=30, severity="medium"),
        report(2, "Initech", days_ago=20, severity="medium"),
        report(3, "Umbrella", days_ago=10, severity="high"),
    ]
    signal = only(
        detect(report(10, "Acme Corp", days_ago=1, severity="critical"), history, playbook),
        SEVERITY_TRENDING,
    )
    assert signal.evidence_case_ids == (1, 2, 3)
    assert "Medium (#1) → Medium (#2) → High (#3) → Critical (this case)" in signal.message


@pytest.mark.parametrize(
    ("severities", "current"),
    [
        (["high", "high"], "high"),  # flat
        (["critical", "high"], "medium"),  # falling
        (["medium"], "high"),  # two points
        (["high", "medium"], "high"),  # back where it started
    ],
    ids=["flat", "falling", "two-points", "no-net-rise"],
)
def test_severity_trend_near_misses(
    severities: list[str], current: str, playbook: Playbook
) -> None:
    customers = ["Globex", "Initech", "Umbrella"]
    history = [
        report(i + 1, customers[i], days_ago=30 - 10 * i, severity=sev)
        for i, sev in enumerate(severities)
    ]
    case = report(10, "Acme Corp", days_ago=1, severity=current)
    assert SEVERITY_TRENDING not in ids(detect(case, history, playbook))


# -- stalled progress --------------------------------------------------------------------------------
def test_open_past_sla_fires(playbook: Playbook) -> None:
    case = report(10, "Acme Corp", days_ago=3)
    case.impact = ImpactInputs(sla="breached")
    signal = only(detect(case, [], playbook), PAST_SLA)
    assert "Open for 3 d" in signal.message and signal.evidence_case_ids == ()


@pytest.mark.parametrize(("minutes", "shown"), [(1, "1 m"), (0.5, "30 s"), (-0.5, "30 s")])
def test_open_past_sla_says_a_short_age_plainly(
    playbook: Playbook, minutes: float, shown: str
) -> None:
    """Seen: "Open for -0 h" for a case opened a minute ago (or a clock a little behind)."""
    case = report(10, "Acme Corp", days_ago=minutes / (24 * 60))
    case.impact = ImpactInputs(sla="breached")
    signal = only(detect(case, [], playbook), PAST_SLA)
    assert signal.message.startswith(f"Open for {shown} with the SLA position breached")
    assert "-" not in signal.message.split(" with ")[0]


@pytest.mark.parametrize("sla", ["at_risk", "compliant", None])
def test_sla_not_breached_is_quiet(sla: str | None, playbook: Playbook) -> None:
    case = report(10, "Acme Corp", days_ago=3)
    case.impact = ImpactInputs(sla=sla)  # type: ignore[arg-type]
    assert PAST_SLA not in ids(detect(case, [], playbook))


def test_resolved_case_past_sla_is_quiet(playbook: Playbook) -> None:
    case = report(10, "Acme Corp", days_ago=3, resolved_days_ago=1)
    case.impact = ImpactInputs(sla="breached")
    assert PAST_SLA not in ids(detect(case, [], playbook))


def test_typed_breached_sla_line_counts(playbook: Playbook) -> None:
    case = report(10, "Acme Corp", days_ago=3)
    case.business_impact.sla_position = "Breached (4 h response time)"
    assert PAST_SLA in ids(detect(case, [], playbook))


def _escalated_high(hours_since_customer_update: float) -> Escalation:
    case = report(10, "Acme Corp", days_ago=2, severity="high", escalated_days_ago=1.5)
    case.status = Status.ESCALATED
    case.log = [
        LogEntry(
            at=NOW - timedelta(hours=hours_since_customer_update),
            kind=LogKind.CUSTOMER_UPDATE,
            summary="Investigation ongoing",
        )
    ]
    return case


def test_escalated_customer_waiting_past_cadence(playbook: Playbook) -> None:
    signal = only(detect(_escalated_high(9), [], playbook), LONG_WAIT)
    assert "waited 9 h" in signal.message
    assert "High cadence asks for one every 4-8 hours" in signal.message


def test_the_due_time_is_in_the_zone_days_are_counted_in(playbook: Playbook) -> None:
    """The time the customer update was due, in the agent's zone (the playbook's calendar, which
    the settings fill), as every other time the app shows."""
    case = _escalated_high(9)
    due = NOW - timedelta(hours=1)  # the update 9 hours ago, due 8 hours after it
    signal = only(detect(case, [], playbook), LONG_WAIT)
    assert due == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert "(due Tue 24 Nov 2026 13:00 UTC)" in signal.message
    pacific = playbook.model_copy(
        update={
            "calendar": playbook.calendar.model_copy(update={"timezone": "America/Los_Angeles"})
        }
    )
    signal = only(detect(case, [], pacific), LONG_WAIT)
    assert "(due Tue 24 Nov 2026 05:00 PST)" in signal.message


def test_escalated_customer_within_cadence_is_quiet(playbook: Playbook) -> None:
    assert LONG_WAIT not in ids(detect(_escalated_high(7), [], playbook))


def test_draft_customer_waiting_past_medium_cadence(playbook: Playbook) -> None:
    # opened Thursday 14:00; Medium updates every 1-2 business days -> due Monday 14:00
    thursday = report(10, "Acme Corp", days_ago=5, severity="medium")
    assert LONG_WAIT in ids(detect(thursday, [], playbook))
    friday = report(10, "Acme Corp", days_ago=4, severity="medium")  # due Tuesday 14:00 = now
    assert LONG_WAIT not in ids(detect(friday, [], playbook))


def test_recent_customer_update_resets_the_wait(playbook: Playbook) -> None:
    case = report(10, "Acme Corp", days_ago=20, severity="medium")
    case.log = [LogEntry(at=NOW - timedelta(hours=3), kind=LogKind.CUSTOMER_UPDATE, summary="x")]
    assert LONG_WAIT not in ids(detect(case, [], playbook))


# -- never silent: suggestions only, accepted explicitly ----------------------------------------------
def test_already_ticked_items_are_not_suggested(playbook: Playbook) -> None:
    history = [report(1, "Globex"), report(2, "Initech")]
    case = report(10, "Acme Corp")
    case.triage = {THREE_REPORTS: TriageAnswer(checked=True)}
    assert THREE_REPORTS not in ids(detect(case, history, playbook))


def test_detecting_changes_nothing(playbook: Playbook) -> None:
    history = [report(1, "Globex"), report(2, "Initech")]
    case = report(10, "Acme Corp")
    before = case.model_dump_json()
    assert detect(case, history, playbook)
    assert case.model_dump_json() == before


def test_signals_come_in_playbook_order(playbook: Playbook) -> None:
    history = [
        report(1, "Globex", days_ago=90, resolved_days_ago=88),
        report(2, "Initech", days_ago=50, resolved_days_ago=49),
    ]
    case = report(10, "Acme Corp", days_ago=30)
    case.impact = ImpactInputs(sla="breached")
    assert ids(detect(case, history, playbook)) == [
        HISTORICAL_SUPPORT,
        PAST_SLA,
        LONG_WAIT,
        THREE_REPORTS,
    ]


def test_accepting_ticks_the_item_and_logs_the_evidence(playbook: Playbook) -> None:
    case = report(10, "Acme Corp")
    case.triage = {THREE_REPORTS: TriageAnswer(note="Seen in chat too")}
    signal = Signal(THREE_REPORTS, "3 independent reports ...", (1, 2))
    entry = accept_signal(case, signal, playbook, NOW)
    assert case.checked(THREE_REPORTS)
    assert case.triage[THREE_REPORTS].note == "Seen in chat too; see #1, #2"
    assert case.log[-1] is entry
    assert entry.kind is LogKind.SIGNAL and entry.at == NOW
    assert entry.summary == "Accepted: Three or more independent reports of the same symptom"
    assert entry.detail == "3 independent reports ...\nEvidence: #1, #2"


def test_accepting_a_clock_signal_has_no_evidence_line(playbook: Playbook) -> None:
    case = report(10, "Acme Corp")
    accept_signal(case, Signal(PAST_SLA, "Open for 3 days"), playbook, NOW)
    assert case.checked(PAST_SLA)
    assert case.triage[PAST_SLA].note == ""
    assert case.log[-1].detail == "Open for 3 days"
