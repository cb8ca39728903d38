"""The team tests' fixtures: a prefix for the role names a test makes (roles belong to the whole
server, so each test's are its own and dropped after it), and a team set up with three agents."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.pg import drop_roles
from tests.team.helpers import set_up_team


@pytest.fixture
def prefix(pg_admin_url: str) -> Iterator[str]:
    """A prefix for this test's agents' role names (roles belong to the whole server)."""
    name = f"agent_{uuid.uuid4().hex[:8]}_"
    yield name
    drop_roles(pg_admin_url, name)


@pytest.fixture
def team(pg_url: str, prefix: str) -> dict[str, str]:
    """A team database set up by its owner, with three agents: name -> the agent's URL."""
    return set_up_team(pg_url, prefix)
