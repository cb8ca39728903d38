"""`workbench --db URL team ...`: setting up and looking after a team database (PostgreSQL).

`init` (the database's owner: the schema and the agents' group role), `add-agent NAME` (a login
role in the group, or the group granted to an existing role), `status` (schema version, agents),
`hand-over ID AGENT` (the case's owner changes, logged by the server). A password comes from a
prompt or standard input, is hashed before it is sent, and is never printed or written anywhere
by the workbench; every other credential is libpq's (the URL, PGPASSWORD, ~/.pgpass, a service
file)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.cli.cases import parse_case_id
from workbench.cli.errors import CliError, shown
from workbench.cli.group import FilePath, pass_state
from workbench.cli.output import echo_json, sanitize
from workbench.session import State
from workbench.vocab import plural

if TYPE_CHECKING:
    from workbench.store.pg.team import TeamAdmin, TeamStatus

GROUP_HELP = "The agents' group role (default: workbench_agents)."


def _admin(state: State) -> TeamAdmin:
    target = state.db_target()
    if not isinstance(target, str):
        raise CliError(
            "team commands need a team database: --db postgresql://... (or WORKBENCH_DB)"
        )
    from workbench.store.pg.team import TeamAdmin

    return TeamAdmin(target)


def _status_json(status: TeamStatus) -> dict[str, object]:
    return {
        "database": status.database,
        "schema_version": status.schema_version,
        "group": status.group,
        "agents": [
            {"name": a.name, "can_login": a.can_login, "cases_owned": a.cases_owned}
            for a in status.agents
        ],
    }


def _echo_status(status: TeamStatus) -> None:
    click.echo(sanitize(f"Team database: {status.database}"))
    click.echo(f"Schema version: {status.schema_version or 'none (run team init)'}")
    click.echo(sanitize(f"Agents ({status.group}): {len(status.agents)}"))
    width = max((len(agent.name) for agent in status.agents), default=0)
    for agent in status.agents:
        login = "" if agent.can_login else "  (cannot log in)"
        owned = plural(agent.cases_owned, "case")
        click.echo(sanitize(f"  {agent.name:<{width}}  {owned} owned{login}"))


@click.group()
def team() -> None:
    """A team's shared database on PostgreSQL (--db postgresql://... or WORKBENCH_DB)."""


@team.command()
@click.option("--group", default="workbench_agents", help=GROUP_HELP)
@click.option("--json", "as_json", is_flag=True, help="The status afterwards as JSON.")
@pass_state
def init(state: State, group: str, as_json: bool) -> None:
    """Create or upgrade the schema and the agents' group role (run by the database's owner;
    safe to run again)."""
    status = _admin(state).init(group)
    if as_json:
        echo_json(_status_json(status))
        return
    click.echo(f"Team database ready (schema {status.schema_version}).", err=True)
    _echo_status(status)


@team.command("add-agent")
@click.argument("name")
@click.option("--group", default="workbench_agents", help=GROUP_HELP)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
@click.option(
    "--no-password",
    is_flag=True,
    help="No password (the server authenticates otherwise: peer, certificates, ~/.pgpass).",
)
@pass_state
def add_agent(state: State, name: str, group: str, password_stdin: bool, no_password: bool) -> None:
    """A login role NAME for an agent, in the agents' group; an existing role is granted the
    group. The password is asked for (or read with --password-stdin) and never shown."""
    if password_stdin and no_password:
        raise CliError("--password-stdin and --no-password: choose one")
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not no_password:
        password = click.prompt(
            f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True
        )
    created = _admin(state).add_agent(name, password=password, group=group)
    what = "created, in" if created else "already a role: granted"
    click.echo(sanitize(f"Agent {name} {what} {group}."), err=True)


@team.command()
@click.option("--group", default="workbench_agents", help=GROUP_HELP)
@click.option("--json", "as_json", is_flag=True, help="The status as JSON.")
@pass_state
def status(state: State, group: str, as_json: bool) -> None:
    """The team database's schema version and its agents."""
    found = _admin(state).status(group)
    if as_json:
        echo_json(_status_json(found))
    else:
        _echo_status(found)


@team.command("hand-over")
@click.argument("case_id", metavar="ID")
@click.argument("agent")
@pass_state
def hand_over(state: State, case_id: str, agent: str) -> None:
    """Give case ID to another AGENT (its owner: who holds the customer relationship); the
    server logs the handover with your name."""
    _admin(state)  # a team database, or one line saying so
    from workbench.store.pg.store import PgStore

    store = state.store(create=False)
    assert isinstance(store, PgStore)
    number = parse_case_id(case_id)
    store.hand_over(number, agent)
    click.echo(sanitize(f"Case {number} handed over to {agent}."), err=True)


@team.command("import-local")
@click.argument("file", type=FilePath(exists=True, dir_okay=False, path_type=Path))
@click.option("--origin", help="The file's origin key (default: taken from its first case).")
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON.")
@pass_state
def import_local(state: State, file: Path, origin: str | None, as_json: bool) -> None:
    """Copy a local database FILE's cases into the team database: new team ids, the local id
    kept as the source, links following; running it again adds nothing; counts checked."""
    _admin(state)
    from workbench.store import Store
    from workbench.store.pg.moving_in import move_in, origin_of
    from workbench.store.pg.store import PgStore

    team_store = state.store()
    assert isinstance(team_store, PgStore)
    with Store(file, state.playbook(), readonly=True) as local:
        first = next(iter(local.all_cases()), None)
        report = move_in(
            team_store, local.all_cases(), origin or origin_of(first), history=local.events
        )
    if as_json:
        echo_json(
            {
                "origin": report.origin,
                "local": report.local,
                "added": report.added,
                "already": report.already,
                "in_team": report.in_team,
            }
        )
        return
    click.echo(
        sanitize(
            f"{plural(report.local, 'local case')}: {report.added} copied, {report.already} already "
            f"there; {report.in_team} in the team database from {shown(file)}."
        )
    )
