"""Impact (F3): the playbook's six dimensions asked as numbers and yes/no answers, each scored as a
level, the case's score and suggested severity (`rules.impact.assess_impact`), and the BUSINESS
IMPACT wording of the document.

Numbers are read strictly but helpfully (`1,200`, `180k`, `$180k`); what cannot be read is explained
beside the field and never stored (the stored value stays as it was, `None` if never answered).
Times are typed as agents write them and read with `workbench.when.parse_when`; the screen shows
what it understood. Every change is saved at once (text after a short pause).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static

from screens.case_base import CaseScreen
from screens.widgets import (
    AnswerCheckbox,
    Bullet,
    BulletList,
    DimensionHeading,
    NumberText,
    SidePanel,
    TickList,
    format_number,
    parse_number,
    set_display,
    severity_content,
    update_static,
)
from workbench.models import Override, Severity
from workbench.rules.impact import ImpactResult, assess_impact
from workbench.rules.times import future_start
from workbench.when import describe_when, parse_when

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import SeverityDefinition
    from workbench.rules.lint import Finding

FieldKind = Literal["integer", "number", "when", "yes_no", "depth", "sla"]


@dataclass(frozen=True)
class ImpactField:
    """One input of the impact form: the `ImpactInputs` attribute it sets and how it is asked."""

    key: str
    kind: FieldKind
    label: str
    question: int  # index of the playbook question it answers
    placeholder: str = ""


FIELDS: dict[str, tuple[ImpactField, ...]] = {
    "breadth": (
        ImpactField("customers_affected", "integer", "Customers", 0, "e.g. 12"),
        ImpactField("end_users_affected", "integer", "End users", 0, "e.g. 1,200"),
        ImpactField("growing", "yes_no", "Growing", 1),
    ),
    "depth": (ImpactField("depth", "depth", "Impact on them", 0),),
    "duration": (
        ImpactField("started_at", "when", "Started", 0, "e.g. -3h, yesterday 14:00"),
        ImpactField("critical_at", "when", "Critical at", 1, "e.g. +4h, fri 17:00"),
    ),
    "revenue": (
        ImpactField("arr_exposed", "number", "ARR exposed", 0, "e.g. $180k"),
        ImpactField("pipeline_at_risk", "number", "Pipeline at risk", 1, "e.g. 250,000"),
    ),
    "reputation": (
        ImpactField("press_or_social", "yes_no", "Press / social media", 0),
        ImpactField("reference_account", "yes_no", "Reference account", 1),
    ),
    "contractual": (
        ImpactField("sla", "sla", "SLA position", 0),
        ImpactField("penalties_apply", "yes_no", "Penalties apply", 1),
    ),
}
FIELDS_BY_KEY: dict[str, ImpactField] = {f.key: f for fs in FIELDS.values() for f in fs}

DEPTH_CHOICES: tuple[tuple[str, str], ...] = (
    ("Merely inconvenienced", "inconvenienced"),
    ("Degraded", "degraded"),
    ("Fully blocked", "blocked"),
)
BUSINESS_FIELDS: tuple[str, ...] = (
    "affected_customers",
    "operational_effect",
    "revenue_exposure",
    "sla_position",
)
CURRENCIES = "$€£¥"


class ImpactScreen(CaseScreen):
    """Quantify the impact: numbers, not adjectives."""

    STEP = "impact"
    # No focus at compose: the form's scroll (focusable, first in the screen) took it, and moving
    # it on to the first question at mount restyled its 98 widgets twice (a third of a build).
    AUTO_FOCUS = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        # ctrl+o also works from a text field (where `o` is typed); the Footer shows that one.
        Binding(
            "o",
            "override",
            "Override",
            id="impact.override",
            show=False,
            tooltip="Override the severity, with a reason (logged)",
        ),
        Binding(
            "ctrl+o",
            "override",
            "Override severity",
            id="impact.override_alt",
            tooltip="Override the severity, with a reason (logged); works in text fields",
        ),
    ]

    # -- layout --------------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        # Headings and questions are plain lines; the fields under a question are one small grid
        # (label | control | note): far fewer widgets than a row container per field, which
        # keeps F3 quick to open.
        playbook = self.workbench.playbook
        with Horizontal(id="impact-body", classes="step-body"):
            with VerticalScroll(id="impact-form"):
                yield Static(playbook.impact.intro, classes="hint")
                for dim in playbook.impact.dimensions:
                    yield DimensionHeading(
                        dim.name, playbook.impact.level_names, id=f"level-{dim.id}"
                    )
                    fields = FIELDS.get(dim.id, ())
                    for index, question in enumerate(dim.questions):
                        yield Static(question, classes="question")
                        with Grid(classes="fields"):
                            for field in (f for f in fields if f.question == index):
                                yield from self._field_row(field)
                yield Label("Severity signals", classes="section-title")
                yield Static(
                    "From the playbook's Quick Severity Definitions: a signal makes the case at "
                    "least that severe. Ticked checklist items add their own.",
                    classes="hint",
                )
                yield TickList[str](
                    *(
                        (_signal_label(playbook.severities, signal_id, text), signal_id)
                        for signal_id, text in playbook.signals.items()
                    ),
                    id="impact-signals",
                    classes="signal",
                    compact=True,
                )
                yield Label(playbook.document.headings.business_impact, classes="section-title")
                yield Static(
                    "The document's wording. Leave a line empty and it is composed from the "
                    "numbers above when the document is exported.",
                    classes="hint",
                )
                labels = playbook.document.labels
                for key in BUSINESS_FIELDS:
                    with Grid(classes="fields"):
                        yield Label(getattr(labels, key), classes="field-label")
                        yield Input(id=f"bi-{key}", compact=True, classes="bi-input span2")
                    yield BulletList(id=f"lint-bi-{key}", classes="field-lint")
            yield SidePanel("severity", "reasons", "lint", id="impact-panel", classes="side-panel")

    def _field_row(self, field: ImpactField) -> ComposeResult:
        yield Label(field.label, classes="field-label")
        if field.kind in ("integer", "number"):
            yield Input(
                placeholder=field.placeholder,
                id=field.key,
                compact=True,
                validators=[NumberText(integer=field.kind == "integer")],
                validate_on=["changed"],
                classes="number-input",
            )
        elif field.kind == "when":
            yield Input(
                placeholder=field.placeholder, id=field.key, compact=True, classes="when-input"
            )
        elif field.kind == "yes_no":
            yield AnswerCheckbox(id=field.key, classes="span2")
            return
        elif field.kind == "depth":
            yield Select(
                DEPTH_CHOICES, prompt="not answered", id=field.key, compact=True, classes="span2"
            )
            return
        else:
            choices = [(c.label, c.id) for c in self.workbench.playbook.document.sla_positions]
            yield Select(
                choices, prompt="not answered", id=field.key, compact=True, classes="span2"
            )
            return
        yield Static(id=f"note-{field.key}", classes="field-note")

    def on_mount(self) -> None:
        super().on_mount()
        # After the fields are filled: the number shows selected, ready to be typed over.
        self.query_one("#customers_affected", Input).focus()

    # -- case -> widgets -------------------------------------------------------------------------------
    def fill_inputs(self) -> None:
        inputs = self.case.impact
        now = self.now()
        with self.prevent(
            Input.Changed, Select.Changed, Checkbox.Changed, SelectionList.SelectedChanged
        ):
            for field in FIELDS_BY_KEY.values():
                value = getattr(inputs, field.key)
                if field.kind == "integer":
                    self.query_one(f"#{field.key}", Input).value = format_number(value)
                elif field.kind == "number":
                    shown = format_number(value, currency=inputs.currency)
                    self.query_one(f"#{field.key}", Input).value = shown
                elif field.kind == "when":
                    text = value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""
                    self.query_one(f"#{field.key}", Input).value = text
                    self._note(field.key, describe_when(value, now) if value else "")
                elif field.kind == "yes_no":
                    self.query_one(f"#{field.key}", AnswerCheckbox).set_answer(value)
                else:
                    select: Select[str] = self.query_one(f"#{field.key}", Select)
                    if value is None:
                        select.clear()
                    else:
                        select.value = value
            signals = self.query_one("#impact-signals", TickList)
            if set(signals.selected) != {k for k, on in inputs.signals.items() if on}:
                signals.deselect_all()
                for signal_id in self.workbench.playbook.signals:
                    if inputs.signals.get(signal_id):
                        signals.select(signal_id)
            for key in BUSINESS_FIELDS:
                self.query_one(f"#bi-{key}", Input).value = getattr(self.case.business_impact, key)

    def _note(self, key: str, text: str | Content, *, error: bool = False) -> None:
        note = self.query_one(f"#note-{key}", Static)
        note.set_class(error, "-error")
        update_static(note, text)

    # -- widgets -> case -------------------------------------------------------------------------------
    @on(Input.Changed, ".number-input")
    def _number_changed(self, event: Input.Changed) -> None:
        event.stop()
        key = event.input.id or ""
        field = FIELDS_BY_KEY[key]
        value, error = parse_number(event.value, integer=field.kind == "integer")
        if error:
            stored = getattr(self.case.impact, key)
            kept = f" Stored: {format_number(stored)}." if stored is not None else ""
            self._note(key, f"{error}{kept}", error=True)
            self.cancel_edit(key)
            return
        self._note(key, "")
        symbol = event.value.strip()[:1]
        currency = symbol if field.kind == "number" and symbol in CURRENCIES else None

        def write(case: Escalation) -> None:
            setattr(case.impact, key, value)
            if currency:
                case.impact.currency = currency

        if value != getattr(self.case.impact, key) or currency not in (
            None,
            self.case.impact.currency,
        ):
            self.edit_later(key, write)
        else:
            self.cancel_edit(key)

    @on(Input.Changed, ".when-input")
    def _when_changed(self, event: Input.Changed) -> None:
        event.stop()
        key = event.input.id or ""
        text = event.value.strip()
        now = self.now()
        moment = parse_when(text, now) if text else None
        if text and moment is None:
            self._note(
                key,
                'Not understood. Try "-3h", "2 days ago", "yesterday 14:00", "fri 17:00", '
                '"+4h" or "2026-11-27 09:00".',
                error=True,
            )
            self.cancel_edit(key)
            return
        problem = future_start(moment, now) if key == "started_at" else None
        if problem is not None:
            self._note(key, problem, error=True)
            self.cancel_edit(key)
            return
        self._note(key, describe_when(moment, now) if moment else "")

        def write(case: Escalation) -> None:
            setattr(case.impact, key, moment)

        if moment != getattr(self.case.impact, key):
            self.edit_later(key, write)
        else:
            self.cancel_edit(key)

    @on(AnswerCheckbox.Answered)
    def _answered(self, event: AnswerCheckbox.Answered) -> None:
        event.stop()
        key = event.checkbox.id or ""
        answer = event.answer
        self.edit(lambda case: setattr(case.impact, key, answer))

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        event.stop()
        key = event.select.id or ""
        value = None if event.select.is_blank() else event.value
        if value == getattr(self.case.impact, key):
            return
        self.edit(lambda case: setattr(case.impact, key, value))

    @on(SelectionList.SelectedChanged, "#impact-signals")
    def _signal(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        ticked = set(event.selection_list.selected)

        order = self.workbench.playbook.signals

        def write(case: Escalation) -> None:
            case.impact.signals = {signal_id: True for signal_id in order if signal_id in ticked}

        if {k for k, on in self.case.impact.signals.items() if on} != ticked:
            self.edit(write)

    @on(Input.Changed, ".bi-input")
    def _business_changed(self, event: Input.Changed) -> None:
        event.stop()
        key = (event.input.id or "").removeprefix("bi-")
        text = event.value

        def write(case: Escalation) -> None:
            setattr(case.business_impact, key, text)

        if text != getattr(self.case.business_impact, key):
            self.edit_later(f"bi-{key}", write)
        else:
            self.cancel_edit(f"bi-{key}")

    # -- derived ------------------------------------------------------------------------------------
    def result(self) -> ImpactResult:
        return assess_impact(self.case, self.workbench.playbook, self.now())

    def refresh_case(self) -> None:
        result = self.result()
        for dim_id, level in result.levels.items():
            heading = self.query_one(f"#level-{dim_id}", DimensionHeading)
            heading.set_level(level.level, level.answered, level.reason)
        self._show_severity(result)
        self._show_lint()

    def _show_severity(self, result: ImpactResult) -> None:
        playbook = self.workbench.playbook
        lines: list[Content] = [
            Content.assemble(
                Content.styled("Score ", "bold"),
                Content.styled(f"{result.score}", "bold $accent"),
                f" of {result.max_score}",
                Content.styled(" · ", "dim"),
                Content.styled("Suggested: ", "bold"),
                severity_content(result.suggested.value if result.suggested else None),
            ),
        ]
        override = self.case.severity_override
        if override is not None and result.effective is not None:
            lines.append(
                Content.assemble(
                    Content.styled("Overridden to: ", "bold $warning"),
                    severity_content(result.effective.value),
                    Content.styled(f"  reason: {override.reason}", "$warning"),
                )
            )
        if result.effective is not None:
            definition = playbook.severity(result.effective.value)
            lines.append(Content.styled(f"{definition.definition} {definition.urgency}", "dim"))
        else:
            lines.append(Content.styled("Answer a question or tick a signal to score.", "dim"))
        panel = self.query_one(SidePanel)
        panel.set_items("severity", lines)
        panel.set_items("reasons", [Bullet(reason) for reason in result.reasons])

    def findings(self) -> list[Finding]:
        from workbench.rules.lint import lint_case

        found = lint_case(self.case, self.workbench.playbook, self.now())
        return [f for f in found if f.screen == "impact"]

    def _show_lint(self) -> None:
        by_field: dict[str, list[Finding]] = {}
        others: list[Finding] = []
        for finding in self.findings():
            key = finding.field.removeprefix("business_impact.")
            if key in BUSINESS_FIELDS and finding.field.startswith("business_impact."):
                by_field.setdefault(key, []).append(finding)
            else:
                others.append(finding)
        for key in BUSINESS_FIELDS:
            widget = self.query_one(f"#lint-bi-{key}", BulletList)
            items = by_field.get(key, [])
            set_display(widget, bool(items))
            widget.set_items(_finding_bullets(items))
        self.query_one(SidePanel).set_items("lint", _finding_bullets(others))

    # -- actions -------------------------------------------------------------------------------------
    def action_override(self) -> None:
        from screens.dialogs import OverrideDialog

        playbook = self.workbench.playbook
        result = self.result()
        current = self.case.severity_override
        choices: list[tuple[str, str]] = [
            (sev.id, f"{sev.name}: {sev.definition}") for sev in playbook.severities
        ]
        choices.append(("", "Clear the override: use the suggested severity"))
        suggested = result.suggested.label if result.suggested else "none yet"
        self.app.push_screen(
            OverrideDialog(
                "Override the severity",
                choices,
                current=current.value if current else (result.suggested or Severity.MEDIUM).value,
                reason=current.reason if current else "",
                detail=f"Suggested from the numbers and signals: {suggested}.",
            ),
            callback=self.set_override,
        )

    def set_override(self, choice: tuple[str, str] | None) -> None:
        """Record `(severity, reason)` as the override; an empty value clears it."""
        if choice is None:
            return
        value, reason = choice
        now = self.now()

        def write(case: Escalation) -> None:
            case.severity_override = Override(value=value, reason=reason, at=now) if value else None

        self.edit(write)


def _finding_bullets(findings: list[Finding]) -> list[Bullet | Content]:
    """A finding's message in warning colour, the playbook's advice under it."""
    items: list[Bullet | Content] = []
    for finding in findings:
        items.append(
            Bullet(finding.message, style="$warning", marker="⚠ ", marker_style="bold $warning")
        )
        if finding.advice:
            items.append(Bullet(finding.advice, style="dim", marker="", indent=2))
    return items


def _signal_label(severities: tuple[SeverityDefinition, ...], signal_id: str, text: str) -> str:
    """`Service down (Critical)`: the signal and the severity it makes the case at least."""
    sev = _severity_of(severities, signal_id)
    return f"{text} ({sev})" if sev else text


def _severity_of(severities: tuple[SeverityDefinition, ...], signal_id: str) -> str | None:
    """The name of the most severe definition that lists the signal (playbook order)."""
    return next((sev.name for sev in severities if signal_id in sev.signals), None)
