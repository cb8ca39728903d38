"""Details (F5): narrative with a live sentence count, actions taken, communication, the request
with a deadline typed the way agents type times, references one per line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input, Select, Static

from screens.details import DetailsScreen, deadline_feedback
from screens.widgets import CaseLine, FieldArea, FieldInput, FindingsLine, PairEditor, PairList
from tests.conftest import NOW, new_case, settle_until
from workbench.models import ActionTaken, LogEntry, LogKind, Request

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from screens.app import WorkbenchApp
    from tests.conftest import AppFactory
    from workbench.store import Store


async def _open(pilot: Pilot[None], case_id: int) -> DetailsScreen:
    app: WorkbenchApp = pilot.app  # type: ignore[assignment]
    assert app.open_case(case_id, "details")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, DetailsScreen)
    return screen


def _area(screen: DetailsScreen, path: str) -> FieldArea:
    return next(a for a in screen.query(FieldArea) if a.path == path)


def _input(screen: DetailsScreen, path: str) -> FieldInput:
    return next(i for i in screen.query(FieldInput) if i.path == path)


def _text(screen: DetailsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_deadline_feedback_says_what_it_understood() -> None:
    when, text = deadline_feedback("tomorrow 17:00", NOW)
    assert when == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert "Wed 25 Nov 17:00" in text.plain and text.plain.startswith("✓")
    when, text = deadline_feedback("+4h", NOW)
    assert when == NOW + timedelta(hours=4)
    when, text = deadline_feedback("2026-11-27T09:00:00+01:00", NOW)
    assert when == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    when, text = deadline_feedback("end of week", NOW)
    assert when is None and "Not a time" in text.plain
    when, text = deadline_feedback("2026-11-01 09:00", NOW)
    assert when is not None and "already past" in text.plain


async def test_fields_show_the_case_and_typing_saves(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "Export fails", customer="Acme Corp", component="Reports")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        assert _input(screen, "customer").value == "Acme Corp"
        title = _input(screen, "title")
        title.focus()
        await pilot.press("end", *" >10k")
        await pilot.press("tab")
        assert store.get(case.id or 0).title == "Export fails >10k"
        assert "Export fails >10k" in screen.query_one(CaseLine).title.plain


async def test_narrative_sentence_count_is_live(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "Export fails")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        assert "0 sentences" in _text(screen, "#sentence-count")
        narrative = _area(screen, "narrative")
        narrative.focus()
        await pilot.press(*"It fails. ")
        assert "1 sentence;" in _text(screen, "#sentence-count")
        narrative.insert("Since Mon. On every report over 10k rows, e.g. report 4471.")
        await pilot.pause()
        count = _text(screen, "#sentence-count")
        assert "✓ 3 sentences" in count and "3-5" in count
        screen.flush_edits()
        assert store.get(case.id or 0).narrative.startswith("It fails. Since Mon.")
        playbook = pilot.app.playbook  # type: ignore[attr-defined]
        hints = " ".join(str(w.render()) for w in screen.query(".section-hint"))
        assert playbook.document.narrative.covers in hints


async def test_deadline_input_parses_and_saves(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "Export fails")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        deadline = screen.query_one("#deadline", Input)
        deadline.focus()
        await pilot.press(*"+4h")
        assert "Tue 24 Nov 18:00 (in 4 h" in _text(screen, "#deadline-feedback")
        await pilot.press("tab")
        stored = store.get(case.id or 0).request
        assert stored.hard_deadline == NOW + timedelta(hours=4)
        assert stored.deadline_text == ""

        deadline.value = "end of week"
        await pilot.pause()
        assert "Not a time" in _text(screen, "#deadline-feedback")
        screen.flush_edits()
        stored = store.get(case.id or 0).request
        assert stored.hard_deadline is None
        assert stored.deadline_text == "end of week"
        findings = " ".join(
            w.plain for w in screen.query("FindingsLine.-shown").results(FindingsLine)
        )
        assert 'The deadline "end of week" is not a date and time.' in findings

        deadline.value = "tomorrow 17:00"
        await pilot.pause()
        screen.flush_edits()
        assert store.get(case.id or 0).request.hard_deadline == datetime(
            2026, 11, 25, 17, 0, tzinfo=UTC
        )


async def test_stored_deadline_is_shown_as_a_time_that_parses_back(
    make_app: AppFactory, store: Store
) -> None:
    deadline = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    case = new_case(store, "Export fails", request=Request(hard_deadline=deadline))
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        assert screen.query_one("#deadline", Input).value == "2026-11-27 17:00"
        assert "Fri 27 Nov 17:00" in _text(screen, "#deadline-feedback")
        screen.flush_edits()
        assert store.get(case.id or 0).revision == case.revision  # showing it saved nothing


async def test_ask_type_select_saves(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "Export fails")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        select = screen.query_one("#ask-type", Select)
        labels = [str(option[0]) for option in select._options if option[1] != Select.NULL]
        assert labels == ["Investigate", "Ship a fix", "Make a decision", "Approve an exception"]
        select.value = "fix"
        await pilot.pause()
        assert store.get(case.id or 0).request.ask_type == "fix"
        select.clear()
        await pilot.pause()
        assert store.get(case.id or 0).request.ask_type is None


async def test_actions_taken_add_move_delete_undo(make_app: AppFactory, store: Store) -> None:
    case = new_case(
        store,
        "Export fails",
        actions=[
            ActionTaken(tried="Cleared browser cache", outcome="No change"),
            ActionTaken(tried="Tried Safari 17", outcome="Same error"),
        ],
    )

    def tried() -> list[str]:
        return [a.tried for a in store.get(case.id or 0).actions]

    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        actions = screen.query_one("#actions", PairList)
        assert "Cleared browser cache" in str(actions.get_option_at_index(0).prompt)
        actions.focus()
        actions.highlighted = 1
        await pilot.press("a")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        editor.query_one("#pair-first", Input).value = "Exported 9,999 rows"
        editor.query_one("#pair-second", Input).value = "Works"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert tried() == ["Cleared browser cache", "Tried Safari 17", "Exported 9,999 rows"]
        assert store.get(case.id or 0).actions[2].outcome == "Works"
        await pilot.press("K")
        assert tried() == ["Cleared browser cache", "Exported 9,999 rows", "Tried Safari 17"]
        await pilot.press("d")
        assert tried() == ["Cleared browser cache", "Tried Safari 17"]
        notes = [n.message for n in pilot.app._notifications]
        assert "Action 2 deleted — u to undo" in notes
        await pilot.press("u")
        assert tried() == ["Cleared browser cache", "Exported 9,999 rows", "Tried Safari 17"]


async def test_an_action_typed_in_one_burst_lands_in_both_fields(
    make_app: AppFactory, store: Store
) -> None:
    """A fast typist, or a paste into tmux: every key is queued before any is handled, and the
    keys after enter belong to the outcome field, not the first one."""
    case = new_case(store, "Export fails")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        screen.query_one("#actions", PairList).focus()
        await pilot.press("a")
        assert isinstance(pilot.app.screen, PairEditor)
        for char in "Replayed it\rSame stall\r\r":
            key = {"\r": "enter", " ": "space"}.get(char, char)
            pilot.app.post_message(events.Key(key, char))
        # Held keys are handed on as the editor closes (a 10 ms poll): on a loaded machine five
        # turns of the loop were not always enough. Until the action is saved, an editor is up
        # again and every key is handed on.
        await settle_until(
            pilot,
            lambda: (
                bool(store.get(case.id or 0).actions)
                and isinstance(pilot.app.screen, PairEditor)
                and not pilot.app.held_keys_pending()
            ),
        )
        actions = store.get(case.id or 0).actions
        assert [(a.tried, a.outcome) for a in actions] == [("Replayed it", "Same stall")]
        # One enter too many: it reaches the list once the editor has closed (it does not pop the
        # screen under the editor), and means what it means typed slowly: edit that action.
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        assert editor.query_one("#pair-first", Input).value == "Replayed it"
        await pilot.press("escape")
        assert pilot.app.screen is screen


async def test_references_one_per_line(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "Export fails")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        tickets = _area(screen, "references.tickets")
        tickets.load_text(
            "https://support.example.com/t/4471\n\n  https://support.example.com/t/4480  \n"
        )
        await pilot.pause()
        threads = _area(screen, "references.threads")
        threads.focus()  # leaving the tickets area saves at once
        await pilot.pause()
        assert store.get(case.id or 0).references.tickets == [
            "https://support.example.com/t/4471",
            "https://support.example.com/t/4480",
        ]


async def test_communication_fields_and_logged_update(make_app: AppFactory, store: Store) -> None:
    case = new_case(
        store,
        "Export fails",
        log=[
            LogEntry(
                at=NOW - timedelta(hours=3),
                kind=LogKind.CUSTOMER_UPDATE,
                summary="Told Acme engineering is on it",
            )
        ],
    )
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        latest = _text(screen, "#latest-update")
        assert "latest logged update" in latest and "Told Acme engineering is on it" in latest
        risk = _input(screen, "communication.escalation_risk")
        risk.value = "High: CFO asked for an executive call"
        await pilot.press("f7")  # switching step saves what was typed
        await pilot.pause()
        stored = store.get(case.id or 0).communication
        assert stored.escalation_risk == "High: CFO asked for an executive call"


async def test_a_pasted_multi_line_update_keeps_its_lines(
    make_app: AppFactory, store: Store
) -> None:
    """Seen: the communication fields were one-line inputs; a snippet pasted from an email lost
    everything after its first line."""
    from textual import events

    case = new_case(store, "Export fails")
    snippet = "2026-12-04 10:00 Told Acme:\nthe fix ships Friday\nworkaround: export by month"
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        for path in ("communication.most_recent_update", "communication.customer_expectation"):
            area = _area(screen, path)
            area.focus()
            await pilot.pause()
            assert pilot.app.focused is area
            pilot.app.post_message(events.Paste(snippet))  # as the terminal sends it
            await pilot.pause()
            assert area.text == snippet
        await pilot.press("f7")  # switching step saves what was typed
        await pilot.pause()
        stored = store.get(case.id or 0).communication
        assert stored.most_recent_update == snippet
        assert stored.customer_expectation == snippet


async def test_a_paste_into_a_one_line_field_keeps_every_line_and_no_tab(
    make_app: AppFactory, store: Store
) -> None:
    """Textual's Input keeps only a paste's first line, and a tab stays a tab (invisible, and
    the document's cells and columns break on it): the title gets the lines joined, tabs as
    spaces."""
    case = new_case(store, "")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        title = _input(screen, "title")
        title.focus()
        await pilot.pause()
        pilot.app.post_message(events.Paste("Exports\tstall\n\n  for EU tenants\n"))
        await pilot.pause()
        assert title.value == "Exports stall for EU tenants"
        await pilot.press("f7")
        await pilot.pause()
    assert store.get(case.id or 0).title == "Exports stall for EU tenants"


async def test_a_pasted_log_line_does_not_end_the_narrative_in_an_empty_line(
    make_app: AppFactory, store: Store
) -> None:
    """Seen in tmux: a log line copied from a terminal carries its line break; pasted at the end
    of the narrative it made the text end in an empty line, and the one-paragraph narrative
    was exported as a block of code. The paste's own trailing breaks are left out, the breaks
    inside it kept, and it is pasted once."""
    case = new_case(store, "Webhooks fail")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        area = _area(screen, "narrative")
        area.focus()
        await pilot.pause()
        await pilot.press(*"Log: ")
        pilot.app.post_message(events.Paste("ERROR status=502 <wh_42> ~retry *x2*\n"))
        await pilot.pause()
        assert area.text == "Log: ERROR status=502 <wh_42> ~retry *x2*"
        pilot.app.post_message(events.Paste("\nline one\nline two\n\n"))
        await pilot.pause()
        assert area.text == "Log: ERROR status=502 <wh_42> ~retry *x2*\nline one\nline two"
        await pilot.press("f7")
        await pilot.pause()
    narrative = store.get(case.id or 0).narrative
    assert narrative == "Log: ERROR status=502 <wh_42> ~retry *x2*\nline one\nline two"
