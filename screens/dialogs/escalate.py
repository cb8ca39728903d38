"""Escalate: where the case goes, to whom, and when it was sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from screens.dialogs.followup_frame import FollowUpDialog, field_row
from screens.dialogs.followup_requests import EscalateRequest
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.rules.times import sent_before_opened


class EscalateDialog(FollowUpDialog[EscalateRequest]):
    """Where the case goes, to whom, and when it was sent (blank: now)."""

    TITLE_TEXT = "Escalate: record where it went"
    HINT = "enter picks, enter again saves · ctrl+s saves · escape cancels"
    DENSE = True

    def __init__(
        self,
        case: Escalation,
        playbook: Playbook,
        now: datetime,
        *,
        suggested: Sequence[str] = (),
    ) -> None:
        super().__init__(case, playbook, now)
        ids = [d.id for d in playbook.destinations]
        first = [d for d in suggested if d in ids]
        self.order = first + [d for d in ids if d not in first]
        self.suggested = set(first)
        # The destinations the case is with now: escalating to another one adds it beside them.
        self.active = {r.destination: r for r in case.active_escalations()}
        if self.active:
            self.title_text = "Escalate: add a destination"

    def compose_fields(self) -> ComposeResult:
        options = []
        for dest_id in self.order:
            dest = self.playbook.destination(dest_id)
            # The agent's own choice (accepted on Triage) is not a suggestion any more.
            chosen = dest_id in self.case.routed_to
            mark = (" (routed)" if chosen else " (suggested)") if dest_id in self.suggested else ""
            if dest_id in self.active:
                mark = " (sent: again restarts its clock)"
            prompt = Content.assemble((dest.name, "bold"), mark, ("  " + dest.receiver, "dim"))
            options.append(Option(prompt, id=dest_id))
        yield Label("Destination", classes="dialog-label")
        yield OptionList(*options, id="escalate-destination")
        yield field_row(
            "Receiver", Input(compact=True, placeholder="team or person", id="escalate-receiver")
        )
        yield field_row(
            "Sent", Input(compact=True, placeholder="blank = now, or 10:30", id="escalate-at")
        )
        yield field_row(
            "Note", Input(compact=True, placeholder="optional: ticket, thread", id="escalate-note")
        )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        # The first suggested destination the case is not with yet, else the first not with it.
        fresh = [d for d in self.order if d not in self.active]
        options.highlighted = self.order.index(fresh[0]) if fresh else 0
        options.focus()
        self._placeholder()

    @on(OptionList.OptionHighlighted)
    def _placeholder(self) -> None:
        dest = self.playbook.destination(self._destination())
        self.query_one("#escalate-receiver", Input).placeholder = dest.receiver

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#escalate-receiver", Input).focus()

    def _destination(self) -> str:
        index = self.query_one(OptionList).highlighted
        return self.order[index or 0]

    def build(self) -> EscalateRequest:
        at = self.when(self.query_one("#escalate-at", Input).value, "Sent")
        problem = sent_before_opened(self.case, at)
        if problem is not None:
            raise ValueError(f"Sent: {problem}")
        return EscalateRequest(
            destination=self._destination(),
            receiver=self.query_one("#escalate-receiver", Input).value,
            at=at,
            note=self.query_one("#escalate-note", Input).value,
        )
