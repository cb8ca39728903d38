"""The case list's keys, with the tooltips its footer and the help screen show."""

from __future__ import annotations

from textual.binding import Binding, BindingType

HOME_KEYS: list[BindingType] = [
    Binding(
        "n",
        "new_case",
        "New",
        id="home.new",
        tooltip="New case: asks for a title, then opens Triage",
    ),
    Binding("ctrl+q", "app.quit", "Quit", id="home.quit", tooltip="Quit"),
    Binding(
        "enter",
        "open_case",
        "Open",
        id="home.open",
        show=False,
        tooltip="Open the highlighted case at Triage",
    ),
    Binding(
        "slash",
        "search",
        "Search",
        id="home.search",
        tooltip="Full-text search as you type (enter: back to the list)",
    ),
    Binding(
        "s",
        "cycle_status",
        "Status",
        id="home.status",
        tooltip="Cycle the status filter: all, open, draft, escalated, ...",
    ),
    Binding(
        "v",
        "cycle_severity",
        "Severity",
        id="home.severity",
        tooltip="Cycle the severity filter: all, Critical, High, Medium",
    ),
    Binding(
        "m",
        "toggle_mine",
        "Mine",
        id="home.mine",
        show=False,
        tooltip="On a team database: only the cases you own, or the whole team's",
    ),
    Binding(
        "o",
        "cycle_sort",
        "Sort",
        id="home.sort",
        tooltip="Cycle the sort column (or select a column header)",
    ),
    Binding(
        "O",
        "reverse_sort",
        "Reverse",
        id="home.reverse",
        show=False,
        tooltip="Reverse the sort order",
    ),
    Binding("d", "dashboard", "Dashboard", id="home.dashboard", tooltip="The lead's dashboard"),
    Binding(
        "r",
        "reload",
        "Reload",
        id="home.reload",
        show=False,
        tooltip="Reload the list from the database",
    ),
    Binding(
        "escape",
        "clear_search",
        "Clear",
        id="home.clear",
        show=False,
        tooltip="Clear the search",
    ),
]
