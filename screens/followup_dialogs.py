"""The timeline's dialogs: escalate, log an update, re-assess severity, de-escalate, resolve.

Each dialog collects what one `workbench.followup` operation needs and tries it on a copy of the case
before closing, so a refusal (no summary, same severity, no lessons learned) is shown in the dialog
where it can be fixed, never after it has gone. It returns a request object; the screen applies the
same operation through `CaseScreen.edit`, which saves it and writes the audit events.

Keys: enter confirms from any one-line field, ctrl+s confirms from anywhere (a multi-line field
included), escape cancels. In the log dialog `t`, `c` and `n` pick the kind, so `l c <summary> enter`
logs a customer update.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Generic, Protocol, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

from screens import stylesheets
from screens.dialogs import TypeAheadDialog, dismiss_once
from workbench import followup
from workbench.models import Escalation, LogKind, Severity
from workbench.playbook import Playbook
from workbench.when import parse_when


class Request(Protocol):
    """What a dialog returns: one follow-up operation, ready to apply to a case."""

    def apply(self, case: Escalation, playbook: Playbook) -> None: ...


R = TypeVar("R", bound=Request)

# A bare clock time ("10:30", "9am") typed for something that happened means the latest such moment.
_BARE_TIME = re.compile(r"^\s*\d{1,2}(?:[:.h]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


# -- requests (what a dialog returns) ---------------------------------------------------------------
@dataclass(frozen=True)
class EscalateRequest:
    destination: str
    receiver: str
    at: datetime
    note: str = ""

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.escalate(case, playbook, self.destination, self.receiver, self.at, note=self.note)


@dataclass(frozen=True)
class LogRequest:
    kind: LogKind
    summary: str
    at: datetime
    detail: str = ""
    expectation: str = ""

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.log_update(
            case, self.kind, self.summary, self.detail, self.expectation, now=self.at
        )


@dataclass(frozen=True)
class ReassessRequest:
    severity: Severity
    reason: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.reassess_severity(case, playbook, self.severity, self.reason, self.at)


@dataclass(frozen=True)
class DeEscalateRequest:
    conditions: dict[str, bool]
    steps_done: dict[str, bool]
    skipped: dict[str, str]
    outcome: str
    findings: str
    at: datetime
    missing: list[str] = field(default_factory=list)

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.de_escalate(
            case,
            playbook,
            conditions=self.conditions,
            steps_done=self.steps_done,
            skipped_reasons=self.skipped,
            now=self.at,
            outcome=self.outcome,
            findings=self.findings,
        )


@dataclass(frozen=True)
class ResolveRequest:
    customer_confirmed: bool
    tracking_closed: bool
    lessons_learned: str
    summary: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.resolve(
            case,
            playbook,
            customer_confirmed=self.customer_confirmed,
            tracking_closed=self.tracking_closed,
            lessons_learned=self.lessons_learned,
            now=self.at,
            summary=self.summary,
        )


@dataclass(frozen=True)
class ReopenRequest:
    reason: str
    at: datetime

    def apply(self, case: Escalation, playbook: Playbook) -> None:
        followup.reopen(case, self.reason, self.at)


# -- the shared dialog frame ------------------------------------------------------------------------
class FollowUpDialog(TypeAheadDialog[R | None], Generic[R]):
    """A dialog that builds a request, dry-runs it on a copy of the case, and closes with it."""

    # Its rules live beside the timeline's (it is opened from the palette on any step too).
    CSS_PATH = stylesheets("timeline")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="followup.cancel"),
        Binding("ctrl+s", "confirm", "Save", id="followup.confirm", priority=True),
    ]

    TITLE_TEXT = ""
    HINT = "enter or ctrl+s to save · tab next field · escape to cancel"
    DENSE = False

    def __init__(
        self, case: Escalation, playbook: Playbook, now: datetime, *, title: str = ""
    ) -> None:
        dense = " followup-dense" if self.DENSE else ""
        super().__init__(classes=f"dialog-screen followup-dialog{dense}")
        self.case = case
        self.playbook = playbook
        self.now = now
        self.title_text = title or self.TITLE_TEXT

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="followup-fields"):
                yield from self.compose_fields()
            yield from self.compose_status()
            yield Static("", id="followup-error", classes="dialog-error")
            yield Static(self.HINT, classes="dialog-hint")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def compose_status(self) -> ComposeResult:
        """Below the fields, always in view (they may scroll)."""
        yield from ()

    def build(self) -> R:
        """The request from the fields; raise ValueError with a message to refuse it."""
        raise NotImplementedError

    def apply(self, request: R, case: Escalation) -> None:
        """Apply the request to `case` (a copy during the dry run)."""
        request.apply(case, self.playbook)

    def show_error(self, message: str) -> None:
        self.query_one("#followup-error", Static).update(message)

    def action_confirm(self) -> None:
        try:
            request = self.build()
            self.apply(request, self.case.model_copy(deep=True))
        except ValueError as exc:
            self.show_error(str(exc))
            return
        dismiss_once(self, request)

    def action_cancel(self) -> None:
        dismiss_once(self, None)

    def confirm_now(self) -> None:
        self.action_confirm()

    def when(self, value: str, label: str = "When") -> datetime:
        """An optional time typed in a field ("10:30", "20 min ago"); blank is now, never later."""
        text = value.strip()
        if not text:
            return self.now
        moment = parse_when(text, self.now)
        if moment is None:
            raise ValueError(f'{label}: cannot read "{text}" (try "10:30" or "20 min ago")')
        if moment > self.now and _BARE_TIME.match(text):
            moment -= timedelta(days=1)
        if moment > self.now:
            raise ValueError(f"{label}: that is in the future; log it once it has happened")
        return moment


def _row(label: str, widget: Widget) -> Horizontal:
    """A label and its one-line field on one row, so a dialog fits a 24-line terminal."""
    return Horizontal(Label(label, classes="followup-label"), widget, classes="followup-row")


# -- escalate ---------------------------------------------------------------------------------------
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

    def compose_fields(self) -> ComposeResult:
        options = []
        for dest_id in self.order:
            dest = self.playbook.destination(dest_id)
            mark = " (suggested)" if dest_id in self.suggested else ""
            prompt = Content.assemble((dest.name, "bold"), mark, ("  " + dest.receiver, "dim"))
            options.append(Option(prompt, id=dest_id))
        yield Label("Destination", classes="dialog-label")
        yield OptionList(*options, id="escalate-destination")
        yield _row(
            "Receiver", Input(compact=True, placeholder="team or person", id="escalate-receiver")
        )
        yield _row(
            "Sent", Input(compact=True, placeholder="blank = now, or 10:30", id="escalate-at")
        )
        yield _row(
            "Note", Input(compact=True, placeholder="optional: ticket, thread", id="escalate-note")
        )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        current = self.case.escalation.destination if self.case.escalation else None
        options.highlighted = self.order.index(current) if current in self.order else 0
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
        return EscalateRequest(
            destination=self._destination(),
            receiver=self.query_one("#escalate-receiver", Input).value,
            at=self.when(self.query_one("#escalate-at", Input).value, "Sent"),
            note=self.query_one("#escalate-note", Input).value,
        )


# -- log an update ----------------------------------------------------------------------------------
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
            # key lands in the summary field (screens.dialogs, "enter as the key arrives").
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
        yield _row(
            "Summary", Input(compact=True, placeholder="one line: what happened", id="log-summary")
        )
        yield _row("Detail", Input(compact=True, placeholder="optional", id="log-detail"))
        yield _row(
            "Expects",
            Input(
                compact=True, placeholder="what the customer expects, by when", id="log-expectation"
            ),
        )
        yield _row(
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
        row = self.query_one("#log-expectation", Input).parent
        if row is not None:
            row.display = self.kind is LogKind.CUSTOMER_UPDATE

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
        )


# -- re-assess severity -----------------------------------------------------------------------------
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
        yield _row(
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
        # lands in the reason field (screens.dialogs, "enter as the key arrives").
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


# -- de-escalate ------------------------------------------------------------------------------------
class DeEscalateDialog(FollowUpDialog[DeEscalateRequest]):
    """The playbook's de-escalation conditions and its four-step procedure.

    The checklist is saved as it stands; the case becomes de-escalated once a condition holds and
    every step is done or skipped with a reason.
    """

    TITLE_TEXT = "De-escalate: pull the case back to support"
    DENSE = True
    HINT = "space ticks · tab next · ctrl+s save · escape cancel"

    def compose_fields(self) -> ComposeResult:
        record = self.case.de_escalation
        de = self.playbook.de_escalation
        yield Label(de.intro, classes="dialog-label")
        yield SelectionList[str](
            *((c.text, c.id, bool(record and record.conditions.get(c.id))) for c in de.conditions),
            id="deesc-conditions",
            compact=True,
        )
        yield Label("Procedure: each step done, or skipped with a reason", classes="dialog-label")
        yield SelectionList[str](
            *((s.text, s.id, bool(record and record.steps_done.get(s.id))) for s in de.procedure),
            id="deesc-steps",
            compact=True,
        )
        yield _row(
            "Outcome",
            Input(
                compact=True,
                value=record.outcome if record else "",
                placeholder="the resolution or new status (told to the customer)",
                id="deesc-outcome",
            ),
        )
        yield _row(
            "Findings",
            Input(
                compact=True,
                value=record.findings if record else "",
                placeholder="what future agents should know",
                id="deesc-findings",
            ),
        )
        yield Label("Skipped because (only for a step not done)", classes="dialog-label")
        for index, step in enumerate(de.procedure, start=1):
            yield _row(
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
        self.query_one("#deesc-conditions", SelectionList).focus()
        self._show_missing()

    @on(SelectionList.SelectedChanged)
    @on(Input.Changed)
    def _show_missing(self) -> None:
        request = self.build()
        steps = self.playbook.de_escalation.procedure
        if not request.missing:
            text = Content.styled(
                "Ready: saving de-escalates the case and stops its clocks.", "$success"
            )
        else:
            left = []
            if not any(request.conditions.values()):
                left.append("a condition")
            open_steps = [
                str(index)
                for index, step in enumerate(steps, start=1)
                if any(item.startswith(step.text) for item in request.missing)
            ]
            if open_steps:
                left.append("step " + ", ".join(open_steps))
            text = Content.styled(
                "Still to do: " + "; ".join(left) + " (saving keeps the checklist)", "$warning"
            )
        self.query_one("#deesc-missing", Static).update(text)

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
        findings = self.query_one("#deesc-findings", Input).value
        missing = followup.de_escalation_missing(
            self.playbook, conditions, steps, skipped, outcome=outcome, findings=findings
        )
        return DeEscalateRequest(conditions, steps, skipped, outcome, findings, self.now, missing)


# -- resolve ----------------------------------------------------------------------------------------
class ResolveDialog(FollowUpDialog[ResolveRequest]):
    """Resolution as the playbook asks: confirm with the customer, close tracking, lessons learned."""

    TITLE_TEXT = "Resolve"
    HINT = "space ticks · tab next · ctrl+s save · escape cancel"

    def compose_fields(self) -> ComposeResult:
        texts = {item.id: item.text for item in self.playbook.resolution}
        yield Checkbox(
            texts.get("resolve.confirm_customer", "Confirm with the customer"),
            id="resolve-confirmed",
            compact=True,
        )
        yield Checkbox(
            texts.get("resolve.close_tracking", "Close internal tracking"),
            id="resolve-tracking",
            compact=True,
        )
        yield _row(
            "Resolution",
            Input(compact=True, placeholder="one line: how it ended", id="resolve-summary"),
        )
        yield Label(
            texts.get("resolve.lessons_learned", "Capture lessons learned") + " (required)",
            classes="dialog-label",
        )
        yield TextArea(
            id="resolve-lessons", placeholder="what the next agent should know", compact=True
        )

    def on_mount(self) -> None:
        self.query_one("#resolve-confirmed", Checkbox).focus()

    def build(self) -> ResolveRequest:
        return ResolveRequest(
            customer_confirmed=self.query_one("#resolve-confirmed", Checkbox).value,
            tracking_closed=self.query_one("#resolve-tracking", Checkbox).value,
            lessons_learned=self.query_one("#resolve-lessons", TextArea).text,
            summary=self.query_one("#resolve-summary", Input).value,
            at=self.now,
        )

    def show_error(self, message: str) -> None:
        super().show_error(message)
        if "lessons" in message:
            self.query_one("#resolve-lessons", TextArea).focus()


class ReopenDialog(FollowUpDialog[ReopenRequest]):
    """Reopen a resolved case, with the reason."""

    TITLE_TEXT = "Reopen this resolved case?"

    def compose_fields(self) -> ComposeResult:
        yield _row(
            "Reason",
            Input(compact=True, placeholder="why it is open again (logged)", id="reopen-reason"),
        )

    def on_mount(self) -> None:
        self.query_one("#reopen-reason", Input).focus()

    def build(self) -> ReopenRequest:
        return ReopenRequest(self.query_one("#reopen-reason", Input).value, self.now)
