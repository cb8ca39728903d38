"""The lines above the case list and the filters they show: the counts line (open, overdue), the
filter line (which cases of how many, the search, the status and severity filters, the sort), and
what the list says when it is empty.
"""

from __future__ import annotations

from textual.content import Content

from screens.home_columns import SortColumn, status_label
from workbench import vocab

# "open" as the dashboard and `stats` count it (workbench.vocab.OPEN_STATUSES).
OPEN_STATUSES = tuple(status.value for status in vocab.OPEN_STATUSES)
STATUS_FILTERS: tuple[str | None, ...] = (
    None,
    "open",
    "draft",
    "escalated",
    "kept_in_support",
    "de_escalated",
    "resolved",
)
SEVERITY_FILTERS: tuple[str | None, ...] = (None, "critical", "high", "medium")

NO_MATCH = (
    "No case matches the search or filters.\n\n"
    "escape clears the search, s and v cycle the filters back to all."
)


def counts_line(open_count: int, overdue: int) -> Content:
    """`Escalation Workbench · 12 open · 3 overdue`, the overdue count red when there are any."""
    counts = [
        Content.styled("Escalation Workbench", "bold $accent"),
        Content.styled(" · ", "dim"),
        Content(f"{open_count:,} open"),
        Content.styled(" · ", "dim"),
    ]
    if overdue:
        counts.append(Content.styled(f"{overdue:,} overdue", "bold $error"))
    else:
        counts.append(Content("0 overdue"))
    return Content("").join(counts)


def filters_line(
    *,
    offset: int,
    shown: int,
    total: int,
    more: bool,
    cap: int,
    query_text: str,
    status_filter: str | None,
    severity_filter: str | None,
    sort: SortColumn,
    descending: bool,
    wide: bool,
    mine: bool = False,
) -> Content:
    """Which cases the page shows (`1-40 of 1,200`, or `of 10,000+` past `cap` when `more`), the
    search, the filters and the sort, each with its key."""
    first_part = ""
    if total:
        first = offset + 1
        last = offset + shown
        of = f"{cap:,}+" if more else f"{total:,}"
        first_part = f"{first:,}-{last:,} of {of}"
    parts = [
        f"status: {status_label(status_filter)} (s)",
        f"severity: {severity_filter.capitalize() if severity_filter else 'all'} (v)",
        f"sort: {sort.label} {'↓' if descending else '↑'} (o/O)",
    ]
    if mine:
        parts.insert(0, "mine (m)")
    if query_text:
        parts.insert(0, f'search: "{query_text}"')
    if first_part:
        parts.insert(0, first_part)  # first: at 80 columns the line's end may be cut
    separator = "  ·  " if wide else " · "
    return Content.styled(separator.join(parts), "dim")


def welcome() -> Content:
    """What the list says when the database holds no case yet."""
    return Content.from_markup(
        "[b]No escalations yet.[/b]\n\n"
        "Press [b $accent]n[/] to start a new case: give it a title, then work through "
        "the steps (F2 Triage, F3 Impact, F4 Reproduction, F5 Details, F6 Timeline, "
        "F7 Export).\n\n"
        "Or import an escalation document from the shell:\n"
        "  [b]workbench import data/samples/engineering-defect.md[/b]\n"
        "  (also security-report.md and product-gap.md)\n\n"
        "F1 or ? shows every key and the playbook's operating principles."
    )
