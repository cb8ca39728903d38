"""Shared fixtures: a fixed clock, a temporary Store, an `app` factory, and sample cases.

Time is fixed (NOW, a Tuesday afternoon, UTC) and the local zone is UTC, so ages, countdowns and
"3 h ago" render the same on every run and every machine; snapshots depend on it. NO_COLOR would
make every snapshot fail, so it is cleared.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.pop("NO_COLOR", None)
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()

from workbench.models import (
    BusinessImpact,
    Escalation,
    ImpactInputs,
    Status,
    TriageAnswer,
)
from workbench.playbook import Playbook, default_playbook

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from screens.app import WorkbenchApp
    from workbench.store import Store

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


def pytest_collection_finish(session: pytest.Session) -> None:
    """The test process's collector tuned as the app tunes its own in a terminal
    (screens/collector.py): what importing every test module built lives to the end and is
    frozen, and the older generations are collected less often. A full collection walked all of
    it (260 ms each here) fifty times in three files of pilot tests: 23% of their CPU. Tests
    that look for what a screen left behind collect for themselves (gc.collect)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(5000, 20, 20)


@pytest.fixture(autouse=True)
def _no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def _no_user_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The developer's own settings.toml (holidays) must not change what the tests compute."""
    monkeypatch.delenv("WORKBENCH_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def _local_zone_utc() -> Iterator[None]:
    """A test that reads settings with a `timezone` sets the process's zone to it (as the
    command does, workbench.settings.show_times_in): UTC again after it, for every other test."""
    yield
    if os.environ.get("TZ") != "UTC":
        os.environ["TZ"] = "UTC"
        if hasattr(time, "tzset"):
            time.tzset()


# -- the two backends ----------------------------------------------------------------------------
BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that asks for `backend` runs on both stores, the local file and a team database;
    one marked `sqlite_only`, or that asks for the file itself (`db_path`, `db`), on the file
    alone."""
    if "backend" not in metafunc.fixturenames:
        return
    local = metafunc.definition.get_closest_marker("sqlite_only") is not None
    local = local or not {"db_path", "db"}.isdisjoint(metafunc.fixturenames)
    metafunc.parametrize("backend", ["sqlite"] if local else list(BACKENDS))


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A PostgreSQL server for this pytest process (tests/pg.py), started on first use."""
    from tests.pg import pg_test_server

    with pg_test_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database of its own for one test, dropped after it."""
    from tests.pg import create_database, drop_database

    name, url = create_database(pg_admin_url)
    yield url
    drop_database(pg_admin_url, name)


@pytest.fixture
def db_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where the test's store lives: a file (`tmp_path/data/workbench.db`) or a team database."""
    if backend == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return tmp_path / "workbench.db"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def playbook() -> Playbook:
    return default_playbook()


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new database, made once per test process: a copy opens in 1-2 ms, where making one
    (the schema and its migrations) takes 25-60, in each of a thousand tests."""
    from workbench.store import Store

    path = tmp_path_factory.mktemp("template") / "workbench.db"
    Store(path, default_playbook(), clock=fixed_clock).close()
    return path


@pytest.fixture
def store(tmp_path: Path, playbook: Playbook, empty_database: Path) -> Iterator[Store]:
    """The test's own new database (a copy of `empty_database`: the same file, mode 0600)."""
    from workbench.store import Store

    target = tmp_path / "workbench.db"
    shutil.copy2(empty_database, target)
    db = Store(target, playbook, clock=fixed_clock)
    yield db
    db.close()


AppFactory = Callable[[], "WorkbenchApp"]


@pytest.fixture
def make_app(store: Store, playbook: Playbook) -> AppFactory:
    """`make_app()` builds a WorkbenchApp on the test store with the fixed clock and no bell."""
    from screens.app import WorkbenchApp

    def factory() -> WorkbenchApp:
        return WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)

    return factory


async def settle_until(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    """Let the app run until `done()` (at most 200 turns of its message loops): held keys wait
    for a dialog to focus its first field, which takes a few turns and a timer's tick or two."""
    for _ in range(200):
        if done():
            return
        await pilot.pause()


def new_case(store: Store, title: str = "CSV export times out", **fields: object) -> Escalation:
    """Create a case at the fixed time (created a day before NOW unless told otherwise)."""
    fields.setdefault("created_at", NOW - timedelta(days=1))
    fields.setdefault("updated_at", NOW - timedelta(days=1))
    return store.create(Escalation(title=title, **fields))  # type: ignore[arg-type]


@pytest.fixture
def case(store: Store) -> Escalation:
    """One fresh draft case."""
    return new_case(store, customer="Acme Corp")


def seed_cases(store: Store) -> list[Escalation]:
    """A fixed, varied set of cases for the list and the snapshots."""
    cases = [
        new_case(
            store,
            "Checkout returns 500 for EU customers",
            customer="Globex",
            created_at=NOW - timedelta(hours=5),
            triage={"esc.widespread.production_down": TriageAnswer(checked=True)},
            impact=ImpactInputs(customers_affected=14, depth="blocked", sla="breached"),
        ),
        new_case(
            store,
            "SSO login loops for one tenant",
            customer="Initech",
            created_at=NOW - timedelta(days=3),
            triage={"esc.technical.code_fix": TriageAnswer(checked=True)},
            impact=ImpactInputs(customers_affected=1, depth="degraded", sla="at_risk"),
        ),
        new_case(
            store,
            "Report totals off by one cent",
            customer="Umbrella",
            created_at=NOW - timedelta(days=12),
            triage={"keep.documented_fix": TriageAnswer(checked=True)},
            status=Status.KEPT_IN_SUPPORT,
            business_impact=BusinessImpact(affected_customers="1 (Umbrella)"),
        ),
        new_case(
            store,
            "Possible data exposure in shared links",
            customer="Hooli",
            created_at=NOW - timedelta(minutes=40),
            triage={"dest.security.data_exposure": TriageAnswer(checked=True)},
        ),
    ]
    # Escalated to Engineering 6 hours ago at High severity: the team check-in (every 4 h) is overdue.
    from workbench.followup import escalate

    escalated = new_case(
        store,
        "Bulk import drops rows over 10k",
        customer="Stark Industries",
        created_at=NOW - timedelta(days=2),
        triage={"esc.technical.code_fix": TriageAnswer(checked=True)},
        impact=ImpactInputs(customers_affected=3, depth="blocked", sla="at_risk"),
    )
    escalate(escalated, store.playbook, "engineering", "", NOW - timedelta(hours=6))
    cases.append(store.save(escalated))
    return cases
