"""The lead's dashboard (`d` on the case list, or the palette): the numbers a support lead asks for.

Open cases by severity and destination; follow-ups due and overdue; SLA breaches; the share kept in
support versus escalated; median time to resolution by severity; escalations per week over the last
13 weeks as a bar chart; the most frequent symptoms. All of it is `workbench.stats` over the store's
case facts (open cases and cases touched in the window, read without parsing any case), computed in
a worker thread so a large history never freezes the screen. Laid out to read whole at 80x24.
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from screens import stylesheets
from screens.widgets import KeysFooter, severity_content, update_static
from workbench import timetext
from workbench.stats import SEVERITY_ORDER, Dashboard, dashboard_from
from workbench.vocab import plural

if TYPE_CHECKING:
    from screens.app import WorkbenchApp

CHART_HEIGHT = 6
CHART_BAR = 2  # cells per week; 13 weeks fit the right column at 80 columns
CHART_BAR_MAX = 6
CHART_HEIGHT_MAX = 14
BAR = " ▁▂▃▄▅▆▇█"
SHORT_ROUTES = {
    "Engineering": "Eng",
    "Product": "Prod",
    "Security": "Sec",
    "Leadership": "Lead",
    "Support": "Sup",
}
MAX_COLUMNS = 5


def short_route(label: str) -> str:
    """A destination as a narrow column heading: "Support L2" -> "L2", "Engineering" -> "Eng"."""
    if label in SHORT_ROUTES:
        return SHORT_ROUTES[label]
    return label.split()[-1][:4] if " " in label else label[:4]


def bar_rows(
    values: list[int], height: int = CHART_HEIGHT, width: int = 2, gap: int = 1
) -> list[str]:
    """A vertical bar chart as text rows (top first), in eighth blocks; a non-zero value always
    shows at least a sliver."""
    top = max(values, default=0)
    eighths = [0 if v <= 0 or top <= 0 else max(1, round(v / top * height * 8)) for v in values]
    rows: list[str] = []
    for level in range(height - 1, -1, -1):
        cells = [BAR[min(8, max(0, e - level * 8))] * width for e in eighths]
        rows.append((" " * gap).join(cells))
    return rows


def _severity_label(severity: str, label: str) -> Content:
    if severity == "unrated":
        return Content.styled(label, "dim")
    return severity_content(severity, label)


def open_lines(board: Dashboard) -> list[Content]:
    """The open cases as a severity x destination table, with row totals."""
    used = [d for d in board.destinations if any(d in row for row in board.open_matrix.values())]
    columns = used[:MAX_COLUMNS]
    heading = Content.assemble(
        Content.styled("Open cases ", "bold $accent"),
        Content.styled(f"({board.open_total})", "bold"),
    )
    lines = [heading]
    if not board.open_total:
        lines.append(Content.styled("  none open", "dim"))
        return lines
    header = "".join(short_route(c).rjust(5) for c in columns) + "  All".rjust(5)
    lines.append(Content.styled(" " * 9 + header, "$text-muted"))
    for severity in SEVERITY_ORDER:
        total = board.open_by_severity[severity]
        if severity == "unrated" and not total:
            continue
        row = board.open_matrix[severity]
        cells = "".join(str(row.get(c, 0) or "·").rjust(5) for c in columns)
        label = "Unrated" if severity == "unrated" else severity.capitalize()
        name = _severity_label(severity, label)
        lines.append(
            Content.assemble(
                name, " " * (9 - len(label)), cells, Content.styled(str(total).rjust(5), "bold")
            )
        )
    if len(used) > len(columns):
        lines.append(
            Content.styled(
                f"  + {len(used) - len(columns)} more "
                + ("destination" if len(used) - len(columns) == 1 else "destinations"),
                "dim",
            )
        )
    return lines


def status_lines(board: Dashboard) -> list[Content]:
    overdue_style = "bold $error" if board.followups_overdue else ""
    breach_style = "bold $error" if board.sla_breaches_open else ""
    lines = [
        Content.assemble(
            Content.styled("Follow-ups  ", "bold $accent"),
            f"{board.followups_due} due · ",
            Content.styled(f"{board.followups_overdue} overdue", overdue_style),
        ),
        Content.assemble(
            Content.styled("SLA breaches  ", "bold $accent"),
            Content.styled(f"{board.sla_breaches_open} open", breach_style),
            f" · {board.sla_breaches_window} in 13 wk",
        ),
        Content.styled("Kept in support vs escalated (13 wk)", "bold $accent"),
    ]
    share = board.kept_share
    if share is None:
        lines.append(Content.styled("  no decisions yet", "dim"))
    else:
        width = 20
        kept = round(share * width)
        lines.append(
            Content.assemble(
                f"  {share:.0%} ",
                Content.styled("█" * kept, "$success"),
                Content.styled("█" * (width - kept), "$warning"),
                f" {1 - share:.0%}",
            )
        )
        lines.append(Content.styled(f"  {board.kept} kept · {board.escalated} escalated", "dim"))
    return lines


def median_lines(board: Dashboard) -> list[Content]:
    lines = [Content.styled("Median time to resolution (13 wk)", "bold $accent")]
    for severity in SEVERITY_ORDER:
        count = board.resolved_in_window[severity]
        if severity == "unrated" and not count:
            continue
        label = "Unrated" if severity == "unrated" else severity.capitalize()
        hours = timetext.hours(board.median_resolution_hours[severity])
        lines.append(
            Content.assemble(
                "  ",
                _severity_label(severity, label),
                " " * (9 - len(label)),
                hours.rjust(7),
                Content.styled(f"  {count} resolved", "dim"),
            )
        )
    return lines


def chart_size(width: int, height: int, weeks: int, peak: int = 0) -> tuple[int, int]:
    """Cells per week and rows for the room there is: two cells and six rows in the right column
    at 80x24, wider and taller bars (up to six cells, fourteen rows) on a large terminal."""
    room = width - _gutter(peak) - 1  # the axis labels and their rule
    bar = max(CHART_BAR, min(CHART_BAR_MAX, room // max(1, weeks)))
    rows = max(CHART_HEIGHT, min(CHART_HEIGHT_MAX, (height - 16) // 2))
    return bar, rows


def _gutter(peak: int) -> int:
    return max(2, len(str(peak)))


def chart_lines(
    board: Dashboard, bar: int = CHART_BAR, height: int = CHART_HEIGHT
) -> list[Content]:
    """Escalations per week as bars `bar` cells wide (the current week in the accent colour),
    with the peak on the axis and the first and current weeks under it."""
    values = [w.count for w in board.weekly]
    peak = max(values, default=0)
    lines = [
        Content.assemble(
            Content.styled("Escalations per week", "bold $accent"),
            Content.styled(f"  {board.escalations_in_window} in 13 wk", "dim"),
        )
    ]
    gutter = _gutter(peak)
    for index, row in enumerate(bar_rows(values, height=height, width=bar, gap=0)):
        label = str(peak) if index == 0 else ("0" if index == height - 1 else "")
        # alternate two shades so that neighbouring weeks of equal height stay apart
        weeks = [row[i : i + bar] for i in range(0, len(row), bar)]
        cells = [
            Content.styled(cell, "$primary" if week % 2 == 0 else "$primary-lighten-2")
            for week, cell in enumerate(weeks[:-1])
        ]
        lines.append(
            Content.assemble(
                Content.styled(label.rjust(gutter) + "│", "dim"),
                *cells,
                Content.styled(weeks[-1], "bold $accent"),
            )
        )
    if board.weekly:
        first = timetext.day(board.weekly[0].start, UTC, with_year=False)
        last = timetext.day(board.weekly[-1].start, UTC, with_year=False)
        width = len(values) * bar
        axis = " " * (gutter + 1) + first + last.rjust(width - len(first))
        lines.append(Content.styled(axis, "dim"))
    return lines


def symptom_lines(board: Dashboard) -> list[Content]:
    lines = [Content.styled("Most frequent symptoms (13 wk)", "bold $accent")]
    if not board.top_symptoms:
        lines.append(Content.styled("  nothing repeated yet", "dim"))
    for symptom in board.top_symptoms:
        phrase = " ".join(symptom.phrase.split())
        lines.append(Content.assemble(Content.styled(f"{symptom.count:>5}  ", "bold"), phrase))
    return lines


class DashboardScreen(Screen[None]):
    """The figures a support lead asks for, on one screen."""

    CSS_PATH = stylesheets("dashboard")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Cases", id="dashboard.back", tooltip="Back to the case list"),
        Binding(
            "r", "reload", "Reload", id="dashboard.reload", tooltip="Compute the figures again"
        ),
    ]

    def __init__(self) -> None:
        super().__init__(id="dashboard")
        self.board: Dashboard | None = None

    @property
    def workbench(self) -> WorkbenchApp:
        # Textual types `app` as App[object]; every screen here runs in the WorkbenchApp.
        return cast("WorkbenchApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("Dashboard", id="dash-title")
        with Horizontal(id="dash-body"):
            with Vertical(id="dash-left"):
                yield Static(id="dash-open")
                yield Static(id="dash-status")
                yield Static(id="dash-median")
            with Vertical(id="dash-right"):
                yield Static(id="dash-chart")
                yield Static(id="dash-symptoms")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.query_one("#dash-title", Static).update(
            Content.styled("Dashboard · computing…", "bold")
        )
        self._compute()

    @work(thread=True, exclusive=True, group="dashboard")
    def _compute(self) -> None:
        app = self.workbench
        board = dashboard_from(app.store, app.playbook, app.now())
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, board)

    def show(self, board: Dashboard) -> None:
        self.board = board
        self.query_one("#dash-title", Static).update(
            Content.assemble(
                Content.styled("Dashboard", "bold"),
                Content.styled(
                    f" · {timetext.clock(board.now, board.now, with_day=True, with_year=True)}"
                    f" · {plural(board.total, 'case')}, "
                    f"{board.open_total:,} open",
                    "$text-muted",
                ),
            )
        )
        join = Content("\n").join
        self.query_one("#dash-open", Static).update(join(open_lines(board)))
        self.query_one("#dash-status", Static).update(join(status_lines(board)))
        self.query_one("#dash-median", Static).update(join(median_lines(board)))
        self._show_chart()
        self.query_one("#dash-symptoms", Static).update(join(symptom_lines(board)))

    def _show_chart(self) -> None:
        if self.board is None:
            return
        width = self.query_one("#dash-right").content_region.width  # 0 before layout: smallest
        peak = max((week.count for week in self.board.weekly), default=0)
        bar, height = chart_size(width, self.size.height, len(self.board.weekly), peak)
        chart = Content("\n").join(chart_lines(self.board, bar, height))
        update_static(self.query_one("#dash-chart", Static), chart)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_chart)  # once the columns have their new widths

    def action_back(self) -> None:
        self.dismiss()
