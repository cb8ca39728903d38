"""The case list: every escalation in the database, filtered, sorted and searched in the store.

Only one page of rows (what the screen shows, `page_size`) is ever loaded: the store counts and
pages (`Store.page`: a count and `limit=`, `offset=`), so the list stays quick with 100k cases.
Moving past the last row loads the next page, past the first the previous one. Ages and countdowns
come from the app's injected clock. At narrow widths each row takes two lines so no column is
dropped.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from screens import breakpoint_class, stylesheets
from screens.case_list import CaseList
from screens.compositor import crop_partial_updates
from screens.home_columns import SORTS, WIDE, PageLayout, SortColumn
from screens.home_keys import HOME_KEYS
from screens.home_status import (
    NO_MATCH,
    OPEN_STATUSES,
    SEVERITY_FILTERS,
    STATUS_FILTERS,
    counts_line,
    filters_line,
    welcome,
)
from screens.widgets import ReadOnlyBanner, set_display, update_static

if TYPE_CHECKING:
    from screens.app import WorkbenchApp
    from workbench.store import CaseRow

PAGE_SIZE = 100  # the most rows a page holds; a page is what the screen can show (page_size)
# A filtered or searched list is counted to here and shown as "of 10,000+" beyond: counting a
# search that matches most of 100,000 cases to the end took longer than finding its first page.
COUNT_CAP = 10_000
CHROME = 4  # lines around the table's rows: the counts and filter lines, its header, the footer
BENCH_EXIT_ENV = "WORKBENCH_BENCH_EXIT"
SEARCH_DELAY = 0.2
CHANGE_POLL = 2.0  # seconds between looks for another process's changes (PRAGMA data_version)


class HomeScreen(Screen[None]):
    """The escalation list."""

    CSS_PATH = stylesheets("home")

    AUTO_FOCUS = "#cases"
    BINDINGS: ClassVar[list[BindingType]] = HOME_KEYS

    def __init__(self) -> None:
        super().__init__(id="home", classes=breakpoint_class(self.app))
        crop_partial_updates(self)
        self.status_filter: str | None = None
        self.severity_filter: str | None = None
        self.mine = False  # a team database: only the cases this agent owns (m)
        self.sort_index = 0
        self.descending = True
        self.query_text = ""
        self.page_offset = 0
        self.total = 0
        self.more = False  # the filtered count stopped at COUNT_CAP: there are more
        self.rows: list[CaseRow] = []
        self._search_timer: Timer | None = None
        self._wide: bool | None = None
        self._page_rows = 0  # the page size of the last load
        self._filled_width = 0  # the screen width the columns were last cut for
        self._resumed = False
        self._data_version: int | None = None

    @property
    def workbench(self) -> WorkbenchApp:
        # Textual types `app` as App[object]; every screen here runs in the WorkbenchApp.
        return cast("WorkbenchApp", self.app)

    def compose(self) -> ComposeResult:
        yield ReadOnlyBanner()
        with Vertical(id="home-top"):
            yield Static(id="home-counts")
            yield Static(id="home-filters")
        # The search box is mounted at the first "/", the footer right after the first frame:
        # each costs the cold start a sixth of a bare Textual app's whole start, and neither is
        # needed to read the list.
        yield CaseList(id="cases")
        yield Static(id="home-empty")
        # The footer's line, kept until the footer replaces it, so the table has its final
        # height at the first frame (a page of the right length, loaded once).
        yield Static(id="footer-space")

    def on_mount(self) -> None:
        if os.environ.get(BENCH_EXIT_ENV):
            # `make bench` times the cold start: process start to this first painted list (the
            # first callback after that frame, before the footer's below).
            self.call_after_refresh(self.app.exit)
        self.reload()
        self._data_version = self._peek_data_version()
        # A team database tells of changes (LISTEN/NOTIFY) and is looked at more often.
        poll = min(CHANGE_POLL, getattr(self.workbench.store, "change_poll", CHANGE_POLL))
        self.set_interval(poll, self.check_for_changes)
        self.call_after_refresh(self._mount_footer)

    def on_screen_resume(self) -> None:
        # Back from a case: its row may have changed. The first resume comes with the push, right
        # after on_mount loaded the list: loading it again would double the start-up's list work.
        if not self._resumed:
            self._resumed = True
            return
        if self.is_mounted and self._wide is not None:
            if self._compositor.size != self.app.size:  # textual is pinned
                # The terminal was resized while a case was shown over the list: Textual lays
                # the list out at its new size after this handler. Loaded now, its first frame
                # would show rows cut for the old width.
                self.call_later(self.reload, keep_cursor=True)
            else:
                self.reload(keep_cursor=True)
        self.workbench.kept.build_ahead()  # the case under the cursor, in pauses

    @on(CaseList.Resized)
    def _table_resized(self, event: CaseList.Resized) -> None:
        """A page is what the table shows: another height is another page length (a new query),
        another width only other column widths (the same rows)."""
        event.stop()
        if self._wide is None:
            return  # not loaded yet
        table = self.query_one(CaseList)
        page = self.page_size()
        if page != self._page_rows:
            # The page that holds the highlighted case, at the new length, so it stays in view.
            position = self.page_offset + table.cursor_row
            self.page_offset = position // page * page
            self.reload(keep_cursor=True)
        elif self.size.width != self._filled_width:
            self._fill(table, table.cursor_row)

    # -- other processes ----------------------------------------------------------------------------
    def _peek_data_version(self) -> int | None:
        from workbench.store import StoreError

        try:
            return self.workbench.store.data_version()
        except StoreError:
            return None

    def check_for_changes(self) -> bool:
        """Reload when another process (the CLI, a second window) committed to the database since
        the last look: one cheap PRAGMA, every CHANGE_POLL seconds. The app's own saves do not
        count. Not shown (a case is open), the list reloads when it comes back anyway."""
        version = self._peek_data_version()
        if version is None or version == self._data_version:
            return False
        self._data_version = version
        if not self.is_current:
            return False
        from workbench.store import StoreError

        try:
            self.reload(keep_cursor=True)
        except StoreError as exc:
            self.notify(str(exc), title="Cannot reload the list", severity="error")
            return False
        return True

    # -- loading ------------------------------------------------------------------------------------
    @property
    def sort(self) -> SortColumn:
        return SORTS[self.sort_index]

    def _status(self) -> str | tuple[str, ...] | None:
        return OPEN_STATUSES if self.status_filter == "open" else self.status_filter

    def filtered(self) -> bool:
        return bool(self.status_filter or self.severity_filter or self.query_text or self.mine)

    def reload(self, *, keep_cursor: bool = False) -> None:
        """Count, then load the current page, keeping the highlighted case when it is still there."""
        table = self.query_one(CaseList)
        previous = self.current_case_id() if keep_cursor else None
        store = self.workbench.store
        status, severity, query = self._status(), self.severity_filter, self.query_text or None
        owner = store.agent() if self.mine else None
        cap = COUNT_CAP if (status or severity or query or owner) else None
        page = self._page_rows = self.page_size()

        def load() -> tuple[int, list[CaseRow]]:
            return store.page(
                status=status,
                severity=severity,
                query=query,
                sort=self.sort.key,
                descending=self.descending,
                limit=page,
                offset=self.page_offset,
                cap=cap,
                owner=owner,
            )

        def over_cap() -> bool:
            return cap is not None and self.total > cap

        self.total, self.rows = load()
        if self.page_offset >= self.total and not over_cap():
            # Past the end (the list got shorter, or another search): its last page.
            last = max(0, (self.total - 1) // page * page)
            if last != self.page_offset:
                self.page_offset = last
                self.total, self.rows = load()
        elif not self.rows and self.page_offset:
            # Paged past the end of a list counted only to COUNT_CAP: back to its last page.
            self.page_offset = max(0, self.page_offset - page)
            self.total, self.rows = load()
        self.more = over_cap()
        cursor = next((i for i, row in enumerate(self.rows) if row.id == previous), 0)
        self._fill(table, cursor)
        self._show_status()

    def page_size(self) -> int:
        """Rows per page: as many as the table shows (two lines a row when narrow), at most
        PAGE_SIZE: rows nobody can see would be work on every search, filter and sort for
        nothing, and a page that overflows the table brings a scrollbar that narrows every line.
        Moving past either end pages. Before the first layout the table's height is the screen's
        less the lines around it (CHROME); the table's first Resize corrects a wrong guess."""
        lines = self.query_one(CaseList).lines_for_rows()
        if not lines:
            lines = (self.size.height or self.app.size.height) - CHROME
        wide = self.size.width >= WIDE if self.size.width else False
        return max(1, min(PAGE_SIZE, lines if wide else lines // 2))

    def _fill(self, table: CaseList, cursor: int = 0) -> None:
        now = self.workbench.now()
        layout = PageLayout(
            self.size.width, self.rows, self.sort, self.descending, self.workbench.sla_label
        )
        self._wide = layout.wide
        self._filled_width = self.size.width
        if layout.wide:
            rows = [layout.cells_wide(row, now) for row in self.rows]
            table.set_rows(layout.columns_wide(), rows, cursor=cursor)
        else:
            rows = [layout.cells_narrow(row, now) for row in self.rows]
            table.set_rows(layout.columns_narrow(), rows, row_height=2, cursor=cursor)

    def _show_status(self) -> None:
        """The counts line, the filter line, and the empty state."""
        counts = counts_line(self._open_count(), self._overdue_count())
        # Both lines are one row high (home.tcss): new text needs no layout of the screen.
        update_static(self.query_one("#home-counts", Static), counts, layout=False)
        filters = filters_line(
            offset=self.page_offset,
            shown=len(self.rows),
            total=self.total,
            more=self.more,
            cap=COUNT_CAP,
            query_text=self.query_text,
            status_filter=self.status_filter,
            severity_filter=self.severity_filter,
            mine=self.mine,
            sort=self.sort,
            descending=self.descending,
            wide=self.size.width >= WIDE,
        )
        update_static(self.query_one("#home-filters", Static), filters, layout=False)

        empty = self.query_one("#home-empty", Static)
        table = self.query_one(CaseList)
        set_display(empty, not self.total)
        set_display(table, bool(self.total))
        if self.total:
            return
        empty.update(NO_MATCH if self.filtered() else welcome())

    def _open_count(self) -> int:
        return self.workbench.store.count_cases(status=OPEN_STATUSES)

    def _overdue_count(self) -> int:
        return self.workbench.store.count_overdue(self.workbench.now())

    # -- the cursor -----------------------------------------------------------------------------------
    def current_case_id(self) -> int | None:
        table = self.query_one(CaseList)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].id

    @on(CaseList.PageEdge)
    def _page_edge(self, event: CaseList.PageEdge) -> None:
        table = self.query_one(CaseList)
        more = self.more and len(self.rows) == self._page_rows
        if event.direction > 0 and (self.page_offset + len(self.rows) < self.total or more):
            before = self.page_offset
            self.page_offset += len(self.rows)
            self.reload()
            # Past the true end of a list counted only to COUNT_CAP, reload stays on this page.
            last = self.page_offset == before
            table.move_cursor(row=len(self.rows) - 1 if last else 0, animate=False)
        elif event.direction < 0 and self.page_offset > 0:
            self.page_offset = max(0, self.page_offset - self.page_size())
            self.reload()
            table.move_cursor(row=len(self.rows) - 1, animate=False)

    @on(CaseList.Selected)
    def _row_selected(self, event: CaseList.Selected) -> None:
        event.stop()
        self.action_open_case()

    @on(CaseList.HeaderSelected)
    def _header_selected(self, event: CaseList.HeaderSelected) -> None:
        event.stop()
        key = event.key
        for index, column in enumerate(SORTS):
            if column.key == key:
                if index == self.sort_index:
                    self.descending = not self.descending
                else:
                    self.sort_index = index
                self.page_offset = 0
                self.reload(keep_cursor=True)
                return

    # -- search ---------------------------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        text = value.strip()
        if text == self.query_text:
            return  # the same search (enter on what the debounce already applied): stay put
        self.query_text = text
        self.page_offset = 0
        self.reload()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._apply_search(event.value)
        if not event.value.strip():
            event.input.display = False
        table = self.query_one(CaseList)
        if table.display:
            table.focus()
        else:
            # Nothing matched and the list is hidden: leave the search box all the same, so the
            # list's keys (o, s, v…) reach the screen instead of replacing the search text.
            self.set_focus(None)

    async def _mount_footer(self) -> None:
        from screens.widgets import KeysFooter

        if self.is_attached and not self.query(Footer):  # not if the app quit at once
            with self.app.batch_update():
                await self.query_one("#footer-space").remove()
                await self.mount(KeysFooter(compact=True))
            self.refresh_bindings()  # a Footer shows the keys at the next bindings update

    async def _search_box(self) -> Input:
        """The search box, mounted above the list the first time it is wanted."""
        for found in self.query("#search").results(Input):
            return found
        search = Input(
            placeholder="search title, customer, text…  (enter: to the list)", id="search"
        )
        await self.mount(search, before=self.query_one(CaseList))
        return search

    # -- actions --------------------------------------------------------------------------------------
    async def action_search(self) -> None:
        search = await self._search_box()
        search.display = True
        # At once, not after the queue (Widget.focus): keys typed right after "/" are search text.
        self.set_focus(search)

    def action_clear_search(self) -> None:
        search = next(iter(self.query("#search").results(Input)), None)
        if search is None or (not search.display and not self.query_text):
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        search.value = ""
        search.display = False
        self.query_text = ""
        self.page_offset = 0
        self.reload()
        self.query_one(CaseList).focus()

    def action_cycle_status(self) -> None:
        index = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(index + 1) % len(STATUS_FILTERS)]
        self.page_offset = 0
        self.reload()

    def action_toggle_mine(self) -> None:
        """The cases this agent owns, or the team's (a local file's are all its agent's)."""
        if self.workbench.store.agent() is None:
            self.notify("A local database is all yours: 'mine' is for a team database.")
            return
        self.mine = not self.mine
        self.page_offset = 0
        self.reload()

    def action_cycle_severity(self) -> None:
        index = SEVERITY_FILTERS.index(self.severity_filter)
        self.severity_filter = SEVERITY_FILTERS[(index + 1) % len(SEVERITY_FILTERS)]
        self.page_offset = 0
        self.reload()

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.page_offset = 0
        self.reload(keep_cursor=True)

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.page_offset = 0
        self.reload(keep_cursor=True)

    def action_reload(self) -> None:
        self.reload(keep_cursor=True)
        self.notify("Reloaded.", timeout=1.5)

    def action_open_case(self) -> None:
        case_id = self.current_case_id()
        if case_id is not None:
            self.workbench.open_case(case_id, "triage")

    def action_dashboard(self) -> None:
        from screens.dashboard import DashboardScreen

        self.app.push_screen(DashboardScreen())

    def action_new_case(self) -> None:
        from screens.dialogs import TextPrompt

        self.app.push_screen(
            TextPrompt(
                "New case",
                "Title (a concise one-line summary)",
                placeholder="e.g. CSV export times out for accounts with 10k+ rows",
                detail="The title becomes the ESCALATION: line of the document.",
            ),
            callback=self._create_case,
        )

    def _create_case(self, title: str | None) -> None:
        if not title:
            return
        from workbench.models import Escalation
        from workbench.store import StoreError

        now = self.workbench.now()
        try:
            case = self.workbench.store.create(
                Escalation(title=title, created_at=now, updated_at=now)
            )
        except StoreError as exc:
            self.notify(str(exc), title="Case not created", severity="error")
            return
        assert case.id is not None
        self.page_offset = 0
        self.reload()
        self.workbench.open_case(case.id, "triage")
