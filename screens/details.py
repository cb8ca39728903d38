"""Details (F5): the document sections that are not impact or reproduction.

Title, customer and component; the problem narrative with a live sentence count against the
playbook's 3-5; the actions already taken (what was tried -> the outcome); the customer
communication status; the request (ask type, the precise ask and a hard deadline typed the way
agents type times, with what it was understood as); attachments and references, one per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Select, Static, TextArea

from screens.form import FormScreen
from screens.similar import SimilarStrip
from screens.widgets import (
    Field,
    FieldArea,
    FieldInput,
    FindingsLine,
    FormBody,
    Pair,
    PairList,
    PairSpec,
    section,
    set_display,
    update_static,
)
from workbench.models import ActionTaken, Escalation, LogKind
from workbench.rules.lint import count_sentences, lint_case
from workbench.when import describe_when, parse_when

if TYPE_CHECKING:
    from workbench.models import AskType

DEADLINE_EXAMPLES = '"tomorrow 17:00", "+4h", "fri 9:00" or "2026-11-27 17:00"'


def format_action(index: int, pair: Pair) -> Content:
    """`1. Cleared browser cache -> No change`, as the document shows it."""
    tried, outcome = pair
    return Content.from_markup(
        "[b]$n.[/b] $tried [dim]->[/] $outcome",
        n=index + 1,
        tried=tried or "(nothing said)",
        outcome=outcome or "(no outcome yet)",
    )


def deadline_feedback(text: str, now: datetime) -> tuple[datetime | None, Content]:
    """What a typed deadline was understood as, or why it was not."""
    if not text.strip():
        return None, Content.styled("No deadline yet. Try " + DEADLINE_EXAMPLES + ".", "dim")
    when = parse_when(text, now)
    if when is None:
        return None, Content.from_markup(
            "[$warning]✗ Not a time I can read; kept as text and flagged.[/] [dim]Try $ex.[/]",
            ex=DEADLINE_EXAMPLES,
        )
    past = " — already past" if when < now else ""
    style = "$warning" if past else "$success"
    return when, Content.styled(f"✓ {describe_when(when, now)}{past}", style)


def format_deadline_input(when: datetime) -> str:
    """A stored deadline as the input shows it: an absolute local time that parses back exactly."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


class DetailsScreen(FormScreen):
    """Narrative, actions taken, communication, request and references; every keystroke saved."""

    STEP = "details"

    def compose_body(self) -> ComposeResult:
        playbook = self.workbench.playbook
        doc = playbook.document
        labels = doc.labels
        rule = doc.narrative
        spec = PairSpec(
            noun="Action",
            first_label="What was tried",
            second_label="Outcome",
            first_hint="Cleared the browser cache; re-ran the export as an admin …",
            second_hint="What happened: no change, a different error, works for 10 min …",
            empty="Nothing recorded yet: press a to add what was tried.",
            format=format_action,
        )
        yield SimilarStrip()
        with FormBody(id="details-body", classes="form-body"):
            yield Field("Title", FieldInput("title", placeholder="Concise one-line summary"))
            yield Field("Customer", FieldInput("customer"))
            yield Field("Component", FieldInput("component"))
            yield FindingsLine("title", "customer", "component")

            yield from section(
                doc.headings.narrative.capitalize(),
                f"{rule.min_sentences}-{rule.max_sentences} sentences covering: {rule.covers}.",
            )
            yield FieldArea("narrative", id="narrative")
            yield Static("", id="sentence-count")
            # The live count says how many sentences; the line shows the other narrative findings.
            yield FindingsLine("narrative", skip_rules={"narrative_length"})

            yield from section(
                doc.headings.actions.capitalize(), "What was tried -> the outcome, in order."
            )
            yield PairList(spec, id="actions")

            yield from section(doc.headings.communication.capitalize())
            yield Static("", id="latest-update", classes="hint")
            yield Field(
                labels.most_recent_update,
                # Text areas: an update or an expectation is often pasted from an email, lines
                # and all (the document indents the lines under the bullet).
                FieldArea("communication.most_recent_update", placeholder="Date and summary"),
            )
            yield Field(
                labels.customer_expectation,
                FieldArea(
                    "communication.customer_expectation",
                    placeholder="What they believe will happen and by when",
                ),
            )
            yield Field(
                labels.escalation_risk,
                FieldInput(
                    "communication.escalation_risk",
                    placeholder="Likelihood the customer escalates beyond you",
                ),
            )

            principle = next((p.text for p in playbook.principles if p.id == "ask"), "")
            yield from section(doc.headings.request.capitalize(), principle)
            yield Field(
                "Ask type",
                Select(
                    [(choice.label, choice.id) for choice in doc.ask_types],
                    prompt="Choose the ask",
                    compact=True,
                    id="ask-type",
                ),
                path="request.ask_type",
            )
            yield Field(
                "Precise ask",
                FieldInput("request.ask", placeholder="Exactly what you need from the receiver"),
            )
            yield Field(
                labels.hard_deadline,
                Input(placeholder=DEADLINE_EXAMPLES, compact=True, id="deadline"),
                path="request.hard_deadline",
            )
            yield Static("", id="deadline-feedback")
            yield FindingsLine("request")

            yield from section(doc.headings.attachments.capitalize(), "One item per line.")
            yield Field(labels.tickets, FieldArea("references.tickets", kind="lines"))
            yield Field(labels.threads, FieldArea("references.threads", kind="lines"))
            yield Field(labels.files, FieldArea("references.files", kind="lines"))

    def on_mount(self) -> None:
        self.query_one("#details-body").scroll_home(animate=False)

    # -- filling and deriving -----------------------------------------------------------------------
    def fill_inputs(self) -> None:
        super().fill_inputs()
        request = self.case.request
        select = self.query_one("#ask-type", Select)
        with select.prevent(Select.Changed):
            if request.ask_type is None:
                select.clear()
            else:
                select.value = request.ask_type
        if request.hard_deadline is not None:
            typed = format_deadline_input(request.hard_deadline)
        else:
            typed = request.deadline_text
        deadline = self.query_one("#deadline", Input)
        with deadline.prevent(Input.Changed):
            deadline.value = typed
        self._show_deadline(typed)
        self._show_sentence_count(self.case.narrative)

    def refresh_case(self) -> None:
        findings = [
            f for f in lint_case(self.case, self.workbench.playbook, self.now())
            if f.screen == "details"
        ]  # fmt: skip
        self.show_findings(findings)
        actions = [(action.tried, action.outcome) for action in self.case.actions]
        self.query_one("#actions", PairList).set_items(actions)
        self._show_latest_update()

    def _show_sentence_count(self, text: str) -> None:
        rule = self.workbench.playbook.document.narrative
        count = count_sentences(text)
        plural = "sentence" if count == 1 else "sentences"
        span = f"{rule.min_sentences}-{rule.max_sentences}"
        if rule.min_sentences <= count <= rule.max_sentences:
            line = Content.styled(f"✓ {count} {plural} (the playbook asks for {span})", "$success")
        else:
            line = Content.styled(f"{count} {plural}; the playbook asks for {span}", "$warning")
        update_static(self.query_one("#sentence-count", Static), line)

    def _show_deadline(self, text: str) -> None:
        _, feedback = deadline_feedback(text, self.now())
        self.query_one("#deadline-feedback", Static).update(feedback)

    def _show_latest_update(self) -> None:
        """The document uses the latest logged customer update over the typed one: say so."""
        latest = next(
            (e for e in reversed(self.case.log) if e.kind == LogKind.CUSTOMER_UPDATE), None
        )
        line = self.query_one("#latest-update", Static)
        if latest is None:
            update_static(line, "")
            set_display(line, False)
            return
        set_display(line, True)
        update_static(
            line,
            Content.assemble(  # not markup: this runs on every save, and a summary is text
                "The document uses the latest logged update: ",
                Content.styled(describe_when(latest.at, self.now()), "bold"),
                " ",
                latest.summary,
            ),
        )

    # -- edits that are not a plain path ------------------------------------------------------------
    @on(TextArea.Changed, "#narrative")
    def _narrative_typed(self, event: TextArea.Changed) -> None:
        self._show_sentence_count(event.text_area.text)

    @on(Select.Changed, "#ask-type")
    def _ask_type(self, event: Select.Changed) -> None:
        value = None if event.select.is_blank() else str(event.value)
        if value == self.case.request.ask_type:
            return

        def set_ask(case: Escalation) -> None:
            # The choices are the playbook's ask type ids; pydantic checks the assignment.
            case.request.ask_type = cast("AskType | None", value)

        self.edit(set_ask)

    @on(Input.Changed, "#deadline")
    def _deadline_typed(self, event: Input.Changed) -> None:
        text = event.value
        when, feedback = deadline_feedback(text, self.now())
        self.query_one("#deadline-feedback", Static).update(feedback)

        def set_deadline(case: Escalation) -> None:
            case.request.hard_deadline = when
            case.request.deadline_text = "" if when is not None else text.strip()

        self.edit_later("request.hard_deadline", set_deadline)

    @on(PairList.Changed, "#actions")
    def _actions_changed(self, event: PairList.Changed) -> None:
        actions = _actions(event.items)

        def set_actions(case: Escalation) -> None:
            case.actions = actions

        if self.edit(set_actions) and event.note:
            self.notify(event.note, timeout=4)


def _actions(items: Sequence[Pair]) -> list[ActionTaken]:
    return [ActionTaken(tried=tried, outcome=outcome) for tried, outcome in items]
