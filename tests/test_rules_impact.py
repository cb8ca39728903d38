"""Impact rules: the six dimensions from the numbers, the score, and the severity per the playbook's
"Quick Severity Definitions". Expected levels are written out by hand from playbook.toml's
thresholds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from workbench.models import Escalation, ImpactInputs, Override, Severity, TriageAnswer
from workbench.playbook import Playbook, default_playbook
from workbench.rules.impact import assess_impact, effective_severity

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def case(*ticked: str, **impact: Any) -> Escalation:
    return Escalation(
        impact=ImpactInputs(**impact),
        triage={item: TriageAnswer(checked=True) for item in ticked},
    )


def level(pb: Playbook, dimension: str, **impact: Any) -> int:
    return assess_impact(case(**impact), pb, NOW).levels[dimension].level


def test_nothing_answered(pb: Playbook) -> None:
    result = assess_impact(Escalation(), pb, NOW)
    assert list(result.levels) == [
        "breadth",
        "depth",
        "duration",
        "revenue",
        "reputation",
        "contractual",
    ]
    assert all(not d.answered and d.level == 0 for d in result.levels.values())
    assert (result.score, result.max_score) == (0, 18)
    assert result.suggested is None
    assert result.effective is None
    assert result.signals == []
    assert result.reasons == []


# -- breadth: customers [1, 3, 10], end users [10, 500, 5000], growing +1 --------------------------
@pytest.mark.parametrize(
    ("customers", "expected"), [(0, 0), (1, 1), (2, 1), (3, 2), (9, 2), (10, 3), (4000, 3)]
)
def test_breadth_customers(pb: Playbook, customers: int, expected: int) -> None:
    assert level(pb, "breadth", customers_affected=customers) == expected


@pytest.mark.parametrize(
    ("users", "expected"), [(9, 0), (10, 1), (499, 1), (500, 2), (4999, 2), (5000, 3)]
)
def test_breadth_end_users(pb: Playbook, users: int, expected: int) -> None:
    assert level(pb, "breadth", end_users_affected=users) == expected


def test_breadth_takes_the_larger_of_customers_and_end_users(pb: Playbook) -> None:
    assert level(pb, "breadth", customers_affected=1, end_users_affected=600) == 2
    assert level(pb, "breadth", customers_affected=12, end_users_affected=20) == 3


def test_breadth_growing_adds_one_capped_at_three(pb: Playbook) -> None:
    assert level(pb, "breadth", customers_affected=3, growing=True) == 3
    assert level(pb, "breadth", customers_affected=1, growing=True) == 2
    assert level(pb, "breadth", customers_affected=10, growing=True) == 3
    assert level(pb, "breadth", customers_affected=3, growing=False) == 2


def test_breadth_answered_and_reason(pb: Playbook) -> None:
    dim = assess_impact(case(customers_affected=4, growing=True), pb, NOW).levels["breadth"]
    assert dim.answered
    assert dim.reason == "4 customers, growing"


@pytest.mark.parametrize(
    ("customers", "users", "reason"),
    [
        (1, None, "1 customer"),
        (2, None, "2 customers"),
        (None, 1, "1 end user"),
        (1, 1_200, "1 customer, 1,200 end users"),
    ],
)
def test_breadth_reason_counts_in_words(
    pb: Playbook, customers: int | None, users: int | None, reason: str
) -> None:
    """Says "1 customer", never "1 customer(s)"."""
    inputs = {"customers_affected": customers, "end_users_affected": users}
    dim = assess_impact(case(**inputs), pb, NOW).levels["breadth"]
    assert dim.reason == reason


# -- depth -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("depth", "expected"), [("inconvenienced", 1), ("degraded", 2), ("blocked", 3)]
)
def test_depth(pb: Playbook, depth: str, expected: int) -> None:
    assert level(pb, "depth", depth=depth) == expected


# -- duration: hours [4, 24, 72]; within 4 h of the critical point at least 2, past it 3 ------------
@pytest.mark.parametrize(
    ("hours", "expected"), [(0, 0), (3.9, 0), (4, 1), (23.5, 1), (24, 2), (71, 2), (72, 3)]
)
def test_duration_hours_since_start(pb: Playbook, hours: float, expected: int) -> None:
    assert level(pb, "duration", started_at=NOW - timedelta(hours=hours)) == expected


def test_duration_started_in_the_future_is_zero(pb: Playbook) -> None:
    assert level(pb, "duration", started_at=NOW + timedelta(hours=3)) == 0


def test_duration_near_the_critical_point_is_at_least_two(pb: Playbook) -> None:
    started = NOW - timedelta(hours=1)
    assert level(pb, "duration", started_at=started, critical_at=NOW + timedelta(hours=4)) == 2
    assert level(pb, "duration", started_at=started, critical_at=NOW + timedelta(hours=5)) == 0
    assert level(pb, "duration", critical_at=NOW + timedelta(hours=2)) == 2


def test_duration_past_the_critical_point_is_three(pb: Playbook) -> None:
    assert level(pb, "duration", critical_at=NOW) == 3
    assert level(pb, "duration", critical_at=NOW - timedelta(minutes=1)) == 3


def test_duration_long_running_stays_three_before_the_critical_point(pb: Playbook) -> None:
    started = NOW - timedelta(hours=100)
    assert level(pb, "duration", started_at=started, critical_at=NOW + timedelta(days=3)) == 3


def test_duration_reason(pb: Playbook) -> None:
    dim = assess_impact(
        case(started_at=NOW - timedelta(hours=30), critical_at=NOW + timedelta(hours=2)), pb, NOW
    ).levels["duration"]
    assert dim.reason == "1 d 6 h since it started; critical in 2 h"


# -- revenue: ARR [10k, 50k, 250k], pipeline [25k, 100k, 500k] -------------------------------------
@pytest.mark.parametrize(
    ("arr", "pipeline", "expected"),
    [
        (9_999, None, 0),
        (10_000, None, 1),
        (50_000, None, 2),
        (250_000, None, 3),
        (None, 24_999, 0),
        (None, 25_000, 1),
        (None, 100_000, 2),
        (None, 500_000, 3),
        (12_000, 150_000, 2),
        (0, 0, 0),
    ],
)
def test_revenue(pb: Playbook, arr: float | None, pipeline: float | None, expected: int) -> None:
    assert level(pb, "revenue", arr_exposed=arr, pipeline_at_risk=pipeline) == expected


def test_revenue_zero_is_answered(pb: Playbook) -> None:
    assert assess_impact(case(arr_exposed=0), pb, NOW).levels["revenue"].answered


# -- reputation: reference account 2, press or social 3 ---------------------------------------------
@pytest.mark.parametrize(
    ("press", "reference", "expected"),
    [(False, False, 0), (False, True, 2), (True, False, 3), (True, True, 3), (None, True, 2)],
)
def test_reputation(pb: Playbook, press: bool | None, reference: bool, expected: int) -> None:
    result = assess_impact(case(press_or_social=press, reference_account=reference), pb, NOW)
    assert result.levels["reputation"].level == expected
    assert result.levels["reputation"].answered


# -- contractual: compliant 0, at risk 2, breached 3, penalties 3 -----------------------------------
@pytest.mark.parametrize(
    ("sla", "penalties", "expected"),
    [
        ("compliant", None, 0),
        ("at_risk", None, 2),
        ("breached", None, 3),
        ("compliant", True, 3),
        ("at_risk", False, 2),
        (None, True, 3),
    ],
)
def test_contractual(pb: Playbook, sla: str | None, penalties: bool | None, expected: int) -> None:
    result = assess_impact(case(sla=sla, penalties_apply=penalties), pb, NOW)
    assert result.levels["contractual"].level == expected
    assert result.levels["contractual"].answered


# -- score and severity by min_score (High 7, Critical 12) -----------------------------------------
def test_score_is_the_sum_of_levels(pb: Playbook) -> None:
    c = case(
        customers_affected=3,  # 2
        depth="degraded",  # 2
        started_at=NOW - timedelta(hours=5),  # 1
        arr_exposed=60_000,  # 2
        reference_account=False,  # 0
        penalties_apply=False,  # 0
    )
    result = assess_impact(c, pb, NOW)
    assert result.score == 7
    assert all(d.answered for d in result.levels.values())


@pytest.mark.parametrize(
    ("inputs", "score", "severity"),
    [
        ({"depth": "inconvenienced"}, 1, Severity.MEDIUM),
        ({"customers_affected": 3, "depth": "degraded", "arr_exposed": 50_000}, 6, Severity.MEDIUM),
        (
            {"customers_affected": 3, "depth": "degraded", "arr_exposed": 50_000, "growing": True},
            7,
            Severity.HIGH,
        ),
        (
            {"customers_affected": 10, "depth": "degraded", "arr_exposed": 250_000},
            8,
            Severity.HIGH,
        ),
        (
            {
                "customers_affected": 10,
                "depth": "degraded",
                "arr_exposed": 250_000,
                "press_or_social": True,
                "penalties_apply": False,
            },
            11,
            Severity.HIGH,
        ),
        (
            {
                "customers_affected": 10,
                "depth": "degraded",
                "arr_exposed": 250_000,
                "press_or_social": True,
                "started_at": NOW - timedelta(hours=4),
            },
            12,
            Severity.CRITICAL,
        ),
    ],
)
def test_score_thresholds(
    pb: Playbook, inputs: dict[str, Any], score: int, severity: Severity
) -> None:
    result = assess_impact(case(**inputs), pb, NOW)
    assert result.score == score
    assert result.suggested == severity


def test_score_reason_names_the_severity(pb: Playbook) -> None:
    result = assess_impact(
        case(customers_affected=10, depth="degraded", arr_exposed=250_000), pb, NOW
    )
    assert result.reasons == ["Score 8 of 18 reaches High (7 or more)."]


# -- severity signals, per definition ---------------------------------------------------------------
# From "Quick Severity Definitions": each listed condition makes a case at least that severe.
SIGNALS = [
    ("service_down", Severity.CRITICAL, "Critical: Service down — Demands immediate action."),
    ("data_at_risk", Severity.CRITICAL, "Critical: Data at risk — Demands immediate action."),
    (
        "security_incident",
        Severity.CRITICAL,
        "Critical: Active security incident — Demands immediate action.",
    ),
    (
        "multiple_high_value_accounts",
        Severity.CRITICAL,
        "Critical: Multiple high-value accounts impacted — Demands immediate action.",
    ),
    (
        "core_function_broken",
        Severity.HIGH,
        "High: Core functionality broken — Requires same-day engagement.",
    ),
    (
        "key_customer_blocked",
        Severity.HIGH,
        "High: Key customer blocked — Requires same-day engagement.",
    ),
    (
        "sla_approaching",
        Severity.HIGH,
        "High: SLA threshold approaching — Requires same-day engagement.",
    ),
    (
        "workaround_available",
        Severity.MEDIUM,
        "Medium: A viable workaround exists — Needs resolution within the current week.",
    ),
]


def test_every_signal_of_the_playbook_is_covered(pb: Playbook) -> None:
    assert list(pb.signals) == [row[0] for row in SIGNALS]


@pytest.mark.parametrize(("signal", "severity", "reason"), SIGNALS)
def test_a_signal_alone_sets_its_severity(
    pb: Playbook, signal: str, severity: Severity, reason: str
) -> None:
    result = assess_impact(case(signals={signal: True}), pb, NOW)
    assert result.suggested == severity
    assert result.signals == [signal]
    assert result.reasons == [reason]


@pytest.mark.parametrize(("signal", "severity", "reason"), SIGNALS)
def test_a_signal_raises_a_low_score(
    pb: Playbook, signal: str, severity: Severity, reason: str
) -> None:
    result = assess_impact(case(depth="inconvenienced", signals={signal: True}), pb, NOW)
    assert result.suggested == severity
    assert reason in result.reasons


def test_a_false_or_unknown_signal_is_not_active(pb: Playbook) -> None:
    result = assess_impact(case(signals={"service_down": False, "made_up": True}), pb, NOW)
    assert result.signals == []
    assert result.suggested is None


@pytest.mark.parametrize(
    ("item", "signal", "severity"),
    [
        ("esc.technical.data_loss", "data_at_risk", Severity.CRITICAL),
        ("esc.widespread.production_down", "service_down", Severity.CRITICAL),
        ("esc.widespread.data_integrity", "data_at_risk", Severity.CRITICAL),
        ("esc.widespread.security_threat", "security_incident", Severity.CRITICAL),
        ("esc.business.high_value_at_risk", "key_customer_blocked", Severity.HIGH),
        ("esc.business.sla_breach", "sla_approaching", Severity.HIGH),
    ],
)
def test_ticked_checklist_items_carry_their_signal(
    pb: Playbook, item: str, signal: str, severity: Severity
) -> None:
    result = assess_impact(case(item), pb, NOW)
    assert result.signals == [signal]
    assert result.suggested == severity


def test_the_production_down_reason(pb: Playbook) -> None:
    result = assess_impact(case("esc.widespread.production_down", depth="blocked"), pb, NOW)
    assert result.suggested == Severity.CRITICAL
    assert "Critical: Service down — Demands immediate action." in result.reasons


@pytest.mark.parametrize("sla", ["at_risk", "breached"])
def test_sla_at_risk_or_breached_is_the_approaching_signal(pb: Playbook, sla: str) -> None:
    result = assess_impact(case(sla=sla), pb, NOW)
    assert result.signals == ["sla_approaching"]
    assert result.suggested == Severity.HIGH


def test_compliant_sla_is_no_signal(pb: Playbook) -> None:
    result = assess_impact(case(sla="compliant"), pb, NOW)
    assert result.signals == []
    assert result.suggested == Severity.MEDIUM


@pytest.mark.parametrize(
    ("inputs", "blocked"),
    [
        ({"depth": "blocked", "reference_account": True}, True),
        ({"depth": "blocked", "arr_exposed": 250_000}, True),
        ({"depth": "blocked", "arr_exposed": 249_999}, False),
        ({"depth": "blocked", "reference_account": False}, False),
        ({"depth": "degraded", "reference_account": True}, False),
    ],
)
def test_key_customer_blocked_is_derived(
    pb: Playbook, inputs: dict[str, Any], blocked: bool
) -> None:
    result = assess_impact(case(**inputs), pb, NOW)
    assert ("key_customer_blocked" in result.signals) is blocked
    if blocked:
        assert result.suggested == Severity.HIGH


def test_a_documented_workaround_is_the_medium_signal(pb: Playbook) -> None:
    result = assess_impact(case("keep.documented_fix"), pb, NOW)
    assert result.signals == ["workaround_available"]
    assert result.suggested == Severity.MEDIUM


def test_a_workaround_never_lowers_the_severity(pb: Playbook) -> None:
    high = {"customers_affected": 10, "depth": "degraded", "arr_exposed": 250_000}
    assert assess_impact(case("keep.documented_fix", **high), pb, NOW).suggested == Severity.HIGH
    result = assess_impact(case("keep.documented_fix", signals={"service_down": True}), pb, NOW)
    assert result.suggested == Severity.CRITICAL


def test_signals_are_listed_in_playbook_order(pb: Playbook) -> None:
    result = assess_impact(
        case("keep.documented_fix", "esc.widespread.production_down", sla="breached"), pb, NOW
    )
    assert result.signals == ["service_down", "sla_approaching", "workaround_available"]


# -- overrides -------------------------------------------------------------------------------------
def test_severity_override_gives_effective(pb: Playbook) -> None:
    c = case(depth="inconvenienced")
    c.severity_override = Override(value="critical", reason="exec sponsor call", at=NOW)
    result = assess_impact(c, pb, NOW)
    assert (result.suggested, result.effective) == (Severity.MEDIUM, Severity.CRITICAL)
    assert effective_severity(c, pb, NOW) == Severity.CRITICAL


def test_override_may_lower_and_works_with_nothing_answered(pb: Playbook) -> None:
    c = case("esc.widespread.production_down")
    c.severity_override = Override(value="medium", reason="staging only", at=NOW)
    assert effective_severity(c, pb, NOW) == Severity.MEDIUM
    blank = Escalation(severity_override=Override(value="high", reason="told so", at=NOW))
    assert effective_severity(blank, pb, NOW) == Severity.HIGH


def test_an_unknown_override_value_is_ignored(pb: Playbook) -> None:
    c = case(depth="blocked")
    c.severity_override = Override(value="sev1", reason="?", at=NOW)
    assert effective_severity(c, pb, NOW) == Severity.MEDIUM


def test_naive_now_is_taken_as_utc(pb: Playbook) -> None:
    c = case(started_at=NOW - timedelta(hours=24))
    naive = assess_impact(c, pb, NOW.replace(tzinfo=None)).levels["duration"].level
    assert naive == 2
