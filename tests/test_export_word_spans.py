"""Prose stays prose: in a line that only renders differently in Markdown (a tag, emphasis marks, a
link, a backslash, a character reference), just the words that would change go into code spans,
and the line reads back exactly as typed. A line that would read as structure (a quote, a list
item, a field) still goes whole into one span."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.document import parse_markdown, render_markdown, render_plain
from workbench.models import (
    DeEscalationRecord,
    Environment,
    Escalation,
    Reproduction,
    Request,
    ResolutionRecord,
)
from workbench.playbook import default_playbook
from workbench.sanitize import sanitize

PB = default_playbook()
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def _case(**fields: object) -> Escalation:
    base: dict[str, object] = {"title": "Checkout fails", "customer": "Acme"}
    return Escalation(**{**base, **fields}, created_at=NOW, updated_at=NOW)


def _narrative_lines(text: str) -> list[str]:
    heading = PB.document.headings.narrative
    section = text.split(heading, 1)[1].split(PB.document.headings.reproduction, 1)[0]
    return [line for line in section.split("\n") if line and not line.startswith("#")]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (
            "Invoices <draft> vanish after *retry*; ~5% of EU runs",
            "Invoices `<draft>` vanish after `*retry*; ~5%` of EU runs",
        ),
        ("The <row id=88> tag is dropped", "The `<row id=88>` tag is dropped"),
        ("see [the runbook](https://wiki/x) first", "see `[the runbook](https://wiki/x)` first"),
        (r"C:\Users\me\app.log is 2 GB", r"`C:\Users\me\app.log` is 2 GB"),
        ("AT&amp;T customers only", "`AT&amp;T` customers only"),
        ("run `sync --all` nightly", "run `` `sync --all` `` nightly"),
        ("Cells a|b differ", "Cells `a|b` differ"),
    ],
)
def test_only_the_words_markdown_would_change_are_literal(typed: str, written: str) -> None:
    text = render_markdown(_case(narrative=typed), PB, NOW, tz=UTC)
    assert _narrative_lines(text) == [written]
    assert parse_markdown(text, PB, now=NOW, tz=UTC).narrative == typed


@pytest.mark.parametrize(
    "typed",
    ["x < y for every batch", "snake_case_name is fine", "2 - 1 = 1 -> done", "50% (p99) rows"],
)
def test_a_line_markdown_would_not_change_is_written_as_typed(typed: str) -> None:
    text = render_markdown(_case(narrative=typed), PB, NOW, tz=UTC)
    assert _narrative_lines(text) == [typed]


@pytest.mark.parametrize(
    "typed",
    ["> quoted from the customer, *verbatim*", "- a list item with <b>", "1. first <b>"],
)
def test_a_line_that_would_start_a_block_is_one_span(typed: str) -> None:
    text = render_markdown(_case(narrative=typed), PB, NOW, tz=UTC)
    assert _narrative_lines(text) == [f"`{typed}`"]
    assert parse_markdown(text, PB, now=NOW, tz=UTC).narrative == typed


def test_a_line_that_would_forge_a_field_is_one_span() -> None:
    ask = "Severity: <b>Critical</b> please"
    text = render_markdown(_case(request=Request(ask=ask)), PB, NOW, tz=UTC)
    assert f"`{ask}`" in text
    assert parse_markdown(text, PB, now=NOW, tz=UTC).request.ask == ask


@pytest.mark.parametrize(
    ("title", "heading_ends"),
    [
        ("Webhooks drop <event> payloads", "Webhooks drop `<event>` payloads"),
        ("Regression in C#", "Regression in `C#`"),  # a last "#" would close the heading
        ("Sync stalls for *EU* tenants", "Sync stalls for `*EU*` tenants"),
    ],
)
def test_a_title_keeps_its_prose(title: str, heading_ends: str) -> None:
    text = render_markdown(_case(title=title), PB, NOW, tz=UTC)
    assert text.split("\n", 1)[0].endswith(": " + heading_ends)
    assert parse_markdown(text, PB, now=NOW, tz=UTC).title == title


def test_plain_text_writes_markdown_characters_as_typed() -> None:
    typed = "Invoices <draft> vanish after *retry*; ~5% of EU runs"
    text = render_plain(_case(narrative=typed), PB, NOW, tz=UTC)
    assert f"\n{typed}\n" in text
    assert parse_markdown(text, PB, now=NOW, tz=UTC).narrative == typed


_WORDS = st.one_of(
    st.sampled_from(
        [
            *("the", "retry", "5%", "a_b", "Severity:", "->", "#", "1.", "-", "*", ">", "—"),
            *("input:", "[not provided]", "<row", "id=8>", "&amp;", "\\", "`", "~", "|", "]("),
            *("<http://a.b>", "**Severity:**", "*Business impact*:", "_Ask_:"),
        ]
    ),
    st.text(st.sampled_from("ab<>*_~`[]()|\\&;#:-!. 1"), min_size=1, max_size=4),
)
_LINES = st.lists(st.tuples(_WORDS, st.sampled_from([" ", "  ", "\t", "\n"])), max_size=8).map(
    lambda pairs: "".join(word + blank for word, blank in pairs).strip()
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LINES, st.sampled_from(["narrative", "title", "ask"]), st.booleans())
def test_words_of_markdown_and_structure_read_back_exactly(
    typed: str, where: str, plain: bool
) -> None:
    case = _case(
        narrative=typed if where == "narrative" else "",
        title=typed if where == "title" else "",
        request=Request(ask=typed if where == "ask" else ""),
    )
    render = render_plain if plain else render_markdown
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC)
    got = {"narrative": back.narrative, "title": back.title, "ask": back.request.ask}[where]
    expected = sanitize(typed)
    assert got == (expected.replace("\n", " ") if where == "title" else expected)


@pytest.mark.parametrize(
    "typed", ["x <!-- &amp; -->", "x <?php `x` ?>", 'see <span title="a `b`"> here']
)
@pytest.mark.parametrize("render", [render_markdown, render_plain])
def test_markup_inside_raw_html_reads_back_in_either_format(typed: str, render: Any) -> None:
    # Plain text keeps raw HTML as typed, backticks and all: no span may sit inside it.
    for case, read in (
        (_case(narrative=typed), lambda back: back.narrative),
        (_case(request=Request(ask=typed)), lambda back: back.request.ask),
    ):
        text = render(case, PB, NOW, tz=UTC)
        assert read(parse_markdown(text, PB, now=NOW, tz=UTC)) == typed


@pytest.mark.parametrize("render", [render_markdown, render_plain])
def test_raw_html_left_open_does_not_swallow_the_fields_below(render: Any) -> None:
    case = _case(
        reproduction=Reproduction(
            observed="x <?php", environment=Environment(browser="?> Chrome", os="<!-- Linux")
        )
    )
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC).reproduction
    assert (back.observed, back.environment.browser, back.environment.os) == (
        "x <?php",
        "?> Chrome",
        "<!-- Linux",
    )


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize("reference", ["&copy", "&#65", "&#x41", "AT&T"])
def test_a_part_ending_like_a_character_reference_keeps_its_separator(
    render: Any, reference: str
) -> None:
    # The ";" joining two parts would close "&copy" into ©.
    case = _case(reproduction=Reproduction(environment=Environment(browser=reference, os="Linux")))
    text = render(case, PB, NOW, tz=UTC)
    back = parse_markdown(text, PB, now=NOW, tz=UTC).reproduction.environment
    assert (back.browser, back.os) == (reference, "Linux")


def test_lines_of_a_paste_needing_spans_are_one_block_a_lone_one_stays_a_line() -> None:
    # Rendered in a paragraph, a pasted log's lines would run together.
    log = (
        "10:01:22 ERROR [dispatch-4] <event id=991> dropped\n10:01:23 WARN [dispatch-4] depth 1,204"
    )
    text = render_markdown(_case(narrative=log), PB, NOW, tz=UTC)
    assert _narrative_lines(text) == ["```", *log.split("\n"), "```"]
    typed = "Retrying a <draft> invoice deletes it.\nSupport sees no error."
    text = render_markdown(_case(narrative=typed), PB, NOW, tz=UTC)
    assert _narrative_lines(text) == [
        "Retrying a `<draft>` invoice deletes it.",
        "Support sees no error.",
    ]
    assert parse_markdown(text, PB, now=NOW, tz=UTC).narrative == typed


def test_lines_that_would_each_be_structure_are_one_block() -> None:
    typed = "- first <b>\n- second\nplain words"
    text = render_markdown(_case(narrative=typed), PB, NOW, tz=UTC)
    assert _narrative_lines(text) == ["```", *typed.split("\n"), "```"]
    assert parse_markdown(text, PB, now=NOW, tz=UTC).narrative == typed


@pytest.mark.parametrize("render", [render_markdown, render_plain])
def test_a_quoted_attribute_left_open_does_not_swallow_the_fields_below(render: Any) -> None:
    case = _case(
        reproduction=Reproduction(
            observed="<span title='a -> b", environment=Environment(browser="c'> Chrome")
        )
    )
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC).reproduction
    assert (back.observed, back.environment.browser) == ("<span title='a -> b", "c'> Chrome")


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize(
    "said",
    [
        "N/A - works as designed\n2) the export is capped\n3) by design",
        "N/A - not a defect\nSee:\nthe spec:",
    ],
)
def test_a_reproduction_not_applicable_over_lines_of_structure_stays_that(
    render: Any, said: str
) -> None:
    # As a fenced block it read back as a step; the import reads it from one paragraph.
    text = render(_case(reproduction=Reproduction(not_applicable=said)), PB, NOW, tz=UTC)
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert (back.reproduction.not_applicable, back.reproduction.steps) == (said, [])
    assert render(back, PB, NOW, tz=UTC) == text


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize("typed", ["2026-12-15 `", "Friday `", "Friday ``"])
def test_a_deadline_ending_in_backticks_comes_back_as_typed(render: Any, typed: str) -> None:
    # Its first line written with a span began with the typed text: it was wrapped again.
    case = _case(request=Request(ask="Investigate", deadline_text=typed))
    back = parse_markdown(render(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC)
    assert back.request.deadline_text == typed


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize("typed", ["2026-12-15 *urgent*", "2026-12-15\n**x**"])
@pytest.mark.parametrize("day", [date(2026, 12, 15), None])
def test_a_deadline_with_words_in_spans_keeps_its_date_or_its_lack_of_one(
    render: Any, typed: str, day: date | None
) -> None:
    # Words in spans are Markdown's; a value starting with a span is one to read no date from.
    case = _case(request=Request(ask="Investigate", deadline_text=typed, deadline_date=day))
    text = render(case, PB, NOW, tz=UTC)
    back = parse_markdown(text, PB, now=NOW, tz=UTC).request
    assert (back.deadline_text, back.deadline_date) == (typed, day)
    assert render(_case(request=back), PB, NOW, tz=UTC) == text


@pytest.mark.parametrize("render", [render_markdown, render_plain])
@pytest.mark.parametrize("found", ["cache key shared\n\nfix in 2.5", "a\n\n\nb", "one line"])
def test_findings_and_lessons_over_paragraphs_export_the_same_document_again(
    render: Any, found: str
) -> None:
    # They follow the narrative as its paragraphs: read back, they are its paragraphs again.
    case = _case(
        narrative="Story.",
        de_escalation=DeEscalationRecord(findings=found),
        resolution=ResolutionRecord(lessons_learned=found),
    )
    text = render(case, PB, NOW, tz=UTC)
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert render(back, PB, NOW, tz=UTC) == text
    assert f"De-escalation findings: {found}" in back.narrative
