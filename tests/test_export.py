"""The escalation document as the workbench writes it: the golden rendering, the placeholders for
what is not filled in, and what the document shows from the playbook's rules and the case's log.
Reading documents back (hand-written ones, malformed ones, the samples) is in test_export_parse."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.export_helpers import GOLDEN, NOW, PLACEHOLDER, parse, render
from workbench.document import format_time, parse_markdown, parse_time, render_markdown
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


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


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
