"""The list's table (screens/case_list.py): keys, mouse, scrolling and what it paints."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.app import App, ComposeResult
from textual.content import Content

from screens.case_list import CaseList, Column
from screens.home import HomeScreen
from screens.triage import TriageScreen
from tests.conftest import NOW, AppFactory, new_case, seed_cases
from workbench.store import Store

COLUMNS = [Column("id", Content("#"), 4), Column("title", Content("Title"), 20)]


class ListApp(App[None]):
    """The table alone (with the list's stylesheet), and every message it posted."""

    CSS_PATH = Path(__file__).parent.parent / "screens" / "styles" / "home.tcss"

    def __init__(self, rows: int, row_height: int = 1) -> None:
        super().__init__()
        self.count = rows
        self.row_height = row_height
        self.messages: list[object] = []

    def compose(self) -> ComposeResult:
        yield CaseList(id="list")

    def on_mount(self) -> None:
        rows = [[Content(str(i)), Content(f"Case {i}\nline two of {i}")] for i in range(self.count)]
        self.query_one(CaseList).set_rows(COLUMNS, rows, row_height=self.row_height)
        self.query_one(CaseList).focus()

    def on_case_list_selected(self, message: CaseList.Selected) -> None:
        self.messages.append(("selected", message.row))

    def on_case_list_header_selected(self, message: CaseList.HeaderSelected) -> None:
        self.messages.append(("header", message.key))

    def on_case_list_page_edge(self, message: CaseList.PageEdge) -> None:
        self.messages.append(("edge", message.direction))


def _line(table: CaseList, y: int) -> str:
    return table.render_line(y).text


async def test_paints_header_and_rows_cut_to_their_columns() -> None:
    app = ListApp(3)
    async with app.run_test(size=(40, 10)):
        table = app.query_one(CaseList)
        assert _line(table, 0).startswith(" #     Title ")
        assert _line(table, 1).startswith(" 0     Case 0 ")  # fits: no ellipsis
        assert "line two" not in _line(table, 1)  # one line a row: the first line of each cell
        assert _line(table, 4).strip() == ""  # below the last row


async def test_long_cells_end_with_an_ellipsis_and_two_line_rows_show_both() -> None:
    app = ListApp(2, row_height=2)
    async with app.run_test(size=(40, 10)):
        table = app.query_one(CaseList)
        table.set_rows(
            COLUMNS,
            [[Content("1"), Content("A title much longer than twenty cells\nsecond")]],
            row_height=2,
        )
        first, second = _line(table, 1), _line(table, 2)
        assert "A title much longer\u2026" in first
        assert "second" in second


async def test_keys_move_the_cursor_and_report_the_edges() -> None:
    app = ListApp(30)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(CaseList)
        await pilot.press("up")
        assert app.messages == [("edge", -1)] and table.cursor_row == 0
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("end")
        assert table.cursor_row == 29
        # The cursor is kept on the screen: the last row is painted on the last line.
        assert _line(table, 9).startswith(" 29 ")
        await pilot.press("down")
        assert app.messages[-1] == ("edge", 1)
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor_row == 9  # a screenful below the header
        await pilot.press("pageup")
        assert table.cursor_row == 0
        await pilot.press("enter")
        assert app.messages[-1] == ("selected", 0)


async def test_mouse_highlights_then_opens_and_a_header_click_names_its_column() -> None:
    app = ListApp(5)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(CaseList)
        await pilot.click(CaseList, offset=(8, 3))  # the third row
        assert table.cursor_row == 2 and not app.messages
        await pilot.click(CaseList, offset=(8, 3))
        assert app.messages == [("selected", 2)]
        await pilot.click(CaseList, offset=(8, 0))
        assert app.messages[-1] == ("header", "title")
        await pilot.click(CaseList, offset=(1, 0))
        assert app.messages[-1] == ("header", "id")
        await pilot.hover(CaseList, offset=(8, 4))
        assert table.hover_row == 3


async def test_the_cursor_looks_different_with_and_without_focus() -> None:
    app = ListApp(3)
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(CaseList)
        focused = table.render_line(1)
        table.blur()
        await pilot.pause()
        assert table.render_line(1) != focused
        assert table.render_line(1).text == focused.text


async def test_header_click_sorts_the_case_list(make_app: AppFactory, store: Store) -> None:
    seed_cases(store)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        await pilot.click("#cases", offset=(2, 0))  # "#"
        assert screen.sort.key == "id" and [row.id for row in screen.rows] == [5, 4, 3, 2, 1]
        await pilot.click("#cases", offset=(2, 0))  # again: the other way
        assert [row.id for row in screen.rows] == [1, 2, 3, 4, 5]
        assert "\u2191" in _line(screen.query_one(CaseList), 0)


async def test_clicking_the_highlighted_case_opens_it(make_app: AppFactory, store: Store) -> None:
    new_case(store, "Only case")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.click("#cases", offset=(10, 1))
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)


async def test_a_page_is_what_the_table_shows(make_app: AppFactory, store: Store) -> None:
    """No row of a page is off the screen (no scrollbar narrows the lines); another terminal
    height is another page length, another width other column widths."""
    for index in range(40):
        new_case(store, f"Case {index + 1}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        table = screen.query_one(CaseList)
        lines = table.lines_for_rows()
        assert table.row_count == lines // 2  # two lines a row at 80 columns
        assert not table.show_vertical_scrollbar and not table.show_horizontal_scrollbar
        assert "age" in _line(table, 2 * table.row_count)  # the last row shows, whole
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert table.row_count == table.lines_for_rows() // 2 > lines // 2
        await pilot.resize_terminal(130, 30)
        await pilot.pause()
        assert table.row_count == table.lines_for_rows()  # one line a row when wide
        assert not table.show_horizontal_scrollbar
        width = sum(column.width + 2 for column in table.columns)
        assert width <= table.scrollable_content_region.width
        title = next(column for column in table.columns if column.key == "title")
        assert title.width >= 20
        await pilot.resize_terminal(200, 30)
        await pilot.pause()
        wider = next(column for column in table.columns if column.key == "title")
        assert wider.width > title.width  # a wider screen, a wider title


def test_the_title_column_grows_with_the_terminal() -> None:
    """Seen at 120 columns: the wide layout gave the title 20 cells, fewer than the 26 it has at
    80. The title never gets narrower than at 80 columns, and grows within each layout."""
    from screens.home_columns import SORTS, PageLayout

    def title_width(width: int) -> tuple[bool, int]:
        layout = PageLayout(width, (), SORTS[0], True, str)
        columns = layout.columns_wide() if layout.wide else layout.columns_narrow()
        return layout.wide, next(c.width for c in columns if c.key == "title")

    _, at_80 = title_width(80)
    previous = (False, at_80)
    for width in range(81, 240):
        wide, title = title_width(width)
        assert title >= at_80, width
        if wide == previous[0]:
            assert title >= previous[1], width
        previous = (wide, title)
    assert title_width(120)[1] > at_80


def test_the_due_column_holds_a_whole_overdue_phrase_at_120_columns() -> None:
    """Seen at 120 columns: "OVERDUE by 6 …", the two-line layout's due column cut the phrase."""
    from screens.home_columns import SORTS, PageLayout
    from workbench import timetext

    layout = PageLayout(120, (), SORTS[0], True, str)
    columns = layout.columns_wide() if layout.wide else layout.columns_narrow()
    due = next(c.width for c in columns if c.key == "next_due")
    longest = timetext.countdown(NOW, NOW + timedelta(hours=23, minutes=59))
    assert due >= len(longest) == len("OVERDUE by 23 h 59 m")
