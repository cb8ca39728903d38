"""Package readiness: each destination's "Package contents" from the playbook, checked against what
the case holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workbench.models import (
    ActionTaken,
    Environment,
    Escalation,
    ImpactInputs,
    LogEntry,
    LogKind,
    Override,
    ReproStep,
    TriageAnswer,
)
from workbench.playbook import PackageItem, Playbook, default_playbook
from workbench.rules.package import CHECKS, missing_required, package_readiness

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


# The package contents as the playbook words them, destination by destination.
PACKAGES = {
    "l2": ["Issue summary", "Troubleshooting already performed", "Customer context"],
    "engineering": [
        "Complete reproduction procedure",
        "Environment specifics",
        "Relevant logs and error output",
        "Business impact statement",
        "Customer-facing timeline commitments",
    ],
    "product": [
        "Customer use case narrative",
        "Business impact",
        "Request frequency",
        "Competitive context if available",
    ],
    "security": [
        "Observations",
        "Affected parties/systems",
        "Containment measures already taken",
        "Urgency rating",
    ],
    "leadership": [
        "Complete business context",
        "Revenue exposure",
        "Actions taken to date",
        "The specific decision or intervention needed",
        "Hard deadline",
    ],
}


def test_every_check_named_by_the_playbook_is_implemented(pb: Playbook) -> None:
    named = {item.check for dest in pb.destinations for item in dest.package}
    assert named <= set(CHECKS)


@pytest.mark.parametrize(("destination", "texts"), PACKAGES.items())
def test_an_empty_case_misses_every_item(pb: Playbook, destination: str, texts: list[str]) -> None:
    statuses = package_readiness(Escalation(), pb, NOW, destination)
    assert [s.text for s in statuses] == texts
    assert all(s.destination_id == destination for s in statuses)
    assert not any(s.present for s in statuses)
    assert all(s.detail for s in statuses)
    optional = [s.text for s in statuses if not s.required]
    assert optional == (["Competitive context if available"] if destination == "product" else [])


def full_case() -> Escalation:
    """A case that holds everything every package asks for."""
    return Escalation(
        title="CSV export returns HTTP 500 for reports over 10k rows",
        customer="Acme Corp",
        component="Reports export",
        narrative=(
            "Since Monday the CSV export fails for large reports. It began after release 4.2. "
            "The button spins and then shows error 500. Three customers are affected. "
            "Acme is evaluating a competitor."
        ),
        impact=ImpactInputs(
            customers_affected=3, depth="blocked", arr_exposed=120_000, sla="at_risk"
        ),
        reproduction={
            "steps": [ReproStep(action="Select Export CSV in the Reports view")],
            "expected": "A CSV file downloads",
            "observed": "Error 500 after 30 s",
            "environment": Environment(browser="Chrome 122"),
            "evidence": "HAR file attached",
        },
        actions=[ActionTaken(tried="Cleared the report cache", outcome="Still fails")],
        communication={"customer_expectation": "A fix or workaround by Friday"},
        request={
            "ask_type": "fix",
            "ask": "Ship a fix for the export timeout",
            "hard_deadline": NOW + timedelta(days=2),
        },
        linked=[12, 15],
    )


@pytest.mark.parametrize("destination", PACKAGES)
def test_a_full_case_is_ready_everywhere(pb: Playbook, destination: str) -> None:
    statuses = package_readiness(full_case(), pb, NOW, destination)
    assert all(s.present for s in statuses), [s for s in statuses if not s.present]
    assert missing_required(statuses) == []


def status(pb: Playbook, case: Escalation, destination: str, text: str) -> tuple[bool, str]:
    found = next(s for s in package_readiness(case, pb, NOW, destination) if s.text == text)
    return found.present, found.detail


# -- Support L2 ------------------------------------------------------------------------------------
def test_issue_summary_is_the_title(pb: Playbook) -> None:
    assert status(pb, Escalation(title="Export fails"), "l2", "Issue summary") == (True, "")
    assert status(pb, Escalation(title="   "), "l2", "Issue summary")[0] is False


def test_troubleshooting_needs_what_was_tried_and_its_outcome(pb: Playbook) -> None:
    tried_only = Escalation(actions=[ActionTaken(tried="Restarted the sync")])
    present, detail = status(pb, tried_only, "l2", "Troubleshooting already performed")
    assert not present and "outcome" in detail
    partly = Escalation(
        actions=[
            ActionTaken(tried="Restarted the sync", outcome="No change"),
            ActionTaken(tried="Re-ran the import"),
        ]
    )
    present, detail = status(pb, partly, "l2", "Troubleshooting already performed")
    assert present and detail == "1 action has no outcome yet."


def test_customer_context_needs_a_name_and_a_situation(pb: Playbook) -> None:
    present, detail = status(pb, Escalation(customer="Acme"), "l2", "Customer context")
    assert not present and "situation" in detail and "name" not in detail
    with_sla = Escalation(customer="Acme", impact=ImpactInputs(sla="breached"))
    assert status(pb, with_sla, "l2", "Customer context") == (True, "")
    nameless = Escalation(communication={"most_recent_update": "Called them Monday"})
    present, detail = status(pb, nameless, "l2", "Customer context")
    assert not present and "name" in detail


# -- Engineering -----------------------------------------------------------------------------------
def test_reproduction_needs_a_step_expected_and_observed(pb: Playbook) -> None:
    item = "Complete reproduction procedure"
    steps_only = Escalation(reproduction={"steps": [ReproStep(action="Open Reports")]})
    present, detail = status(pb, steps_only, "engineering", item)
    assert not present
    assert detail == "Missing: expected outcome, observed outcome."
    blank_step = Escalation(
        reproduction={"steps": [ReproStep()], "expected": "CSV", "observed": "500"}
    )
    assert status(pb, blank_step, "engineering", item) == (False, "Missing: steps.")
    complete = Escalation(
        reproduction={"steps": [ReproStep(action="Open")], "expected": "CSV", "observed": "500"}
    )
    assert status(pb, complete, "engineering", item) == (True, "")


@pytest.mark.parametrize("field", ["browser", "os", "plan_tier", "feature_flags", "other"])
def test_any_environment_detail_counts(pb: Playbook, field: str) -> None:
    case = Escalation(reproduction={"environment": Environment(**{field: "x"})})
    assert status(pb, case, "engineering", "Environment specifics") == (True, "")


def test_logs_are_evidence_or_attached_files(pb: Playbook) -> None:
    item = "Relevant logs and error output"
    assert status(pb, Escalation(reproduction={"evidence": "TypeError: x"}), "engineering", item)[0]
    assert status(pb, Escalation(references={"files": ["app.log"]}), "engineering", item)[0]
    assert not status(pb, Escalation(references={"files": [" "]}), "engineering", item)[0]


def test_business_impact_from_numbers_or_text(pb: Playbook) -> None:
    item = "Business impact statement"
    numbers = Escalation(impact=ImpactInputs(end_users_affected=400, depth="degraded"))
    assert status(pb, numbers, "engineering", item) == (True, "")
    typed = Escalation(
        business_impact={"affected_customers": "Acme", "operational_effect": "No exports"}
    )
    assert status(pb, typed, "engineering", item) == (True, "")
    half = Escalation(impact=ImpactInputs(customers_affected=2))
    assert status(pb, half, "engineering", item) == (False, "Missing: operational effect.")
    named = Escalation(customer="Initech", impact=ImpactInputs(depth="blocked"))
    assert status(pb, named, "engineering", item) == (
        False,
        "Missing: how many customers or users are affected.",
    )


def test_timeline_commitments(pb: Playbook) -> None:
    item = "Customer-facing timeline commitments"
    typed = Escalation(communication={"customer_expectation": "Workaround by Friday"})
    assert status(pb, typed, "engineering", item)[0]
    deadline = Escalation(request={"hard_deadline": NOW + timedelta(days=1)})
    assert status(pb, deadline, "engineering", item)[0]
    logged = Escalation(
        log=[
            LogEntry(
                kind=LogKind.CUSTOMER_UPDATE,
                at=NOW,
                summary="Called",
                expectation="Fix by Monday",
            )
        ]
    )
    assert status(pb, logged, "engineering", item)[0]


# -- Product ---------------------------------------------------------------------------------------
def test_product_narrative_frequency_and_competition(pb: Playbook) -> None:
    assert status(
        pb, Escalation(narrative="They need X."), "product", "Customer use case narrative"
    )[0]
    assert status(pb, Escalation(linked=[3]), "product", "Request frequency")[0]
    assert status(
        pb, Escalation(impact=ImpactInputs(customers_affected=7)), "product", "Request frequency"
    )[0]
    competitor = Escalation(narrative="They are trialling a competitor's scheduler.")
    assert status(pb, competitor, "product", "Competitive context if available")[0]
    other_vendor = Escalation(communication={"escalation_risk": "May move to another vendor"})
    assert status(pb, other_vendor, "product", "Competitive context if available")[0]
    plain = Escalation(narrative="Export to the other view fails.")
    assert not status(pb, plain, "product", "Competitive context if available")[0]


def test_missing_optional_competitive_context_is_not_required(pb: Playbook) -> None:
    case = full_case()
    case.narrative = "They need scheduled exports."
    statuses = package_readiness(case, pb, NOW, "product")
    competitive = next(s for s in statuses if s.check == "competitive_context")
    assert not competitive.present and not competitive.required
    assert missing_required(statuses) == []


# -- Security --------------------------------------------------------------------------------------
def test_security_package(pb: Playbook) -> None:
    observed = Escalation(reproduction={"observed": "Another tenant's invoices are visible"})
    assert status(pb, observed, "security", "Observations")[0]
    assert status(pb, Escalation(component="Billing API"), "security", "Affected parties/systems")[
        0
    ]
    contained = Escalation(actions=[ActionTaken(tried="Revoked the API key", outcome="Done")])
    assert status(pb, contained, "security", "Containment measures already taken")[0]
    urgent = Escalation(triage={"esc.widespread.security_threat": TriageAnswer(checked=True)})
    assert status(pb, urgent, "security", "Urgency rating") == (True, "")
    overridden = Escalation(severity_override=Override(value="high", reason="r"))
    assert status(pb, overridden, "security", "Urgency rating")[0]


# -- Leadership ------------------------------------------------------------------------------------
def test_leadership_package(pb: Playbook) -> None:
    assert status(
        pb,
        Escalation(impact=ImpactInputs(pipeline_at_risk=90_000)),
        "leadership",
        "Revenue exposure",
    )[0]
    assert status(
        pb,
        Escalation(business_impact={"revenue_exposure": "$120k ARR"}),
        "leadership",
        "Revenue exposure",
    )[0]
    item = "The specific decision or intervention needed"
    present, detail = status(pb, Escalation(request={"ask_type": "decide"}), "leadership", item)
    assert not present and detail == "Missing: the precise ask."
    assert status(
        pb,
        Escalation(request={"ask_type": "exception", "ask": "Waive the fee"}),
        "leadership",
        item,
    ) == (True, "")


def test_hard_deadline(pb: Playbook) -> None:
    item = "Hard deadline"
    assert status(pb, Escalation(), "leadership", item) == (False, "Missing: a hard deadline.")
    typed = Escalation(request={"deadline_text": "end of week"})
    assert status(pb, typed, "leadership", item) == (
        False,
        '"end of week" is not a date and time.',
    )
    past = Escalation(request={"hard_deadline": NOW - timedelta(hours=1)})
    assert status(pb, past, "leadership", item) == (True, "The hard deadline has passed.")
    future = Escalation(request={"hard_deadline": NOW + timedelta(hours=1)})
    assert status(pb, future, "leadership", item) == (True, "")


# -- which destinations ----------------------------------------------------------------------------
def test_default_destinations_are_the_routed_ones(pb: Playbook) -> None:
    case = Escalation(routed_to=["security", "leadership"])
    statuses = package_readiness(case, pb, NOW)
    assert [s.destination_id for s in statuses] == ["security"] * 4 + ["leadership"] * 5


def test_default_destinations_follow_the_triage_suggestions(pb: Playbook) -> None:
    case = Escalation(
        tier="L1", triage={"dest.engineering.confirmed_defect": TriageAnswer(checked=True)}
    )
    statuses = package_readiness(case, pb, NOW)
    assert [s.destination_id for s in statuses] == ["l2"] * 3 + ["engineering"] * 5


def test_nothing_routed_nothing_to_package(pb: Playbook) -> None:
    assert package_readiness(Escalation(), pb, NOW) == []


def test_unknown_routed_ids_are_skipped_and_unknown_explicit_ids_raise(pb: Playbook) -> None:
    assert package_readiness(Escalation(routed_to=["legal"]), pb, NOW) == []
    with pytest.raises(KeyError):
        package_readiness(Escalation(), pb, NOW, "legal")


def test_an_unknown_check_is_missing(pb: Playbook) -> None:
    l2 = pb.destination("l2")
    odd = l2.model_copy(update={"package": (PackageItem(text="Horoscope", check="astrology"),)})
    edited = pb.model_copy(
        update={"destinations": tuple(odd if d.id == "l2" else d for d in pb.destinations)}
    )
    (only,) = package_readiness(full_case(), edited, NOW, "l2")
    assert (only.text, only.present, only.detail, only.required) == (
        "Horoscope",
        False,
        "unknown check",
        True,
    )
    assert missing_required([only]) == [only]


def test_missing_required_keeps_order_and_skips_optional(pb: Playbook) -> None:
    statuses = package_readiness(Escalation(title="x"), pb, NOW, "product") + package_readiness(
        Escalation(title="x"), pb, NOW, "l2"
    )
    assert [s.text for s in missing_required(statuses)] == [
        "Customer use case narrative",
        "Business impact",
        "Request frequency",
        "Troubleshooting already performed",
        "Customer context",
    ]
