"""Similar-case ranking: the right past cases rank first, on hand-made cases and on a labelled history."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.history_data import PROBLEMS, labelled_history
from workbench.history import (
    SAME_PROBLEM_SCORE,
    SimilarityIndex,
    error_codes,
    feature_flags,
    quoted_errors,
    rank_similar,
)
from workbench.models import Environment, Escalation, Reproduction
from workbench.symptom import query_terms, stem, tokens, unplaced_prose

Partial = Callable[[Escalation], Escalation]


def case(
    case_id: int,
    title: str,
    *,
    observed: str = "",
    narrative: str = "",
    evidence: str = "",
    component: str = "",
    customer: str = "",
    flags: str = "",
    browser: str = "",
    linked: tuple[int, ...] = (),
) -> Escalation:
    return Escalation(
        id=case_id,
        title=title,
        customer=customer,
        component=component,
        narrative=narrative,
        linked=list(linked),
        reproduction=Reproduction(
            observed=observed,
            evidence=evidence,
            environment=Environment(feature_flags=flags, browser=browser),
        ),
    )


# -- text helpers -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("exports", "export"),
        ("exporting", "export"),
        ("exported", "export"),
        ("failed", "fail"),
        ("queries", "query"),
        ("stopped", "stop"),
        ("access", "access"),
        ("status", "status"),
        ("crashes", "crash"),
        ("csv", "csv"),
    ],
)
def test_stem_brings_word_forms_together(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_tokens_drop_stopwords_and_short_numbers() -> None:
    assert tokens("The customer says the CSV exports fail after 30 s with 504") == [
        "csv",
        "export",
        "fail",
        "504",
    ]


def test_error_codes_and_quoted_text_are_extracted() -> None:
    c = case(
        1,
        "Export fails",
        observed='Error "Export failed (E-1042)" then ERR_TOO_MANY_REDIRECTS and a 504',
        evidence="TimeoutError in the worker; 10,000 rows; year 2026",
    )
    assert error_codes(c) == {"E-1042", "ERR-TOO-MANY-REDIRECTS", "504", "TIMEOUTERROR"}
    assert quoted_errors(c) == {"export failed (e-1042)"}


def test_feature_flags_split_and_ignore_none() -> None:
    assert feature_flags(case(1, "x", flags="new-export, beta-ui; none")) == {
        "new-export",
        "beta-ui",
    }
    assert feature_flags(case(1, "x", flags="None")) == set()


def test_query_terms_are_the_telling_words_with_their_forms() -> None:
    c = case(
        1,
        'Queries "time out" on the Reports page',
        observed="Reporting queries hang",
        component="Reports",
    )
    words = query_terms(c)
    assert {"queries", "query", "report", "reports", "reporting", "reported"} <= set(words)
    assert words.index("queries") < words.index("hang")  # title words weigh more
    assert "the" not in words and "on" not in words
    assert all(w.isalnum() for w in words)
    assert query_terms(case(1, "")) == []
    assert len(query_terms(case(1, " ".join(f"word{i}x" for i in range(40))))) <= 64


# -- ranking on hand-made cases -----------------------------------------------------------------------
HISTORY = [
    case(
        1,
        "CSV export times out for large reports",
        observed="Spinner then a 504",
        component="Reports",
        customer="Globex",
    ),
    case(2, "PDF export shows garbled characters", component="Reports", customer="Initech"),
    case(3, "SSO login redirects in a loop", observed="ERR_TOO_MANY_REDIRECTS", customer="Hooli"),
    case(4, "Invoice totals off by a cent", component="Billing", customer="Umbrella"),
    case(
        5,
        "Report download broken",
        observed='Error "Export failed (E-1042)" after 30 s',
        customer="Wonka",
    ),
]


def test_same_symptom_in_other_words_ranks_first() -> None:
    new = case(
        10,
        "Exporting a big report to CSV never finishes",
        observed="It times out with a 504",
        component="Reports",
    )
    ranked = rank_similar(new, HISTORY)
    assert ranked[0].case_id == 1
    assert any("same component: Reports" in r for r in ranked[0].reasons)
    assert any("same error code: 504" in r for r in ranked[0].reasons)
    assert 3 not in [r.case_id for r in ranked]  # nothing in common with the SSO loop
    assert ranked[0].same_problem


def test_quoted_error_text_outranks_shared_words() -> None:
    new = case(10, "Customer cannot get their data out", observed='"Export failed (E-1042)"')
    ranked = rank_similar(new, HISTORY)
    assert ranked[0].case_id == 5
    assert any('same error text: "export failed (e-1042)"' in r for r in ranked[0].reasons)


def test_shared_feature_flag_and_environment_are_boosts_not_matches() -> None:
    a = case(1, "Charts blank on dashboard", flags="new-charts", browser="Safari 17")
    b = case(2, "Charts blank on dashboard", flags="", browser="Chrome 122")
    unrelated = case(3, "Invoice rounding", flags="new-charts", browser="Safari 17")
    new = case(10, "Dashboard charts blank", flags="new-charts", browser="Safari 17.2")
    ranked = rank_similar(new, [a, b, unrelated])
    assert [r.case_id for r in ranked] == [1, 2]
    assert any("same feature flag: new-charts" in r for r in ranked[0].reasons)
    assert any("browser safari" in r for r in ranked[0].reasons)


def test_linked_case_always_first_and_same_problem() -> None:
    new = case(10, "CSV export times out", linked=(4,))
    ranked = rank_similar(new, HISTORY)
    assert ranked[0].case_id == 4
    assert ranked[0].linked and ranked[0].same_problem
    assert ranked[0].reasons[0] == "linked as the same problem"
    # the link is seen from the other side too
    back = rank_similar(case(4, "Invoice totals off by a cent"), [new])
    assert back[0].linked


def test_the_case_itself_and_empty_cases_are_not_matches() -> None:
    assert [r.case_id for r in rank_similar(HISTORY[0], HISTORY)][:1] != [1]
    assert rank_similar(case(10, ""), HISTORY) == []
    assert rank_similar(case(10, "CSV export"), []) == []


def test_same_customer_is_a_reason() -> None:
    new = case(10, "SSO login loops", customer="HOOLI ")
    ranked = rank_similar(new, HISTORY)
    assert ranked[0].case_id == 3
    assert "same customer" in ranked[0].reasons


# -- the labelled history -----------------------------------------------------------------------------
def _precision(seed: int, partial: Partial | None = None, k: int = 3) -> tuple[float, float]:
    """Mean precision@k and precision@1 over every labelled report used as the query."""
    cases, labels = labelled_history(seed)
    index = SimilarityIndex(cases)
    hits = firsts = queries = 0
    for query in cases:
        label = labels[query.id or 0]
        if label == "noise":
            continue
        queries += 1
        probe = partial(query) if partial else query
        ranked = index.rank(probe, limit=k)
        relevant = [labels[r.case_id] == label for r in ranked]
        hits += sum(relevant)
        firsts += bool(relevant and relevant[0])
    return hits / (k * queries), firsts / queries


def _title_and_observed(c: Escalation) -> Escalation:
    """A case half written: title and observed outcome only."""
    return Escalation(
        id=c.id, title=c.title, reproduction=Reproduction(observed=c.reproduction.observed)
    )


def test_labelled_history_has_the_shape_the_figures_assume() -> None:
    cases, labels = labelled_history(7)
    assert len(cases) == 80
    assert sorted(set(labels.values()) - {"noise"}) == sorted(p.key for p in PROBLEMS)
    assert sum(1 for v in labels.values() if v == "noise") == 20


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
def test_precision_at_3_on_the_labelled_history(seed: int) -> None:
    """Measured: precision@3 0.93-0.95, precision@1 0.95-1.00 over 4 seeds (80 cases: 10 problems
    x 6 differently worded reports + 20 distractors that mix two problems' words)."""
    p_at_3, p_at_1 = _precision(seed)
    assert p_at_3 >= 0.88
    assert p_at_1 >= 0.92


@pytest.mark.parametrize("seed", [1, 7])
def test_precision_while_the_case_is_half_written(seed: int) -> None:
    """Title and observed outcome only: measured precision@3 0.80-0.84, precision@1 0.87-0.90."""
    p_at_3, p_at_1 = _precision(seed, _title_and_observed)
    assert p_at_3 >= 0.72
    assert p_at_1 >= 0.8


def test_same_problem_threshold_rarely_joins_different_problems() -> None:
    """Pairs above SAME_PROBLEM_SCORE (what the signals count) are almost all the same problem."""
    cases, labels = labelled_history(2)
    index = SimilarityIndex(cases)
    same = wrong = 0
    for query in cases:
        label = labels[query.id or 0]
        if label == "noise":
            continue
        for r in index.rank(query, limit=100, min_score=SAME_PROBLEM_SCORE):
            other = labels[r.case_id]
            if other == label:
                same += 1
            elif other != "noise":
                wrong += 1
    assert same >= 250  # of 300 same-problem pairs
    assert wrong <= 3


def test_customer_tally_counts_a_linked_case_that_names_no_customer() -> None:
    """Seen: linking an imported case (customer field blank) and pressing C set "1 customer
    (Acme)": the linked case's own customers were dropped."""
    from workbench.history import linked_customer_tally
    from workbench.models import ImpactInputs

    case = Escalation(id=5, title="a", customer="Acme")
    named = Escalation(id=1, title="b", customer="Globex")
    blank = Escalation(id=2, title="c", customer="")
    counted = Escalation(id=3, title="d", customer=" ", impact=ImpactInputs(customers_affected=2))
    same = Escalation(id=4, title="e", customer="acme")
    assert linked_customer_tally(case, []).count == 1
    assert linked_customer_tally(case, [same]).count == 1  # one customer, spelled twice
    tally = linked_customer_tally(case, [named, blank])
    assert (tally.count, tally.names) == (3, ["Acme", "Globex", "1 customer not named on #2"])
    tally = linked_customer_tally(case, [counted])
    assert (tally.count, tally.names) == (3, ["Acme", "2 customers not named on #3"])
    # This case's own count is what the tally replaces: pressing C twice gives the same figure.
    unnamed = Escalation(id=6, title="f", impact=ImpactInputs(customers_affected=9))
    assert linked_customer_tally(unnamed, [named]).count == 2


def test_the_prose_an_import_could_not_place_counts_as_symptom_text() -> None:
    """An emailed report with no sections keeps its prose as not placed: that prose is still what
    the report says of its symptom (words and error codes); only it differs between the two."""
    new = case(10, "Export hangs", observed="stalls at 90% then 504 Gateway Timeout")
    placed = case(1, "Export hangs")
    placed.narrative = "CSV export stalls at 90%, then 504 gateway timeout"
    unplaced = case(1, "Export hangs")
    unplaced.unplaced = ["CSV export stalls at 90%, then 504 gateway timeout"]
    without = case(1, "Export hangs")
    assert "504" in error_codes(unplaced) and "504" not in error_codes(without)
    with_prose = rank_similar(new, [unplaced])[0].score
    assert with_prose > rank_similar(new, [without])[0].score
    assert with_prose >= SAME_PROBLEM_SCORE
    assert rank_similar(new, [placed])[0].score >= with_prose  # a narrative counts for more


@pytest.mark.parametrize(
    "label",
    [
        "Steps to reproduce:",
        "**Expected result:**",
        "- Actual behaviour:",
        "Environment -",
        "## Customer impact:",
        "Workaround / mitigation:",
    ],
)
def test_a_template_s_labels_in_unplaced_prose_are_not_symptom_words(label: str) -> None:
    """Two reports written from the same template share its labels, not their symptom: the
    labels at the start of unplaced lines are not words of the symptom, what follows them is."""
    first = case(1, "Checkout page blank")
    first.unplaced = [f"{label} open the checkout page in Safari"]
    second = case(2, "Invoice totals wrong")
    second.unplaced = [f"{label}\nrun the monthly invoice job twice"]
    first_words = set(tokens(unplaced_prose(first)))
    second_words = set(tokens(unplaced_prose(second)))
    assert first_words.isdisjoint(second_words), first_words & second_words
    assert {"checkout", "safari"} <= first_words
    assert {"invoice", "month", "job"} <= second_words


def test_unplaced_prose_keeps_sentences_that_only_look_like_labels() -> None:
    """A colon after more than four words is prose, not a label; after a label, an error code
    stays."""
    report = case(1, "Login fails")
    report.unplaced = ["After the upgrade the login page says: session expired", "Error: E-1042"]
    words = set(tokens(unplaced_prose(report)))
    assert {"upgrade", "login", "page", "session", "expir"} <= words
    assert "1042" in words and "error" not in words
