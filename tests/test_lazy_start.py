"""The cold start: the list is painted before the playbook, pydantic and the case screens load.

The app gets the shipped playbook as a loader; the list reads plain columns and the vocabulary's
words, and a worker loads the rest once the list is on the screen. A team's own playbook and the
agent's settings are still read before the app starts, so a mistake in them is one CLI line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from screens import start
from screens.app import WorkbenchApp
from tests.conftest import NOW, fixed_clock, new_case, seed_cases
from workbench import cli
from workbench.playbook import Playbook, default_playbook
from workbench.store import Store
from workbench.vocab import SLA_LABELS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "workbench.db"  # the `store` fixture's file


def run(db: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.delenv("WORKBENCH_PLAYBOOK", raising=False)
    env = {"WORKBENCH_NOW": NOW.isoformat()}
    handed = cli.Invocation(launch_app=start.run_app)  # as the `workbench` command does
    return CliRunner().invoke(cli.main, ["--db", str(db), *args], env=env, obj=handed)


HEAVY = (
    "pydantic",
    "workbench.models",
    "workbench.playbook",
    "workbench.rules",
    "sqlite_utils",
    "markdown_it",
    "screens.case_base",
    "screens.dialogs",
    "textual.widgets._data_table",
    "click",  # the bare command starts without the CLI (screens/start.py)
    "workbench.cli",
    "psycopg",  # the team database's driver: only when a URL is given
    "psycopg_pool",
    "workbench.store.pg",
)


def test_shipped_sla_words_are_the_vocabulary_s() -> None:
    shipped = {c.id: c.label for c in default_playbook().document.sla_positions}
    assert shipped == SLA_LABELS


def test_first_frame_needs_none_of_the_heavy_modules(store: Store, db: Path) -> None:
    """A fresh process starts the real command on a database with cases, headless, and lists
    what was imported when the list's first rows were painted."""
    seed_cases(store)
    store.close()
    code = (
        "import sys\n"
        "import bench.bare_app as frame\n"
        "import bench.launch as launch\n"
        "def noted():\n"
        f"    print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
        "launch.record_frame = noted\n"
        f"launch.main(['--db', {str(db)!r}])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_BENCH_EXIT": "1"}
    env.pop("WORKBENCH_PLAYBOOK", None)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


async def test_the_list_paints_and_colours_sla_words_before_the_playbook_loads(
    store: Store,
) -> None:
    seed_cases(store)
    loads: list[str] = []

    def loader() -> Playbook:
        loads.append("loaded")
        return default_playbook()

    app = WorkbenchApp(store, loader, clock=fixed_clock)
    app._warm_up = lambda: None  # type: ignore[method-assign]  # as if it had not run yet
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        table: Any = app.screen.query_one("#cases")
        sla = {str(table.row(i)[7]): table.row(i)[7] for i in range(table.row_count)}
        assert {"At risk", "Breached"} <= set(sla)
        assert [span.style for span in sla["Breached"].spans] == ["bold $error"]
        assert [span.style for span in sla["At risk"].spans] == ["$warning"]
        assert loads == []
        assert app.sla_label("at_risk") == "At risk" and loads == []
        assert app.playbook is default_playbook() and loads == ["loaded"]
        assert app.playbook is default_playbook() and loads == ["loaded"]  # once


async def test_the_list_is_the_first_screen_styled_from_its_first_layout(store: Store) -> None:
    """No blank screen under the list: it is composed with the app, as a bare app's first screen
    is (pushed over a blank one, its first frame came 40-50 ms later in a terminal). Its rules
    come with the app's stylesheet: Textual reads no CSS_PATH for a first screen."""
    from screens.home import HomeScreen

    seed_cases(store)
    app = WorkbenchApp(store, default_playbook(), clock=fixed_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and app.screen_stack == [app.screen]
        assert app.screen.query_one("#home-top").region.height == 2  # home.tcss applied
        assert app.screen.query_one("#cases").region.height >= 44


async def test_the_warm_up_loads_the_playbook_after_the_first_frame(store: Store) -> None:
    new_case(store, "One case")
    loads: list[str] = []

    def loader() -> Playbook:
        loads.append("loaded")
        return default_playbook()

    app = WorkbenchApp(store, loader, clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert loads == ["loaded"]
        assert "screens.triage" in sys.modules


@pytest.mark.parametrize(("wanted", "started"), [(None, False), (False, False), (True, True)])
async def test_the_warm_up_starts_the_quiet_collector_only_when_asked_or_in_a_terminal(
    store: Store, monkeypatch: pytest.MonkeyPatch, wanted: bool | None, started: bool
) -> None:
    """A test run (headless, not in a terminal) keeps the collector as it is unless asked, as
    the benchmark asks, to measure the app as it runs in a terminal; the app puts the
    process's settings back when it ends."""
    import gc

    frozen: list[int] = []  # recorded, not done: this process is frozen since its collection
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    monkeypatch.setattr(gc, "unfreeze", lambda: frozen.append(-1))
    before = gc.get_threshold()
    app = WorkbenchApp(store, default_playbook, clock=fixed_clock, collect_in_pauses=wanted)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.collector.started is started
        assert (gc.get_threshold() != before) is started
        assert frozen == ([1] if started else [])
    assert gc.get_threshold() == before
    assert frozen == ([1, -1] if started else [])


def test_a_store_given_a_loader_loads_at_the_first_save(tmp_path: Path) -> None:
    db = tmp_path / "loader.db"
    calls: list[int] = []

    def loader() -> Playbook:
        calls.append(1)
        return default_playbook()

    store = Store(db, loader, clock=fixed_clock)
    try:
        assert store.list_cases() == [] and store.count_overdue(fixed_clock()) == 0
        assert calls == []
        new_case(store, "First")
        assert calls == [1]
        new_case(store, "Second")
        assert calls == [1]
    finally:
        store.close()


def _started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    import screens.app

    seen: list[Any] = []

    class FakeApp:
        damage = None  # as the app's when it did not end on a damaged file

        def __init__(self, store: Any, playbook: Any, **options: Any) -> None:
            seen.append(playbook)

        def run(self) -> None:
            pass

    monkeypatch.setattr(start, "_is_terminal", lambda: True)
    monkeypatch.setattr(screens.app, "WorkbenchApp", FakeApp)
    return seen


def test_the_shipped_playbook_reaches_the_app_as_a_loader(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _started(monkeypatch)
    assert run(db, monkeypatch).exit_code == 0
    assert callable(seen[0]) and not isinstance(seen[0], Playbook)
    assert isinstance(seen[0](), Playbook)


def test_a_team_playbook_is_read_before_the_app_starts(
    db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = _started(monkeypatch)
    broken = tmp_path / "team.toml"
    broken.write_text("[document\n", encoding="utf-8")
    result = run(db, monkeypatch, "--playbook", str(broken))
    assert result.exit_code == 2 and "team.toml" in result.stderr and seen == []
    from workbench.playbook import default_playbook_path

    shipped = default_playbook_path()
    good = tmp_path / "good.toml"
    good.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    assert run(db, monkeypatch, "--playbook", str(good)).exit_code == 0
    assert isinstance(seen[0], Playbook)


def test_settings_mistakes_stop_the_app_before_it_starts(
    db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = _started(monkeypatch)
    bad = tmp_path / "settings.toml"
    bad.write_text("holidays = [2026-13-45]\n", encoding="utf-8")
    result = run(db, monkeypatch, "--settings", str(bad))
    assert result.exit_code == 2 and "settings.toml" in result.stderr and seen == []


async def test_quitting_at_the_first_frame_leaves_no_error(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The footer is mounted after the first frame; an app that quit by then has no screen to
    mount it on, and must not fail (it did, with MountError, under `make bench`)."""
    new_case(store, "One case")
    monkeypatch.setenv("WORKBENCH_BENCH_EXIT", "1")  # the list exits right after its first frame
    app = WorkbenchApp(store, default_playbook(), clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 0 and app._exit_renderables == []


def test_the_app_s_playbook_loader_runs_once_for_every_thread() -> None:
    import threading

    from workbench.once import once as _once
    from workbench.playbook import default_playbook_path, load_playbook

    calls: list[int] = []

    def load() -> Playbook:  # the real, slow load: reading and validating the whole policy
        calls.append(1)
        return load_playbook(default_playbook_path())

    once = _once(load)
    start = threading.Barrier(4)
    got: list[Playbook] = []

    def ask() -> None:
        start.wait()  # all four ask at the same moment
        got.append(once())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and len(got) == 4 and all(p is got[0] for p in got)
