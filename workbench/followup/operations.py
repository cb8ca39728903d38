"""Follow-through on an escalated case: escalate, log updates, re-assess, de-escalate, resolve, reopen.

The playbook's "Post-Escalation Follow-Through" asks for a running log of every update, a severity
that is re-assessed when circumstances shift, a four-step de-escalation procedure and a resolution
that confirms with the customer, closes tracking and captures lessons learned. Each operation here is
a pure change to an `Escalation` (no I/O, no clock of its own): it checks everything first and raises
`FollowUpError` (a ValueError) with a message an agent can act on, so a refused change leaves the case
untouched; then it sets the status and records and appends the log entries that explain the change.
Screens call them through `CaseScreen.edit`, the store turns every changed field into an audit event.

The schedule itself (what is due when) is derived, never stored: `workbench.rules.cadence`. What
the timeline shows is in `workbench.followup.timeline_view`, the reminders in `.reminders`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from workbench.followup.base import (
    FollowUpError,
    _active_destination,
    _append,
    _destination_name,
    _end,
    _names,
    _one_line,
    _require,
    _utc,
    find_destination,
)
from workbench.models import (
    DeEscalationRecord,
    Escalation,
    EscalationRecord,
    LogEntry,
    LogKind,
    Override,
    ResolutionRecord,
    Severity,
    Status,
)
from workbench.playbook import Playbook
from workbench.rules.impact import effective_severity

__all__ = [
    "DOCUMENT_FINDINGS",
    "LOGGABLE_KINDS",
    "NOTIFY_TEAM",
    "RECORD_STATUS",
    "TELL_CUSTOMER",
    "FollowUpError",
    "de_escalate",
    "de_escalation_missing",
    "escalate",
    "log_update",
    "reassess_severity",
    "reopen",
    "resolve",
    "withdraw",
]


#: The kinds an agent logs by hand; the others are written by the operations below.
LOGGABLE_KINDS: tuple[LogKind, ...] = (LogKind.TEAM_CHECKIN, LogKind.CUSTOMER_UPDATE, LogKind.NOTE)

_CLOSED = (Status.RESOLVED,)


# -- operations -------------------------------------------------------------------------------------
def escalate(
    case: Escalation,
    playbook: Playbook,
    destination: str,
    receiver: str,
    now: datetime,
    *,
    note: str = "",
) -> LogEntry:
    """Record where the case went, to whom and when: this starts that destination's team clock.

    A case goes to several destinations at once: escalating to another one adds it beside the
    others, each with its receiver, sent time and check-in clock. Escalating again to a
    destination it is already with restarts that destination's clock. An empty `receiver` takes
    the destination's receiver from the playbook ("Owning engineering squad"). A case kept in
    support can be escalated later (the decision is logged, the history kept); a de-escalated one
    too (its old de-escalation checklist is cleared). A resolved case is reopened first. The
    destination joins `routed_to` so the document's "Routed to" line says where the case went.
    """
    try:
        dest = playbook.destination(destination)
    except KeyError:
        dest = playbook.destination(find_destination(playbook, destination))
    if case.status in _CLOSED:
        raise FollowUpError("the case is resolved: reopen it before escalating again")
    who = _one_line(receiver) or dest.receiver
    others = [r for r in case.active_escalations() if r.destination != dest.id]
    again = any(r.destination == dest.id for r in case.active_escalations())
    if case.status is Status.KEPT_IN_SUPPORT:
        _append(case, LogKind.TRIAGE, "Decision: escalate (was kept in support)", now, detail=note)
    elif not any(entry.kind is LogKind.TRIAGE for entry in case.log):
        override = case.recommendation_override
        detail = f"Override: {override.value} ({override.reason})" if override else ""
        _append(case, LogKind.TRIAGE, "Decision: escalate", now, detail=detail)
    kept = [r for r in case.escalations if r.destination != dest.id]
    record = EscalationRecord(destination=dest.id, receiver=who, sent_at=_utc(now))
    case.escalations = [*kept, record]
    case.status = Status.ESCALATED
    # A de-escalation checklist belongs to the hop it pulled back; the log keeps its history.
    case.de_escalation = None
    if dest.id not in case.routed_to:
        case.routed_to = [*case.routed_to, dest.id]
    summary = f"Escalated to {dest.name} ({who})" + (" again" if again else "")
    lines = []
    if others:
        lines.append(f"Also with: {_names(playbook, others)}")
    if note.strip():
        lines.append(note.strip())
    detail = "\n".join(lines)
    return _append(case, LogKind.ESCALATED, summary, now, detail=detail, destination=dest.id)


def log_update(
    case: Escalation,
    kind: LogKind | str,
    summary: str,
    detail: str = "",
    expectation: str = "",
    *,
    now: datetime,
    next_at: datetime | None = None,
    deadline_at: datetime | None = None,
    destination: str = "",
    playbook: Playbook | None = None,
) -> LogEntry:
    """Append one running-log entry: a check-in with the receiving team, a customer update or a note.

    A customer update may carry what the customer now expects and by when; the exported document's
    communication status is read from the latest one, so it is never typed twice. It may also
    carry the time the next update was promised for (`next_at`) and a deadline the customer was
    given (`deadline_at`): the next update is due at the earlier of those and the cadence. A team
    check-in is with one destination's team: `destination` (id or name; needs the `playbook`),
    which may be left out while the case is with one team only.
    """
    try:
        log_kind = LogKind(kind)
    except ValueError:
        raise FollowUpError(f"unknown kind of update {kind!r}") from None
    if log_kind not in LOGGABLE_KINDS:
        allowed = ", ".join(k.label.lower() for k in LOGGABLE_KINDS)
        raise FollowUpError(
            f"{log_kind.label} is recorded by its own action; log one of: {allowed}"
        )
    text = _require(_one_line(summary), "an update needs a one-line summary of what happened")
    if expectation.strip() and log_kind is not LogKind.CUSTOMER_UPDATE:
        raise FollowUpError("only a customer update records what the customer expects")
    if log_kind is LogKind.TEAM_CHECKIN and case.escalation is None:
        raise FollowUpError("there is no receiving team yet: escalate the case first (x)")
    if (next_at is not None or deadline_at is not None) and (
        log_kind is not LogKind.CUSTOMER_UPDATE
    ):
        raise FollowUpError("only a customer update promises the next update or a deadline")
    for given, what in ((next_at, "the next update"), (deadline_at, "the deadline")):
        if given is not None and _utc(given) <= _utc(now):
            raise FollowUpError(f"{what} must be later than now")
    team = ""
    if destination.strip() and log_kind is not LogKind.TEAM_CHECKIN:
        raise FollowUpError("only a team check-in names a destination")
    if log_kind is LogKind.TEAM_CHECKIN:
        active = case.active_escalations()
        if destination.strip():
            if playbook is None:
                raise FollowUpError("naming a destination needs the playbook")
            team = _active_destination(case, playbook, destination).destination
        elif len(active) > 1:
            names = ", ".join(r.destination for r in active)
            raise FollowUpError(f"the case is with several teams: say which one ({names})")
        elif active:
            team = active[0].destination
    return _append(
        case,
        log_kind,
        text,
        now,
        detail=detail,
        expectation=expectation,
        destination=team,
        next_at=next_at,
        deadline_at=deadline_at,
    )


def reassess_severity(
    case: Escalation,
    playbook: Playbook,
    new_severity: Severity | str,
    reason: str,
    now: datetime,
) -> LogEntry:
    """Set the severity up or down with a reason; the follow-up cadence follows the new severity.

    The change is kept as the case's severity override (so the impact screen shows it) and logged
    as "High -> Critical" with the reason.
    """
    try:
        new = Severity(new_severity)
    except ValueError:
        raise FollowUpError(f"unknown severity {new_severity!r}") from None
    why = _require(reason, "say why the severity changes: the reason is logged")
    old = effective_severity(case, playbook, now)
    if old is new:
        raise FollowUpError(f"the severity is already {new.label}")
    case.severity_override = Override(value=new.value, reason=why, at=_utc(now))
    if old is None:
        summary = f"Severity set to {new.label}"
    else:
        direction = "up" if new.rank > old.rank else "down"
        summary = f"Severity {old.label} -> {new.label} ({direction})"
    return _append(case, LogKind.SEVERITY, summary, now, detail=why)


# The playbook's stable ids of the de-escalation steps that write something into the log.
NOTIFY_TEAM = "deesc.notify_team"
RECORD_STATUS = "deesc.record_status"
TELL_CUSTOMER = "deesc.tell_customer"
DOCUMENT_FINDINGS = "deesc.document_findings"


def de_escalation_missing(
    playbook: Playbook,
    conditions: Mapping[str, bool],
    steps_done: Mapping[str, bool],
    skipped_reasons: Mapping[str, str],
    *,
    outcome: str = "",
    findings: str = "",
) -> list[str]:
    """What still stands between the case and "de-escalated", in the playbook's words (empty: none).

    At least one of the playbook's conditions must hold, and each of the four procedure steps must
    be done or skipped with a reason. Recording the new status and documenting findings are done
    here, so those two steps need their text.
    """
    missing: list[str] = []
    if not any(conditions.get(c.id, False) for c in playbook.de_escalation.conditions):
        missing.append("Why it comes back: tick one of the conditions")
    needs_text = {
        RECORD_STATUS: (outcome, "the outcome"),
        DOCUMENT_FINDINGS: (findings, "findings"),
    }
    for step in playbook.de_escalation.procedure:
        if steps_done.get(step.id, False):
            text, what = needs_text.get(step.id, ("-", ""))
            if not text.strip():
                missing.append(f"{step.text}: write {what}")
            continue
        if skipped_reasons.get(step.id, "").strip():
            continue
        missing.append(f"{step.text}: done, or skipped with a reason")
    return missing


def de_escalate(
    case: Escalation,
    playbook: Playbook,
    *,
    conditions: Mapping[str, bool],
    steps_done: Mapping[str, bool],
    skipped_reasons: Mapping[str, str],
    now: datetime,
    outcome: str = "",
    findings: str = "",
    destination: str = "",
) -> bool:
    """Pull an escalated case back to support, following the playbook's four-step procedure.

    `destination` (id or name) pulls the case back from that one team only while it stays with
    the others (the procedure is the same, for that team); empty, or the last team, de-escalates
    the whole case.

    The checklist is kept on the case as it stands, so the agent can tick steps as they happen. Once
    a condition holds and every step is done or skipped with a reason, the case becomes de-escalated
    (its clocks stop) and the log records it: the receiving team told, the customer told the
    `outcome` (which becomes the latest customer update), the `findings` and any step skipped with
    its reason. Returns whether the case is now de-escalated.
    """
    if case.status is not Status.ESCALATED:
        state = case.status.label.lower()
        raise FollowUpError(f"only an escalated case can be de-escalated (this one is {state})")
    active = case.active_escalations()
    ending = active
    if destination.strip():
        ending = [_active_destination(case, playbook, destination)]
    partial = bool(ending) and len(ending) < len(active)
    condition_ids = [c.id for c in playbook.de_escalation.conditions]
    step_ids = [s.id for s in playbook.de_escalation.procedure]
    steps_given = set(steps_done) | set(skipped_reasons)
    unknown = (set(conditions) - set(condition_ids)) | (steps_given - set(step_ids))
    if unknown:
        listed = ", ".join(sorted(unknown))
        raise FollowUpError(f"not in the playbook's de-escalation checklist: {listed}")
    done = {sid: bool(steps_done.get(sid, False)) for sid in step_ids}
    skipped = {
        sid: _one_line(reason)
        for sid, reason in skipped_reasons.items()
        if _one_line(reason) and not done[sid]
    }
    record = DeEscalationRecord(
        conditions={cid: bool(conditions.get(cid, False)) for cid in condition_ids},
        steps_done=done,
        skipped=skipped,
        outcome=outcome.strip(),
        findings=findings.strip(),
    )
    missing = de_escalation_missing(
        playbook, record.conditions, done, skipped, outcome=record.outcome, findings=record.findings
    )
    if missing:
        case.de_escalation = record
        return False

    record.completed_at = _utc(now)
    # A partial pull-back leaves the case escalated: its checklist lives on in the log only.
    case.de_escalation = None if partial else record
    _end(case, ending, "de_escalated", now)
    for pulled in ending if done.get(NOTIFY_TEAM) else []:
        told = f"Told {pulled.receiver or 'the receiving team'} the case is de-escalated"
        _append(case, LogKind.TEAM_CHECKIN, told, now, destination=pulled.destination)
    if done.get(NOTIFY_TEAM) and not ending:
        _append(case, LogKind.TEAM_CHECKIN, "Told the receiving team the case is de-escalated", now)
    if done.get(TELL_CUSTOMER):
        told = record.outcome or "the case is back with support"
        _append(case, LogKind.CUSTOMER_UPDATE, f"Outcome: {told}", now)
    why = "; ".join(c.text for c in playbook.de_escalation.conditions if record.conditions[c.id])
    lines = []
    for step in playbook.de_escalation.procedure:
        if done[step.id]:
            lines.append(f"[x] {step.text}")
        else:
            lines.append(f"[skipped] {step.text}: {skipped[step.id]}")
    if record.outcome:
        lines.append(f"Outcome: {record.outcome}")
    if record.findings:
        lines.append(f"Findings: {record.findings}")
    if partial:
        remaining = [r for r in active if r not in ending]
        lines.append(f"Still with: {_names(playbook, remaining)}")
        summary = f"De-escalated from {_names(playbook, ending)}: {why}"
    else:
        case.status = Status.DE_ESCALATED
        summary = f"De-escalated: {why}"
    _append(case, LogKind.DE_ESCALATED, summary, now, detail="\n".join(lines))
    return True


def withdraw(
    case: Escalation, playbook: Playbook, destination: str, reason: str, now: datetime
) -> LogEntry:
    """Pull the case back from one of the teams it is with, with a reason, while it stays with
    the others (their clocks run on). The last team is pulled back by `de_escalate`, with the
    playbook's procedure."""
    if case.status is not Status.ESCALATED:
        state = case.status.label.lower()
        raise FollowUpError(f"only an escalated case can be de-escalated (this one is {state})")
    record = _active_destination(case, playbook, destination)
    why = _require(reason, "say why the case comes back from this team: the reason is logged")
    remaining = [r for r in case.active_escalations() if r.destination != record.destination]
    if not remaining:
        raise FollowUpError(
            "it is the last team the case is with: de-escalate the whole case "
            "(a condition of the playbook must hold)"
        )
    _end(case, [record], "de_escalated", now)
    name = _destination_name(playbook, record.destination)
    detail = f"{why}\nStill with: {_names(playbook, remaining)}"
    return _append(
        case,
        LogKind.DE_ESCALATED,
        f"De-escalated from {name}",
        now,
        detail=detail,
        destination=record.destination,
    )


def resolve(
    case: Escalation,
    playbook: Playbook,
    *,
    customer_confirmed: bool,
    tracking_closed: bool,
    lessons_learned: str,
    now: datetime,
    summary: str = "",
) -> LogEntry:
    """Close the case as the playbook asks: confirm with the customer, close internal tracking, and
    capture lessons learned (required: they are what later agents search for). Stops the clocks."""
    if case.status is Status.RESOLVED:
        raise FollowUpError("the case is already resolved")
    lessons = lessons_learned.strip()
    if not lessons:
        raise FollowUpError(
            "lessons learned are required: what should the next agent facing this know?"
        )
    case.resolution = ResolutionRecord(
        customer_confirmed=customer_confirmed,
        tracking_closed=tracking_closed,
        lessons_learned=lessons,
        resolved_at=_utc(now),
    )
    closing = case.active_escalations()
    _end(case, closing, "resolved", now)
    if customer_confirmed:
        _append(case, LogKind.CUSTOMER_UPDATE, "Customer confirmed the resolution", now)
    texts = {item.id: item.text for item in playbook.resolution}
    lines = [
        f"[{'x' if customer_confirmed else ' '}] "
        f"{texts.get('resolve.confirm_customer', 'Confirm with the customer')}",
        f"[{'x' if tracking_closed else ' '}] "
        f"{texts.get('resolve.close_tracking', 'Close internal tracking')}",
        f"Lessons learned: {lessons}",
    ]
    if closing:
        lines.append(f"Closed with: {_names(playbook, closing)}")
    case.status = Status.RESOLVED
    title = f"Resolved: {_one_line(summary)}" if summary.strip() else "Resolved"
    return _append(case, LogKind.RESOLVED, title, now, detail="\n".join(lines))


def reopen(case: Escalation, reason: str, now: datetime) -> LogEntry:
    """Reopen a resolved case with a reason. It goes back to where it was before it was resolved
    (escalated, de-escalated, or a draft), the resolution record is cleared (the log keeps it), and
    an escalated case's clocks start again from now."""
    if case.status is not Status.RESOLVED:
        raise FollowUpError("only a resolved case can be reopened")
    why = _require(reason, "say why the case is reopened: the reason is logged")
    if case.de_escalation is not None and case.de_escalation.completed_at is not None:
        status = Status.DE_ESCALATED
    elif case.escalation is not None:
        status = Status.ESCALATED
    else:
        status = Status.DRAFT
    case.resolution = None
    # The destinations the resolution closed are open again (their clocks restart from now).
    case.escalations = [
        r.model_copy(update={"ended_at": None, "ended_by": None}) if r.ended_by == "resolved" else r
        for r in case.escalations
    ]
    case.status = status
    return _append(case, LogKind.REOPENED, f"Reopened ({status.label.lower()})", now, detail=why)
