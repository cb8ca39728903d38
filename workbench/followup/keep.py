"""Keep a case in support: the other real outcome of triage. The decision is recorded with its
reason (the keep criteria that held and the agent's words) and the note for the customer or the
ticket, the status becomes "kept in support", and the log says so. Escalating the case later keeps
all of it (`escalate` logs the changed decision)."""

from __future__ import annotations

from datetime import datetime

from workbench.followup.base import FollowUpError, _append, _one_line, _require, _utc
from workbench.models import Escalation, KeptRecord, LogEntry, LogKind, Status
from workbench.playbook import Playbook
from workbench.rules.keep import draft_keep_note, keep_criteria_held

__all__ = ["keep_in_support"]


def keep_in_support(
    case: Escalation, playbook: Playbook, reason: str, note: str, now: datetime
) -> LogEntry:
    """Record the decision to keep the case in support. `note` empty takes the drafted note.

    Refused for a case that is with a team now (de-escalate it first), a resolved one, or one
    already kept; the reason is required (it is logged)."""
    if case.status is Status.ESCALATED:
        raise FollowUpError("the case is escalated: de-escalate it before keeping it in support")
    if case.status is Status.RESOLVED:
        raise FollowUpError("the case is resolved: reopen it first")
    if case.status is Status.KEPT_IN_SUPPORT:
        raise FollowUpError("the case is already kept in support")
    why = _require(reason, "say why the case stays in support: the reason is logged")
    held = keep_criteria_held(case, playbook)
    text = note.strip() or draft_keep_note(case, playbook)
    case.kept = KeptRecord(
        criteria=[item.id for item in held], reason=why, note=text, kept_at=_utc(now)
    )
    case.status = Status.KEPT_IN_SUPPORT
    lines = [f"Criteria held: {'; '.join(item.text for item in held) or 'none (override)'}"]
    lines.append(f"Reason: {why}")
    if text:
        lines.append(f"Note: {_one_line(text)}")
    return _append(case, LogKind.TRIAGE, "Decision: keep in support", now, detail="\n".join(lines))
