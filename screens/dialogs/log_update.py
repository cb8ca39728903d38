"""Log an update: a team check-in, a customer update or a note. `t`, `c` and `n` pick the kind, so
`l c <summary> enter` logs a customer update.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from screens.dialogs.followup_frame import FollowUpDialog, field_row
from screens.dialogs.followup_requests import LogRequest
from workbench.models import Escalation, LogKind
from workbench.playbook import Playbook
from workbench.when import parse_when

KIND_KEYS: tuple[tuple[str, LogKind], ...] = (
    ("t", LogKind.TEAM_CHECKIN),
    ("c", LogKind.CUSTOMER_UPDATE),
    ("n", LogKind.NOTE),
)


class KindChooser(Static, can_focus=True):
    """The kind of update as a quick key: t team check-in, c customer update, n note."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            # Priority: handled as the key arrives, so a summary typed right after the kind
            # key lands in the summary field (screens.dialogs.base, "enter as the key arrives").
            Binding(
                key,
                f"choose('{kind.value}')",
                kind.label,
                id=f"followup.kind_{key}",
                priority=True,
            )
            for key, kind in KIND_KEYS
        ),
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("right", "step(1)", "Next", show=False),
        Binding("enter", "done", "Next field", show=False, priority=True),
    ]

    def __init__(self, kind: LogKind, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = kind

    def on_mount(self) -> None:
        self._render_kinds()

    def _render_kinds(self) -> None:
        parts = []
        for key, kind in KIND_KEYS:
            text = f" [{key}] {kind.label} "
            parts.append(Content.styled(text, "bold reverse" if kind is self.kind else ""))
        self.update(Content(" ").join(parts))

    def action_choose(self, value: str) -> None:
        self.kind = LogKind(value)
        self._render_kinds()
        self.post_message(KindChooser.Chosen(self.kind))
        self.screen.focus_next()

    def action_step(self, delta: int) -> None:
        kinds = [kind for _, kind in KIND_KEYS]
        self.kind = kinds[(kinds.index(self.kind) + delta) % len(kinds)]
        self._render_kinds()
        self.post_message(KindChooser.Chosen(self.kind))

    def action_done(self) -> None:
        self.screen.focus_next()

    class Chosen(Message):
        def __init__(self, kind: LogKind) -> None:
            super().__init__()
            self.kind = kind


class LogUpdateDialog(FollowUpDialog[LogRequest]):
    """Log a check-in, a customer update (with what the customer now expects) or a note."""

    TITLE_TEXT = "Log an update"

    def __init__(
        self, case: Escalation, playbook: Playbook, now: datetime, *, kind: LogKind = LogKind.NOTE
    ) -> None:
        super().__init__(case, playbook, now)
        self.kind = kind

    def compose_fields(self) -> ComposeResult:
        yield KindChooser(self.kind, id="log-kind")
        yield field_row(
            "Summary", Input(compact=True, placeholder="one line: what happened", id="log-summary")
        )
        yield field_row("Detail", Input(compact=True, placeholder="optional", id="log-detail"))
        yield field_row(
            "Expects",
            Input(
                compact=True, placeholder="what the customer expects, by when", id="log-expectation"
            ),
        )
        yield field_row(
            "Next by",
            Input(compact=True, placeholder="next update promised for: 17:30", id="log-next"),
        )
        teams = self.case.active_escalations()
        yield field_row(
            "Team",
            Input(
                compact=True,
                placeholder=" or ".join(record.destination for record in teams),
                id="log-team",
            ),
        )
        yield field_row(
            "When",
            Input(compact=True, placeholder="blank = now, or 10:30 / 20 min ago", id="log-at"),
        )

    def on_mount(self) -> None:
        self._show_expectation()
        self.query_one(KindChooser).focus()

    @on(KindChooser.Chosen)
    def _kind(self, event: KindChooser.Chosen) -> None:
        self.kind = event.kind
        self._show_expectation()

    def _show_expectation(self) -> None:
        customer = self.kind is LogKind.CUSTOMER_UPDATE
        # A team check-in names its team when the case is with several.
        several = len(self.case.active_escalations()) > 1
        shown = {
            "#log-expectation": customer,
            "#log-next": customer,
            "#log-team": self.kind is LogKind.TEAM_CHECKIN and several,
        }
        for field_id, display in shown.items():
            row = self.query_one(field_id, Input).parent
            if row is not None:
                row.display = display

    def _next_at(self) -> datetime | None:
        text = self.query_one("#log-next", Input).value.strip()
        if self.kind is not LogKind.CUSTOMER_UPDATE or not text:
            return None
        moment = parse_when(text, self.now)
        if moment is None:
            raise ValueError(f'Next by: cannot read "{text}" (try "17:30" or "in 2 h")')
        return moment

    def build(self) -> LogRequest:
        expectation = ""
        if self.kind is LogKind.CUSTOMER_UPDATE:
            expectation = self.query_one("#log-expectation", Input).value
        return LogRequest(
            kind=self.kind,
            summary=self.query_one("#log-summary", Input).value,
            detail=self.query_one("#log-detail", Input).value,
            expectation=expectation,
            at=self.when(self.query_one("#log-at", Input).value),
            next_at=self._next_at(),
            destination=(
                self.query_one("#log-team", Input).value
                if self.kind is LogKind.TEAM_CHECKIN
                else ""
            ),
        )
