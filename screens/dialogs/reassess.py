"""Re-assess severity, up or down, with the reason."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.dialogs.followup_frame import FollowUpDialog, field_row
from screens.dialogs.followup_requests import ReassessRequest
from workbench.models import Escalation, Severity
from workbench.playbook import Playbook


class ReassessDialog(FollowUpDialog[ReassessRequest]):
    """Severity up or down, with the reason; the follow-up cadence follows it."""

    TITLE_TEXT = "Re-assess severity"
    HINT = "c/h/m or ↑↓ choose · enter, reason, enter saves · escape cancels"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c", "pick('critical')", "Critical", show=False, id="reassess.critical", priority=True
        ),
        Binding("h", "pick('high')", "High", show=False, id="reassess.high", priority=True),
        Binding("m", "pick('medium')", "Medium", show=False, id="reassess.medium", priority=True),
    ]

    ORDER: ClassVar[tuple[Severity, ...]] = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM)

    def __init__(
        self, case: Escalation, playbook: Playbook, now: datetime, *, current: Severity | None
    ) -> None:
        super().__init__(case, playbook, now)
        self.current = current

    def compose_fields(self) -> ComposeResult:
        current = self.current.label if self.current else "not set"
        yield Static(f"Now: {current}. Re-assess if circumstances shift in either direction.")
        options = []
        for severity in self.ORDER:
            definition = self.playbook.severity(severity.value)
            cadence = self.playbook.cadence(severity.value)
            mark = " (now)" if severity is self.current else ""
            prompt = Content.assemble(
                (f"{definition.name}{mark}", f"bold {_SEVERITY_STYLE[severity]}"),
                (f"  team: {cadence.team_label} · customer: {cadence.customer_label}", "dim"),
            )
            options.append(Option(prompt, id=severity.value))
        yield OptionList(*options, id="reassess-severity")
        yield field_row(
            "Reason", Input(compact=True, placeholder="what changed (logged)", id="reassess-reason")
        )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        # Start on a neighbour of the current severity: a re-assessment is a change.
        index = self.ORDER.index(self.current) if self.current in self.ORDER else 1
        options.highlighted = index - 1 if index > 0 else index + 1
        options.focus()

    def action_pick(self, value: str) -> None:
        # A priority binding moving focus at once: the reason typed right after the letter
        # lands in the reason field (screens.dialogs.base, "enter as the key arrives").
        self.query_one(OptionList).highlighted = self.ORDER.index(Severity(value))
        self.set_focus(self.query_one("#reassess-reason", Input))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#reassess-reason", Input).focus()

    def build(self) -> ReassessRequest:
        index = self.query_one(OptionList).highlighted or 0
        return ReassessRequest(
            severity=self.ORDER[index],
            reason=self.query_one("#reassess-reason", Input).value,
            at=self.now,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # c/h/m pick a severity only while the choice list has focus, never while typing the reason.
        if action == "pick":
            return isinstance(self.focused, OptionList)
        return super().check_action(action, parameters)


_SEVERITY_STYLE: dict[Severity, str] = {
    Severity.CRITICAL: "$error",
    Severity.HIGH: "$warning",
    Severity.MEDIUM: "$primary",
}
