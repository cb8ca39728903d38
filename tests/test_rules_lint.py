"""Lint: the playbook's operating principles and reproduction advice as checks, each quoting the
playbook; and a sentence counter that abbreviations, versions, decimals and URLs do not fool."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.models import (
    Environment,
    Escalation,
    ReproStep,
    Status,
    TriageAnswer,
)
from workbench.playbook import Playbook, default_playbook
from workbench.rules.lint import (
    _ENDS_IF_CAPITAL,
    _NEVER_ENDS,
    RULES,
    SCREENS,
    Finding,
    count_sentences,
    field_text,
    lint_case,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

# The playbook's words, written out: a finding must quote them.
QUANTIFY = (
    "Quantify impact with numbers, not adjectives -- measurable escalations get faster attention."
)
REPRO = (
    "For defects, reproduction steps are non-negotiable -- they are what engineering needs most."
)
ASK = (
    'Distinguish your ask: "investigate," "fix," and "decide" are different requests with '
    "different owners."
)
DEADLINE = "Attach a deadline to every escalation -- urgency without a timeline is ambiguous."
EXACT = (
    'Use exact actions: "Select the Export CSV button in the upper-right corner of the Reports '
    'view" not "try exporting."'
)
LITERAL = (
    "Specify literal inputs: Provide the actual data values, IDs, or strings used -- "
    'not "enter a value."'
)
ENVIRONMENT = (
    "Record the environment: Browser and version, operating system, account plan tier, "
    "active feature flags."
)
EVIDENCE = "Attach evidence: Screenshots, exact error text, network traces, browser console output."
NARRATIVE = (
    "3-5 sentences covering: what is happening, when it began, how it presents, "
    "and how wide the blast radius is"
)
GOOD_NARRATIVE = (
    "Since release 4.2 the CSV export returns HTTP 500 for reports over 10,000 rows. "
    "It began on Monday 23 November at 09:00 UTC. "
    "The Export CSV button spins for 30 s and then shows the error."
)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def clean_case() -> Escalation:
    """A case with nothing to flag: numbers, exact steps, a deadline and an ask."""
    return Escalation(
        title="CSV export returns HTTP 500 for large reports",
        routed_to=["engineering"],
        business_impact={
            "affected_customers": "3 customers (Acme, Globex, Initech)",
            "operational_effect": "No CSV exports above 10,000 rows",
            "revenue_exposure": "$120,000 ARR",
        },
        narrative=GOOD_NARRATIVE,
        reproduction={
            "steps": [
                ReproStep(action="Sign in as admin@acme.test on the Enterprise plan"),
                ReproStep(action="Open the Reports view and choose the report named Q3 Sales"),
                ReproStep(action="Type the row limit into the Limit field", literal_input="10001"),
                ReproStep(action="Select the Export CSV button in the upper-right corner"),
            ],
            "expected": "A CSV file downloads",
            "observed": "HTTP 500 after 30 s",
            "environment": Environment(browser="Chrome 122", os="macOS 14"),
        },
        request={
            "ask_type": "fix",
            "ask": "Ship a fix for the export timeout",
            "hard_deadline": NOW + timedelta(days=2),
        },
    )


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


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


# -- count_sentences -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("   \n ", 0),
        ("...", 0),
        ("?!", 0),
        ("no punctuation at all", 1),
        ("One. Two. Three.", 3),
        ("Is it fixed? No. The fix is pending!", 3),
        ("Upgrade to v2.3.1 broke it. Then what?", 2),
        ("It costs $2.50 per seat. We lost 3.5% of users.", 2),
        ("See https://example.com/a.b?c=1. Next sentence.", 2),
        ("Visit www.acme.io/docs.html for more.", 1),
        ("Use a tool, e.g. the CLI, i.e. the terminal. Done.", 2),
        ("Use a tool (e.g. the CLI). Done.", 2),
        ('He said "stop." Then he left.', 2),
        ("See No. 5 in the list.", 1),
        ("It broke at 5 p.m. yesterday.", 1),
        ("It broke at 5 p.m. The team was paged.", 2),
        ("Dr. Smith called. Mr. Jones too.", 2),
        ("Acme Inc. is a customer.", 1),
        ("Wait... what happened? Nothing!", 2),
        ("Version 10.0.19045. Works on 11.", 2),
        ("Write to j.doe@example.com today. Then wait.", 2),
        ("First paragraph without a stop\n\nSecond paragraph", 2),
        ("1. Open the page.\n2. Click export.", 2),
    ],
)
def test_count_sentences(text: str, count: int) -> None:
    assert count_sentences(text) == count


ABBREVIATIONS = _NEVER_ENDS | _ENDS_IF_CAPITAL | {"no"}
VOCABULARY = [
    "the", "export", "fails", "customer", "a", "i", "x", "report", "since", "monday", "v", "error",
    "csv", "button", "spins", "users", "acme", "eu", "login", "page", "it", "began", "after",
    "release", "and", "then", "shows", "blank", "timeout", "on", "large", "tenants", "stop", "z",
]  # fmt: skip
assert not ABBREVIATIONS & set(VOCABULARY)
words = st.sampled_from(VOCABULARY)
sentence = st.lists(words, min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize())
stop = st.sampled_from([".", "!", "?", "?!", "...", "…", '."', ".)"])


@settings(max_examples=60)
@given(
    st.lists(st.tuples(sentence, stop), min_size=1, max_size=8), st.sampled_from([" ", "\n", "  "])
)
def test_count_sentences_counts_generated_sentences(parts: list[tuple[str, str]], gap: str) -> None:
    text = gap.join(body + end for body, end in parts)
    assert count_sentences(text) == len(parts)


PROTECTED = [
    "e.g.",
    "i.e.",
    "vs.",
    "approx.",
    "Dr.",
    "v2.3.1",
    "3.14",
    "10.0.19045",
    "https://example.com/a.b?c=d.e",
    "www.acme.io/x.y",
    "j.doe@example.com",
    "No. 5",
]


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(sentence, st.sampled_from(PROTECTED), words),
        min_size=1,
        max_size=6,
    )
)
def test_abbreviations_versions_decimals_and_urls_do_not_split(
    parts: list[tuple[str, str, str]],
) -> None:
    text = " ".join(f"{head} {token} {tail}." for head, token, tail in parts)
    assert count_sentences(text) == len(parts)


@settings(max_examples=200)
@given(st.text())
def test_count_sentences_never_crashes_and_is_bounded(text: str) -> None:
    count = count_sentences(text)
    has_letter = any(ch.isalpha() for ch in text)
    assert (count > 0) is has_letter
    assert count <= len(text.split()) + text.count("\n") + 1


# -- lint on free text never crashes ---------------------------------------------------------------
free = st.text(max_size=200)
steps = st.lists(st.builds(ReproStep, action=free, literal_input=free), max_size=4)
dates = st.none() | st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def free_cases(draw: st.DrawFn) -> Escalation:
    pb = default_playbook()
    ticked = draw(st.sets(st.sampled_from([c.id for c in pb.all_criteria()]), max_size=4))
    return Escalation(
        title=draw(free),
        tier=draw(st.sampled_from(["L1", "L2", "manager"])),
        status=draw(st.sampled_from(list(Status))),
        triage={i: TriageAnswer(checked=True) for i in ticked},
        routed_to=draw(st.lists(st.sampled_from([d.id for d in pb.destinations]), max_size=2)),
        narrative=draw(free),
        business_impact={
            "affected_customers": draw(free),
            "operational_effect": draw(free),
            "revenue_exposure": draw(free),
        },
        reproduction={
            "steps": draw(steps),
            "expected": draw(free),
            "observed": draw(free),
            "environment": Environment(browser=draw(free)),
        },
        request={
            "ask_type": draw(st.none() | st.sampled_from(["investigate", "fix", "decide"])),
            "ask": draw(free),
            "deadline_text": draw(free),
            "hard_deadline": draw(dates),
        },
    )


CONTAINER_FIELDS = {
    "reproduction.steps",
    "reproduction.environment",
    "request.hard_deadline",
    "request.ask_type",
}


@settings(max_examples=60, deadline=None)
@given(free_cases())
def test_lint_on_free_text_never_crashes_and_findings_are_well_formed(case: Escalation) -> None:
    pb = default_playbook()
    advice_texts = (
        {p.text for p in pb.principles}
        | set(pb.reproduction.advice.model_dump().values())
        | {NARRATIVE}
    )
    for finding in lint_case(case, pb, NOW):
        assert finding.rule in RULES
        assert finding.screen in SCREENS
        assert finding.message
        assert finding.advice in advice_texts
        assert finding.field in CONTAINER_FIELDS or field_text(case, finding.field) is not None


@pytest.mark.parametrize(
    ("ask", "kind"),
    [
        ("Ship a fix", "fix"),
        ("Decision needed: whether we refund the double charge", "decide"),
        ("Please investigate the root cause", "investigate"),
        ("Approve a one-time exception to the overage policy", "exception"),
        ("We need Engineering to fix the retry and Leadership to sign off the refunds", "fix"),
        ("Need a decision on whether we offer a 15% credit", "decide"),
    ],
)
def test_an_ask_stated_in_its_wording_is_an_ask(pb: Playbook, ask: str, kind: str) -> None:
    from workbench.rules.asks import ask_type_of

    case = clean_case()
    case.request.ask_type = None
    case.request.ask = ask
    assert ask_type_of(ask, pb) == kind
    assert only(lint_case(case, pb, NOW), "no_ask") == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("about 40 accounts, all 1,800 users", []),
        ("a huge 2,300 end users", []),
        ("$85k, a significant share of the region", []),
        ("huge outage for 40 accounts", ["huge"]),
        ("many customers", ["many"]),
        ("12 tenants and then many more", ["many"]),
    ],
)
def test_an_adjective_beside_its_number_is_quantified(
    pb: Playbook, text: str, flagged: list[str]
) -> None:
    case = clean_case()
    case.business_impact.affected_customers = text
    found = only(lint_case(case, pb, NOW), "adjective")
    assert [f.message.split(": ", 1)[1].split(" where")[0] for f in found] == (
        [", ".join(f'"{w}"' for w in flagged)] if flagged else []
    )


def test_a_deadline_given_as_a_date_is_a_deadline(pb: Playbook) -> None:
    case = clean_case()
    case.request.hard_deadline = None
    case.request.deadline_text = "2026-12-15"
    case.request.deadline_date = (NOW + timedelta(days=1)).date()
    assert only(lint_case(case, pb, NOW), "no_deadline") == []
    assert only(lint_case(case, pb, NOW), "deadline_past") == []
    case.request.deadline_date = NOW.date()  # today: not past yet
    assert only(lint_case(case, pb, NOW), "deadline_past") == []
    case.request.deadline_date = (NOW - timedelta(days=1)).date()
    assert [f.rule for f in lint_case(case, pb, NOW)] == ["deadline_past"]


# -- phrase matching (workbench.rules._common) -------------------------------------------------------
_PHRASE_WORDS = st.sampled_from(["a", "lot", "many", "big", "Big", "users", "ünïcode", "c++", "$5"])
_PHRASES = st.lists(
    st.lists(_PHRASE_WORDS, min_size=0, max_size=3).map(" ".join), min_size=0, max_size=6
)
_TEXT = st.lists(
    st.one_of(_PHRASE_WORDS, st.sampled_from([" ", "  ", "\n", ",", "-", "_", "x", "é", "3"])),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, phrases=_PHRASES)
def test_finding_phrases_in_one_search_finds_what_one_search_each_finds(
    text: str, phrases: list[str]
) -> None:
    """The one search for all the phrases only saves time: whatever it lets through, the
    phrases found are those a search for each alone finds, in list order, once each."""
    from workbench.rules._common import find_phrases, phrase_pattern

    expected: list[str] = []
    if text.strip():
        for phrase in phrases:
            if phrase.strip() and phrase not in expected and phrase_pattern(phrase).search(text):
                expected.append(phrase)
    assert find_phrases(text, phrases) == expected
    assert find_phrases(text, iter(phrases)) == expected  # any iterable, read once


def test_a_phrase_inside_a_longer_one_is_found_beside_it() -> None:
    from workbench.rules._common import find_phrases

    assert find_phrases("we saw A  lot of errors", ["a lot", "lot", "lots"]) == ["a lot", "lot"]
    assert find_phrases("lots of them", ["lot"]) == []  # whole words only
    assert find_phrases("", ["lot"]) == [] and find_phrases("lot", ["", " "]) == []
