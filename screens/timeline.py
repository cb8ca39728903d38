"""F6 Timeline: what is due next on the two tracks, and everything that happened to the case.

"Escalation without follow-up is abandonment." The two "due next" lines (check-in with the receiving
team, update to the customer) are pinned at the top with their window and a live countdown, red once
overdue; below them the running log, newest first, so the latest contact sits next to what is due.
`g` swaps the log for the full change log (every field ever changed, old -> new, from the store).

The screen holds no rule: the schedule comes from `workbench.rules.cadence`, the wording of the due
lines and the operations (escalate, log, re-assess, de-escalate, resolve, reopen) from
`workbench.followup`; the dialogs in `screens.dialogs` dry-run an operation before it is
saved through `CaseScreen.edit`. The countdown re-reads `app.now()` every few seconds, so tests move
the injected clock instead of waiting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import ContentSwitcher, DataTable, Static

from screens.case_base import CaseScreen
from screens.dialogs import (
    DeEscalateDialog,
    EscalateDialog,
    FollowUpDialog,
    LogUpdateDialog,
    ReassessDialog,
    ReopenDialog,
    Request,
    ResolveDialog,
)
from workbench import followup, timetext
from workbench.models import LogKind, Status
from workbench.playbook import Playbook
from workbench.rules.cadence import Schedule, follow_up_schedule
from workbench.rules.impact import effective_severity
from workbench.rules.triage import routed_destinations

TICK_SECONDS = 5.0

KIND_STYLE: dict[LogKind | None, str] = {
    None: "dim",
    LogKind.TRIAGE: "$accent",
    LogKind.ESCALATED: "bold $warning",
    LogKind.TEAM_CHECKIN: "$primary",
    LogKind.CUSTOMER_UPDATE: "$success",
    LogKind.NOTE: "",
    LogKind.SEVERITY: "bold $warning",
    LogKind.SIGNAL: "$accent",
    LogKind.DE_ESCALATED: "bold $success",
    LogKind.RESOLVED: "bold $success",
    LogKind.REOPENED: "bold $warning",
}
DUE_STYLE = {"upcoming": "", "due": "bold $warning", "overdue": "bold $error"}
DUE_MARK = {"upcoming": "○", "due": "◐", "overdue": "●"}

KEYS_HINT = "x escalate · l log · r re-assess · D de-escalate · R resolve · g change log"


class TimelineRow(Horizontal):
    """One thing that happened: its time, then a dot on the rail and what it was (wrapped under
    itself, so long summaries keep their column)."""

    def __init__(self, item: followup.TimelineItem, when: str, width: int) -> None:
        kind = item.kind.value if item.kind else "opened"
        super().__init__(classes=f"timeline-row kind-{kind}")
        self.item = item
        self.when = when
        self.width = width

    def compose(self) -> ComposeResult:
        item = self.item
        style = KIND_STYLE.get(item.kind, "")
        summary = item.rest  # "Escalated" + "Escalated to Engineering": said once
        lines = [
            Content.assemble(("● ", style), (item.label, f"bold {style}".strip()), "  ", summary)
        ]
        if item.author:  # a team database: who logged it
            lines[0] = Content.assemble(lines[0], (f"  · {item.author}", "dim"))
        if item.expectation:
            lines.append(Content.assemble(("Customer expects: ", "dim"), item.expectation))
        lines += [Content.styled(line, "dim") for line in item.detail.splitlines() if line.strip()]
        when = Static(self.when, classes="timeline-when")
        when.styles.width = self.width
        yield when
        yield Static(Content("\n").join(lines), classes="timeline-body")


class TimelineScreen(CaseScreen):
    """Follow-up view (due next + running log) and full change log for one case."""

    STEP = "timeline"
    _changes_width = 0  # the width the change log's values were last cut to

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "l",
            "log_update",
            "Log",
            id="timeline.log",
            tooltip="Log an update: t team check-in, c customer update (with expectation), n note",
        ),
        Binding(
            "x",
            "escalate",
            "Escalate",
            id="timeline.escalate",
            tooltip="Record the destination, the receiver and when it was sent (starts the clocks)",
        ),
        Binding(
            "r",
            "reassess",
            "Re-assess",
            id="timeline.reassess",
            tooltip="Re-assess severity up or down with a reason (reschedules the follow-ups)",
        ),
        Binding(
            "g",
            "toggle_view",
            "Changes",
            id="timeline.toggle",
            tooltip="Toggle the follow-up view and the full change log (old -> new)",
        ),
        Binding(
            "D",
            "de_escalate",
            "De-escalate",
            id="timeline.de_escalate",
            tooltip="De-escalate: the playbook's conditions and four-step procedure",
        ),
        Binding(
            "R",
            "resolve",
            "Resolve",
            id="timeline.resolve",
            tooltip="Resolve: confirm with the customer, close tracking, lessons learned (R again "
            "on a resolved case reopens it)",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        with Vertical(id="timeline-due"):
            yield Static(id="timeline-state")
            yield Static(id="due-team", classes="due-line")
            yield Static(id="due-customer", classes="due-line")
        yield Static(id="timeline-title")
        with ContentSwitcher(initial="timeline-log", id="timeline-views"):
            yield VerticalScroll(id="timeline-log", can_focus=True)
            yield DataTable(id="timeline-changes", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(TICK_SECONDS, self.tick, name="timeline-countdown")
        self.query_one("#timeline-log", VerticalScroll).focus()

    def on_resize(self, event: events.Resize) -> None:
        """The change log's values are cut to a third of the screen's width: at a new width they
        are cut again (a resize under another screen arrives when this one is shown again), the
        row under the cursor kept. Each width is read once: a store that cannot answer (a team
        database away) leaves the rows as they were, and is not asked again at every step of a
        drag."""
        width = self._change_width()
        if self.showing_changes and width != self._changes_width:
            self._changes_width = width
            table = self.query_one("#timeline-changes", DataTable)
            row, scroll = table.cursor_row, table.scroll_offset
            if self._render_changes(quiet=True):
                table.move_cursor(row=row, scroll=False)
                table.scroll_to(scroll.x, scroll.y, animate=False, immediate=True)

    def _change_width(self) -> int:
        return max(20, self.size.width // 3)

    # -- rendering --------------------------------------------------------------------------------
    @property
    def showing_changes(self) -> bool:
        return self.query_one(ContentSwitcher).current == "timeline-changes"

    def schedule(self, now: datetime | None = None) -> Schedule | None:
        return follow_up_schedule(self.case, self.workbench.playbook, now or self.now())

    def refresh_case(self) -> None:
        self.tick()
        self._render_log()
        if self.showing_changes:
            self._render_changes()
        self._render_title()

    def tick(self) -> None:
        """Re-render the state line and the two due lines from the clock (every few seconds)."""
        if self.taken_apart:
            return
        now = self.now()
        schedule = self.schedule(now)
        self.query_one("#timeline-state", Static).update(self._state(schedule, now))
        lines = followup.due_lines(schedule, now)
        # One team line per destination the case is with, all in the team widget.
        groups = [
            ("#due-team", [line for line in lines if line.track == "team"]),
            ("#due-customer", [line for line in lines if line.track == "customer"]),
        ]
        for widget_id, group in groups:
            widget = self.query_one(widget_id, Static)
            widget.display = bool(group)
            if not group:
                continue
            worst = max(group, key=lambda line: _DUE_RANK[line.state]).state
            for state in DUE_STYLE:
                widget.set_class(state == worst, f"-{state}")
            widget.update(Content("\n").join(_due_content(line) for line in group))

    def _state(self, schedule: Schedule | None, now: datetime) -> Content:
        case = self.case
        playbook = self.workbench.playbook
        record = case.escalation
        if case.status is Status.ESCALATED and schedule is not None and record is not None:
            sent_to = [
                f"{_dest_name(playbook, r.destination)} ({r.receiver}) at "
                f"{timetext.clock(r.sent_at, now)}"
                for r in case.active_escalations()
            ]
            cadence = schedule.cadence
            severity = schedule.severity.label
            style = {"Critical": "bold $error", "High": "bold $warning"}.get(
                severity, "bold $primary"
            )
            parts = [
                Content.styled(severity, style),
                Content(f" · to {', '.join(sent_to)} · "),
                Content.styled(
                    f"team: {cadence.team_label}, customer: {cadence.customer_label}", "dim"
                ),
            ]
            if schedule.severity_assumed:
                parts.append(Content.styled(" · no severity yet: r sets it", "$warning"))
            progress = case.de_escalation
            if progress is not None and progress.completed_at is None:
                done = sum(progress.steps_done.values()) + len(progress.skipped)
                parts.append(Content.styled(f" · de-escalation {done}/4 steps (D)", "$warning"))
            return Content("").join(parts)
        if case.status is Status.RESOLVED and case.resolution is not None:
            when = timetext.clock(case.resolution.resolved_at or now, now)
            return Content.assemble(
                ("Resolved", "bold $success"),
                f" {when}: the clocks are stopped. Lessons learned: ",
                (case.resolution.lessons_learned, "italic"),
                ("  (R reopens)", "dim"),
            )
        if case.status is Status.KEPT_IN_SUPPORT and case.kept is not None:
            when = timetext.clock(case.kept.kept_at, now)
            return Content.assemble(
                ("Kept in support", "bold $success"),
                f" {when}: {case.kept.reason}",
                ("  (F7 exports the note, x escalates)", "dim"),
            )
        if case.status is Status.DE_ESCALATED:
            record_de = case.de_escalation
            when = timetext.clock(record_de.completed_at or now, now) if record_de else ""
            return Content.assemble(
                ("De-escalated", "bold $success"),
                f" {when}: back with support, the clocks are stopped.",
                ("  (x escalates again, R resolves)", "dim"),
            )
        current = effective_severity(case, playbook, now)
        label = current.label if current else "no severity yet"
        return Content.assemble(
            ("Not escalated", "bold"),
            f" ({label}). ",
            ("x records where it went and to whom, and starts the follow-up clocks.", "dim"),
        )

    def _render_title(self) -> None:
        view = "Full change log" if self.showing_changes else "Follow-up log, newest first"
        toggle = "g follow-up view" if self.showing_changes else "g full change log"
        self.query_one("#timeline-title", Static).update(
            Content.assemble((view, "bold $accent"), ("  ·  ", "dim"), (toggle, "dim"))
        )
        self.query_one("#timeline-title", Static).tooltip = KEYS_HINT

    def _render_log(self) -> None:
        now = self.now()
        log = self.query_one("#timeline-log", VerticalScroll)
        items = list(reversed(followup.timeline(self.case, self._log_authors())))
        stamps = [timetext.clock(item.at, now) for item in items]
        width = max((len(text) for text in stamps), default=5)
        rows = [TimelineRow(item, text, width) for item, text in zip(items, stamps, strict=True)]
        with self.app.batch_update():
            log.remove_children()
            log.mount_all(rows)
        log.scroll_home(animate=False)

    def _log_authors(self) -> dict[int, str]:
        """Who logged each entry, on a team database (its change log's authors); nothing on a
        local file, which is one agent's, and no query for it."""
        from workbench.store import StoreError

        store = self.workbench.store
        if store.agent() is None:
            return {}
        try:
            return followup.log_authors(store.events(self.case_id))
        except StoreError:
            return {}

    def _render_changes(self, *, quiet: bool = False) -> bool:
        """The change log read and shown; False when the store could not answer: said, and the
        table emptied, unless `quiet` (the rows shown stay as they were)."""
        from workbench.store import StoreError

        table = self.query_one("#timeline-changes", DataTable)
        try:
            changes = self.workbench.store.events(self.case_id)
        except StoreError as exc:
            if not quiet:
                _columns(table)
                self.notify(str(exc), title="Change log", severity="error")
            return False
        _columns(table)
        now = self.now()
        self._changes_width = self._change_width()
        rows = followup.change_rows(changes, width=self._changes_width)
        authors = any(row.author for row in rows)  # a team database says who
        if authors:
            table.add_column("Who", key="who")
        for index, row in enumerate(reversed(rows)):
            when = timetext.clock(row.at, now)
            cells = [when, field_label(row.field), row.text]
            if authors:
                cells.append(row.author or "")
            table.add_row(*cells, key=str(index))
        if not rows:
            table.add_row("", "nothing changed yet", "")
        return True

    # -- actions ----------------------------------------------------------------------------------
    def action_toggle_view(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        if self.showing_changes:
            switcher.current = "timeline-log"
            self.query_one("#timeline-log", VerticalScroll).focus()
        else:
            self._render_changes()
            switcher.current = "timeline-changes"
            self.query_one("#timeline-changes", DataTable).focus()
        self._render_title()

    def _open(self, dialog: FollowUpDialog[Any], done: str | None = None) -> None:
        """Push a dialog; apply what it returns through `edit` (saved and audited)."""
        self.flush_edits()

        def apply(request: Request | None) -> None:
            if request is None:
                return
            playbook = self.workbench.playbook
            if self.edit(lambda case: request.apply(case, playbook)) and done:
                self.notify(done, timeout=4)
            self._after(request)

        self.app.push_screen(dialog, callback=apply)

    def _after(self, request: Request) -> None:
        """Tell the agent what a saved de-escalation checklist still needs."""
        from screens.dialogs import DeEscalateRequest

        if isinstance(request, DeEscalateRequest):
            if self.case.status is Status.DE_ESCALATED:
                self.notify("De-escalated: the case is back with support; the clocks are stopped.")
            elif request.destination and not request.missing:
                self.notify(
                    f"De-escalated from {request.destination}: the other teams keep the case."
                )
            elif request.missing:
                self.notify(
                    "Checklist saved. Still to do: " + "; ".join(request.missing),
                    title="Not de-escalated yet",
                    severity="warning",
                    timeout=8,
                )

    def action_escalate(self) -> None:
        now = self.now()
        suggested = routed_destinations(self.case, self.workbench.playbook, now)
        dialog = EscalateDialog(self.case, self.workbench.playbook, now, suggested=suggested)
        self._open(dialog, "Escalation recorded: the follow-up clocks are running.")

    def action_log_update(self) -> None:
        now = self.now()
        kind = followup.suggested_log_kind(self.schedule(now))
        self._open(LogUpdateDialog(self.case, self.workbench.playbook, now, kind=kind))

    def action_reassess(self) -> None:
        now = self.now()
        current = effective_severity(self.case, self.workbench.playbook, now)
        dialog = ReassessDialog(self.case, self.workbench.playbook, now, current=current)
        self._open(dialog, "Severity re-assessed: the follow-ups are rescheduled.")

    def action_de_escalate(self) -> None:
        if self.case.status is not Status.ESCALATED:
            self.notify(
                f"Only an escalated case can be de-escalated (this one is "
                f"{self.case.status.label.lower()}).",
                severity="warning",
            )
            return
        self._open(DeEscalateDialog(self.case, self.workbench.playbook, self.now()))

    def action_resolve(self) -> None:
        now = self.now()
        if self.case.status is Status.RESOLVED:
            self._open(ReopenDialog(self.case, self.workbench.playbook, now), "Case reopened.")
            return
        dialog = ResolveDialog(self.case, self.workbench.playbook, now)
        self._open(dialog, "Resolved: the clocks are stopped and the lessons learned are saved.")


_DUE_RANK = {"upcoming": 0, "due": 1, "overdue": 2}


def _columns(table: DataTable[str]) -> None:
    """The change log's table emptied, with its columns (the author's is added when known)."""
    table.clear(columns=True)
    table.add_column("When", key="at")
    table.add_column("Field", key="field")
    table.add_column("Old -> new", key="change")


def _due_content(line: followup.DueLine) -> Content:
    """One due line: its mark, label, window, countdown, and what set it (customer)."""
    content = Content.assemble(
        (f"{DUE_MARK[line.state]} ", DUE_STYLE[line.state]),
        (line.label, "bold"),
        f" due {line.window} ",
        (f"({line.countdown})", DUE_STYLE[line.state]),
    )
    if line.source:
        content = content + Content.styled(f" · {line.source}", "dim")
    return content


def _dest_name(playbook: Playbook, destination_id: str) -> str:
    try:
        return playbook.destination(destination_id).name
    except KeyError:
        return destination_id


# The change log's field names as a reader says them: "log.5" is "Log entry 6",
# "severity_override.at" is "Severity override · time".
_WORDS = {"at": "time", "sla": "SLA", "arr_exposed": "ARR exposed"}
_ITEM = {
    "log": "log entry",
    "steps": "step",
    "actions": "action",
    "routed_to": "destination",
    "escalations": "escalation",
}


def field_label(path: str) -> str:
    """A stored field's path ("reproduction.steps.2.action") as words: "Reproduction · step 3 ·
    action"; a list's index counts from 1, after the list's item noun."""
    words: list[str] = []
    previous = ""
    for part in path.split("."):
        if part.isdigit() and words:
            noun = _ITEM.get(previous, previous.removesuffix("s").replace("_", " "))
            words[-1] = f"{noun} {int(part) + 1}"
        else:
            words.append(_WORDS.get(part, part.replace("_", " ")))
        previous = part
    text = " · ".join(words)
    return text[:1].upper() + text[1:]
