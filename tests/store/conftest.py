"""The store tests' fixtures: the default playbook, a hand-moved clock, and the store on both
backends (`backend`), or on the file alone for a test that asks for the file (`db_path`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.helpers import Clock
from workbench.playbook import Playbook, default_playbook
from workbench.store import Store, open_store


@pytest.fixture
def playbook() -> Playbook:
    return default_playbook()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "workbench.db"


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """The file is `db_path` (in a folder not made yet); a team database is the test's own."""
    if backend == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return tmp_path / "data" / "workbench.db"


@pytest.fixture
def store(db_target: Path | str, playbook: Playbook, clock: Clock) -> Iterator[Store]:
    """The store on both backends (`backend`): the local file, and a team database."""
    with open_store(db_target, playbook, clock=clock) as opened:
        yield opened  # type: ignore[misc]
