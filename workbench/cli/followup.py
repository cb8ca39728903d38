"""`workbench due`: follow-ups due or overdue across escalated cases (exit 1 when anything is
overdue), from the same cadence rules as the app's reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from workbench.cli.errors import EXIT_FOUND
from workbench.cli.group import pass_state
from workbench.cli.output import cell, echo_json
from workbench.session import State

if TYPE_CHECKING:
    from workbench.models import Escalation


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Also follow-ups not yet due.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of follow-ups.")
@pass_state
def due(state: State, show_all: bool, as_json: bool) -> None:
    """Follow-ups due or overdue across escalated cases. Exit 1 when anything is overdue."""
    from workbench.followup import describe_due
    from workbench.rules.cadence import follow_up_schedule

    now = state.now()
    found: list[tuple[Escalation, Any, Any]] = []
    if state.has_database():
        playbook = state.playbook()
        for case in state.store(create=False).all_cases():
            schedule = follow_up_schedule(case, playbook, now)
            if schedule is None:
                continue
            for track in schedule.tracks:
                if show_all or track.due or track.overdue:
                    found.append((case, track, schedule))
    found.sort(key=lambda item: (item[1].latest, item[0].id or 0, item[1].track))

    def line_of(track: Any, schedule: Any) -> Any:
        return describe_due(track, now, named=len(schedule.teams) > 1)

    if as_json:
        echo_json(
            [
                {
                    "id": case.id,
                    "title": case.title,
                    "customer": case.customer,
                    "severity": str(schedule.severity),
                    "track": track.track,
                    "label": line_of(track, schedule).label,
                    "destination": track.destination or None,
                    "destination_name": track.destination_name or None,
                    "set_by": track.set_by if track.track == "customer" else None,
                    "last_at": track.last_at,
                    "earliest": track.earliest,
                    "latest": track.latest,
                    "due": track.due,
                    "overdue": track.overdue,
                }
                for case, track, schedule in found
            ]
        )
    elif not found:
        click.echo("Nothing due.", err=True)
    for case, track, schedule in [] if as_json else found:
        line = line_of(track, schedule)
        text = f"#{case.id} {cell(case.title) or '(untitled)'}: {line.text}"
        click.echo(click.style(text, fg="red") if track.overdue else text)
    if any(track.overdue for _case, track, _schedule in found):
        raise click.exceptions.Exit(EXIT_FOUND)
