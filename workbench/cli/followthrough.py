"""The follow-through from the shell: `escalate`, `keep`, `log`, `reassess`, `de-escalate` and
`resolve`, on the same operations as the app (`workbench.followup`). What the app refuses is
refused here with the same message, on one line, exit 2. Times (`--at`, `--next`, `--deadline`)
are read as the app reads them (`workbench.when.parse_when`: "-2h", "fri 17:00", an ISO time)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from workbench.cli.cases import get_case
from workbench.cli.errors import CliError
from workbench.cli.group import pass_state
from workbench.cli.output import cell
from workbench.session import State

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook

__all__ = ["de_escalate", "escalate", "keep", "log", "reassess", "resolve"]


def _when(option: str, text: str | None, now: datetime) -> datetime | None:
    from workbench.when import parse_when

    if text is None:
        return None
    moment = parse_when(text, now)
    if moment is None:
        raise CliError(f"{option}: {text!r} is not a time (e.g. -2h, fri 17:00, 2026-11-24T09:00)")
    return moment


# A bare clock time ("10:30", "9am") for something that happened means the latest such moment.
_BARE_TIME = re.compile(r"^\s*\d{1,2}(?:[:.h]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


def _past(option: str, text: str | None, now: datetime) -> datetime:
    """A time something happened, as the app reads it: blank is now, a bare clock time is the
    latest such moment, a time in the future is refused."""
    moment = _when(option, text, now)
    if moment is None:
        return now
    if moment > now and text is not None and _BARE_TIME.match(text):
        moment -= timedelta(days=1)
    if moment > now:
        raise CliError(f"{option}: that is in the future; record it once it has happened")
    return moment


def _apply(
    state: State,
    case_id: str,
    change: Callable[[Escalation, Playbook, datetime], object],
) -> Escalation:
    """Load the case, apply `change` (a FollowUpError becomes the one-line refusal, the case
    untouched), save it."""
    from workbench.followup import FollowUpError

    case, playbook = get_case(state, case_id)
    now = state.now()
    try:
        change(case, playbook, now)
    except FollowUpError as exc:
        raise CliError(str(exc)) from None
    case.updated_at = now
    return state.store(create=False).save(case)


def _done(case: Escalation, what: str) -> None:
    click.echo(f"#{case.id} {cell(case.title) or '(untitled)'}: {what}")


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--to", "destination", required=True, help="Destination id or name (engineering).")
@click.option("--receiver", default="", help="Who received it (default: the playbook's).")
@click.option("--at", "at", help="When it was sent (default: now).")
@click.option("--note", default="", help="A note for the log.")
@pass_state
def escalate(
    state: State, case_id: str, destination: str, receiver: str, at: str | None, note: str
) -> None:
    """Escalate the case to a destination; a second call with another destination adds it."""
    from workbench.followup import escalate as escalate_case

    def change(case: Escalation, playbook: Playbook, now: datetime) -> object:
        from workbench.rules.times import sent_before_opened

        sent = _past("--at", at, now)
        problem = sent_before_opened(case, sent)
        if problem is not None:  # the same refusal as the app's Escalate dialog
            raise CliError(f"--at: {problem}")
        return escalate_case(case, playbook, destination, receiver, sent, note=note)

    case = _apply(state, case_id, change)
    _done(case, case.log[-1].summary)


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--reason", required=True, help="Why it stays in support (logged).")
@click.option("--note", default="", help="The note for the customer or ticket (default: drafted).")
@pass_state
def keep(state: State, case_id: str, reason: str, note: str) -> None:
    """Keep the case in support: record the decision, its reason and the note."""
    from workbench.followup import keep_in_support

    def change(case: Escalation, playbook: Playbook, now: datetime) -> object:
        return keep_in_support(case, playbook, reason, note, now)

    case = _apply(state, case_id, change)
    _done(case, "kept in support")


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--team", "kind", flag_value="team_checkin", help="A check-in with the team.")
@click.option("--customer", "kind", flag_value="customer_update", help="A customer update.")
@click.option("--note", "kind", flag_value="note", help="A note.")
@click.argument("text")
@click.option("--next", "next_at", help="Customer update: when the next one was promised.")
@click.option("--deadline", help="Customer update: a deadline the customer was given.")
@click.option("--expects", default="", help="Customer update: what the customer now expects.")
@click.option("--to", "destination", default="", help="Team check-in: which destination's team.")
@pass_state
def log(
    state: State,
    case_id: str,
    kind: str | None,
    text: str,
    next_at: str | None,
    deadline: str | None,
    expects: str,
    destination: str,
) -> None:
    """Log an update: --team, --customer or --note, and its one-line TEXT."""
    from workbench.followup import log_update

    if kind is None:
        raise CliError("say what kind of update: --team, --customer or --note")

    def change(case: Escalation, playbook: Playbook, now: datetime) -> object:
        return log_update(
            case,
            kind,
            text,
            expectation=expects,
            now=now,
            next_at=_when("--next", next_at, now),
            deadline_at=_when("--deadline", deadline, now),
            destination=destination,
            playbook=playbook,
        )

    case = _apply(state, case_id, change)
    _done(case, f"{case.log[-1].kind.label} logged")


@click.command()
@click.argument("case_id", metavar="ID")
@click.option(
    "--severity", required=True, type=click.Choice(("critical", "high", "medium")), help="New."
)
@click.option("--reason", required=True, help="Why the severity changes (logged).")
@pass_state
def reassess(state: State, case_id: str, severity: str, reason: str) -> None:
    """Re-assess the severity; the follow-up cadence follows it."""
    from workbench.followup import reassess_severity

    def change(case: Escalation, playbook: Playbook, now: datetime) -> object:
        return reassess_severity(case, playbook, severity, reason, now)

    case = _apply(state, case_id, change)
    _done(case, case.log[-1].summary)


def _condition_id(playbook: Playbook, text: str) -> str:
    ids = [c.id for c in playbook.de_escalation.conditions]
    for cid in ids:
        if text in (cid, cid.split(".", 1)[-1]):
            return cid
    short = ", ".join(cid.split(".", 1)[-1] for cid in ids)
    raise CliError(f"--condition: {text!r} is not one of: {short}")


@click.command("de-escalate")
@click.argument("case_id", metavar="ID")
@click.option("--reason", required=True, help="The outcome: what the team and customer are told.")
@click.option("--to", "destination", default="", help="Pull back from this destination only.")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    help="Which playbook condition holds (workaround_found, support_can_fix, ...).",
)
@click.option("--findings", default="", help="The findings (default: the reason).")
@pass_state
def de_escalate(
    state: State, case_id: str, reason: str, destination: str, conditions: tuple[str, ...],
    findings: str,
) -> None:  # fmt: skip
    """De-escalate: from one destination while others remain (--to), else the whole case (the
    playbook's procedure: the team told, the status recorded, the customer told, findings)."""
    from workbench.followup import FollowUpError, de_escalate, de_escalation_missing, withdraw

    def change(case: Escalation, playbook: Playbook, now: datetime) -> object:
        active = case.active_escalations()
        if destination and len(active) > 1 and not conditions:
            return withdraw(case, playbook, destination, reason, now)
        ticked = {_condition_id(playbook, text): True for text in conditions}
        steps = {step.id: True for step in playbook.de_escalation.procedure}
        found = findings or reason
        if case.status == "escalated":
            missing = de_escalation_missing(
                playbook, ticked, steps, {}, outcome=reason, findings=found
            )
            if missing:
                raise FollowUpError(f"{missing[0]} (--condition)")
        return de_escalate(
            case,
            playbook,
            conditions=ticked,
            steps_done=steps,
            skipped_reasons={},
            now=now,
            outcome=reason,
            findings=found,
            destination=destination,
        )

    case = _apply(state, case_id, change)
    _done(case, case.log[-1].summary)


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--lessons", required=True, help="Lessons learned (required by the playbook).")
@click.option("--customer-confirmed", is_flag=True, help="The customer confirmed the resolution.")
@click.option("--tracking-open", is_flag=True, help="Internal tracking is not closed yet.")
@pass_state
def resolve(
    state: State, case_id: str, lessons: str, customer_confirmed: bool, tracking_open: bool
) -> None:
    """Resolve the case: closes every destination, records the lessons learned."""
    from workbench.followup import resolve as resolve_case

    def change(case: Escalation, playbook: Playbook, now: datetime) -> object:
        return resolve_case(
            case,
            playbook,
            customer_confirmed=customer_confirmed,
            tracking_closed=not tracking_open,
            lessons_learned=lessons,
            now=now,
        )

    case = _apply(state, case_id, change)
    _done(case, "resolved")
