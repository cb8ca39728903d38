"""Hostile input everywhere: every text input of the app and every argument of the CLI.

The text (tests/reliability/hostile.py) carries control characters, ANSI/OSC/DCS sequences (OSC 52
included), NUL, lone surrogates, right-to-left and combining text, Markdown and HTML that try to
forge a section, 1 MB pastes; numbers come as garbage, negative, huge, with separators and
currency signs; dates as impossible or ambiguous. The guarantees:
- the app never crashes: every input of the list, the prompts, Triage, Impact, Reproduction,
  Details and the log dialog takes it;
- text is stored exactly as it is on screen, or, if UTF-8 cannot hold it (a lone surrogate),
  refused with "not saved" and kept on screen; a number or a time is stored only when it reads as
  one (a finite figure within bounds, an aware time), never garbage;
- the exported document holds no control character and parses back to the same values;
- the CLI never prints a raw escape sequence, never a traceback, and exits 0, 1 or 2.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Iterator
from datetime import datetime
from itertools import cycle
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import NOW, fixed_clock
from tests.reliability.hostile import DATES, NUMBERS, date_text, hostile_text, number_text
from tests.reliability.profile import PROFILES, Profile, count, figures, total_figures
from tests.test_export_roundtrip import _document_values, assert_round_trip
from workbench.models import Escalation, ReproStep
from workbench.playbook import Playbook, default_playbook
from workbench.sanitize import CONTROL_RE
from workbench.store import Store, StoreError

__all__ = ["figures", "total_figures"]

pytestmark = pytest.mark.usefixtures("figures")

SURROGATE = re.compile(r"[\ud800-\udfff]")
# What may reach a terminal: our own colour (red for overdue) and nothing else that escapes.
OUR_SGR = re.compile(r"\x1b\[(?:31|0)m")
UNSAFE_OUTPUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _settings(profile: Profile, examples: int | None = None) -> settings:
    return settings(
        max_examples=examples or profile.examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        derandomize=profile.name == "fast",  # the fast profile is the same every run
    )


def _no_control(text: str, where: str) -> None:
    found = CONTROL_RE.search(text)
    assert found is None, f"{where}: control character {found.group()!r} at {found.start()}"


# -- the core: any field, stored, exported, parsed back ------------------------------------------------
TEXT_PATHS = [
    "title", "component", "narrative",  # the customer is composed into the impact lines
    "business_impact.affected_customers", "business_impact.revenue_exposure",
    "reproduction.baseline.configuration", "reproduction.expected", "reproduction.observed",
    "reproduction.environment.browser", "reproduction.frequency", "reproduction.evidence",
    "reproduction.eliminations", "communication.most_recent_update",
    "communication.customer_expectation", "request.ask", "request.deadline_text",
    "references.tickets", "reproduction.steps.0.action", "reproduction.steps.0.literal_input",
]  # fmt: skip


def _set(case: Escalation, path: str, value: str) -> None:
    from screens.widgets import set_path

    if path == "references.tickets":
        case.references.tickets = [value]
    else:
        set_path(case, path, value)


@PROFILES
def test_hostile_text_in_any_field_is_stored_as_typed_and_exported_safely(
    profile: Profile, tmp_path: Path, playbook: Playbook
) -> None:
    store = Store(tmp_path / "hostile.db", playbook, clock=fixed_clock)

    @_settings(profile)
    @given(st.lists(st.tuples(st.sampled_from(TEXT_PATHS), hostile_text), min_size=1, max_size=4))
    def check(edits: list[tuple[str, str]]) -> None:
        from screens.widgets import get_path

        case = store.create(
            Escalation(title="Hostile", reproduction={"steps": [ReproStep(action="step")]})
        )
        case_id = case.id or 0
        before = case.model_dump()
        for path, text in edits:
            _set(case, path, text)
        final = dict(edits)  # a later edit of a field replaces an earlier one
        if any(SURROGATE.search(text) for text in final.values()):
            with pytest.raises(StoreError, match="cannot be stored") as info:
                store.save(case)
            assert "\n" not in str(info.value)
            assert store.get(case_id).model_dump() == before, "refused, yet written"
            return
        saved = store.save(case)
        stored = store.get(case_id)
        assert stored == saved
        for path, text in final.items():
            if path == "references.tickets":
                assert stored.references.tickets == [text], "not as typed"
            else:
                assert get_path(stored, path) == text, f"{path}: not as typed"
        document = assert_round_trip(stored)
        _no_control(document, "the document")
        count("inputs tried", len(edits))

    try:
        check()
    finally:
        store.close()


# -- numbers and dates --------------------------------------------------------------------------------
@PROFILES
def test_numbers_are_read_exactly_or_refused(profile: Profile) -> None:
    from decimal import Decimal

    from screens.widgets import MAX_NUMBER, format_number, parse_number

    @_settings(profile, profile.examples * 4)
    @given(st.one_of(number_text, st.sampled_from(NUMBERS)), st.booleans())
    def check(text: str, integer: bool) -> None:
        value, why = parse_number(text, integer=integer)
        count("inputs tried")
        if value is None:
            assert why is None or why.strip(), text
            assert (why is None) == (not text.strip()), (text, why)
            return
        assert why is None
        assert isinstance(value, int) if integer else isinstance(value, float)
        assert math.isfinite(value) and 0 <= value <= MAX_NUMBER, (text, value)
        digits = re.fullmatch(r"\s*[$€£¥]?\s*([0-9][0-9,]*)\s*", text)
        if digits:  # plain digits: the very number typed, not a float's neighbour
            assert Decimal(value) == Decimal(digits.group(1).replace(",", "")), (text, value)
        # What the field shows for the stored value reads back as the same value.
        shown = format_number(value)
        if float(value).is_integer():
            assert parse_number(shown, integer=integer)[0] == value, (text, value, shown)

    check()


@PROFILES
def test_dates_never_crash_and_are_times_or_nothing(profile: Profile) -> None:
    from workbench.when import describe_when, parse_when

    @_settings(profile, profile.examples * 4)
    @given(st.one_of(date_text, st.sampled_from(DATES), hostile_text))
    def check(text: str) -> None:
        moment = parse_when(text, NOW)
        count("inputs tried")
        if moment is None:
            return
        assert isinstance(moment, datetime) and moment.tzinfo is not None, (text, moment)
        describe_when(moment, NOW)

    check()
    for ambiguous in ("03/04/2026", "3/4", "04/03/2026 17:00"):
        assert parse_when(ambiguous, NOW) is None, ambiguous
    for impossible in ("2026-02-30 17:00", "2026-13-01", "fri 25:00", "tomorrow 99:99"):
        assert parse_when(impossible, NOW) is None, impossible


# -- the CLI ------------------------------------------------------------------------------------------
def _cli_output_is_safe(result: Any, argv: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (argv, result.exit_code, output[-500:])
    assert "Traceback" not in output and "internal error" not in output, (argv, output[-800:])
    found = UNSAFE_OUTPUT.search(OUR_SGR.sub("", output).replace("\x1b", "\x00"))
    assert found is None, f"{argv!r}: {found.group()!r} reached the terminal: {output[-300:]!r}"


@PROFILES
def test_hostile_cli_arguments_never_reach_the_terminal_raw(
    profile: Profile, tmp_path: Path
) -> None:
    from workbench.cli import main

    db = tmp_path / "cli.db"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(db), "new", "--title", "Seed case"]).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    templates = [
        ["new", "--title", "{}"],
        ["new", "--title", "ok", "--customer", "{}", "--component", "{}"],
        ["new", "--title", "{}", "--json"],
        ["show", "{}"],
        ["show", "1"],
        ["show", "1", "--json"],
        ["export", "{}"],
        ["export", "1"],
        ["export", "1", "-o", str(out) + "/{}"],
        ["check", "{}"],
        ["check", "1", "--destination", "{}"],
        ["check", "1", "--json"],
        ["list"],
        ["list", "--search", "{}"],
        ["list", "--sort", "{}"],
        ["list", "--status", "{}"],
        ["list", "--json"],
        ["due", "--all"],
        ["import", str(out) + "/{}"],
        ["backup", str(out) + "/{}"],
        ["--db", str(out) + "/{}", "list"],
        ["--playbook", "{}", "list"],
        ["playbook", "--check", "{}"],
        ["similar", "{}"],
        ["similar", "1"],
        ["{}"],
        ["--{}"],
    ]

    @_settings(profile, profile.examples * 2)
    @given(st.sampled_from(templates), hostile_text | st.sampled_from(NUMBERS + DATES))
    def check(template: list[str], text: str) -> None:
        argv = ["--db", str(db)] + [part.replace("{}", text) for part in template]
        if template[0] == "--db":
            argv = argv[2:]
        result = runner.invoke(main, argv, color=True)
        count("CLI invocations tried")
        _cli_output_is_safe(result, argv)

    check()


def test_cli_ids_and_paths_with_control_characters(tmp_path: Path) -> None:
    """The cases found by the property above, kept as plain examples."""
    from workbench.cli import main

    db = tmp_path / "cli.db"
    runner = CliRunner()
    runner.invoke(main, ["--db", str(db), "new", "--title", "\x1b]52;c;aGk=\x07 title"])
    for argv in (
        ["show", "²"],  # str.isdigit() says yes, int() says no
        ["show", "99999999999999999999999"],  # beyond SQLite's integers
        ["export", "1", "-o", str(tmp_path / "a\x1b]0;pwned\x07.md")],
        ["backup", str(tmp_path / "b\x1b[31m.db")],
        ["new", "--title", "lone \ud800 surrogate"],
        ["show", "1"],
        ["list"],
    ):
        result = runner.invoke(main, ["--db", str(db), *argv], color=True)
        _cli_output_is_safe(result, argv)
    assert (tmp_path / "a\x1b]0;pwned\x07.md").exists()  # the file is written as named


# -- the app ------------------------------------------------------------------------------------------
def _feeder(texts: list[str]) -> Iterator[str]:
    return cycle(texts or ["x"])


async def _deliver(app: Any, pilot: Any, widget: Any, text: str, paste: bool) -> None:
    """A paste as the terminal sends it (an Input keeps the first line), or the value set."""
    from textual import events
    from textual.widgets import TextArea

    widget.focus()
    await pilot.pause()
    if isinstance(widget, TextArea):
        widget.load_text("")
        if paste:
            app.post_message(events.Paste(text))
        else:
            widget.load_text(text)
    else:
        widget.value = ""
        if paste:
            app.post_message(events.Paste(text))
        else:
            widget.value = text
    await pilot.pause()


async def _feed_form(app: Any, pilot: Any, step: str, case_id: int, feed: dict[str, Any]) -> int:
    from textual.widgets import Input, TextArea

    from screens.widgets import MAX_NUMBER, FieldArea, FieldInput, get_path, lines_of, parse_number

    store = app.store
    assert app.open_case(case_id, step)
    await pilot.pause()
    screen = app.screen
    tried = 0
    widgets = [w for w in screen.query(Input) if w.display] + list(screen.query(TextArea))
    if feed["per_screen"]:  # the fast profile: a spread of the screen's inputs
        widgets = widgets[:: max(1, len(widgets) // feed["per_screen"])]
    for widget in widgets:
        key = widget.id or ""
        numeric = "number-input" in widget.classes
        timed = "when-input" in widget.classes or key == "deadline"
        text = next(feed["numbers"] if numeric else feed["dates"] if timed else feed["texts"])
        before = store.get(case_id)
        await _deliver(app, pilot, widget, text, paste=next(feed["paste"]))
        shown = widget.text if isinstance(widget, TextArea) else widget.value
        # On a loaded machine the pause's own save can come first; then nothing is left to flush.
        pending = bool(screen._pending)
        saved = screen.flush_edits()
        await pilot.pause()
        assert app.is_running
        stored = store.get(case_id)
        tried += 1
        label = f"{step} {key or getattr(widget, 'path', '?')} <- {text[:60]!r}"
        if isinstance(widget, FieldInput | FieldArea):
            path = widget.path
            want = lines_of(shown) if getattr(widget, "kind", "text") == "lines" else shown
            if SURROGATE.search(shown):
                assert not (pending and saved), label
                assert screen.saved_indicator.state == "error", label
                assert get_path(stored, path) == get_path(before, path), label
                assert shown == (widget.text if isinstance(widget, TextArea) else widget.value)
            else:
                assert saved, label
                assert get_path(stored, path) == want, f"{label}: not stored as typed"
        elif numeric:
            value = getattr(stored.impact, key)
            parsed, _why = parse_number(shown, integer=key.endswith("_affected"))
            if parsed is not None:
                assert value == parsed, label
            else:
                assert value == getattr(before.impact, key), f"{label}: garbage stored"
            if value is not None:
                assert math.isfinite(value) and 0 <= value <= MAX_NUMBER, label
        elif timed:
            moment = (
                stored.request.hard_deadline if key == "deadline" else getattr(stored.impact, key)
            )
            assert moment is None or moment.tzinfo is not None, label
            if key == "deadline" and moment is None and not SURROGATE.search(shown):
                assert stored.request.deadline_text == shown.strip(), f"{label}: text not kept"
    return tried


async def _feed_prompts(app: Any, pilot: Any, case_id: int, feed: dict[str, Any]) -> int:
    """The list's search, the new-case title, a triage note and the log dialog."""
    from textual.widgets import Input

    from screens.dialogs import TextPrompt
    from screens.home import HomeScreen

    store = app.store
    tried = 0
    app.go_home()
    await pilot.pause()
    home = app.screen
    assert isinstance(home, HomeScreen)
    # Search as you type: FTS syntax, NUL, surrogates; the list answers or shows nothing.
    await pilot.press("slash")
    search = home.query_one("#search", Input)
    search.value = next(feed["texts"])
    home._apply_search(search.value)
    await pilot.pause()
    await pilot.press("escape")
    tried += 1
    # A new case's title.
    title = next(feed["texts"])
    await pilot.press("n")
    await pilot.pause()
    prompt = app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = title
    await pilot.press("enter")
    await pilot.pause()
    assert app.is_running
    tried += 1
    if title.strip() and not SURROGATE.search(title):  # the prompt trims the edges
        titles = [row.title for row in store.list_cases(limit=None)]
        assert title.strip() in titles, f"new case {title[:80]!r} not created"
    app.go_home()
    await pilot.pause()
    # A note on the first checklist item.
    assert app.open_case(case_id, "triage")
    await pilot.pause()
    triage = app.screen
    note = next(feed["texts"])
    criterion = triage.focused_criterion()
    if criterion is not None:
        await pilot.press("n")
        await pilot.pause()
        prompt = app.screen
        if isinstance(prompt, TextPrompt):
            prompt.query_one(Input).value = note
            await pilot.press("enter")
            await pilot.pause()
            tried += 1
            answer = store.get(case_id).triage.get(criterion)
            if not SURROGATE.search(note) and note.strip():
                assert answer is not None and answer.note in (note, note.strip()), repr(note[:80])
    # The log dialog: summary, detail and a time typed as agents do (or as garbage).
    assert app.open_case(case_id, "timeline")
    await pilot.pause()
    timeline = app.screen
    timeline.action_log_update()
    await pilot.pause()
    dialog = app.screen
    for field_id, source in (
        ("log-summary", "texts"),
        ("log-detail", "texts"),
        ("log-at", "dates"),
    ):
        dialog.query_one(f"#{field_id}", Input).value = next(feed[source])
        tried += 1
    await pilot.press("ctrl+s")
    await pilot.pause()
    if app.screen is dialog:  # refused (a time it cannot read, or in the future): said, kept
        await pilot.press("escape")
        await pilot.pause()
    assert app.is_running
    return tried


def _document_round_trip(case: Escalation, playbook: Playbook) -> None:
    """The exported document has no control character and reads back as the same values. (The
    severity it states comes back as an override: the document carries no impact numbers.)"""
    from workbench.document import parse_markdown, render_markdown

    document = render_markdown(case, playbook, NOW)
    _no_control(document, "the exported document")
    back = parse_markdown(document, playbook, now=NOW)
    # Business-impact lines left empty are composed from the impact numbers at export and come
    # back as typed text; every other value comes back as it was, and the document is stable.
    expected, got = _document_values(case), _document_values(back)
    expected.pop("business_impact"), got.pop("business_impact")
    assert got == expected
    assert render_markdown(back, playbook, NOW) == document


def _app(store: Store, playbook: Playbook) -> Any:
    from screens.app import WorkbenchApp

    return WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)


def _session(
    path: Path, texts: list[str], numbers: list[str], dates: list[str], per_screen: int = 0
) -> int:
    playbook = default_playbook()
    store = Store(path, playbook, clock=fixed_clock)
    case_id = store.create(Escalation(title="Hostile input", created_at=NOW)).id or 0
    feed = {
        "texts": _feeder(texts),
        "numbers": _feeder(numbers),
        "dates": _feeder(dates),
        "paste": cycle([True, False, False]),
        "per_screen": per_screen,
    }

    async def run() -> int:
        tried = 0
        app = _app(store, playbook)
        async with app.run_test(size=(120, 40)) as pilot:
            tried += await _feed_prompts(app, pilot, case_id, feed)
            for step in ("details", "reproduction", "impact"):
                tried += await _feed_form(app, pilot, step, case_id, feed)
            assert app.open_case(case_id, "export")
            await pilot.pause()
            export = app.screen
            _no_control(export.document, "the export screen's document")
            await pilot.press("r")  # the raw view too
            await pilot.pause()
            assert app.is_running
        return tried

    try:
        tried = asyncio.run(run())
        _document_round_trip(store.get(case_id), playbook)
    finally:
        store.close()
    return tried


@PROFILES
def test_hostile_text_through_every_input_of_the_app(profile: Profile, tmp_path: Path) -> None:
    batches = iter(range(10**6))

    @_settings(profile, profile.ui_batches)
    @given(
        st.lists(hostile_text, min_size=profile.ui_batch_size, max_size=profile.ui_batch_size),
        st.lists(number_text, min_size=4, max_size=8),
        st.lists(date_text, min_size=3, max_size=6),
    )
    def check(texts: list[str], numbers: list[str], dates: list[str]) -> None:
        per_screen = 2 if profile.name == "fast" else 0
        tried = _session(tmp_path / f"ui-{next(batches)}.db", texts, numbers, dates, per_screen)
        count("inputs tried", tried)

    check()


@pytest.mark.soak  # about 15 s; the fast profile's full-disk test pastes 120 KB
async def test_a_megabyte_paste_is_kept_whole(tmp_path: Path) -> None:
    """A pasted 1 MB log with escapes sprinkled through it: kept whole in a
    text area, and whole in a one-line input with its lines joined by spaces;
    every step screen, the document and its raw view still open."""
    from textual import events

    from screens.widgets import FieldArea, FieldInput

    line = "2026-11-24T14:00:00Z ERROR \x1b[31mexport failed\x1b[0m id=42 \x1b]52;c;aGk=\x07\n"
    log = line * (1024 * 1024 // len(line) + 1)
    playbook = default_playbook()
    store = Store(tmp_path / "mega.db", playbook, clock=fixed_clock)
    case_id = store.create(Escalation(title="Mega", created_at=NOW)).id or 0
    app = _app(store, playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.open_case(case_id, "reproduction")
        await pilot.pause()
        area = next(a for a in app.screen.query(FieldArea) if a.path == "reproduction.evidence")
        area.focus()
        await pilot.pause()
        app.post_message(events.Paste(log))
        await pilot.pause()
        assert app.screen.flush_edits()
        await pilot.press("f5")
        await pilot.pause()
        title = next(w for w in app.screen.query(FieldInput) if w.path == "title")
        title.focus()
        title.value = ""
        app.post_message(events.Paste(log))
        await pilot.pause()
        assert app.screen.flush_edits()
        for key in ("f7", "r", "f6", "f3", "f2", "escape"):
            await pilot.press(key)
            await pilot.pause()
        assert app.is_running
    case = store.get(case_id)
    assert case.reproduction.evidence == log, "the pasted log was not kept whole"
    joined = " ".join(part.strip() for part in log.splitlines() if part.strip())
    assert case.title == joined, "the one-line input did not keep the paste, lines joined"
    _document_round_trip(case, playbook)
    store.close()
    count("inputs tried", 2)
