"""Shared by the team tests on a real PostgreSQL server (tests/team/): a team set up with three agents, the CLI on a team database, a
store opened as one agent, and the one-line error check."""

from __future__ import annotations

from click.testing import CliRunner, Result

from tests.conftest import NOW, fixed_clock
from tests.pg import as_role
from workbench import cli
from workbench.playbook import Playbook
from workbench.store import open_store
from workbench.store.pg.store import PgStore
from workbench.store.pg.team import TeamAdmin


def set_up_team(pg_url: str, prefix: str) -> dict[str, str]:
    """A team database set up by its owner, with three agents: name -> the agent's URL."""
    admin = TeamAdmin(pg_url)
    admin.init()
    agents = {}
    for short in ("alice", "bob", "carol"):
        name = prefix + short
        assert admin.add_agent(name, password=None)
        agents[short] = as_role(pg_url, name)
    return agents


def run(url: str, *args: str, input: str | None = None) -> Result:
    env = {"WORKBENCH_NOW": NOW.isoformat(), "WORKBENCH_DB": None, "COLUMNS": "200"}
    return CliRunner().invoke(cli.main, ["--db", url, *args], env=env, input=input)


def open_as(url: str, playbook: Playbook) -> PgStore:
    store = open_store(url, playbook, clock=fixed_clock)
    assert isinstance(store, PgStore)
    return store


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]
