"""Regressions a review of the list, the checklist and the start found (each test failed before
its fix): repaints of a scrolled list or checklist, the highlighted case kept when the page
changes length, the last page of a list counted only to COUNT_CAP, one load of the list at start.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.geometry import Region

import screens.home
from screens.case_list import CaseList
from screens.home import HomeScreen
from screens.triage import Checklist
from tests.conftest import AppFactory, new_case
from tests.test_ui_case_list import ListApp
from tests.test_ui_triage import _open
from workbench.models import Escalation
from workbench.store import Store


def _spy(widget: Any) -> list[Region]:
    """The regions the widget is asked to repaint from now on."""
    regions: list[Region] = []
    original = widget.refresh

    def refresh(*args: Any, **kwargs: Any) -> Any:
        regions.extend(a for a in args if isinstance(a, Region))
        return original(*args, **kwargs)

    widget.refresh = refresh
    return regions


async def test_case_list_repaints_the_rows_the_cursor_left_when_scrolled() -> None:
    app = ListApp(30)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(CaseList)
        await pilot.press("end")
        await pilot.pause()
        assert table.scroll_y > 0
        regions = _spy(table)
        await pilot.press("up")  # row 29 (line 9) loses the cursor, row 28 (line 8) gets it
        painted = {y for r in regions for y in range(r.y, r.bottom)}
        assert {8, 9} <= painted, regions


async def _scrolled_checklist(app: Any, pilot: Any, case: Escalation) -> Checklist:
    """Triage of `case`, its checklist scrolled well down (40 items down at 80x24)."""
    screen = await _open(app, pilot, case)
    checklist = screen.query_one(Checklist)
    for _ in range(40):
        await pilot.press("j")
    await pilot.pause()
    assert checklist.scroll_offset.y > 0
    return checklist


async def test_checklist_tick_repaints_its_own_line_when_scrolled(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        checklist = await _scrolled_checklist(app, pilot, case)
        index = checklist.highlighted
        regions = _spy(checklist)
        await pilot.press("space")
        await pilot.pause()
        line = checklist._index_to_line[index] - checklist.scroll_offset.y
        painted = {y for r in regions for y in range(r.y, r.bottom)}
        assert line in painted, (line, regions)


def _screen_lines(app: Any) -> list[str]:
    update = app.screen._compositor.render_update(full=True)
    return ["".join(strip.text for strip in line) for line in update.strips]


async def test_checklist_tick_shows_on_screen_when_scrolled(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        checklist = await _scrolled_checklist(app, pilot, case)
        option = checklist.highlighted_option
        before = _screen_lines(app)
        await pilot.press("space")
        await pilot.pause()
        assert case.id is not None and store.get(case.id).checked(option.id)
        after = _screen_lines(app)
        row = (
            checklist.region.y
            + checklist._index_to_line[checklist.highlighted]
            - checklist.scroll_offset.y
        )
        assert "[x]" in after[row], (before[row], after[row])


async def test_opening_the_search_box_keeps_the_highlighted_case(
    make_app: AppFactory, store: Store
) -> None:
    for index in range(80):
        new_case(store, f"Case {index + 1}")
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one(CaseList)
        await pilot.press("end")
        chosen = screen.current_case_id()
        await pilot.press("slash")
        await pilot.pause()
        assert screen.current_case_id() == chosen, (
            chosen,
            screen.current_case_id(),
            table.cursor_row,
        )
        await pilot.press("enter")  # empty search: the box hides, back to the list
        await pilot.pause()
        assert screen.current_case_id() == chosen


async def test_a_shorter_terminal_keeps_the_highlighted_case(
    make_app: AppFactory, store: Store
) -> None:
    for index in range(80):
        new_case(store, f"Case {index + 1}")
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        await pilot.press("end")
        chosen = screen.current_case_id()
        await pilot.resize_terminal(160, 30)
        await pilot.pause()
        assert screen.current_case_id() == chosen


async def test_down_on_the_last_row_of_a_capped_list_stays_put(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over COUNT_CAP matches and a multiple of the page: down on the very last row must not
    jump the cursor to the top of the same page."""
    monkeypatch.setattr(screens.home, "COUNT_CAP", 5)
    for index in range(52):
        new_case(store, f"Case {index + 1}")
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        await pilot.press("s")  # status: open (every new case is a draft)
        await pilot.pause()
        page = screen.query_one(CaseList).row_count
        assert screen.more and 52 % page == 0, page
        await pilot.press("end", "down", "end")  # the second, last page, its last row
        await pilot.pause()
        last = screen.current_case_id()
        assert last == 1
        await pilot.press("down")
        await pilot.pause()
        assert screen.current_case_id() == last, screen.current_case_id()


async def test_the_start_loads_the_list_once(make_app: AppFactory, store: Store) -> None:
    """The footer is mounted after the first frame; its line is kept from the start, so the
    table's first Resize and the footer's mount do not each load the list again."""
    for index in range(80):
        new_case(store, f"Case {index + 1}")
    calls: list[int] = []
    page = store.page  # how the list loads (a count and a page)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("limit"))
        return page(*args, **kwargs)

    store.page = counting  # type: ignore[method-assign]
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert calls == [calls[0]], calls
