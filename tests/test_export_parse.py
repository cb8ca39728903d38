"""The escalation document read back: import of hand-written documents and header lines as
colleagues write them, errors that name the section, what cannot be placed kept and reported, the
shipped samples, and the cyclic collector held off during a parse."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.export_helpers import GOLDEN, NOW, PLACEHOLDER, parse, render
from workbench.document import IMPORTED_SEVERITY_REASON, DocumentError
from workbench.models import (
    ActionTaken,
    Baseline,
    BusinessImpact,
    Communication,
    Environment,
    Escalation,
    References,
    Reproduction,
    ReproStep,
)
from workbench.playbook import Playbook, default_playbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.md"))


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


# -- hand-written documents ---------------------------------------------------------------------------
HAND_WRITTEN = """\
# ESCALATION: SSO login loop for Globex admins

Severity: high
Routed to: Engineering

## Business impact
- Affected customers: 1 customer (Globex), 240 admins
- Operational effect: admins cannot log in;
  end users are not affected
- SLA position: Breached

## Problem narrative
Since 25 Nov 08:10 UTC every Globex admin who signs in through Okta
is sent back to the login page.

Retries do not help.

## Reproduction procedure
Baseline state: Globex tenant, SSO enforced
Steps:
1. Open https://globex.example.com/admin
2. Sign in as the test admin — input: `qa-admin@globex.example`
3. Observe the redirect
Expected outcome: the admin dashboard opens
Observed outcome: redirect back to /login (HTTP 302, 14 times)
Environment: Browser: Chrome 122; OS: Windows 11
Evidence: console shows

    Set-Cookie blocked: SameSite=None without Secure

## Actions already taken
1. Re-synced the Okta app -> no change
2. Cleared cookies

## Customer communication status
- Most recent update: 26 Nov 09:00, told the customer engineering is looking
- Customer expectation: a fix today

## Request
- Investigate: why the session cookie is dropped after the SAML response
- Hard deadline: 2026-11-28 17:00 UTC

## Attachments and references
- https://support.example.com/tickets/5120
- Slack #sso-incidents
- saml-trace.har

## Notes for myself
This section is not part of the template and is ignored.
"""


def test_hand_written_document_keeps_every_value(pb: Playbook) -> None:
    case = parse(HAND_WRITTEN, pb)
    assert case.title == "SSO login loop for Globex admins"
    assert case.routed_to == ["engineering"]
    assert case.severity_override is None  # "high" is what the rules suggest from a breached SLA
    assert case.business_impact.affected_customers == "1 customer (Globex), 240 admins"
    assert case.business_impact.operational_effect == (
        "admins cannot log in;\nend users are not affected"
    )
    assert case.business_impact.revenue_exposure == ""
    assert case.impact.sla == "breached"
    assert case.narrative == (
        "Since 25 Nov 08:10 UTC every Globex admin who signs in through Okta\n"
        "is sent back to the login page.\n\nRetries do not help."
    )
    repro = case.reproduction
    assert repro.baseline == Baseline(configuration="Globex tenant, SSO enforced")
    assert repro.steps == [
        ReproStep(action="Open https://globex.example.com/admin"),
        ReproStep(action="Sign in as the test admin", literal_input="qa-admin@globex.example"),
        ReproStep(action="Observe the redirect"),
    ]
    assert repro.expected == "the admin dashboard opens"
    assert repro.observed == "redirect back to /login (HTTP 302, 14 times)"
    assert repro.environment == Environment(browser="Chrome 122", os="Windows 11")
    assert repro.evidence == ("console shows\n\nSet-Cookie blocked: SameSite=None without Secure")
    assert case.actions == [
        ActionTaken(tried="Re-synced the Okta app", outcome="no change"),
        ActionTaken(tried="Cleared cookies"),
    ]
    assert case.communication == Communication(
        most_recent_update="26 Nov 09:00, told the customer engineering is looking",
        customer_expectation="a fix today",
    )
    assert case.request.ask_type == "investigate"
    assert case.request.ask == "why the session cookie is dropped after the SAML response"
    assert case.request.hard_deadline == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert case.references == References(
        tickets=["https://support.example.com/tickets/5120"],
        threads=["Slack #sso-incidents"],
        files=["saml-trace.har"],
    )
    # Exported and imported again, nothing changes.
    text = render(case, pb)
    assert render(parse(text, pb), pb) == text


PLAIN_TEMPLATE = """\
ESCALATION: Webhook deliveries delayed by 40 minutes
Severity: Critical
Routed to: Engineering / Security
BUSINESS IMPACT
- Affected customers: 12 customers on the EU cluster
- Operational effect: order sync runs 40 min late
- Revenue exposure: $0 direct; 2 renewals in December
- SLA position: Compliant
PROBLEM NARRATIVE
Since 23 Nov webhook deliveries on eu-2 arrive 35-45 minutes late.
ACTIONS ALREADY TAKEN
1. Checked status page -> all green
2. Replayed a webhook manually -> delivered in 2 s
CUSTOMER COMMUNICATION STATUS
- Most recent update: 2026-11-25: acknowledged, investigating
- Further escalation risk: Low
REQUEST
- Investigate the eu-2 webhook queue lag
- Hard deadline: Friday EOD
ATTACHMENTS AND REFERENCES
- https://support.example.com/tickets/7001
"""


def test_plain_text_template_without_markdown_headings(pb: Playbook) -> None:
    case = parse(PLAIN_TEMPLATE, pb)
    assert case.title == "Webhook deliveries delayed by 40 minutes"
    assert case.routed_to == ["engineering", "security"]
    assert case.severity_override is not None
    assert case.severity_override.value == "critical"
    assert case.severity_override.reason == IMPORTED_SEVERITY_REASON
    assert case.business_impact.sla_position == "Compliant"
    assert case.narrative == "Since 23 Nov webhook deliveries on eu-2 arrive 35-45 minutes late."
    assert case.reproduction == Reproduction()  # optional section, absent
    assert [a.outcome for a in case.actions] == ["all green", "delivered in 2 s"]
    assert case.communication.escalation_risk == "Low"
    assert case.request.ask_type == "investigate"  # from the ask's wording
    assert case.request.ask == "Investigate the eu-2 webhook queue lag"
    assert case.request.deadline_text == "Friday EOD"
    assert case.request.hard_deadline == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert case.references.tickets == ["https://support.example.com/tickets/7001"]


def test_hand_written_labels_on_consecutive_lines_and_missing_lines(pb: Playbook) -> None:
    text = PLAIN_TEMPLATE.replace(
        "ACTIONS ALREADY TAKEN",
        "REPRODUCTION PROCEDURE (for defects)\n"
        "1. Create an order via the API\n"
        "Expected outcome: delivery within 60 s\n"
        "Observed outcome: delivery after 35-45 min\n"
        "Frequency: 3 of 3 orders\n"
        "ACTIONS ALREADY TAKEN",
    )
    repro = parse(text, pb).reproduction
    assert repro.steps == [ReproStep(action="Create an order via the API")]
    assert repro.expected == "delivery within 60 s"
    assert repro.observed == "delivery after 35-45 min"
    assert repro.frequency == "3 of 3 orders"
    assert repro.environment == Environment()


def test_markdown_formatting_typed_by_hand_is_kept_as_text(pb: Playbook) -> None:
    text = PLAIN_TEMPLATE.replace(
        "Since 23 Nov", "**Since** 23 Nov, see [the graph](https://grafana.example/d/1) and"
    ).replace("- https://support.example.com/tickets/7001", "- <https://support.example.com/t/7>")
    case = parse(text, pb)
    assert case.narrative.startswith(
        "**Since** 23 Nov, see [the graph](https://grafana.example/d/1) and webhook"
    )
    assert case.references.tickets == ["https://support.example.com/t/7"]


def test_attachments_with_labels_inline_values_and_linked_cases(pb: Playbook) -> None:
    text = PLAIN_TEMPLATE.replace(
        "- https://support.example.com/tickets/7001",
        "- Ticket URLs: https://support.example.com/tickets/7001\n"
        "  - https://support.example.com/tickets/7002\n"
        "- Internal discussion threads: [not provided]\n"
        "- Linked cases: #12, 40",
    )
    case = parse(text, pb)
    assert case.references.tickets == [
        "https://support.example.com/tickets/7001",
        "https://support.example.com/tickets/7002",
    ]
    assert case.references.threads == []
    assert case.linked == [12, 40]


# -- header lines and titles as colleagues write them ------------------------------------------------
def test_a_heading_with_no_label_is_the_title_and_header_lines_fill_customer_and_component(
    pb: Playbook,
) -> None:
    text = (
        "# CSV export stuck at 90% (504)\n\n"
        "**Account:** Hooli\nProduct area: Reports / CSV export\nCustomer: Other Corp\n\n"
        "## Business impact\n\n- Affected customers and users: Initech, Hooli; 40 users\n"
    )
    case = parse(text, pb)
    assert case.title == "CSV export stuck at 90% (504)"
    assert (case.customer, case.component) == ("Hooli", "Reports / CSV export")
    assert case.customers[0] == "Hooli" and "Initech" in case.customers
    assert "Customer: Other Corp" in case.unplaced  # the first header line of a kind wins


def test_a_labelled_title_wins_over_an_earlier_heading(pb: Playbook) -> None:
    case = parse("# Weekly escalations\n\nEscalation: SSO loop for EU tenants\n", pb)
    assert case.title == "SSO loop for EU tenants"
    assert case.customer == ""


# -- malformed documents ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no ESCALATION title line"),
        ("Just some text\n\n## REQUEST\n", "no ESCALATION title line"),
        ("## BUSINESS IMPACT\n\n# ESCALATION: late title\n", "no ESCALATION title line"),
        ("# not an escalation document\n", "no ESCALATION title line"),  # a heading, nothing else
        ("## BUSINESS IMPACT\n\n- Affected: 3 customers\n", "no ESCALATION title line"),
    ],
)
def test_malformed_documents_name_the_section(pb: Playbook, text: str, message: str) -> None:
    with pytest.raises(DocumentError) as caught:
        parse(text, pb)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("text", "warning", "unplaced"),
    [
        (
            PLAIN_TEMPLATE.replace("REQUEST\n", "The wish list\n"),
            "missing section: REQUEST",
            None,
        ),
        (
            PLAIN_TEMPLATE.replace("PROBLEM NARRATIVE\n", ""),
            "missing section: PROBLEM NARRATIVE",
            None,
        ),
        (PLAIN_TEMPLATE + "REQUEST\n- again\n", "duplicate section: REQUEST", None),
        (
            PLAIN_TEMPLATE.replace("Severity: Critical", "Severity: Sev1"),
            "Severity: unknown severity 'Sev1'",
            "Severity: Sev1",
        ),
        (
            PLAIN_TEMPLATE.replace("Engineering / Security", "Engineering, Ops"),
            "Routed to: unknown destination 'Ops'",
            "Routed to: Ops",
        ),
        (
            PLAIN_TEMPLATE.replace("- Affected customers: 12", "- 12"),
            "BUSINESS IMPACT: no label on the line '12 customers on the EU cluster'",
            "12 customers on the EU cluster",
        ),
    ],
)
def test_what_cannot_be_placed_is_kept_and_reported_never_refused(
    pb: Playbook, text: str, warning: str, unplaced: str | None
) -> None:
    from workbench.document.parse import read_document

    case, report = read_document(text, pb, now=NOW, tz=UTC)
    assert any(w.startswith(warning) for w in report.warnings), report.warnings
    if unplaced is not None:
        assert unplaced in case.unplaced
        assert any(item.text == unplaced and item.line for item in report.unplaced)


def test_severity_override_only_when_the_document_disagrees(pb: Playbook) -> None:
    base = Escalation(business_impact=BusinessImpact(sla_position="At risk"))
    text = render(base, pb)  # no rules signal but the SLA line -> no severity stated
    assert "Severity: [not provided]" in text
    assert parse(text, pb).severity_override is None
    assert render(parse(text, pb), pb) == text
    stated = text.replace("Severity: [not provided]", "Severity: High")
    assert parse(stated, pb).severity_override is None  # High is what "At risk" suggests
    stated = text.replace("Severity: [not provided]", "Severity: Critical")
    override = parse(stated, pb).severity_override
    assert override is not None and override.value == "critical"
    assert override.at == NOW


# -- samples ------------------------------------------------------------------------------------------
EXPECTED_SAMPLES = {
    "engineering-defect": ("engineering", None, "fix"),
    "security-report": ("security", "critical", "investigate"),
    "product-gap": ("product", None, "decide"),
}


def test_the_three_samples_are_there() -> None:
    assert sorted(s.stem for s in SAMPLES) == sorted(EXPECTED_SAMPLES)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_sample_imports_and_exports_byte_for_byte(pb: Playbook, sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    case = parse(text, pb)
    assert render(case, pb) == text
    destination, override, ask = EXPECTED_SAMPLES[sample.stem]
    assert case.routed_to == [destination]
    assert (case.severity_override.value if case.severity_override else None) == override
    assert case.request.ask_type == ask
    assert case.request.hard_deadline is not None
    assert PLACEHOLDER not in text
    steps = case.reproduction.steps
    assert steps and all(step.action for step in steps)
    if destination == "engineering":
        assert sum(bool(step.literal_input) for step in steps) >= 2


# -- the collector during a parse ---------------------------------------------------------------------
def test_the_token_stream_is_parsed_with_the_cyclic_collector_held_off(
    pb: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document's tokens are thousands of short-lived objects: a collection during the parse
    only promotes them (and, every few imports, was a full collection inside one)."""
    from workbench.document import blocks

    real = blocks.markdown_parser()
    seen: list[bool] = []

    class Watching:
        def parse(self, text: str) -> object:
            seen.append(gc.isenabled())
            return real.parse(text)

    monkeypatch.setattr(blocks, "markdown_parser", lambda: Watching())
    text = GOLDEN.read_text(encoding="utf-8")
    assert gc.isenabled()
    parse(text, pb)
    assert seen == [False] and gc.isenabled()  # held off for the tokens, on again after
    gc.disable()  # a caller that holds it off keeps it off
    try:
        parse(text, pb)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(DocumentError):
        parse("# not an escalation document\n", pb)
    assert gc.isenabled()  # on again after a document that fails too


def test_a_parse_leaves_no_cycle_for_the_collector(pb: Playbook) -> None:
    """Why holding the collector off is safe: reference counting frees everything a parse made."""
    text = GOLDEN.read_text(encoding="utf-8")
    parse(text, pb)  # first use builds the parser and caches
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            parse(text, pb)
        assert gc.collect() == 0
    finally:
        gc.enable()
