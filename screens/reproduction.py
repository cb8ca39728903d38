"""Reproduction builder (F4): the playbook's "Crafting Effective Reproduction Steps" as a form.

Baseline state, the ordered steps (each an exact action and its literal input), expected and
observed outcome, environment, frequency, evidence and eliminations. The playbook's advice is the
placeholder or hint of each part; the lint findings (vague steps, inputs that are not literal, a
defect without steps or environment) appear beside what they are about, quoting the playbook.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from screens.form import FormScreen
from screens.widgets import (
    Bullet,
    Field,
    FieldArea,
    FieldInput,
    FindingsLine,
    FormBody,
    Pair,
    PairList,
    PairSpec,
    finding_items,
    findings_for,
    section,
)
from workbench.models import Escalation, ReproStep
from workbench.rules.lint import Finding, lint_case


def _steps(items: Sequence[Pair]) -> list[ReproStep]:
    return [ReproStep(action=action, literal_input=literal) for action, literal in items]


def format_step(index: int, pair: Pair) -> Content:
    """`1. Select the Export CSV button — input: `report 4471``, as the document shows it."""
    action, literal = pair
    line = Content.from_markup("[b]$n.[/b] $action", n=index + 1, action=action or "(no action)")
    if literal:
        line += Content.from_markup(" [dim]— input:[/] [$accent]$literal[/]", literal=literal)
    return line


class ReproductionScreen(FormScreen):
    """Build the reproduction procedure; every keystroke is saved."""

    STEP = "reproduction"
    AUTO_FOCUS = "#steps"

    def compose_body(self) -> ComposeResult:
        playbook = self.workbench.playbook
        advice = playbook.reproduction.advice
        labels = playbook.document.labels
        spec = PairSpec(
            noun="Step",
            first_label="Exact action",
            second_label="Literal input (the actual value, ID or string used)",
            first_hint=advice.exact_actions,
            second_hint=advice.literal_inputs,
            empty="No steps yet: press a to add the first one.",
            format=format_step,
        )
        with FormBody(id="repro-body", classes="form-body"):
            yield Static(playbook.reproduction.intro, classes="hint form-intro", markup=False)
            yield from section(labels.baseline, advice.baseline)
            yield Field("Account type", FieldInput("reproduction.baseline.account_type"))
            yield Field("Configuration", FieldInput("reproduction.baseline.configuration"))
            yield Field("Permissions", FieldInput("reproduction.baseline.permissions"))
            yield Field("Prerequisites", FieldInput("reproduction.baseline.prerequisites"))
            yield FindingsLine("reproduction.baseline")

            yield from section("Steps", advice.exact_actions, id="steps-title")
            # Each step's findings show beside the step; this line says when there are none.
            yield FindingsLine("reproduction.steps", exact=True)
            yield PairList(spec, check=self._check_step, id="steps")

            yield from section("Outcome")
            yield Field(
                labels.expected,
                FieldArea("reproduction.expected", placeholder="What should happen"),
            )
            yield Field(
                labels.observed,
                FieldArea(
                    "reproduction.observed",
                    placeholder="What happens instead, with the exact error text",
                ),
            )
            yield FindingsLine("reproduction.expected", "reproduction.observed")

            yield from section(labels.environment, advice.environment)
            yield Field("Browser, version", FieldInput("reproduction.environment.browser"))
            yield Field("OS", FieldInput("reproduction.environment.os"))
            yield Field("Plan tier", FieldInput("reproduction.environment.plan_tier"))
            yield Field("Feature flags", FieldInput("reproduction.environment.feature_flags"))
            yield Field("Other", FieldInput("reproduction.environment.other"))
            yield FindingsLine("reproduction.environment")

            yield from section("Frequency, evidence, eliminations")
            yield Field(
                labels.frequency,
                FieldArea("reproduction.frequency", placeholder=advice.frequency),
            )
            yield Field(
                labels.evidence,
                FieldArea("reproduction.evidence", placeholder=advice.evidence),
            )
            yield Field(
                labels.eliminations,
                FieldArea("reproduction.eliminations", placeholder=advice.eliminations),
            )
            yield FindingsLine(
                "reproduction.frequency", "reproduction.evidence", "reproduction.eliminations"
            )

    # -- what the rules derive ----------------------------------------------------------------------
    def _findings(self) -> list[Finding]:
        return lint_case(self.case, self.workbench.playbook, self.now())

    def refresh_case(self) -> None:
        findings = [f for f in self._findings() if f.screen == "reproduction"]
        self.show_findings(findings)
        steps = self.case.reproduction.steps
        notes: dict[int, list[Bullet]] = {}
        for index in range(len(steps)):
            mine = findings_for(findings, f"reproduction.steps.{index}")
            if mine:
                notes[index] = finding_items(mine)
        pairs = [(step.action, step.literal_input) for step in steps]
        self.query_one("#steps", PairList).set_items(pairs, notes)

    def _check_step(self, items: list[Pair], index: int) -> Sequence[Finding]:
        """Lint a step as it is being written, at its place in the list."""
        draft = self.case.model_copy(deep=True)
        draft.reproduction.steps = _steps(items)
        findings = lint_case(draft, self.workbench.playbook, self.now())
        return findings_for(findings, f"reproduction.steps.{index}")

    # -- steps --------------------------------------------------------------------------------------
    @on(PairList.Changed, "#steps")
    def _steps_changed(self, event: PairList.Changed) -> None:
        steps = _steps(event.items)

        def set_steps(case: Escalation) -> None:
            case.reproduction.steps = steps

        if self.edit(set_steps) and event.note:
            self.notify(event.note, timeout=4)
