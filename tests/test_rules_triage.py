"""Triage rules, case by case from the playbook's wording: every keep criterion, every escalation
sub-trigger, every destination trigger and the tier progression of every destination."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.models import Escalation, Override, TriageAnswer
from workbench.playbook import Playbook, Tier, default_playbook
from workbench.rules.triage import RouteSuggestion, assess_triage, routed_destinations

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SECURITY_RULE = "Security escalations skip tier progression entirely -- route immediately regardless of your level."


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def case(*ticked: str, tier: Tier = "L2", **fields: object) -> Escalation:
    triage = {item: TriageAnswer(checked=True) for item in ticked}
    return Escalation(tier=tier, triage=triage, **fields)


def ids(suggestions: list[RouteSuggestion]) -> list[str]:
    return [s.destination_id for s in suggestions]


# -- keep in support ------------------------------------------------------------------------------
KEEP = [
    ("keep.documented_fix", "A documented fix or known workaround addresses the problem"),
    ("keep.config_error", "The root cause is a configuration or setup error you can correct"),
    ("keep.coaching", "The customer needs coaching or training, not a product change"),
    ("keep.documented_limitation", "The limitation is documented and an alternative path exists"),
    (
        "keep.historical_support",
        "Historical tickets with the same profile were resolved at the support tier",
    ),
]


def test_the_playbook_has_exactly_the_five_keep_criteria(pb: Playbook) -> None:
    assert [(c.id, c.text) for c in pb.keep_criteria] == KEEP


@pytest.mark.parametrize(("item", "text"), KEEP)
def test_a_keep_criterion_alone_keeps_it_in_support(pb: Playbook, item: str, text: str) -> None:
    result = assess_triage(case(item), pb, NOW)
    assert result.recommendation == "keep"
    assert result.effective == "keep"
    assert result.reasons == [text]
    assert result.destinations == []
    assert result.conflicts == []
    assert result.security is False


def test_all_keep_criteria_together_still_keep(pb: Playbook) -> None:
    result = assess_triage(case(*(i for i, _ in KEEP)), pb, NOW)
    assert result.recommendation == "keep"
    assert result.reasons == [text for _, text in KEEP]


def test_nothing_checked_is_unknown(pb: Playbook) -> None:
    result = assess_triage(Escalation(), pb, NOW)
    assert result.recommendation == "unknown"
    assert result.effective == "unknown"
    assert result.destinations == []
    assert result.conflicts == []
    assert len(result.reasons) == 1 and "Not enough information" in result.reasons[0]


def test_unchecked_answers_and_notes_do_not_count(pb: Playbook) -> None:
    c = Escalation(
        triage={
            "keep.coaching": TriageAnswer(checked=False, note="maybe"),
            "esc.widespread.production_down": TriageAnswer(checked=False, note="not really"),
        }
    )
    assert assess_triage(c, pb, NOW).recommendation == "unknown"


def test_unknown_item_ids_are_ignored(pb: Playbook) -> None:
    assert assess_triage(case("esc.no_such_item"), pb, NOW).recommendation == "unknown"


# -- escalation sub-triggers -----------------------------------------------------------------------
# (item, reason in the playbook's words, destinations for an L2 agent, for an L1 agent)
SUB_TRIGGERS = [
    (
        "esc.technical.code_fix",
        "Technical barrier: A confirmed defect needs a code-level fix",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.technical.infra_investigation",
        "Technical barrier: Infrastructure-level investigation is required",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.technical.data_loss",
        "Technical barrier: Data has been lost or corrupted",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.diagnostic.tooling_exceeded",
        "Diagnostic ceiling: The issue exceeds support tooling or access",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.diagnostic.custom_deployment",
        "Diagnostic ceiling: The issue involves a custom deployment",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.diagnostic.db_inspection",
        "Diagnostic ceiling: The issue demands database-level inspection",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.widespread.multiple_customers",
        "Widespread harm: Multiple customers are reporting the same problem",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.widespread.production_down",
        "Widespread harm: Production is down",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.widespread.data_integrity",
        "Widespread harm: Data integrity is compromised",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.widespread.security_threat",
        "Widespread harm: A security threat exists",
        ["security"],
        ["security"],
    ),
    (
        "esc.business.high_value_at_risk",
        "Business stakes: A high-value account is at risk",
        ["leadership"],
        ["l2", "leadership"],
    ),
    (
        "esc.business.sla_breach",
        "Business stakes: An SLA has been breached or is about to be",
        ["leadership"],
        ["l2", "leadership"],
    ),
    (
        "esc.business.leadership_requested",
        "Business stakes: The customer is requesting leadership involvement",
        ["leadership"],
        ["l2", "leadership"],
    ),
    ("esc.stalled.past_sla", "Stalled progress: The issue has sat open past SLA", [], ["l2"]),
    (
        "esc.stalled.long_wait",
        "Stalled progress: The customer has waited an unreasonable duration",
        [],
        ["l2"],
    ),
    (
        "esc.stalled.not_advancing",
        "Stalled progress: Standard troubleshooting is not advancing",
        [],
        ["l2"],
    ),
    (
        "esc.recurring.three_reports",
        "Recurring pattern: Three or more independent reports of the same symptom",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.recurring.resurfaced",
        "Recurring pattern: A previously-patched issue has resurfaced",
        ["engineering"],
        ["l2", "engineering"],
    ),
    (
        "esc.recurring.severity_trending",
        "Recurring pattern: Severity is trending upward over time",
        ["engineering"],
        ["l2", "engineering"],
    ),
]


def test_every_sub_trigger_of_the_playbook_is_covered(pb: Playbook) -> None:
    assert [item.id for item in pb.trigger_items()] == [row[0] for row in SUB_TRIGGERS]


@pytest.mark.parametrize(("item", "reason", "l2_dests", "l1_dests"), SUB_TRIGGERS)
def test_a_sub_trigger_escalates_with_its_reason_and_destinations(
    pb: Playbook, item: str, reason: str, l2_dests: list[str], l1_dests: list[str]
) -> None:
    as_l2 = assess_triage(case(item, tier="L2"), pb, NOW)
    assert as_l2.recommendation == "escalate"
    assert reason in as_l2.reasons
    assert ids(as_l2.destinations) == l2_dests
    assert all(s.direct for s in as_l2.destinations)
    for suggestion in as_l2.destinations:
        assert reason in suggestion.reasons

    as_l1 = assess_triage(case(item, tier="L1"), pb, NOW)
    assert as_l1.recommendation == "escalate"
    assert ids(as_l1.destinations) == l1_dests


def test_the_example_reason_is_quoted_verbatim(pb: Playbook) -> None:
    result = assess_triage(case("esc.widespread.production_down"), pb, NOW)
    assert result.reasons == ["Widespread harm: Production is down"]


def test_a_manager_skips_the_support_l2_implication(pb: Playbook) -> None:
    result = assess_triage(case("esc.diagnostic.custom_deployment", tier="manager"), pb, NOW)
    assert ids(result.destinations) == ["engineering"]
    assert result.destinations[0].direct is True


# -- destination triggers --------------------------------------------------------------------------
DEST_TRIGGERS = [
    ("dest.l2.deeper_investigation", "l2", "Support L2: Deeper investigation is needed"),
    ("dest.l2.product_expertise", "l2", "Support L2: Specialized product expertise is needed"),
    ("dest.l2.advanced_debugging", "l2", "Support L2: Advanced debugging is needed"),
    ("dest.engineering.confirmed_defect", "engineering", "Engineering: Confirmed defect"),
    ("dest.engineering.infrastructure_fault", "engineering", "Engineering: Infrastructure fault"),
    ("dest.engineering.code_change", "engineering", "Engineering: Code change required"),
    (
        "dest.engineering.system_inspection",
        "engineering",
        "Engineering: System-level inspection needed",
    ),
    ("dest.product.capability_gap", "product", "Product: Capability gap causing pain"),
    ("dest.product.design_decision", "product", "Product: Design-level decision needed"),
    ("dest.product.workflow_mismatch", "product", "Product: Workflow mismatch"),
    (
        "dest.product.competing_priorities",
        "product",
        "Product: Competing priorities across customers",
    ),
    ("dest.security.data_exposure", "security", "Security: Possible data exposure"),
    ("dest.security.unauthorized_access", "security", "Security: Unauthorized access report"),
    ("dest.security.vulnerability_disclosure", "security", "Security: Vulnerability disclosure"),
    ("dest.security.compliance_risk", "security", "Security: Compliance risk"),
    (
        "dest.leadership.churn_signal",
        "leadership",
        "Leadership: High-ARR customer signaling churn",
    ),
    (
        "dest.leadership.strategic_sla_breach",
        "leadership",
        "Leadership: SLA breach on a strategic account",
    ),
    (
        "dest.leadership.cross_functional_decision",
        "leadership",
        "Leadership: Cross-functional decision required",
    ),
    ("dest.leadership.policy_exception", "leadership", "Leadership: Policy exception needed"),
    ("dest.leadership.legal_reputational", "leadership", "Leadership: Legal or reputational risk"),
]


def test_every_destination_trigger_is_covered(pb: Playbook) -> None:
    assert [item.id for item in pb.destination_triggers()] == [row[0] for row in DEST_TRIGGERS]


@pytest.mark.parametrize(("item", "dest", "reason"), DEST_TRIGGERS)
def test_a_destination_trigger_routes_there(
    pb: Playbook, item: str, dest: str, reason: str
) -> None:
    # An L1 agent is the one tier that may send to every destination (directly or through L2).
    result = assess_triage(case(item, tier="L1"), pb, NOW)
    assert result.recommendation == "escalate"
    assert reason in result.reasons
    assert dest in ids(result.destinations)
    suggestion = next(s for s in result.destinations if s.destination_id == dest)
    assert reason in suggestion.reasons


# -- tier progression ------------------------------------------------------------------------------
# (destination trigger, tier, direct, via); from the playbook's headings: "Support L1 to Support L2",
# "Support L2 to Engineering", "Support L2 to Product", "Any Tier to Security", "Any Tier to
# Leadership" (sent "typically [by] L2 or a support manager").
TIERS = [
    ("dest.l2.deeper_investigation", "L1", True, None),
    ("dest.l2.deeper_investigation", "L2", False, None),
    ("dest.engineering.confirmed_defect", "L1", False, "l2"),
    ("dest.engineering.confirmed_defect", "L2", True, None),
    ("dest.engineering.confirmed_defect", "manager", True, None),
    ("dest.product.capability_gap", "L1", False, "l2"),
    ("dest.product.capability_gap", "L2", True, None),
    ("dest.product.capability_gap", "manager", True, None),
    ("dest.leadership.policy_exception", "L1", False, "l2"),
    ("dest.leadership.policy_exception", "L2", True, None),
    ("dest.leadership.policy_exception", "manager", True, None),
    ("dest.security.data_exposure", "L1", True, None),
    ("dest.security.data_exposure", "L2", True, None),
    ("dest.security.data_exposure", "manager", True, None),
]


@pytest.mark.parametrize(("item", "tier", "direct", "via"), TIERS)
def test_tier_progression(
    pb: Playbook, item: str, tier: Tier, direct: bool, via: str | None
) -> None:
    dest = pb.destination_of_trigger(item)
    assert dest is not None
    result = assess_triage(case(item, tier=tier), pb, NOW)
    suggestion = next(s for s in result.destinations if s.destination_id == dest.id)
    assert suggestion.direct is direct
    assert suggestion.via == via
    assert suggestion.name == dest.name


def test_an_l1_agent_goes_to_support_l2_first(pb: Playbook) -> None:
    result = assess_triage(case("dest.engineering.confirmed_defect", tier="L1"), pb, NOW)
    assert ids(result.destinations) == ["l2", "engineering"]
    l2, engineering = result.destinations
    assert l2.direct is True and l2.via is None
    assert any("Support L2" in r and "Engineering" in r for r in l2.reasons)
    assert engineering.direct is False and engineering.via == "l2"
    assert any("Support L2 to Engineering" in r for r in engineering.reasons)


def test_an_l2_agent_ticking_an_l2_trigger_is_told_it_is_not_a_step_up(pb: Playbook) -> None:
    result = assess_triage(case("dest.l2.advanced_debugging", tier="L2"), pb, NOW)
    (l2,) = result.destinations
    assert l2.direct is False
    assert any("from tier L1, not L2" in r for r in l2.reasons)


# -- security --------------------------------------------------------------------------------------
@pytest.mark.parametrize("tier", ["L1", "L2", "manager"])
def test_security_comes_first_direct_with_the_rule(pb: Playbook, tier: Tier) -> None:
    c = case(
        "dest.engineering.confirmed_defect",
        "esc.business.sla_breach",
        "dest.security.unauthorized_access",
        tier=tier,
    )
    result = assess_triage(c, pb, NOW)
    assert result.security is True
    first = result.destinations[0]
    assert first.destination_id == "security"
    assert first.direct is True and first.via is None
    assert SECURITY_RULE in first.reasons
    assert SECURITY_RULE in result.reasons
    assert "Security: Unauthorized access report" in first.reasons


def test_security_threat_sub_trigger_sets_the_security_flag(pb: Playbook) -> None:
    result = assess_triage(case("esc.widespread.security_threat", tier="L1"), pb, NOW)
    assert result.security is True
    assert ids(result.destinations) == ["security"]
    assert result.reasons[0] == SECURITY_RULE


def test_security_wins_over_a_keep_answer(pb: Playbook) -> None:
    result = assess_triage(case("keep.coaching", "dest.security.data_exposure"), pb, NOW)
    assert result.recommendation == "escalate"
    assert result.security is True
    assert len(result.conflicts) == 1


def test_no_security_flag_without_security(pb: Playbook) -> None:
    result = assess_triage(case("esc.widespread.production_down"), pb, NOW)
    assert result.security is False
    assert SECURITY_RULE not in result.reasons


# -- order and merging -----------------------------------------------------------------------------
def test_ticked_destinations_come_before_implied_ones(pb: Playbook) -> None:
    result = assess_triage(case("esc.business.sla_breach", "dest.product.capability_gap"), pb, NOW)
    assert ids(result.destinations) == ["product", "leadership"]


def test_one_destination_carries_every_reason(pb: Playbook) -> None:
    result = assess_triage(
        case(
            "esc.widespread.production_down",
            "esc.recurring.resurfaced",
            "dest.engineering.infrastructure_fault",
        ),
        pb,
        NOW,
    )
    (engineering,) = result.destinations
    assert engineering.reasons == [
        "Engineering: Infrastructure fault",
        "Widespread harm: Production is down",
        "Recurring pattern: A previously-patched issue has resurfaced",
    ]


# -- conflicts -------------------------------------------------------------------------------------
def test_documented_workaround_against_breached_sla_on_a_high_value_account(
    pb: Playbook,
) -> None:
    c = case("keep.documented_fix", "esc.business.sla_breach", "esc.business.high_value_at_risk")
    result = assess_triage(c, pb, NOW)
    assert result.recommendation == "escalate"
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert "A documented fix or known workaround addresses the problem" in conflict
    assert "An SLA has been breached or is about to be" in conflict
    assert "A high-value account is at risk" in conflict
    # The keep answer is not a reason to escalate.
    assert "A documented fix or known workaround addresses the problem" not in result.reasons


def test_each_keep_answer_in_conflict_is_named(pb: Playbook) -> None:
    c = case("keep.config_error", "keep.coaching", "dest.product.workflow_mismatch")
    result = assess_triage(c, pb, NOW)
    assert result.recommendation == "escalate"
    assert len(result.conflicts) == 2
    assert "configuration or setup error" in result.conflicts[0]
    assert "coaching or training" in result.conflicts[1]
    assert all("Product: Workflow mismatch" in c for c in result.conflicts)


def test_no_conflict_without_a_keep_answer(pb: Playbook) -> None:
    c = case("esc.business.sla_breach", "esc.business.high_value_at_risk")
    assert assess_triage(c, pb, NOW).conflicts == []


# -- overrides -------------------------------------------------------------------------------------
def test_override_to_keep(pb: Playbook) -> None:
    c = case("esc.stalled.long_wait")
    c.recommendation_override = Override(value="keep", reason="customer withdrew", at=NOW)
    result = assess_triage(c, pb, NOW)
    assert result.recommendation == "escalate"
    assert result.effective == "keep"
    assert routed_destinations(c, pb, NOW) == []


def test_override_to_escalate(pb: Playbook) -> None:
    c = case("keep.coaching")
    c.recommendation_override = Override(value="escalate", reason="customer insists", at=NOW)
    result = assess_triage(c, pb, NOW)
    assert (result.recommendation, result.effective) == ("keep", "escalate")


def test_an_unknown_override_value_is_ignored(pb: Playbook) -> None:
    c = case("keep.coaching")
    c.recommendation_override = Override(value="maybe", reason="?", at=NOW)
    assert assess_triage(c, pb, NOW).effective == "keep"


# -- routed destinations ---------------------------------------------------------------------------
def test_routed_destinations_prefer_the_agents_choice(pb: Playbook) -> None:
    c = case("esc.widespread.production_down", routed_to=["product"])
    assert routed_destinations(c, pb, NOW) == ["product"]


def test_routed_destinations_default_to_the_suggestions(pb: Playbook) -> None:
    c = case("esc.widespread.production_down", "dest.security.data_exposure", tier="L1")
    assert routed_destinations(c, pb, NOW) == ["security", "l2", "engineering"]


def test_routed_destinations_are_empty_when_kept_or_unknown(pb: Playbook) -> None:
    assert routed_destinations(case("keep.coaching"), pb, NOW) == []
    assert routed_destinations(Escalation(), pb, NOW) == []
