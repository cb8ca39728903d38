"""De-escalate: the playbook's conditions and its procedure, saved as a checklist."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, SelectionList, Static, TextArea

from screens.dialogs.followup_frame import TICK_HINT, FollowUpDialog, field_row
from screens.dialogs.followup_requests import DeEscalateRequest
from screens.widgets.ticks import TickList
from workbench import followup


class DeEscalateDialog(FollowUpDialog[DeEscalateRequest]):
    """The playbook's de-escalation conditions and its four-step procedure.

    The checklist is saved as it stands; the case becomes de-escalated once a condition holds and
    every step is done or skipped with a reason.
    """

    TITLE_TEXT = "De-escalate: pull the case back to support"
    DENSE = True
    HINT = TICK_HINT

    def compose_fields(self) -> ComposeResult:
        record = self.case.de_escalation
        de = self.playbook.de_escalation
        teams = self.case.active_escalations()
        if len(teams) > 1:
            # With several teams: pull it back from one (the others keep it), or from all.
            names = ", ".join(r.destination for r in teams)
            yield field_row(
                "From",
                Input(
                    compact=True, placeholder=f"blank = all, or one of: {names}", id="deesc-from"
                ),
            )
        yield Label(de.intro, classes="dialog-label")
        yield TickList[str](
            *((c.text, c.id, bool(record and record.conditions.get(c.id))) for c in de.conditions),
            id="deesc-conditions",
            compact=True,
        )
        yield Label("Procedure: each step done, or skipped with a reason", classes="dialog-label")
        yield TickList[str](
            *((s.text, s.id, bool(record and record.steps_done.get(s.id))) for s in de.procedure),
            id="deesc-steps",
            compact=True,
        )
        yield field_row(
            "Outcome",
            Input(
                compact=True,
                value=record.outcome if record else "",
                placeholder="the resolution or new status (told to the customer)",
                id="deesc-outcome",
            ),
        )
        # Findings can run to a few lines (a pasted snippet too), as Resolve's lessons learned.
        findings = field_row(
            "Findings",
            TextArea(
                record.findings if record else "",
                compact=True,
                placeholder="what future agents should know (ctrl+s saves)",
                id="deesc-findings",
            ),
        )
        findings.add_class("followup-area-row")
        yield findings
        yield Label("Skipped because (only for a step not done)", classes="dialog-label")
        for index, step in enumerate(de.procedure, start=1):
            yield field_row(
                f"Step {index}",
                Input(
                    compact=True,
                    value=record.skipped.get(step.id, "") if record else "",
                    placeholder=f"skip: {step.text[:40]}…" if len(step.text) > 40 else step.text,
                    id=f"deesc-skip-{index}",
                ),
            )

    def compose_status(self) -> ComposeResult:
        yield Static("", id="deesc-missing", classes="warning-text")

    def on_mount(self) -> None:
        self.query_one("#deesc-conditions", TickList).focus()
        self._show_missing()

    @on(SelectionList.SelectedChanged)
    @on(Input.Changed)
    @on(TextArea.Changed)
    def _show_missing(self) -> None:
        request = self.build()
        if not request.missing:
            text = Content.styled(
                "Ready: saving de-escalates the case and stops its clocks.", "$success"
            )
        else:
            text = Content.styled(
                "Still to do: " + "; ".join(self._left(request)) + " (saving keeps the checklist)",
                "$warning",
            )
        self.query_one("#deesc-missing", Static).update(text)

    def _left(self, request: DeEscalateRequest) -> list[str]:
        """What the agent still has to do, in the dialog's own words: which box to tick, which
        field to type in ("step 2 needs its Outcome text")."""
        left = []
        if not any(request.conditions.values()):
            left.append("tick a condition")
        undone: list[str] = []
        for index, step in enumerate(self.playbook.de_escalation.procedure, start=1):
            for item in request.missing:
                if not item.startswith(f"{step.text}: "):
                    continue
                rest = item.removeprefix(f"{step.text}: ")
                if rest.startswith("write "):  # done, and its text is not written yet
                    field = rest.removeprefix("write ").removeprefix("the ").capitalize()
                    left.append(f"step {index} needs its {field} text")
                else:
                    undone.append(str(index))
        if undone:
            steps = ("steps " if len(undone) > 1 else "step ") + ", ".join(undone)
            left.append(f"{steps}: tick when done, or type why skipped")
        return left

    def build(self) -> DeEscalateRequest:
        de = self.playbook.de_escalation
        chosen = set(self.query_one("#deesc-conditions", SelectionList).selected)
        done = set(self.query_one("#deesc-steps", SelectionList).selected)
        skipped = {
            step.id: self.query_one(f"#deesc-skip-{index}", Input).value
            for index, step in enumerate(de.procedure, start=1)
        }
        conditions = {c.id: c.id in chosen for c in de.conditions}
        steps = {s.id: s.id in done for s in de.procedure}
        outcome = self.query_one("#deesc-outcome", Input).value
        findings = self.query_one("#deesc-findings", TextArea).text
        missing = followup.de_escalation_missing(
            self.playbook, conditions, steps, skipped, outcome=outcome, findings=findings
        )
        origin = self.query("#deesc-from").results(Input)
        destination = next((field.value.strip() for field in origin), "")
        return DeEscalateRequest(
            conditions, steps, skipped, outcome, findings, self.now, missing, destination
        )
