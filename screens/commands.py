"""The command palette (ctrl+p): every action of the screen you are on, the step screens of the
case, the app-wide commands, and cases found by what you type (title, customer, text).

Entries come from the screens' own bindings, so a new binding shows up here without a second list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.case_base import CaseScreen
from screens.steps import STEPS

if TYPE_CHECKING:
    from screens.app import WorkbenchApp
    from screens.home import HomeScreen

# Bindings that only move focus or the cursor: not worth a palette entry.
_SKIP_ACTIONS = frozenset(
    {"app.focus_next", "app.focus_previous", "command_palette", "quit", "app.quit"}
)
CASE_HITS = 8


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Callable[[], object]


class WorkbenchCommands(Provider):
    """Commands for the screen the palette was opened from, plus cases matching the query."""

    @property
    def workbench(self) -> WorkbenchApp:
        # Textual types `app` as App[object]; every screen here runs in the WorkbenchApp.
        return cast("WorkbenchApp", self.app)

    def commands(self) -> Iterator[Command]:
        """Every command available from the current screen, in a stable order."""
        from screens.home import HomeScreen

        app = self.workbench
        screen = self.screen
        seen: set[str] = set()
        # The current screen's own actions, from its active bindings.
        for node, binding, enabled, _tooltip in screen.active_bindings.values():
            action = binding.action
            if not enabled or not binding.description or action in _SKIP_ACTIONS:
                continue
            if action.startswith("step(") or node is app:
                continue
            key = app.get_key_display(binding)
            name = f"{_screen_title(screen)}: {binding.description}"
            if name in seen:
                continue
            seen.add(name)
            run = partial(app.run_action, action, node)
            yield Command(name, f"{binding.tooltip or binding.description} ({key})", run)
        # The steps of the open case, or of the highlighted case on the list.
        case_id: int | None = None
        if isinstance(screen, CaseScreen):
            case_id = screen.case_id
        elif isinstance(screen, HomeScreen):
            case_id = screen.current_case_id()
        if case_id is not None:
            for step in STEPS:
                if isinstance(screen, CaseScreen) and step.name == screen.STEP:
                    continue
                yield Command(
                    f"Case #{case_id}: {step.label}",
                    f"Open the {step.label} step of case #{case_id} ({step.key.upper()})",
                    partial(app.open_case, case_id, step.name),
                )
        # App-wide.
        yield Command("Case list", "Back to the list of escalations (escape)", app.go_home)
        yield Command("New case", "Start a new escalation (n on the list)", self._start_new_case)
        yield Command("Search cases", "Full-text search on the list (/)", self._start_search)
        if not isinstance(screen, HomeScreen):  # the list offers it from its own `d` binding
            yield Command("Dashboard", "The lead's figures (d on the list)", self._start_dashboard)
        yield Command(
            "Help", "Keys of every screen and the operating principles (F1)", app.action_help
        )
        yield Command("Quit", "Quit; what you typed is saved first (ctrl+q)", app.action_quit)

    def _go_home(self) -> HomeScreen | None:
        from screens.home import HomeScreen

        self.workbench.go_home()
        screen = self.app.screen
        return screen if isinstance(screen, HomeScreen) else None

    def _start_new_case(self) -> None:
        home = self._go_home()
        if home is not None:
            home.action_new_case()

    def _start_dashboard(self) -> None:
        home = self._go_home()
        if home is not None:
            home.action_dashboard()

    def _start_search(self) -> None:
        home = self._go_home()
        if home is not None:
            # A coroutine: called here and dropped, it never ran (the box never opened).
            self.app.call_later(home.action_search)

    async def discover(self) -> Hits:
        for command in self.commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
        for hit in self._case_hits(query):
            yield hit

    def _case_hits(self, query: str) -> Iterator[Hit]:
        """Cases whose title, customer or text match: open them at Triage."""
        from workbench.store import StoreError

        text = query.strip()
        if len(text) < 2:
            return
        try:
            rows = self.workbench.store.list_cases(query=text, limit=CASE_HITS)
        except (StoreError, ValueError):
            return
        for rank, row in enumerate(rows):
            label = f"Open case #{row.id}: {row.title}"
            who = f" ({row.customer})" if row.customer else ""
            yield Hit(
                0.5 - rank * 0.01,
                label,
                partial(self.workbench.open_case, row.id, "triage"),
                text=label,
                help=f"{row.status.label}{who}",
            )


def _screen_title(screen: object) -> str:
    step = getattr(screen, "STEP", "")
    if step:
        return step.capitalize()
    name = type(screen).__name__.removesuffix("Screen")
    return "List" if name == "Home" else name
