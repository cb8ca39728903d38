"""The escalation document: the golden rendering, placeholders, the playbook's rules in the document,
import of hand-written documents, errors that name the section, and the shipped samples."""

from __future__ import annotations

import gc
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from workbench.document import (
    IMPORTED_SEVERITY_REASON,
    DocumentError,
    format_time,
    parse_markdown,
    parse_time,
    render_markdown,
)
from workbench.models import (
    ActionTaken,
    Baseline,
    BusinessImpact,
    Communication,
    Environment,
    Escalation,
    ImpactInputs,
    LogEntry,
    LogKind,
    Override,
    References,
    Reproduction,
    ReproStep,
    Request,
    TriageAnswer,
)
from workbench.playbook import Playbook, default_playbook

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "full-case.md"
SAMPLES = sorted((ROOT / "data" / "samples").glob("*.md"))
PLACEHOLDER = "[not provided]"


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def render(case: Escalation, pb: Playbook) -> str:
    return render_markdown(case, pb, NOW, tz=UTC)


def parse(text: str, pb: Playbook) -> Escalation:
    return parse_markdown(text, pb, now=NOW, tz=UTC)


def full_case() -> Escalation:
    """Every field of the document filled, as in the format notes' example."""
    return Escalation(
        title="CSV export fails for reports over 10,000 rows",
        customer="Acme Corp, Globex, Initech",
        routed_to=["engineering"],
        severity_override=Override(value="high", reason="Finance month-end close", at=NOW),
        impact=ImpactInputs(
            customers_affected=3,
            end_users_affected=1200,
            growing=True,
            depth="blocked",
            arr_exposed=180_000,
            pipeline_at_risk=50_000,
            sla="at_risk",
        ),
        business_impact=BusinessImpact(
            operational_effect="Finance teams cannot export month-end reports; fully blocked"
        ),
        narrative=(
            "Since 2026-11-24 09:00 UTC, exporting any report with more than 10,000 rows to CSV "
            "fails with error E-1042 after 30 seconds. Reports up to 10,000 rows export normally. "
            "Three enterprise customers have reported it, and their finance teams need the exports "
            "for the month-end close on 2026-11-30."
        ),
        reproduction=Reproduction(
            baseline=Baseline(
                account_type="Enterprise admin",
                configuration="SSO on",
                permissions="Admin",
                prerequisites="a saved report with 10,001 rows",
            ),
            steps=[
                ReproStep(
                    action="Open Reports and search for the saved report", literal_input="4471"
                ),
                ReproStep(
                    action="Select the Export CSV button in the upper-right corner of the "
                    "Reports view"
                ),
                ReproStep(
                    action="In the Export dialog, set the delimiter and select Download",
                    literal_input=";",
                ),
            ],
            expected="A CSV file with 10,001 rows downloads",
            observed='Error "Export failed (E-1042)" after 30 s',
            environment=Environment(
                browser="Chrome 122",
                os="macOS 14.3",
                plan_tier="Enterprise",
                feature_flags="new_export",
                other="EU region",
            ),
            frequency="Every time, above 10,000 rows",
            evidence="HAR file attached; console shows 504 from /api/export",
            eliminations="Reproduced in both Chrome 122 and Safari 17",
        ),
        actions=[
            ActionTaken(tried="Cleared browser cache", outcome="No change"),
            ActionTaken(tried="Exported in two halves of 5,000 rows", outcome="Both succeed"),
        ],
        log=[
            LogEntry(
                at=datetime(2026, 11, 26, 14, 0, tzinfo=UTC),
                kind=LogKind.CUSTOMER_UPDATE,
                summary="told the customer engineering is investigating",
                expectation="A fix or workaround by Friday 27 Nov",
            )
        ],
        communication=Communication(escalation_risk="High: CFO has asked for an executive call"),
        request=Request(
            ask_type="fix",
            ask="restore CSV export above 10,000 rows",
            hard_deadline=datetime(2026, 11, 28, 17, 0, tzinfo=UTC),
        ),
        references=References(
            tickets=["https://support.example.com/tickets/4471"],
            threads=["#eng-reports thread 2026-11-26"],
            files=["export-4471.har", "console-2026-11-26.txt"],
        ),
        linked=[12, 40],
    )


# -- golden -------------------------------------------------------------------------------------------
def test_full_case_renders_byte_for_byte_to_the_golden_file(pb: Playbook) -> None:
    text = render(full_case(), pb)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_golden_file_is_tidy_markdown(pb: Playbook) -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert "\n\n\n" not in text
    assert PLACEHOLDER not in text  # fully filled
    headings = [line for line in text.split("\n") if line.startswith("#")]
    doc = pb.document
    assert headings == [
        f"# {doc.title_label}: CSV export fails for reports over 10,000 rows",
        *(f"## {heading}" for heading in doc.headings.model_dump().values()),
    ]


def test_golden_file_reads_back_to_the_same_document(pb: Playbook) -> None:
    text = GOLDEN.read_text(encoding="utf-8")
    case = parse(text, pb)
    assert render(case, pb) == text
    assert case.title == "CSV export fails for reports over 10,000 rows"
    assert case.reproduction.steps[0].literal_input == "4471"
    assert case.request.hard_deadline == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert case.linked == [12, 40]


# -- placeholders -------------------------------------------------------------------------------------
def half_case() -> Escalation:
    return Escalation(
        title="Dashboard widgets load slowly",
        narrative="Widgets take 20 s to load since Monday.",
        reproduction=Reproduction(
            environment=Environment(browser="Firefox 133"), expected="Widgets load within 2 s"
        ),
        request=Request(ask_type="investigate"),
        references=References(threads=["#perf thread"]),
    )


def test_every_empty_field_shows_the_placeholder(pb: Playbook) -> None:
    text = render(half_case(), pb)
    labels = pb.document.labels
    lines = text.split("\n")
    for expected in [
        f"{pb.document.severity_label}: {PLACEHOLDER}",
        f"{pb.document.routed_label}: {PLACEHOLDER}",
        f"- {labels.affected_customers}: {PLACEHOLDER}",
        f"- {labels.operational_effect}: {PLACEHOLDER}",
        f"- {labels.revenue_exposure}: {PLACEHOLDER}",
        f"- {labels.sla_position}: {PLACEHOLDER}",
        f"1. {PLACEHOLDER}",
        f"{labels.observed}: {PLACEHOLDER}",
        f"- {labels.most_recent_update}: {PLACEHOLDER}",
        f"- {labels.customer_expectation}: {PLACEHOLDER}",
        f"- {labels.escalation_risk}: {PLACEHOLDER}",
        f"- {pb.ask_label('investigate')}: {PLACEHOLDER}",
        f"- {labels.hard_deadline}: {PLACEHOLDER}",
        f"- {labels.tickets}: {PLACEHOLDER}",
        f"- {labels.files}: {PLACEHOLDER}",
    ]:
        assert expected in lines, expected
    # The optional reproduction lines (not in the template) appear only when filled in.
    for optional in (labels.baseline, labels.frequency, labels.evidence, labels.eliminations):
        assert f"{optional}:" not in text, optional
    # Filled fields are not placeholders; actions and steps show one placeholder item each.
    assert f"{labels.expected}: Widgets load within 2 s" in lines
    assert f"{labels.environment}: Browser: Firefox 133" in lines
    assert f"- {labels.threads}:" in lines and "  - #perf thread" in lines
    section = text.split(f"## {pb.document.headings.actions}\n\n")[1]
    assert section.startswith(f"1. {PLACEHOLDER}\n")
    assert f"{labels.linked_cases}" not in text  # only when there are linked cases


def test_an_empty_case_keeps_every_heading_and_label(pb: Playbook) -> None:
    text = render(Escalation(), pb)
    assert text.startswith(f"# {pb.document.title_label}: {PLACEHOLDER}\n")
    for heading in pb.document.headings.model_dump().values():
        assert f"\n## {heading}\n" in text
    optional = {"linked_cases", "baseline", "frequency", "evidence", "eliminations"}
    for name, label in pb.document.labels.model_dump().items():
        if name not in optional:
            assert f"{label}: {PLACEHOLDER}" in text, label
        else:
            assert f"{label}:" not in text, label
    assert f"\n## {pb.document.headings.request}\n\n- {PLACEHOLDER}\n" in text
    case = parse(text, pb)
    assert render(case, pb) == text


def test_placeholder_typed_literally_is_in_a_code_span_and_kept(pb: Playbook) -> None:
    case = Escalation(narrative=PLACEHOLDER, reproduction=Reproduction(expected=PLACEHOLDER))
    text = render(case, pb)
    assert (
        f"\n`{PLACEHOLDER}`\n" in text and f"{pb.document.labels.expected}: `{PLACEHOLDER}`" in text
    )
    assert "\\" not in text
    back = parse(text, pb)
    assert back.narrative == PLACEHOLDER
    assert back.reproduction.expected == PLACEHOLDER


# -- what the document shows --------------------------------------------------------------------------
def test_severity_and_destinations_come_from_the_rules(pb: Playbook) -> None:
    case = Escalation(
        title="Data loss",
        triage={"esc.technical.data_loss": TriageAnswer(checked=True)},
    )
    text = render(case, pb)
    assert f"{pb.document.severity_label}: Critical\n" in text
    assert f"{pb.document.routed_label}: Engineering\n" in text
    overridden = case.model_copy(
        update={
            "severity_override": Override(value="medium", reason="workaround"),
            "routed_to": ["security", "leadership"],
        }
    )
    text = render(overridden, pb)
    assert f"{pb.document.severity_label}: Medium\n" in text
    assert f"{pb.document.routed_label}: Security, Leadership\n" in text


def test_business_impact_is_composed_from_the_numbers(pb: Playbook) -> None:
    case = Escalation(
        customer="Acme",
        impact=ImpactInputs(
            customers_affected=1,
            end_users_affected=12_500,
            depth="degraded",
            arr_exposed=1_234_567.5,
            currency="EUR",
            sla="breached",
            penalties_apply=True,
        ),
    )
    text = render(case, pb)
    labels = pb.document.labels
    assert f"- {labels.affected_customers}: 1 customer, 12,500 end users: Acme\n" in text
    assert f"- {labels.operational_effect}: Degraded\n" in text
    assert f"- {labels.revenue_exposure}: EUR 1,234,567.50 ARR exposed\n" in text
    assert f"- {labels.sla_position}: Breached; contractual penalties apply\n" in text
    back = parse(text, pb)
    assert back.impact.sla == "breached"
    assert render(back, pb) == text


def test_typed_business_impact_wins_over_the_numbers(pb: Playbook) -> None:
    case = Escalation(
        impact=ImpactInputs(customers_affected=3),
        business_impact=BusinessImpact(affected_customers="3 hospitals in Ohio"),
    )
    assert "- Affected customers: 3 hospitals in Ohio\n" in render(case, pb)


def test_latest_customer_update_from_the_log_wins(pb: Playbook) -> None:
    case = Escalation(
        communication=Communication(
            most_recent_update="typed update", customer_expectation="typed expectation"
        ),
        log=[
            LogEntry(at=NOW - timedelta(hours=5), kind=LogKind.CUSTOMER_UPDATE, summary="older"),
            LogEntry(at=NOW - timedelta(hours=1), kind=LogKind.CUSTOMER_UPDATE, summary="latest"),
            LogEntry(at=NOW, kind=LogKind.TEAM_CHECKIN, summary="team only"),
        ],
    )
    text = render(case, pb)
    assert "- Most recent update: 2026-11-26 14:00 UTC: latest\n" in text
    assert "- Customer expectation: typed expectation\n" in text


def test_last_logged_expectation_outlives_an_update_that_does_not_restate_it(pb: Playbook) -> None:
    case = Escalation(
        communication=Communication(customer_expectation="typed expectation"),
        log=[
            LogEntry(
                at=NOW - timedelta(hours=5),
                kind=LogKind.CUSTOMER_UPDATE,
                summary="engineering engaged",
                expectation="Fix by Fri 17:00",
            ),
            LogEntry(
                at=NOW - timedelta(hours=1), kind=LogKind.CUSTOMER_UPDATE, summary="still on it"
            ),
        ],
    )
    text = render(case, pb)
    assert "- Most recent update: 2026-11-26 14:00 UTC: still on it\n" in text
    assert "- Customer expectation: Fix by Fri 17:00\n" in text


def test_times_are_rendered_in_the_zone_given(pb: Playbook) -> None:
    deadline = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    case = Escalation(request=Request(hard_deadline=deadline))
    for tz, shown in [
        (UTC, "2026-11-28 17:00 UTC"),
        (ZoneInfo("Europe/Berlin"), "2026-11-28 18:00 CET"),
        (ZoneInfo("America/New_York"), "2026-11-28 12:00 EST"),
        (ZoneInfo("Asia/Kathmandu"), "2026-11-28 22:45 +05:45"),
    ]:
        text = render_markdown(case, pb, NOW, tz=tz)
        assert f"- Hard deadline: {shown}\n" in text
        assert parse_markdown(text, pb, now=NOW).request.hard_deadline == deadline


def test_time_format_is_to_the_minute_with_the_zone() -> None:
    value = datetime(2026, 3, 29, 0, 59, 30, 250, tzinfo=UTC)
    text = format_time(value, ZoneInfo("Europe/London"))
    assert text == "2026-03-29 00:59 GMT"  # no seconds, no microseconds; not rounded up
    assert parse_time(text) == value.replace(second=0, microsecond=0)
    summer = format_time(datetime(2026, 7, 1, 12, 5, 59, tzinfo=UTC), ZoneInfo("Europe/London"))
    assert summer == "2026-07-01 13:05 BST"
    odd = format_time(datetime(2026, 7, 1, 12, 5, tzinfo=UTC), ZoneInfo("Asia/Kathmandu"))
    assert odd == "2026-07-01 17:50 +05:45"
    assert parse_time("2026-11-28T17:00:00+01:00") == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    assert parse_time("2026-11-28 17:00", UTC) == datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    for text in ["Friday 17:00", "2026-13-01 10:00 UTC", "2026-11-28 17:00 XYZ", "soon"]:
        assert parse_time(text, UTC) is None


def test_deadline_text_is_kept_and_never_read_as_a_time(pb: Playbook) -> None:
    case = Escalation(request=Request(deadline_text="end of day Friday"))
    # A phrase the import would read as a time against its own clock stays the agent's words.
    assert "- Hard deadline: `end of day Friday`\n" in render(case, pb)
    assert "- Hard deadline: by the next release\n" in render(
        Escalation(request=Request(deadline_text="by the next release")), pb
    )
    looks_like_time = Escalation(request=Request(deadline_text="2026-11-28 17:00 UTC"))
    text = render(looks_like_time, pb)
    back = parse(text, pb)
    assert back.request.hard_deadline is None
    assert back.request.deadline_text == "2026-11-28 17:00 UTC"
    assert render(back, pb) == text


def test_ask_without_a_type_and_labels_inside_values(pb: Playbook) -> None:
    case = Escalation(
        request=Request(ask="Ship a fix: or at least a workaround"),
        reproduction=Reproduction(
            steps=[ReproStep(action="Expected outcome: not a label — input: not a separator")],
            expected="first line\nObserved outcome: still the expected outcome",
        ),
    )
    text = render(case, pb)
    back = parse(text, pb)
    assert back.request.ask_type == "fix"  # the type its wording states, as the lint reads it
    assert back.request.ask == "Ship a fix: or at least a workaround"
    assert back.reproduction.steps == case.reproduction.steps
    assert back.reproduction.expected == case.reproduction.expected
    assert back.reproduction.observed == ""


def test_literal_inputs_are_code_spans_whatever_they_contain(pb: Playbook) -> None:
    inputs = ["report 4471", "a`b", "``", " padded ", "`edge`", "line one\nline two", "  "]
    case = Escalation(
        reproduction=Reproduction(steps=[ReproStep(action="Type", literal_input=i) for i in inputs])
    )
    text = render(case, pb)
    assert "1. Type — input: `report 4471`\n" in text
    assert "2. Type — input: ``a`b``\n" in text
    back = parse(text, pb)
    assert [step.literal_input for step in back.reproduction.steps] == inputs


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
