"""Typed text that looks like the document's structure comes back as typed text. A line that names
a section (a heading of the template, or one of the names colleagues give it: "Impact", "Comms",
"Steps to reproduce", in capitals, numbered, with a colon or a remark in brackets) is not the start
of that section: the parse finds sections in paragraph lines too (documents typed as plain text).
A line that starts with a label or another name the parse takes for one ("Actual: 502", "Logs:",
"Risk (churn): high") is not a field of its own in a labelled section; in the narrative, where
nothing is a field, it stays prose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.document import parse_markdown, render_markdown, render_plain
from workbench.document.sections import names_section
from workbench.models import (
    ActionTaken,
    BusinessImpact,
    Communication,
    Escalation,
    References,
    Reproduction,
    ReproStep,
    Request,
)
from workbench.playbook import default_playbook

PB = default_playbook()
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)

HEADING_LINES = [
    "Impact",
    "Comms",
    "Description",
    "problem statement",
    "What we need",
    "Steps to reproduce",
    "PROBLEM NARRATIVE",
    "Impact (see below)",
    "IMPACT: 12 customers blocked",
    "THE ASK: a fix by Friday",
    "ii. Impact",
    "a) Impact",
    "Reproduction procedure (for defects)",
    "Actions:",
]


def _with(field: str, text: str) -> Escalation:
    case = Escalation(title="Checkout fails", customer="Acme", created_at=NOW, updated_at=NOW)
    if field == "narrative":
        case.narrative = text
    elif field == "observed":
        case.reproduction = Reproduction(observed=text)
    elif field == "step":
        case.reproduction = Reproduction(steps=[ReproStep(action=text)])
    else:
        case.actions = [ActionTaken(tried=text, outcome="no change")]
    return case


def _read(case: Escalation, field: str) -> str:
    if field == "narrative":
        return case.narrative
    if field == "observed":
        return case.reproduction.observed
    if field == "step":
        return case.reproduction.steps[0].action if case.reproduction.steps else ""
    return case.actions[0].tried if case.actions else ""


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize("field", ["narrative", "observed", "step", "action"])
@pytest.mark.parametrize("line", HEADING_LINES)
def test_a_typed_line_naming_a_section_comes_back_as_text(
    line: str, field: str, render: object
) -> None:
    typed = (
        f"{line}\nThe export stops at 90%."
        if field in ("step", "action")
        else (f"Exports time out since Tuesday.\n{line}\nThe export stops at 90%.")
    )
    case = _with(field, typed)
    text = render(case, PB, NOW, tz=UTC)  # type: ignore[operator]
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert _read(back, field) == typed
    assert back.narrative == case.narrative  # nothing moved into the narrative, nor out


@pytest.mark.parametrize("line", HEADING_LINES)
def test_the_lines_the_parse_takes_for_headings_are_the_ones_named(line: str) -> None:
    assert names_section(PB.document, line)


@pytest.mark.parametrize(
    "line",
    [
        "Impact on EU customers is growing",
        "The comms went out at 10:00",
        "Description of the failing job: nightly export",
        "We need a fix by Friday",
        "Steps to reproduce are below.",
        "I" * 95,
    ],
)
def test_prose_that_starts_like_a_heading_is_not_one(line: str) -> None:
    assert not names_section(PB.document, line)


LABEL_LINES = [
    "Actual: 502 Bad Gateway",
    "Expected: 200 OK",
    "ACTUAL RESULT: a blank page",
    "Logs: gateway-eu-2.log",
    "Risk (churn): high",
    "Last update: called the customer",
    "Effect: invoices are late",
    "Deadline: Friday",
    "Customer: Acme finance",
    "Priority: P1",
    "Env: Chrome 131",
]
_LABELLED = ["observed", "evidence", "expected", "update", "effect", "ask", "tried", "outcome"]


def _labelled_case(field: str, text: str) -> Escalation:
    case = Escalation(title="Checkout fails", customer="Acme", created_at=NOW, updated_at=NOW)
    if field in ("observed", "evidence", "expected"):
        case.reproduction = Reproduction(**{field: text})
    elif field == "update":
        case.communication = Communication(most_recent_update=text)
    elif field == "effect":
        case.business_impact = BusinessImpact(operational_effect=text)
    elif field == "ask":
        case.request = Request(ask=text)
    elif field == "tried":
        case.actions = [ActionTaken(tried=text, outcome="no change")]
    else:
        case.actions = [ActionTaken(tried="restarted the export", outcome=text)]
    return case


def _labelled_value(case: Escalation, field: str) -> str:
    values = {
        "observed": case.reproduction.observed,
        "evidence": case.reproduction.evidence,
        "expected": case.reproduction.expected,
        "update": case.communication.most_recent_update,
        "effect": case.business_impact.operational_effect,
        "ask": case.request.ask,
        "tried": case.actions[0].tried if case.actions else "",
        "outcome": case.actions[0].outcome if case.actions else "",
    }
    return values[field]


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize("field", _LABELLED)
@pytest.mark.parametrize("line", LABEL_LINES)
def test_a_typed_line_starting_with_a_label_stays_in_its_field(
    line: str, field: str, render: object
) -> None:
    typed = f"Checkout fails for EU cards.\n{line}\nRetries do not help."
    case = _labelled_case(field, typed)
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC)  # type: ignore[operator]
    assert _labelled_value(back, field) == typed


@pytest.mark.parametrize("render", [render_markdown, render_plain])
def test_label_lines_in_the_narrative_stay_prose(render: object) -> None:
    typed = "Exports time out since Tuesday.\n" + "\n".join(LABEL_LINES)
    case = _with("narrative", typed)
    text = render(case, PB, NOW, tz=UTC)  # type: ignore[operator]
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert back.narrative == typed
    assert (back.title, back.customer, back.severity_override) == ("Checkout fails", "Acme", None)
    heading = PB.document.headings.narrative
    section = text.split(heading, 1)[1].split(PB.document.headings.reproduction, 1)[0]
    assert "Customer: Acme finance\n" in section
    assert "`" not in section  # prose, not a code block nor code spans


def _action_back(tried: str, outcome: str, render: object) -> list[tuple[str, str]]:
    """(tried, outcome) of each action read back from a case holding this one action."""
    case = _with("action", "x")
    case.actions = [ActionTaken(tried=tried, outcome=outcome)]
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC)  # type: ignore[operator]
    return [(a.tried, a.outcome) for a in back.actions]


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize(
    "tried",
    [
        "Restarted the worker => no change",
        "Cleared the cache → same error",
        "Retried --> 502",
        "Rolled back ⇒ fixed for one tenant",
        "Replayed the webhook — result: duplicated",
        "===>",
    ],
)
@pytest.mark.parametrize("outcome", ["", "Still failing"])
def test_what_was_tried_holding_an_arrow_stays_whole(
    tried: str, outcome: str, render: object
) -> None:
    assert _action_back(tried, outcome, render) == [(tried, outcome)]


@pytest.mark.parametrize("render", [render_markdown, render_plain])
def test_a_narrative_introducing_one_log_line_stays_prose_around_it(render: object) -> None:
    log = 'WARN export-7 <row id=88> skipped; retry=3 "*"'
    typed = f"The nightly export drops 3% of rows.\nThe worker log shows:\n{log}\n\nSteps:"
    case = _with("narrative", typed)
    text = render(case, PB, NOW, tz=UTC)  # type: ignore[operator]
    assert parse_markdown(text, PB, now=NOW, tz=UTC).narrative == typed
    if render is render_markdown:
        heading = PB.document.headings.narrative
        section = text.split(heading, 1)[1].split(PB.document.headings.reproduction, 1)[0]
        assert "```" not in section  # not the whole narrative in a code block
        drawn = 'WARN export-7 `<row id=88>` skipped; retry=3 `"*"`'  # only what Markdown alters
        assert "The worker log shows:\n" + drawn + "\n\nSteps:\n" in section


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize(
    ("tried", "outcome"),
    [
        ("Replayed the webhook\n— result: duplicated", ""),
        ("Restarted the worker\n– outcome: same", ""),
        ("Retried the job -\nresult: same 502", "no change"),
    ],
)
def test_a_separator_word_on_the_next_line_does_not_split_what_was_tried(
    tried: str, outcome: str, render: object
) -> None:
    assert _action_back(tried, outcome, render) == [(tried, outcome)]


@pytest.mark.parametrize("render", [render_markdown, render_plain])
def test_a_link_reference_definition_typed_as_text_stays(render: object) -> None:
    case = _with("narrative", "Exports fail.\n\n[JIRA-1]: https://jira.example/browse/JIRA-1")
    case.references = References(tickets=["[JIRA-2]: https://jira.example/browse/JIRA-2"])
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC)  # type: ignore[operator]
    assert back.narrative == case.narrative
    assert back.references.tickets == case.references.tickets


def test_label_like_text_where_the_parse_reads_no_label_is_written_as_typed() -> None:
    """Only a section whose parse takes a label protects lines starting like one: the title, what
    was tried and its outcome, and reference items are written plainly (an engineering lead
    reads them, and they come back exactly)."""
    case = Escalation(
        title="SLA: breach in 2h for Acme",
        customer="Acme",
        created_at=NOW,
        updated_at=NOW,
        actions=[
            ActionTaken(
                tried="Service: restarted billing-api",
                outcome="Customer: still sees 502\nSLA: clock keeps running",
            )
        ],
        references=References(tickets=["Ticket: https://support.example/t/61200"]),
        communication=Communication(escalation_risk="Risk: churn at renewal"),
    )
    text = render_markdown(case, PB, NOW, tz=UTC)
    assert "# ESCALATION: SLA: breach in 2h for Acme\n" in text
    assert "1. Service: restarted billing-api -> Customer: still sees 502\n" in text
    assert "   SLA: clock keeps running\n" in text
    assert "  - Ticket: https://support.example/t/61200\n" in text
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert (back.title, back.actions, back.references.tickets) == (
        case.title,
        case.actions,
        case.references.tickets,
    )
    assert back.communication.escalation_risk == "Risk: churn at renewal"
