"""A line of typed text that names a section (a heading of the template, or one of the names
colleagues give it: "Impact", "Comms", "Steps to reproduce", in capitals, numbered, with a colon
or a remark in brackets) is read back as text, not as the start of that section: the parse finds
sections in paragraph lines too (documents typed as plain text), so the export writes such a line
as literal text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workbench.document import parse_markdown, render_markdown, render_plain
from workbench.document.sections import names_section
from workbench.models import ActionTaken, Escalation, Reproduction, ReproStep
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
