"""The command line tests' fixtures: the store and the CLI on the test database, on both
backends (`db_target`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import Run, cli_runner
from tests.conftest import fixed_clock
from workbench.playbook import Playbook
from workbench.store import CaseStore, open_store


@pytest.fixture
def store(db_target: Path | str, playbook: Playbook) -> Iterator[CaseStore]:
    """The test's store on both backends: the local file (`db`) or a team database."""
    with open_store(db_target, playbook, clock=fixed_clock) as opened:
        yield opened


@pytest.fixture
def run(db_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run(*args, input=..., env=...)`: the CLI on the test database at the fixed NOW, handed
    the app's launcher as the `workbench` command hands it (screens/start.py)."""
    return cli_runner(db_target, monkeypatch)
