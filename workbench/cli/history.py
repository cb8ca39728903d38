"""`workbench similar ID` and `workbench stats`: history and patterns from the shell.

The same core as the app's similar-cases panel and dashboard: `signals.review_case` (a full-text
pool of candidates, ranked, with the pattern signals) and `stats.compute_dashboard` over the store's
case facts. Only click is imported at module level, like the rest of the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from workbench.cli.cases import parse_case_id
from workbench.cli.group import pass_state
from workbench.cli.output import cell, echo_json, sanitize
from workbench.session import State

if TYPE_CHECKING:
    from workbench.stats import Dashboard


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--limit", type=click.IntRange(min=1, max=100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Similar cases and signals as JSON.")
@pass_state
def similar(state: State, case_id: str, limit: int, as_json: bool) -> None:
    """Past cases most like case ID (same symptom, component, error, flags, environment), with
    their customer, status, outcome and lessons learned, and the pattern signals they suggest."""
    from workbench.history import describe_outcome, lessons_of
    from workbench.signals import review_case

    playbook = state.playbook()
    store = state.store(create=False)
    case = store.get(parse_case_id(case_id))
    now = state.now()
    review = review_case(store, case, playbook, now, limit=limit)
    names = {d.id: d.name for d in playbook.destinations}
    rows = []
    for match in review.similar:
        other = review.cases[match.case_id]
        rows.append(
            {
                "id": match.case_id,
                "score": match.score,
                "same_problem": match.same_problem,
                "linked": match.linked,
                "title": other.title,
                "customer": other.customer,
                "status": other.status.value,
                "outcome": describe_outcome(other, names),
                "lessons_learned": lessons_of(other),
                "reasons": list(match.reasons),
            }
        )
    signals = [
        {
            "criterion_id": s.criterion_id,
            "criterion": playbook.criterion(s.criterion_id).text,
            "message": s.message,
            "evidence_case_ids": list(s.evidence_case_ids),
        }
        for s in review.signals
    ]
    if as_json:
        echo_json({"id": case.id, "title": case.title, "similar": rows, "signals": signals})
        return
    click.echo(f"Cases like #{case.id} {cell(case.title) or '(untitled)'}:")
    if not review.similar:
        click.echo("  none found")
    for match in review.similar:
        other = review.cases[match.case_id]
        mark = "=" if match.same_problem else " "
        click.echo(
            f" {mark}#{match.case_id:<6} {match.score:5.2f}  {cell(other.customer) or '-'}"
            f" · {describe_outcome(other, names)} · {cell(other.title)}"
        )
        click.echo(f"      {cell('; '.join(match.reasons))}")
        lessons = lessons_of(other)
        if lessons:
            click.echo(f"      Lessons learned: {cell(lessons)}")
    if review.similar:
        click.echo("  (= counts as the same problem for the signals)")
    click.echo("")
    click.echo("Signals:" if signals else "Signals: none")
    for signal in signals:
        click.echo(f"  [{signal['criterion_id']}] {signal['criterion']}")
        click.echo(f"      {cell(signal['message'])}")


def _bar(count: int, top: int, width: int = 30) -> str:
    if top <= 0 or count <= 0:
        return ""
    return "█" * max(1, round(width * count / top))


def _text_lines(board: Dashboard) -> list[str]:
    from datetime import UTC

    from workbench import timetext
    from workbench.stats import SEVERITY_ORDER

    lines = [f"Cases: {board.total} in all, {board.open_total} open"]
    lines.append("")
    lines.append("Open cases by severity and destination:")
    columns = [d for d in board.destinations if any(d in row for row in board.open_matrix.values())]
    width = max([8, *(len(c) for c in columns)])
    lines.append("  " + "Severity".ljust(10) + "".join(c.rjust(width + 2) for c in columns))
    for severity in SEVERITY_ORDER:
        row = board.open_matrix[severity]
        total = board.open_by_severity[severity]
        cells = "".join(str(row.get(c, 0) or "·").rjust(width + 2) for c in columns)
        lines.append(f"  {severity.capitalize():<10}{cells}   ({total})")
    lines.append("")
    lines.append(
        f"Follow-ups: {board.followups_due} due, {board.followups_overdue} overdue"
        f"    SLA breaches: {board.sla_breaches_open} open, {board.sla_breaches_window}"
        " in the last 13 weeks"
    )
    share = board.kept_share
    lines.append(
        f"Kept in support vs escalated (opened in the last 13 weeks): {board.kept} vs "
        f"{board.escalated}" + (f" ({share:.0%} kept)" if share is not None else "")
    )
    lines.append("")
    lines.append("Median time to resolution (resolved in the last 13 weeks):")
    for severity in SEVERITY_ORDER:
        count = board.resolved_in_window[severity]
        hours = timetext.hours(board.median_resolution_hours[severity])
        lines.append(f"  {severity.capitalize():<10}{hours:>8}   ({count} resolved)")
    lines.append("")
    lines.append(f"Escalations per week ({board.escalations_in_window} in the last 13 weeks):")
    top = max((w.count for w in board.weekly), default=0)
    for week in board.weekly:
        lines.append(
            f"  {timetext.day(week.start, UTC, with_year=False):>6}  {week.count:>4}  {_bar(week.count, top)}".rstrip()
        )
    lines.append("")
    lines.append("Most frequent symptoms (opened in the last 13 weeks):")
    if not board.top_symptoms:
        lines.append("  none repeated")
    for symptom in board.top_symptoms:
        lines.append(f"  {symptom.count:>4}  {' '.join(symptom.phrase.split())}")
    return lines


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Every figure as JSON.")
@pass_state
def stats(state: State, as_json: bool) -> None:
    """The lead's dashboard: open cases by severity and destination, follow-ups due and overdue,
    escalations per week, median time to resolution, kept versus escalated, SLA breaches and the
    most frequent symptoms."""
    from workbench.stats import dashboard_from, dashboard_json

    playbook = state.playbook()
    now = state.now()
    store = state.store(create=False) if state.has_database() else None
    board = dashboard_from(store, playbook, now)
    if as_json:
        echo_json(dashboard_json(board))
        return
    for line in _text_lines(board):
        click.echo(sanitize(line))
