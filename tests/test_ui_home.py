"""The case list: empty state, columns, new case, open, search, filters, sort and paging."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from screens import home as home_module
from screens.case_list import CaseList
from screens.dialogs import TextPrompt
from screens.home import HomeScreen
from screens.triage import TriageScreen
from tests.conftest import AppFactory, new_case, seed_cases
from workbench.store import Store


def _text(screen: HomeScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_empty_state_explains_first_steps(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        empty = _text(screen, "#home-empty")
        assert "No escalations yet" in empty
        assert "workbench import data/samples/" in empty
        assert not screen.query_one(CaseList).display
        assert "0 open" in _text(screen, "#home-counts")


async def test_list_shows_cases_counts_and_overdue(make_app: AppFactory, store: Store) -> None:
    seed_cases(store)
    app = make_app()
    async with app.run_test(size=(160, 48)):
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one(CaseList)
        assert table.row_count == 5
        counts = _text(screen, "#home-counts")
        assert "5 open" in counts and "1 overdue" in counts  # kept in support is still open
        # Wide: one line per case, every column; the overdue follow-up counts down from the clock.
        first = [str(cell) for cell in table.row(0)]
        assert first[1] == "Bulk import drops rows over 10k"
        assert first[2] == "Stark Industries"
        assert first[3] == "Escalated"
        assert first[4] == "High"
        assert first[5] == "Engineering"
        assert first[6] == "OVERDUE by 2 h"
        assert first[8] == "2 d"


async def test_new_case_asks_title_then_opens_triage(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # an empty title is refused inline
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "Login fails"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        stored = store.get(app.screen.case_id)
        assert stored.title == "Login fails"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(CaseList).row_count == 1


async def test_enter_opens_the_highlighted_case(make_app: AppFactory, store: Store) -> None:
    cases = seed_cases(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        # Sorted by last update, newest first: the escalated case, then the security one.
        assert app.screen.case_id == cases[3].id


async def test_search_filters_and_sort_keys(make_app: AppFactory, store: Store) -> None:
    seed_cases(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one(CaseList)
        await pilot.press("slash", *"sso", "enter")
        assert table.row_count == 1
        assert screen.rows[0].title == "SSO login loops for one tenant"
        assert table.has_focus
        await pilot.press("escape")  # clears the search
        assert table.row_count == 5 and not screen.query_one("#search", Input).display
        await pilot.press("s")  # open = every status but resolved
        assert screen.status_filter == "open" and table.row_count == 5
        await pilot.press("s")
        assert screen.status_filter == "draft" and table.row_count == 3
        await pilot.press("v")
        assert screen.severity_filter == "critical"
        assert [row.title for row in screen.rows] == ["Checkout returns 500 for EU customers"]
        await pilot.press("v", "v", "v", "s", "s", "s", "s", "s")
        assert (screen.status_filter, screen.severity_filter) == (None, None)
        await pilot.press("o")  # sort by id, descending
        assert [row.id for row in screen.rows] == [5, 4, 3, 2, 1]
        await pilot.press("O")
        assert [row.id for row in screen.rows] == [1, 2, 3, 4, 5]
        assert "sort: # ↑" in _text(screen, "#home-filters")


async def test_no_match_message(make_app: AppFactory, store: Store) -> None:
    seed_cases(store)
    app = make_app()
    async with app.run_test(size=(80, 24)):
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        screen.query_text = "zzzz"
        screen.reload()
        assert "No case matches" in _text(screen, "#home-empty")


async def test_pages_load_past_either_end(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_module, "PAGE_SIZE", 3)
    for index in range(7):
        new_case(store, f"Case {index + 1}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one(CaseList)
        assert table.row_count == 3 and "1-3 of 7" in _text(screen, "#home-filters")
        await pilot.press("down", "down", "down")  # past the last row: the next page
        assert screen.page_offset == 3 and table.cursor_row == 0
        assert "4-6 of 7" in _text(screen, "#home-filters")
        await pilot.press("up")  # past the first row: back to the previous page, last row
        assert screen.page_offset == 0 and table.cursor_row == 2


async def test_a_long_filtered_list_is_counted_to_a_cap_and_still_pages_to_its_end(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_module, "PAGE_SIZE", 3)
    monkeypatch.setattr(home_module, "COUNT_CAP", 4)
    for index in range(9):
        new_case(store, f"Case {index + 1}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        assert "1-3 of 9" in _text(screen, "#home-filters")  # no filter: the exact count
        await pilot.press("s", "s")  # draft: every case, counted to the cap
        assert screen.status_filter == "draft" and "1-3 of 4+" in _text(screen, "#home-filters")
        seen = [row.id for row in screen.rows]
        for _ in range(4):
            await pilot.press("down", "down", "down")
            seen += [row.id for row in screen.rows if row.id not in seen]
        assert sorted(seen) == list(range(1, 10))  # every case reached
        assert "7-9 of" in _text(screen, "#home-filters")
        await pilot.press("down")  # past the true end: stays on the last page
        assert [row.id for row in screen.rows] == [3, 2, 1]


async def test_due_columns_counted_again_after_start_show_in_the_list(
    make_app: AppFactory, store: Store
) -> None:
    """A database whose due columns were counted with another calendar (or not at all, by an
    older version): the warm-up after the first paint counts them again and the list shows them,
    the cursor where it was."""
    seed_cases(store)
    conn = store._conn
    assert conn is not None
    conn.execute("UPDATE cases SET next_due = NULL, due_latest = NULL")
    conn.execute("DELETE FROM derived_from")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one(CaseList)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert str(table.row(0)[6]) == "OVERDUE by 2 h"
        assert "1 overdue" in _text(screen, "#home-counts")


async def test_open_count_agrees_with_the_dashboard_and_stats(
    make_app: AppFactory, store: Store
) -> None:
    """One definition of open (workbench.vocab.OPEN_STATUSES): a de-escalated case and a case
    kept in support are open in the list header, the dashboard and `stats`; a resolved one is not."""
    from tests.conftest import NOW
    from workbench.stats import dashboard_from
    from workbench.vocab import Status

    seed_cases(store)  # 5 cases, one kept in support
    new_case(store, "Pulled back to support", status=Status.DE_ESCALATED)
    new_case(store, "All done", status=Status.RESOLVED)
    board = dashboard_from(store, store.playbook, NOW)
    assert board.open_total == 6
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        assert f"{board.open_total} open" in _text(screen, "#home-counts")
        await pilot.press("s")
        assert screen.status_filter == "open"
        assert screen.query_one(CaseList).row_count == board.open_total


async def test_keys_after_a_search_that_matches_nothing_reach_the_list(
    make_app: AppFactory, store: Store
) -> None:
    """Seen: `o` with an empty filtered list replaced the search text instead of sorting."""
    seed_cases(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        await pilot.press("slash", *"zzz", "enter")
        assert screen.query_text == "zzz"
        assert not screen.query_one(CaseList).display
        sort = screen.sort_index
        await pilot.press("o")
        await pilot.pause()
        assert screen.query_one("#search", Input).value == "zzz"
        assert screen.query_text == "zzz"
        assert screen.sort_index == sort + 1
        await pilot.press("slash")  # back to the search box, text kept
        assert screen.query_one("#search", Input).has_focus
        assert screen.query_one("#search", Input).value == "zzz"
