"""Lint on text: a sentence counter that abbreviations, versions, decimals and URLs do not fool;
lint on free text never crashes; asks, numbers and dates in their wording; phrase matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.lint_helpers import NARRATIVE, NOW, clean_case, only
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
    count_sentences,
    field_text,
    lint_case,
)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


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
