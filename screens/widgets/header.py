"""The case header at the top of every step screen: the case's facts, the step tabs and the
saved mark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from screens.widgets.content import same_content, severity_content, update_static
from screens.widgets.saved import SavedIndicator

if TYPE_CHECKING:
    from screens.app import WorkbenchApp
    from workbench.models import Escalation


class CaseHeader(Vertical):
    """Top of every step screen: `#id title · status · severity · routed to`, the step tabs with
    the current one highlighted (clickable), and the saved indicator."""

    DEFAULT_CSS = """
    CaseHeader { height: auto; }
    CaseHeader #case-header-top { height: 1; }
    CaseHeader #case-steps { height: 1; }
    """

    def __init__(self, step: str, *, id: str | None = "case-header") -> None:
        super().__init__(id=id)
        self.step = step

    def compose(self) -> ComposeResult:
        with Horizontal(id="case-header-top"):
            yield CaseLine(id="case-line")
            yield SavedIndicator(id="saved")
        yield Static(self._tabs(), id="case-steps")

    def _tabs(self, width: int = 0) -> Content:
        """`F2 Triage  F3 Impact ...`, the current step highlighted; shorter when space is short
        (only the current step keeps its name), so every key stays visible."""
        from screens.steps import STEPS

        def build(short: bool) -> Content:
            parts: list[Content] = []
            for info in STEPS:
                key = info.key.upper()
                if info.name == self.step:
                    parts.append(Content.styled(f" {key} {info.label} ", "bold reverse $accent"))
                else:
                    label = key if short else f"{key} {info.label}"
                    parts.append(Content.styled(label, f"@click=screen.step('{info.name}')"))
            return Content("  ").join(parts)

        full = build(short=False)
        return full if not width or full.cell_length <= width else build(short=True)

    def on_resize(self) -> None:
        steps = self.query_one("#case-steps", Static)
        update_static(steps, self._tabs(self.content_region.width))

    def show_case(self, case: Escalation) -> None:
        """Re-render the title line from the case and what the rules derive from it: the title
        (cut first when space is short), then status, severity and routing, which always show."""
        from workbench.rules.impact import effective_severity
        from workbench.rules.summary import routed_label

        app = cast("WorkbenchApp", self.app)  # Textual types it App[object]
        now = app.now()
        sep = Content.styled(" · ", "dim")
        title = [
            Content.styled(f"#{case.id} ", "bold"),
            Content.styled(case.title or "(untitled)", "bold"),
        ]
        if case.customer:
            title += [sep, Content(case.customer)]
        facts = [
            sep,
            Content(case.status.label),
            sep,
            severity_content(effective_severity(case, app.playbook, now)),
            sep,
            _routing(routed_label(case, app.playbook, now), chosen=bool(case.routed_to)),
            Content(" "),
        ]
        self.query_one(CaseLine).show(Content("").join(title), Content("").join(facts))

    @property
    def saved(self) -> SavedIndicator:
        return self.query_one(SavedIndicator)


class CaseLine(Widget):
    """`#id title · customer` and the facts after it, on one line: the title cut (with an
    ellipsis) to leave the facts their room, down to a quarter of the line. One widget whose
    size the stylesheet fixes: a tick that changes the facts' length (a case made critical, a new
    route) repaints this line; as two widgets, each as wide as its text, it laid the screen out
    twice."""

    DEFAULT_CSS = """
    CaseLine { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = Content("")
        self.facts = Content("")

    def show(self, title: Content, facts: Content) -> None:
        if same_content(title, self.title) and same_content(facts, self.facts):
            return
        self.title, self.facts = title, facts
        self.refresh()

    def render(self) -> Content:
        width = self.content_region.width
        facts = self.facts
        # The title keeps a quarter of the line (its number and first words); the facts the rest.
        most = width - min(self.title.cell_length, width // 4)
        if facts.cell_length > most:
            facts = facts.truncate(most, ellipsis=True)
        room = max(0, width - facts.cell_length)
        title = self.title.truncate(room, ellipsis=True, pad=True) if room else Content("")
        return Content.assemble(title, facts)


def _routing(label: str, *, chosen: bool) -> Content:
    """Where the case goes: the destinations chosen, or the triage's suggestion until one is
    accepted (Triage says "Not routed yet" then; the header must not read as routed)."""
    if not label:
        return Content("not routed")
    return Content(label) if chosen else Content.styled(f"{label} (suggested)", "dim")
