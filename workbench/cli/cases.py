"""`workbench new`, `list` and `show`: cases from the shell, on the same store and rules as the
app, with `--json` for scripts. `list` never imports Textual (nor the store's model layer beyond
what it reads)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from workbench.cli.errors import CliError
from workbench.cli.group import pass_state
from workbench.cli.output import cell, echo_json, echo_text, table, when
from workbench.session import State

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook


@click.command()
@click.option("--title", required=True, help="A one-line summary of the problem.")
@click.option("--customer", default="", help="The customer's name.")
@click.option("--component", default="", help="The product area affected.")
@click.option("--json", "as_json", is_flag=True, help="Print the new case as JSON.")
@pass_state
def new(state: State, title: str, customer: str, component: str, as_json: bool) -> None:
    """Create a draft case; prints its id."""
    from workbench.models import Escalation

    if not title.strip():
        raise CliError("--title must not be empty")
    now = state.now()
    case = Escalation(
        title=title.strip(),
        customer=customer.strip(),
        component=component.strip(),
        created_at=now,
        updated_at=now,
    )
    stored = state.store().create(case)
    if as_json:
        echo_json(stored.model_dump(mode="json"))
    else:
        click.echo(str(stored.id))


_STATUSES = ("draft", "kept_in_support", "escalated", "de_escalated", "resolved")
_SEVERITIES = ("critical", "high", "medium")


def _row_json(row: Any, now: datetime) -> dict[str, object]:
    return {
        "id": row.id,
        "title": row.title,
        "customer": row.customer,
        "status": str(row.status),
        "severity": None if row.severity is None else str(row.severity),
        "routed_to": row.routed_to,
        "destinations": [name for name in (row.routed_to or "").split(", ") if name],
        "next_due": row.next_due,
        "due_latest": row.due_latest,
        "overdue": row.overdue(now),
        "sla": row.sla,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


@click.command("list")
@click.option("--status", type=click.Choice(_STATUSES), multiple=True, help="Only these statuses.")
@click.option("--severity", type=click.Choice(_SEVERITIES), multiple=True, help="Only these.")
@click.option("--search", "query", help="Full-text search in the cases.")
@click.option("--sort", default="updated_at", show_default=True, help="Column to sort on.")
@click.option("--asc", is_flag=True, help="Ascending order (default: descending).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many cases.")
@click.option(
    "--mine", is_flag=True, help="Only the cases you own (a team database; a file is all yours)."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array of objects.")
@pass_state
def list_(
    state: State,
    status: tuple[str, ...],
    severity: tuple[str, ...],
    query: str | None,
    sort: str,
    asc: bool,
    limit: int | None,
    mine: bool,
    as_json: bool,
) -> None:
    """The cases, most recently updated first."""
    from workbench.store import SORTS

    if sort not in SORTS:
        raise CliError(f"--sort: {sort!r} is not one of: {', '.join(SORTS)}")
    now = state.now()
    rows: list[Any] = []
    if state.has_database():
        store = state.store(create=False)
        rows = store.list_cases(
            status=status or None,
            severity=severity or None,
            query=query,
            sort=sort,
            descending=not asc,
            limit=limit,
            owner=store.agent() if mine else None,
        )
    if as_json:
        echo_json([_row_json(row, now) for row in rows])
        return
    if not rows:
        click.echo("No cases.", err=True)
        return
    cells = [
        [
            str(row.id),
            row.status.label,
            row.severity.label if row.severity else "",
            cell(row.title),
            cell(row.customer),
            cell(row.routed_to),
            _due_cell(row, now),
        ]
        for row in rows
    ]
    headers = ["ID", "STATUS", "SEVERITY", "TITLE", "CUSTOMER", "ROUTED TO", "NEXT FOLLOW-UP"]
    # A narrow terminal keeps the title readable: customer and routing are cut, then left out.
    lines = table(
        headers,
        cells,
        shrink=[(3, 30), (4, 12), (5, 12), (3, 20)],
        optional=[5, 4],
        last_resort=[(3, 8)],
    )
    for line, row in zip(lines, [None, *rows], strict=True):
        overdue = row is not None and row.overdue(now)
        click.echo(click.style(line, fg="red") if overdue else line)


def _due_cell(row: Any, now: datetime) -> str:
    """The list's follow-up column, relative: "in 3 h", "due now", "OVERDUE by 20 m"."""
    from workbench import timetext

    if row.next_due is None:
        return ""
    return timetext.countdown(row.next_due, now, latest=row.due_latest)


MAX_CASE_ID = 2**63 - 1  # SQLite's largest integer


def parse_case_id(value: str) -> int:
    # ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and other scripts.
    text = value.strip().lstrip("#")
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_CASE_ID:
        raise CliError(f"{value!r} is not a case id (a positive number)")
    return int(text)


def get_case(state: State, case_id: str) -> tuple[Escalation, Playbook]:
    playbook = state.playbook()
    return state.store(create=False).get(parse_case_id(case_id)), playbook


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The whole case as JSON.")
@pass_state
def show(state: State, case_id: str, as_json: bool) -> None:
    """One whole case: status, follow-ups, the document and the running log."""
    playbook = state.playbook()
    store = state.store(create=False)
    case = store.get(parse_case_id(case_id))
    if as_json:  # the case itself, as `import` reads it back
        echo_json(case.model_dump(mode="json"))
        return
    people = store.people(case.id or 0)  # a team database's owner and authors
    from workbench.document import render_export
    from workbench.followup import due_lines, timeline
    from workbench.rules.summary import summarize

    now = state.now()
    summary = summarize(case, playbook, now)
    lines = [
        f"#{case.id} {cell(case.title) or '(untitled)'}",
        f"Status: {case.status.label}    Severity: "
        f"{summary.severity.capitalize() if summary.severity else '-'}    "
        f"Routed to: {cell(summary.routed_to) or '-'}",
        f"Customer: {cell(case.customer) or '-'}    Component: {cell(case.component) or '-'}"
        f"    Tier: {case.tier}",
        f"Created: {when(case.created_at, now)}    Updated: {when(case.updated_at, now)}",
    ]
    if people is not None:
        lines.append(
            f"Owner: {cell(people['owner'])}    Created by: {cell(people['created_by'])}    "
            f"Last change by: {cell(people['updated_by'])}"
        )
    from workbench.rules.cadence import follow_up_schedule

    due = due_lines(follow_up_schedule(case, playbook, now), now)
    if due:
        lines.append("Follow-ups:")
        lines += [f"  {line.text}" for line in due]
    lines.append("")
    for line in lines:
        click.echo(line)
    echo_text(render_export(case, playbook, now))
    click.echo("")
    click.echo("Log:")
    for item in timeline(case):
        detail = f" — {cell(item.detail)}" if item.detail.strip() else ""
        click.echo(f"  {when(item.at, now)}  {cell(item.line)}{detail}")
