"""Lint: the playbook's operating principles and reproduction advice as checks, each quoting the
playbook (the sentence counter and lint on free text: tests/test_rules_lint_text.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.lint_helpers import (
    ASK,
    DEADLINE,
    ENVIRONMENT,
    EVIDENCE,
    EXACT,
    LITERAL,
    NARRATIVE,
    NOW,
    QUANTIFY,
    REPRO,
    clean_case,
    only,
    rules,
)
from workbench.models import (
    Escalation,
    ReproStep,
    Status,
    TriageAnswer,
)
from workbench.playbook import Playbook, default_playbook
from workbench.rules.lint import lint_case


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def test_a_clean_case_has_no_findings(pb: Playbook) -> None:
    assert lint_case(clean_case(), pb, NOW) == []


def test_the_advice_texts_are_the_playbooks(pb: Playbook) -> None:
    principles = {p.id: p.text for p in pb.principles}
    assert (principles["quantify"], principles["repro"], principles["ask"]) == (
        QUANTIFY,
        REPRO,
        ASK,
    )
    assert principles["deadline"] == DEADLINE
    advice = pb.reproduction.advice
    assert (advice.exact_actions, advice.literal_inputs, advice.environment) == (
        EXACT,
        LITERAL,
        ENVIRONMENT,
    )


# -- adjectives where numbers belong ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "label", "screen"),
    [
        ("business_impact.affected_customers", "Affected customers", "impact"),
        ("business_impact.operational_effect", "Operational effect", "impact"),
        ("business_impact.revenue_exposure", "Revenue exposure", "impact"),
        ("narrative", "Narrative", "details"),
        ("request.ask", "Request", "details"),
        ("request.deadline_text", "Request", "details"),
    ],
)
def test_adjectives_are_flagged_in_each_quantified_field(
    pb: Playbook, path: str, label: str, screen: str
) -> None:
    case = clean_case()
    section, _, name = path.rpartition(".")
    target = getattr(case, section) if section else case
    setattr(target, name, "Many users, a HUGE loss")
    (finding,) = only(lint_case(case, pb, NOW), "adjective")
    assert finding.field == path
    assert finding.screen == screen
    assert finding.message == f'{label}: "many", "huge" where a number belongs.'
    assert finding.advice == QUANTIFY


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Many customers", ["many"]),
        ("A  LOT of tickets", ["a lot"]),
        ("Customers in Germany", []),
        ("The company lost $40,000", []),
        ("alot of users", []),
        ("Fix it ASAP!", ["asap"]),
        ("several (numerous) accounts", ["several", "numerous"]),
        ("all users in the EU", ["all users"]),
        ("412 customers, 9,800 end users", []),
    ],
)
def test_adjectives_match_whole_words_case_insensitively(
    pb: Playbook, text: str, flagged: list[str]
) -> None:
    case = clean_case()
    case.business_impact.affected_customers = text
    found = only(lint_case(case, pb, NOW), "adjective")
    if flagged:
        assert found[0].message.split(": ", 1)[1].startswith(", ".join(f'"{w}"' for w in flagged))
    else:
        assert found == []


def test_adjectives_in_steps_are_not_the_adjective_rule(pb: Playbook) -> None:
    case = clean_case()
    case.reproduction.steps[0].action = "Open many reports"
    assert only(lint_case(case, pb, NOW), "adjective") == []


# -- reproduction steps ----------------------------------------------------------------------------
def test_a_vague_action_quotes_exact_actions(pb: Playbook) -> None:
    case = clean_case()
    case.reproduction.steps[1].action = "Try exporting the report"
    (finding,) = lint_case(case, pb, NOW)
    assert finding.rule == "vague_step"
    assert finding.field == "reproduction.steps.1.action"
    assert finding.screen == "reproduction"
    assert finding.message.startswith('Step 2 is vague ("try")')
    assert finding.advice == EXACT


@pytest.mark.parametrize(
    "action",
    ["Click around the settings", "Do the thing with the filters", "Open Reports etc."],
)
def test_vague_actions(pb: Playbook, action: str) -> None:
    case = clean_case()
    case.reproduction.steps[0].action = action
    assert rules(lint_case(case, pb, NOW)) == ["vague_step"]


def test_the_playbooks_good_example_is_not_vague(pb: Playbook) -> None:
    case = clean_case()
    case.reproduction.steps = [
        ReproStep(
            action="Select the Export CSV button in the upper-right corner of the Reports view"
        )
    ]
    assert lint_case(case, pb, NOW) == []


def test_a_vague_input_in_the_action_quotes_literal_inputs(pb: Playbook) -> None:
    case = clean_case()
    case.reproduction.steps[2] = ReproStep(action="Enter a value in the Limit field")
    # One finding: the missing literal input is the same problem.
    (finding,) = lint_case(case, pb, NOW)
    assert finding.rule == "vague_input"
    assert finding.field == "reproduction.steps.2.action"
    assert finding.message == 'Step 3 uses "a value": give the literal value used.'
    assert finding.advice == LITERAL


def test_a_vague_literal_input(pb: Playbook) -> None:
    case = clean_case()
    case.reproduction.steps[2].literal_input = "some value"
    (finding,) = lint_case(case, pb, NOW)
    assert (finding.rule, finding.field) == ("vague_input", "reproduction.steps.2.literal_input")


@pytest.mark.parametrize(
    ("action", "literal", "flagged"),
    [
        ("Type the customer's name into Search", "", True),
        ("Paste the token into the API key field", "", True),
        ("Upload the spreadsheet", "", True),
        ("Type the customer's name into Search", "Acme GmbH", False),
        ("Type 'ACME-42' into Search", "", False),
        ("Enter 10001 in the Limit field", "", False),
        ("Press Enter", "", False),
        ("Hit the enter key on the login form", "", False),
        ("Select the Export CSV button", "", False),
    ],
)
def test_typing_without_a_literal_input(
    pb: Playbook, action: str, literal: str, flagged: bool
) -> None:
    case = clean_case()
    case.reproduction.steps[0] = ReproStep(action=action, literal_input=literal)
    findings = only(lint_case(case, pb, NOW), "vague_input")
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].field == "reproduction.steps.0.literal_input"
        assert "no literal input" in findings[0].message


# -- defects ---------------------------------------------------------------------------------------
def bare_defect(**fields: object) -> Escalation:
    case = clean_case()
    case.reproduction = type(case.reproduction)()
    for name, value in fields.items():
        setattr(case, name, value)
    return case


def test_a_defect_without_reproduction(pb: Playbook) -> None:
    findings = lint_case(bare_defect(), pb, NOW)
    assert rules(findings) == ["no_repro", "no_expected", "no_observed", "no_environment"]
    by_rule = {f.rule: f for f in findings}
    assert by_rule["no_repro"].field == "reproduction.steps"
    assert by_rule["no_repro"].advice == REPRO
    assert by_rule["no_expected"].field == "reproduction.expected"
    assert by_rule["no_observed"].field == "reproduction.observed"
    assert by_rule["no_observed"].advice == EVIDENCE
    assert by_rule["no_environment"].field == "reproduction.environment"
    assert by_rule["no_environment"].advice == ENVIRONMENT
    assert {f.screen for f in findings} == {"reproduction"}


@pytest.mark.parametrize(
    "how",
    [
        {"routed_to": ["engineering"], "title": "Question"},
        {"routed_to": [], "title": "Question", "triage": {"esc.technical.data_loss": True}},
        {"routed_to": ["product"], "title": "Export fails on large reports"},
        {"routed_to": ["product"], "title": "HTTP 500 on export"},
        {"routed_to": [], "title": "The app crashes on login"},
        {"routed_to": [], "title": "Q", "triage": {"dest.engineering.code_change": True}},
    ],
)
def test_what_makes_a_defect(pb: Playbook, how: dict[str, object]) -> None:
    triage = how.pop("triage", {})
    case = bare_defect(**how)
    case.triage = {k: TriageAnswer(checked=v) for k, v in triage.items()}  # type: ignore[attr-defined]
    assert "no_repro" in rules(lint_case(case, pb, NOW))


def test_the_observed_outcome_can_make_a_defect(pb: Playbook) -> None:
    case = bare_defect(routed_to=["leadership"], title="Customer unhappy")
    case.reproduction.observed = "The page shows an exception"
    assert rules(lint_case(case, pb, NOW)) == ["no_repro", "no_expected", "no_environment"]


@pytest.mark.parametrize(
    ("title", "routed"),
    [("How to set up SSO", ["l2"]), ("Wants scheduled exports", ["product"]), ("Errors", [])],
)
def test_not_a_defect_needs_no_reproduction(pb: Playbook, title: str, routed: list[str]) -> None:
    case = bare_defect(title=title, routed_to=routed)
    assert not {"no_repro", "no_expected", "no_observed", "no_environment"} & set(
        rules(lint_case(case, pb, NOW))
    )


# -- the request -----------------------------------------------------------------------------------
def test_no_deadline(pb: Playbook) -> None:
    case = clean_case()
    case.request.hard_deadline = None
    (finding,) = lint_case(case, pb, NOW)
    assert (finding.rule, finding.field, finding.screen) == (
        "no_deadline",
        "request.hard_deadline",
        "details",
    )
    assert finding.message == "No hard deadline."
    assert finding.advice == DEADLINE


def test_a_deadline_that_is_not_a_time(pb: Playbook) -> None:
    case = clean_case()
    case.request.hard_deadline = None
    case.request.deadline_text = "ASAP"
    findings = lint_case(case, pb, NOW)
    assert rules(findings) == ["adjective", "no_deadline"]
    assert findings[1].message == 'The deadline "ASAP" is not a date and time.'


def test_a_deadline_in_the_past(pb: Playbook) -> None:
    case = clean_case()
    case.request.hard_deadline = NOW - timedelta(minutes=1)
    (finding,) = lint_case(case, pb, NOW)
    assert finding.rule == "deadline_past"
    assert finding.advice == DEADLINE


def test_a_deadline_exactly_now_is_not_past(pb: Playbook) -> None:
    case = clean_case()
    case.request.hard_deadline = NOW
    assert lint_case(case, pb, NOW) == []


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.DE_ESCALATED])
def test_a_past_deadline_on_a_closed_case_is_not_flagged(pb: Playbook, status: Status) -> None:
    case = clean_case()
    case.status = status
    case.request.hard_deadline = NOW - timedelta(days=3)
    assert lint_case(case, pb, NOW) == []


def test_no_ask_type(pb: Playbook) -> None:
    case = clean_case()
    case.request.ask_type = None
    case.request.ask = "Please have a look at the export timeout"  # no ask in its wording
    (finding,) = lint_case(case, pb, NOW)
    assert (finding.rule, finding.field, finding.screen) == (
        "no_ask",
        "request.ask_type",
        "details",
    )
    assert finding.advice == ASK
    assert "investigate / ship a fix / make a decision / approve an exception" in finding.message


# -- the narrative ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("narrative", "message"),
    [
        ("", "The narrative has 0 sentences; the playbook asks for 3-5."),
        ("Export fails.", "The narrative has 1 sentence; the playbook asks for 3-5."),
        (
            "Export fails. Since Monday.",
            "The narrative has 2 sentences; the playbook asks for 3-5.",
        ),
        (
            "A. B b. C c. D d. E e. F f.",
            "The narrative has 6 sentences; the playbook asks for 3-5.",
        ),
    ],
)
def test_a_narrative_outside_3_to_5_sentences(pb: Playbook, narrative: str, message: str) -> None:
    case = clean_case()
    case.narrative = narrative
    (finding,) = lint_case(case, pb, NOW)
    assert (finding.rule, finding.field, finding.screen) == (
        "narrative_length",
        "narrative",
        "details",
    )
    assert finding.message == message
    assert finding.advice == NARRATIVE


@pytest.mark.parametrize(
    "narrative",
    [
        "One thing. Two things. Three things.",
        "One. Two. Three. Four. Five.",
        # Abbreviations, versions, decimals and URLs do not split: three sentences.
        "Since v2.3.1 exports fail, e.g. for CSV and XLSX. It began at 9 a.m. on 23.11.2026 "
        "after the 4.2 release. Details are at https://status.acme.io/incidents/42.html today.",
    ],
)
def test_a_narrative_of_3_to_5_sentences_passes(pb: Playbook, narrative: str) -> None:
    case = clean_case()
    case.narrative = narrative
    assert lint_case(case, pb, NOW) == []
