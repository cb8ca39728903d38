"""The case list's columns and cells: how one page of rows is cut to the screen's width.

Wide (WIDE columns and more), each case is one line of nine columns; narrow, two lines of five, so
no column is dropped. The title takes what the other columns leave; the column the list is sorted
by has its header underlined, with the direction. Ages and countdowns come from the app's
injected clock (`now`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.content import Content

from screens.case_list import Column
from screens.widgets.content import severity_content
from workbench import timetext
from workbench.vocab import Status

if TYPE_CHECKING:
    from datetime import datetime

    from workbench.store import CaseRow

# The wide layout (one line a row, a column each) starts where its title gets TITLE_MIN cells
# with the customer and routing columns at their least (10): below that the two-line layout gives
# the title more (at 120 columns, 66 cells rather than 20), so the title never gets narrower than
# it is at 80 columns as the terminal grows.
TITLE_MIN = 30  # cells the title gets, at least, in the wide layout
WIDE = 130


@dataclass(frozen=True)
class SortColumn:
    key: str  # the store's sort key
    label: str


SORTS: tuple[SortColumn, ...] = (
    SortColumn("updated_at", "updated"),
    SortColumn("id", "#"),
    SortColumn("title", "title"),
    SortColumn("customer", "customer"),
    SortColumn("status", "status"),
    SortColumn("severity", "severity"),
    SortColumn("routed_to", "routed to"),
    SortColumn("next_due", "next due"),
    SortColumn("sla", "SLA"),
    SortColumn("created_at", "age"),
)


def status_label(status: str | None) -> str:
    """A status as the list shows it (a filter may also be "open", or none: "all")."""
    if not status:
        return "all"
    if status in Status._value2member_map_:
        return Status(status).label
    return status.capitalize()


@dataclass(frozen=True)
class PageLayout:
    """One page of rows at a screen `width`, sorted by `sort` (`descending` or not).
    `sla_label` gives the playbook's word for an SLA position (`WorkbenchApp.sla_label`)."""

    width: int
    rows: Sequence[CaseRow]
    sort: SortColumn
    descending: bool
    sla_label: Callable[[str], str]

    @property
    def wide(self) -> bool:
        return self.width >= WIDE if self.width else False

    def _room(self, fixed: int, columns: int) -> int:
        """Cells left for the title beside `fixed` cells of other columns and every padding."""
        padding = 2 * columns
        available = max(self.width, 60) - 2  # the scrollbar, should a page overflow
        return available - fixed - padding

    def columns_wide(self) -> list[Column]:
        widths = {"#": self._id_width(5), "Customer": 16, "Status": 15, "Severity": 8}
        widths["Routed to"] = 18
        widths |= {"Next due": 20, "SLA": 8, "Age": 4}  # "OVERDUE by 23 h 59 m"
        room = self._room(sum(widths.values()), len(widths) + 1)
        # Just above WIDE columns the title would get less than TITLE_MIN: the routing and
        # customer columns give up cells first (down to 10), so no line is wider than the screen.
        for label in ("Routed to", "Customer"):
            give = min(max(0, TITLE_MIN - room), widths[label] - 10)
            widths[label] -= give
            room += give
        title = max(12, room)
        columns = [self._column("#", "id", widths["#"]), self._column("Title", "title", title)]
        for label, key in (
            ("Customer", "customer"),
            ("Status", "status"),
            ("Severity", "severity"),
            ("Routed to", "routed_to"),
            ("Next due", "next_due"),
            ("SLA", "sla"),
            ("Age", "created_at"),
        ):
            columns.append(self._column(label, key, widths[label]))
        return columns

    def columns_narrow(self) -> list[Column]:
        # Below 72 columns the status and due columns give up a few cells to the title.
        squeeze = self.width < 72
        fixed = {"id": self._id_width(4), "status": 12 if squeeze else 15, "severity": 8}
        # With room to spare (from 100 columns) the due column grows first, to the whole
        # "OVERDUE by 23 h 59 m", a cell a column, so the title never gets narrower.
        fixed["next_due"] = 12 if squeeze else min(20, 14 + max(0, self.width - 100))
        title = max(12, self._room(sum(fixed.values()), len(fixed) + 1))
        return [
            self._column("#", "id", fixed["id"]),
            self._column("Title / customer", "title", title),
            self._column("Status / SLA", "status", fixed["status"]),
            self._column("Severity", "severity", 8),
            self._column("Due / age", "next_due", fixed["next_due"]),
        ]

    def _id_width(self, least: int) -> int:
        """The "#" column: the longest case number on the page, never cut (10000 and up)."""
        return max(least, *(len(str(row.id)) for row in self.rows)) if self.rows else least

    def _column(self, text: str, sort_key: str, width: int) -> Column:
        """A column whose header is underlined, with the direction, when the list is sorted by it."""
        if sort_key == self.sort.key:
            arrow = "↓" if self.descending else "↑"
            return Column(sort_key, Content.styled(f"{text} {arrow}", "bold underline"), width)
        return Column(sort_key, Content(text), width)

    def _due(self, row: CaseRow, now: datetime) -> Content:
        if row.next_due is None:
            return Content.styled("—", "dim")
        text = timetext.countdown(row.next_due, now, latest=row.due_latest)
        if row.overdue(now):
            return Content.styled(text, "bold $error")
        if row.next_due <= now:
            return Content.styled(text, "$warning")
        return Content(text)

    def _sla(self, row: CaseRow) -> Content:
        """The SLA position as stored (the playbook's word, or the agent's own), red when it is
        the playbook's "breached", yellow for "at risk"."""
        if not row.sla:
            return Content.styled("—", "dim")
        styles = {
            self.sla_label("breached").lower(): "bold $error",
            self.sla_label("at_risk").lower(): "$warning",
        }
        return Content.styled(row.sla, styles.get(row.sla.lower(), ""))

    def cells_wide(self, row: CaseRow, now: datetime) -> list[Content]:
        return [
            Content(str(row.id)),
            Content(row.title or "(untitled)"),
            Content(row.customer or "—"),
            Content(status_label(row.status)),
            severity_content(row.severity),
            Content(row.routed_to or "—"),
            self._due(row, now),
            self._sla(row),
            Content(timetext.age(row.created_at, now)),
        ]

    def cells_narrow(self, row: CaseRow, now: datetime) -> list[Content]:
        customer = row.customer or "—"
        if row.routed_to:
            customer = f"{customer} → {row.routed_to}"
        return [
            Content(str(row.id)),
            Content("\n").join(
                [Content(row.title or "(untitled)"), Content.styled(customer, "dim")]
            ),
            Content("\n").join([Content(status_label(row.status)), self._sla(row)]),
            severity_content(row.severity),
            Content("\n").join(
                [
                    self._due(row, now),
                    Content.styled(f"age {timetext.age(row.created_at, now)}", "dim"),
                ]
            ),
        ]
