"""What the follow-up operations share: their error, the log entry they append, and finding a
destination by id or name among the ones the case is with."""

from __future__ import annotations

from datetime import UTC, datetime

from workbench.models import EndedBy, Escalation, EscalationRecord, LogEntry, LogKind
from workbench.playbook import Playbook


class FollowUpError(ValueError):
    """A follow-through step that cannot be taken as asked; the message says what to do instead."""


# -- helpers ----------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    """A summary is one line: runs of whitespace (newlines included) become one space."""
    return " ".join(text.split())


def _require(text: str, message: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise FollowUpError(message)
    return cleaned


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _append(
    case: Escalation,
    kind: LogKind,
    summary: str,
    now: datetime,
    *,
    detail: str = "",
    expectation: str = "",
    destination: str = "",
    next_at: datetime | None = None,
    deadline_at: datetime | None = None,
) -> LogEntry:
    entry = LogEntry(
        at=_utc(now),
        kind=kind,
        summary=_one_line(summary),
        detail=detail.strip(),
        expectation=expectation.strip(),
        destination=destination,
        next_at=next_at,
        deadline_at=deadline_at,
    )
    # Reassign rather than append so pydantic's validate_assignment sees the change.
    case.log = [*case.log, entry]
    return entry


def _destination_name(playbook: Playbook, destination_id: str) -> str:
    try:
        return playbook.destination(destination_id).name
    except KeyError:
        return destination_id


def find_destination(playbook: Playbook, text: str) -> str:
    """A destination id from its id or name, any case ("engineering", "Engineering")."""
    wanted = text.strip().casefold()
    for dest in playbook.destinations:
        if wanted in (dest.id.casefold(), dest.name.casefold()):
            return dest.id
    known = ", ".join(d.id for d in playbook.destinations)
    raise FollowUpError(f"unknown destination {text!r} (one of: {known})")


def _names(playbook: Playbook, records: list[EscalationRecord]) -> str:
    return ", ".join(_destination_name(playbook, r.destination) for r in records)


def _active_destination(case: Escalation, playbook: Playbook, text: str) -> EscalationRecord:
    """The active escalation record of the destination named by `text` (id or name)."""
    dest_id = find_destination(playbook, text)
    active = case.active_escalations()
    for record in active:
        if record.destination == dest_id:
            return record
    name = _destination_name(playbook, dest_id)
    with_now = _names(playbook, active) or "no team"
    raise FollowUpError(f"the case is not with {name} (it is with: {with_now})")


def _end(case: Escalation, records: list[EscalationRecord], by: EndedBy, now: datetime) -> None:
    """Mark these destinations ended (de-escalated or closed by the resolution)."""
    ended = {r.destination for r in records}
    case.escalations = [
        r.model_copy(update={"ended_at": _utc(now), "ended_by": by})
        if r.destination in ended and r.active
        else r
        for r in case.escalations
    ]
