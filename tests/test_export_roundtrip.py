"""Round trips: import(export(case)) keeps every sanitized value, and export is stable.

Varied hand-picked documents first (Unicode, emoji, right-to-left text, combining marks, very long
fields, Markdown-looking text, control characters, separators inside values, multi-line text), then
hypothesis over free text in every field of the document."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.document import parse_markdown, render_markdown, render_plain
from workbench.models import (
    ActionTaken,
    Baseline,
    BusinessImpact,
    Communication,
    Environment,
    Escalation,
    Override,
    References,
    Reproduction,
    ReproStep,
    Request,
)
from workbench.playbook import Playbook, default_playbook
from workbench.rules.asks import ask_type_of
from workbench.sanitize import CONTROL_RE, sanitize

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PB: Playbook = default_playbook()


def _document_values(case: Escalation) -> dict[str, Any]:
    """What the document carries, sanitized: the values a round trip must keep."""
    data = case.model_dump(
        mode="json",
        include={
            "title",
            "routed_to",
            "business_impact",
            "narrative",
            "reproduction",
            "actions",
            "communication",
            "request",
            "references",
            "linked",
        },
    )

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return sanitize(value)
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, list):
            return [clean(item) for item in value]
        return value

    data = dict(clean(data))
    # An ask whose wording states a type is exported under that type's label (as lint reads it).
    request = data["request"]
    request["ask_type"] = request["ask_type"] or ask_type_of(request["ask"], PB)
    # What the format cannot carry, by design: a title is one line (its line breaks are spaces);
    # an empty line in a step's action, in what was tried or in an environment/baseline part would
    # end the list item or the line, so those values lose their empty lines.
    data["title"] = data["title"].replace("\n", " ")
    for step in data["reproduction"]["steps"]:
        step["action"] = _without_empty_lines(step["action"])
        if "\n" in step["literal_input"]:  # a block input follows a one-line action
            step["action"] = step["action"].replace("\n", " ")
    for action in data["actions"]:
        action["tried"] = _without_empty_lines(action["tried"])
    for part in ("baseline", "environment"):
        fields = data["reproduction"][part]
        for name, value in fields.items():
            fields[name] = _without_empty_lines(value)
    # One empty step is the same document as no steps ("1. [not provided]").
    if data["reproduction"]["steps"] == [{"action": "", "literal_input": ""}]:
        data["reproduction"]["steps"] = []
    # A deadline time wins over deadline text, as the format says.
    if data["request"]["hard_deadline"] is not None:
        data["request"]["deadline_text"] = ""
        # The document gives times to the minute, as the app shows them.
        data["request"]["hard_deadline"] = data["request"]["hard_deadline"][:16] + ":00Z"
    return data


def _without_empty_lines(text: str) -> str:
    if "\n" not in text:
        return text
    return "\n".join(line for line in text.split("\n") if line)


def _outside_fences(text: str) -> list[str]:
    """The document's lines outside fenced code blocks (which carry typed text verbatim)."""
    lines: list[str] = []
    fence = ""
    for line in text.split("\n"):
        if fence:
            if line.strip(" ").startswith(fence) and not line.strip(" ").strip("`"):
                fence = ""
            continue
        opening = re.match(r" *(?:(?:[-*+]|\d+\.|\d+\.[^`]*input:) +)?(`{3,})[^`]*$", line)
        if opening:
            fence = opening.group(1)
            continue
        lines.append(line)
    return lines


def assert_round_trip(case: Escalation) -> str:
    text = render_markdown(case, PB, NOW, tz=UTC)
    assert not CONTROL_RE.search(text), "a control character reached the document"
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip(" ") for line in _outside_fences(text)), "trailing spaces"
    typed = str(_document_values(case)).count("\\\\")  # repr doubles each backslash
    assert text.count("\\") <= typed, "a backslash the agent did not type"
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert _document_values(back) == _document_values(case)
    expected = case.severity_override.value if case.severity_override else None
    stated = back.severity_override.value if back.severity_override else None
    assert stated in (expected, None)  # None when it equals the rules' own suggestion
    assert render_markdown(back, PB, NOW, tz=UTC) == text, "export is not stable"
    return text


def _case(**fields: Any) -> Escalation:
    fields.setdefault("severity_override", Override(value="high", reason="test"))
    fields.setdefault("routed_to", ["engineering"])
    return Escalation(**fields)


LONG = " ".join(f"word{i}" for i in range(3000))

VARIED: dict[str, Escalation] = {
    "unicode-everywhere": _case(
        title="Zoë's café: ünïcödé ☃ — 日本語のタイトル",
        narrative="Ελληνικά, русский, 中文, हिन्दी. Ligatures: ﬁ ﬂ. Math: ∑ x² ≤ ∞.",
        reproduction=Reproduction(
            environment=Environment(browser="Firefox 133 (日本語)", other="ロケール: ja_JP")
        ),
    ),
    "emoji": _case(
        title="🔥 Checkout broken 🛒",
        narrative="Customers see 💥 then 🙈. Family: 👨‍👩‍👧‍👦, flag: 🇩🇪, skin tone: 👍🏽",
        actions=[ActionTaken(tried="Restarted 🔄", outcome="Still 💥")],
    ),
    "right-to-left": _case(
        title="שגיאה בייצוא — خطأ في التصدير",
        narrative="המשתמש רואה שגיאה.\nيرى المستخدم خطأ. Mixed: abc שלום 123 مرحبا.",
        communication=Communication(customer_expectation="\u200fתיקון עד יום שישי\u200f"),
    ),
    "combining-characters": _case(
        title="e\u0301e\u0301 Z\u0351\u0351a\u0300l\u0301g\u0302o\u0303",
        narrative="\u0301 starts with a combining mark; n\u0303 and a\u030a.",
        references=References(tickets=["\u0308"], files=["résumé.pdf"]),
    ),
    "very-long-fields": _case(
        title="T" * 500,
        narrative=LONG,
        reproduction=Reproduction(
            steps=[ReproStep(action=LONG[:4000], literal_input="x" * 5000)],
            evidence="\n".join(f"line {i}: stack frame" for i in range(300)),
        ),
    ),
    "markdown-looking-text": _case(
        title="# Not a heading ## REQUEST #",
        narrative=(
            "## REQUEST\n# ESCALATION: fake\n- not a list\n+ nor this\n* nor this\n1. not a step\n"
            "2) nor this\n> not a quote\n```\nnot a fence\n~~~\n---\n===\n***\n___\n"
            "| a | b |\n|---|---|\n<div>html</div>\n<https://autolink>\n[link](x) ![img](y)\n"
            "**bold** _em_ `code` ~~strike~~ \\escaped\\ &amp; &#65; [not provided]\n"
            "    indented code\n\ttabbed"
        ),
        reproduction=Reproduction(expected="Severity: Critical\nRouted to: Security"),
        request=Request(ask="Hard deadline: 2026-01-01 00:00 UTC"),
    ),
    "control-characters": _case(
        title="Title\x1b[31m red\x1b[0m\x07",
        narrative="Clip\x1b]52;c;ZXZpbA==\x07board\x1b]0;title\x1b\\ and\x9b2J C1\x85 DEL\x7f\x00",
        actions=[ActionTaken(tried="CR\r\nLF\rmix", outcome="\ud800 lone surrogate")],
    ),
    "arrows-in-actions": _case(
        actions=[
            ActionTaken(tried="Mapped A -> B -> C", outcome="C -> failed"),
            ActionTaken(tried="->", outcome="->"),
            ActionTaken(tried="ends with -", outcome="> starts with >"),
            ActionTaken(tried="", outcome="outcome only"),
            ActionTaken(tried="tried only", outcome=""),
        ]
    ),
    "semicolons-in-environment": _case(
        reproduction=Reproduction(
            baseline=Baseline(account_type="Admin; Owner", prerequisites="Browser: not a label"),
            environment=Environment(
                browser="Chrome 122; Safari 17",
                os=";",
                feature_flags="a;b;c; OS: fake",
                other="Other: nested",
            ),
        )
    ),
    "multi-line-narrative": _case(
        narrative="First paragraph line one.\nLine two.\n\nSecond paragraph.\n\n\nAfter two blanks.",
        communication=Communication(most_recent_update="line 1\n\nline 3\n"),
        references=References(threads=["thread\nwith two lines", ""]),
    ),
    "whitespace-at-the-edges": _case(
        title="  padded title\t",
        narrative="\n\n  leading blank lines and spaces\n    indented line\ntrailing  \n",
        reproduction=Reproduction(
            steps=[ReproStep(action=" step ", literal_input=" input with spaces ")],
            frequency="\u00a0nbsp\u00a0",
        ),
        request=Request(ask_type="decide", ask="\u2028line separator\u2029"),
    ),
    "separators-in-steps": _case(
        reproduction=Reproduction(
            steps=[
                ReproStep(action="Type — input: here", literal_input="— input: `x`"),
                ReproStep(action="Paste the Input: value", literal_input="`"),
                ReproStep(action="", literal_input="input only"),
                ReproStep(action="1. numbered", literal_input=""),
            ]
        )
    ),
    "deadline-and-links": _case(
        request=Request(
            ask_type="exception",
            ask="Approve a 30-day extension",
            hard_deadline=datetime(2026, 11, 28, 17, 0, 30, tzinfo=UTC),
        ),
        linked=[1, 22, 333],
        references=References(
            tickets=["https://x.example/a_b_c?d=1&e=2#frag", "[not provided]"],
            files=["C:\\Users\\agent\\export.har", "trailing backslash\\"],
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(VARIED))
def test_varied_documents_round_trip(name: str) -> None:
    assert_round_trip(VARIED[name])


def test_structure_survives_hostile_text() -> None:
    """A hostile narrative renders as one section's text: the headings stay the playbook's."""
    text = assert_round_trip(VARIED["markdown-looking-text"])
    headings = [line for line in _outside_fences(text) if line.startswith("#")]
    assert len(headings) == 1 + len(PB.document.headings.model_dump())
    # The hostile lines are there verbatim, in a fenced block, without a backslash added.
    assert "\n````\n## REQUEST\n# ESCALATION: fake\n- not a list\n" in text
    assert text.count("\\") == 2


def test_control_characters_never_reach_the_document() -> None:
    text = assert_round_trip(VARIED["control-characters"])
    for bad in ("\x1b", "\x07", "\x9b", "\x85", "\x7f", "\x00", "\r", "\ud800"):
        assert bad not in text
    assert "Clipboard and" in text


# -- hypothesis ---------------------------------------------------------------------------------------
NASTY = [
    "\n",
    "\n\n",
    "\\",
    "[not provided]",
    "->",
    ";",
    "# ",
    "- ",
    "1. ",
    "2)",
    "`",
    "``",
    "Expected outcome:",
    "Browser:",
    "Ship a fix:",
    "Hard deadline:",
    " — input: ",
    "&amp;",
    "&#10;",
    "\x1b[31m",
    "\x1b]52;c;SGVsbG8=\x07",
    " ",
    "\t",
    "_",
    "*",
    "<b>",
    "|",
    "~~~",
    "===",
    "---",
    ">",
    "\u2028",
    "\u00a0",
    "\r\n",
    "\ud800",
    "\x85",
    "שלום",
    "👍🏽",
    "e\u0301",
    "    ",
    "2026-11-28 17:00 UTC",
    # Lines that name a section (the template's headings and the names people give them).
    "\nImpact\n",
    "\nComms",
    "\nDESCRIPTION: ",
    "ii. Repro",
    "\nThe ask (below)\n",
]
free_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=[]), max_size=6)),
    max_size=6,
).map("".join)
fast = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw: st.DrawFn) -> Escalation:
    def text() -> str:
        return draw(free_text)

    def texts() -> list[str]:
        return draw(st.lists(free_text, max_size=2))

    return Escalation(
        title=text(),
        severity_override=Override(
            value=draw(st.sampled_from(["critical", "high", "medium"])), reason="test"
        ),
        routed_to=draw(
            st.lists(st.sampled_from([d.id for d in PB.destinations]), unique=True, max_size=3)
        ),
        business_impact=BusinessImpact(
            affected_customers=text(),
            operational_effect=text(),
            revenue_exposure=text(),
            sla_position=text(),
        ),
        narrative=text(),
        reproduction=Reproduction(
            baseline=Baseline(
                account_type=text(), configuration=text(), permissions=text(), prerequisites=text()
            ),
            steps=draw(
                st.lists(
                    st.builds(ReproStep, action=free_text, literal_input=free_text), max_size=3
                )
            ),
            expected=text(),
            observed=text(),
            environment=Environment(
                browser=text(), os=text(), plan_tier=text(), feature_flags=text(), other=text()
            ),
            frequency=text(),
            evidence=text(),
            eliminations=text(),
        ),
        actions=draw(
            st.lists(st.builds(ActionTaken, tried=free_text, outcome=free_text), max_size=3)
        ),
        communication=Communication(
            most_recent_update=text(), customer_expectation=text(), escalation_risk=text()
        ),
        request=Request(
            ask_type=draw(st.sampled_from([None, "investigate", "fix", "decide", "exception"])),
            ask=text(),
            deadline_text=text(),
            hard_deadline=draw(
                st.none()
                | st.datetimes(
                    min_value=datetime(2000, 1, 1),
                    max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC),
                )
            ),
        ),
        references=References(tickets=texts(), threads=texts(), files=texts()),
        linked=draw(st.lists(st.integers(1, 10**6), max_size=3)),
    )


@fast
@given(cases())
def test_free_text_in_every_field_round_trips(case: Escalation) -> None:
    assert_round_trip(case)


@fast
@given(free_text, st.sampled_from(["narrative", "title", "ask", "action", "input", "ticket"]))
def test_any_single_field_comes_back_exactly(value: str, where: str) -> None:
    case = _case(
        narrative=value if where == "narrative" else "",
        title=value if where == "title" else "",
        request=Request(ask=value if where == "ask" else ""),
        reproduction=Reproduction(
            steps=[
                ReproStep(
                    action=value if where == "action" else "step",
                    literal_input=value if where == "input" else "",
                )
            ]
        ),
        references=References(tickets=[value] if where == "ticket" else []),
        log=[],
    )
    back = parse_markdown(render_markdown(case, PB, NOW, tz=UTC), PB, now=NOW, tz=UTC)
    got = {
        "narrative": back.narrative,
        "title": back.title,
        "ask": back.request.ask,
        "action": back.reproduction.steps[0].action if back.reproduction.steps else "",
        "input": back.reproduction.steps[0].literal_input if back.reproduction.steps else "",
        "ticket": back.references.tickets[0] if back.references.tickets else None,
    }[where]
    expected = sanitize(value)
    if where == "title":
        expected = expected.replace("\n", " ")  # a title is one line
    elif where == "action":
        expected = _without_empty_lines(expected)
    assert got == expected


@fast
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(-14 * 60, 14 * 60),
)
def test_deadlines_round_trip_in_any_offset(deadline: datetime, minutes: int) -> None:
    from datetime import timezone

    case = _case(request=Request(hard_deadline=deadline))
    tz = timezone(timedelta(minutes=minutes))
    text = render_markdown(case, PB, NOW, tz=tz)
    back = parse_markdown(text, PB, now=NOW)
    assert back.request.hard_deadline == deadline.replace(second=0, microsecond=0)  # to the minute
    assert render_markdown(back, PB, NOW, tz=tz) == text


# -- the plain-text format ----------------------------------------------------------------------------
def assert_plain_round_trip(case: Escalation) -> str:
    text = render_plain(case, PB, NOW, tz=UTC)
    assert not CONTROL_RE.search(text)
    typed = str(_document_values(case)).count("\\\\")
    assert text.count("\\") <= typed, "a backslash the agent did not type"
    back = parse_markdown(text, PB, now=NOW, tz=UTC)
    assert _document_values(back) == _document_values(case)
    assert render_plain(back, PB, NOW, tz=UTC) == text, "plain export is not stable"
    return text


@pytest.mark.parametrize("name", sorted(VARIED))
def test_varied_documents_round_trip_in_plain_text(name: str) -> None:
    text = assert_plain_round_trip(VARIED[name])
    for heading in PB.document.headings.model_dump().values():
        assert f"\n\n{heading}\n" in text  # the template's capital headings, no markers
    assert not any(line.startswith("#") for line in _outside_fences(text))


def test_plain_text_keeps_markdown_characters_verbatim() -> None:
    typed = (
        "Error: <SAMLResponse> invalid -> user sees *Access denied* [code 403] after ~20 redirects"
    )
    text = assert_plain_round_trip(_case(reproduction=Reproduction(observed=typed)))
    assert f"\nObserved outcome: {typed}\n" in text


@fast
@given(cases())
def test_free_text_in_every_field_round_trips_in_plain_text(case: Escalation) -> None:
    assert_plain_round_trip(case)


def test_numbers_in_the_text_of_a_case_with_no_severity_do_not_give_it_one() -> None:
    """Found by the hostile soak: "1. forged step" typed as the affected customers, in a case
    whose numbers were never entered, came back from export -> import as 1 customer and the
    severity Medium, so the second export differed from the first ("Severity: [not provided]")."""
    playbook = default_playbook()
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    case = Escalation(title="Exports stall", created_at=now, updated_at=now)
    case.business_impact.affected_customers = "3 customers, 1,200 end users"
    first = render_markdown(case, playbook, now, tz=UTC)
    assert "Severity: [not provided]" in first
    again = parse_markdown(first, playbook, now=now, tz=UTC)
    assert render_markdown(again, playbook, now, tz=UTC) == first


@pytest.mark.parametrize("text", ["2026-02-31", "31/02/2026", "31 Feb", "2026-12-10 25:00"])
def test_an_impossible_deadline_is_kept_as_text_not_a_crash(text: str) -> None:
    """Found by the hostile soak: "day is out of range for month" ended the import."""
    from workbench.document.deadlines import read_deadline

    assert read_deadline(text, UTC, datetime(2026, 12, 6, 12, 0, tzinfo=UTC)) is None


@pytest.mark.parametrize("render", [render_plain, render_markdown])
@pytest.mark.parametrize(
    "text",
    [
        "[not provided]2026-11-28 17:00 UTC",  # found by hypothesis: the plain export lost it
        "see ticket, maybe 2026-12-10",
        "EOD Thursday 2026-12-10",
        "Fri 11 Dec 17:00 UTC",
    ],
)
def test_deadline_text_the_case_never_read_as_a_date_stays_text(render: Any, text: str) -> None:
    """Text the import would read as a deadline, in a case that holds none, comes back as text
    alone: the second export is the first."""
    case = _case(request=Request(ask="Look at the logs", deadline_text=text))
    first = render(case, PB, NOW, tz=UTC)
    back = parse_markdown(first, PB, now=NOW, tz=UTC)
    assert (back.request.deadline_text, back.request.hard_deadline) == (text, None)
    assert back.request.deadline_date is None
    assert render(back, PB, NOW, tz=UTC) == first
