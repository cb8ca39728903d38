"""Shared by the command line tests (tests/cli/): the CLI
on the test database at the fixed NOW, the one-line error check, and a case ready to escalate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from screens import start
from tests.conftest import NOW
from workbench import cli
from workbench.models import ActionTaken, Communication, Escalation

Run = Callable[..., Result]


def cli_runner(db_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(*args, input=..., env=...)`: the CLI on the test database at the fixed NOW, handed
    the app's launcher as the `workbench` command hands it (screens/start.py)."""
    for name in ("WORKBENCH_DB", "WORKBENCH_PLAYBOOK", "WORKBENCH_DEBUG"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args: str, input: str | bytes | None = None, **env: str) -> Result:
        runner = CliRunner()
        environment = {"WORKBENCH_NOW": NOW.isoformat(), "COLUMNS": "200", **env}
        handed = cli.Invocation(launch_app=start.run_app)
        argv = ["--db", str(db_target), *args]
        return runner.invoke(cli.main, argv, input=input, env=environment, obj=handed)

    return invoke


def assert_error(result: Result, code: int, *words: str) -> None:
    """One line on stderr, the exit status, no traceback, nothing on stdout."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in lines[0]
    assert result.stdout == ""


def ready_case() -> Escalation:
    """Routed to Support L2, with everything its package requires."""
    return Escalation(
        title="Invoices PDF shows the wrong VAT number",
        customer="Acme Corp",
        routed_to=["l2"],
        tier="L1",
        actions=[ActionTaken(tried="Regenerated the invoice", outcome="Same VAT number")],
        communication=Communication(most_recent_update="Told the customer we are on it"),
        created_at=NOW - timedelta(days=1),
        updated_at=NOW - timedelta(days=1),
    )
