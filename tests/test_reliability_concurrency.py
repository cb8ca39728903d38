"""Two processes, one database: no update is lost silently.

- Several processes save the same case at once, each adding to it: every addition is there at the
  end (the revision check refuses a save from an older copy; the writer reloads and redoes it).
- The app saving over a newer revision written by another process is told, shows the newer
  value, and the other process's value stays in the file.
- A database locked by another process makes the app wait (the busy timeout), then say so; what was
  typed stays on screen and is saved once the lock is gone.
- The case list notices what another process (the CLI) commits, without a key press.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import fixed_clock
from tests.reliability.crash import ROOT
from tests.reliability.profile import PROFILES, Profile, count, figures, total_figures
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import Store

__all__ = ["figures", "total_figures"]

pytestmark = pytest.mark.usefixtures("figures")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def other_process(db: Path, code: str) -> None:
    """Run `code` in another Python process with `store` open on `db` (the CLI's way in)."""
    script = (
        "from workbench.store import Store\n"
        "from workbench.playbook import default_playbook\n"
        f"store = Store({str(db)!r}, default_playbook())\n{code}\nstore.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_env(), check=True, timeout=60)


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", "--db", str(db), *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- many writers, one case ---------------------------------------------------------------------------
@PROFILES
def test_concurrent_writers_never_lose_an_update(
    profile: Profile, tmp_path: Path, playbook: Playbook
) -> None:
    db = tmp_path / "shared.db"
    with Store(db, playbook) as store:
        case_id = store.create(Escalation(title="Contended")).id
    go = tmp_path / "go"
    names = [f"w{n}" for n in range(profile.writers)]
    args = [str(db), str(case_id)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.writer",
                *args,
                name,
                str(profile.writer_rounds),
                str(go),
            ],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    time.sleep(0.5)  # let them import and open the file, so they truly start together
    go.touch()
    results = []
    try:
        for proc in procs:
            out, _ = proc.communicate(timeout=300)
            assert proc.returncode == 0, out
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:  # no writer outlives a failed test
        for proc in procs:
            proc.kill()
            proc.wait()
    with Store(db, playbook) as store:
        final = store.get(case_id or 0)
    expected = [f"{name}-{i}" for name in names for i in range(profile.writer_rounds)]
    lost = sorted(set(expected) - set(final.references.tickets))
    count("concurrent saves", len(expected))
    count("stale saves refused", sum(r["stale"] for r in results))
    count("lost", len(lost) + len(final.references.tickets) - len(set(final.references.tickets)))
    assert not lost, f"{len(lost)} updates lost: {lost[:10]}"
    assert sorted(final.references.tickets) == sorted(expected)
    assert final.impact.customers_affected == len(expected)
    assert final.revision == 1 + len(expected)


# -- the app and another process ---------------------------------------------------------------------
def _app(store: Store, playbook: Playbook):  # type: ignore[no-untyped-def]
    from screens.app import WorkbenchApp

    return WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)


def _field(screen: object, path: str):  # type: ignore[no-untyped-def]
    from screens.widgets import FieldInput

    return next(w for w in screen.query(FieldInput) if w.path == path)  # type: ignore[attr-defined]


async def _conflict_on_title(tmp_path: Path, playbook: Playbook, answer: str):  # type: ignore[no-untyped-def]
    """Two windows: another process saves the customer while this one types "X" into the
    middle of the title; leaving the field meets the newer revision and asks."""
    from screens.dialogs import ConflictDialog

    db = tmp_path / "two.db"
    store = Store(db, playbook, clock=fixed_clock)
    case_id = store.create(Escalation(title="Original", customer="Acme")).id or 0
    app = _app(store, playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.open_case(case_id, "details")
        await pilot.pause()
        screen = app.screen
        other_process(
            db,
            f"case = store.get({case_id})\ncase.customer = 'Globex (another process)'\n"
            "store.save(case)",
        )
        title = _field(screen, "title")
        title.focus()
        await pilot.pause()
        await pilot.press("home", "right", "right", "right", "X")
        assert title.cursor_position == 4
        screen.flush_edits()  # the save meets the newer revision
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        assert screen.saved_indicator.state == "error"
        assert title.value == "OriXginal", "the typing was kept on screen while asking"
        await pilot.press(answer)
        await pilot.pause()
        assert app.screen is screen
        result = (
            store.get(case_id),
            title.value,
            title.cursor_position,
            _field(screen, "customer").value,
        )
        indicator = screen.saved_indicator.state
    store.close()
    return result, indicator


async def test_a_refused_save_keeps_mine_on_top_of_the_newer_case(
    tmp_path: Path, playbook: Playbook
) -> None:
    (stored, shown, cursor, customer), indicator = await _conflict_on_title(tmp_path, playbook, "m")
    assert (stored.title, stored.customer) == ("OriXginal", "Globex (another process)")
    assert shown == "OriXginal" and cursor == 4, "the typing and the cursor stay where they were"
    assert customer == "Globex (another process)"
    assert indicator == "saved"


async def test_a_refused_save_can_take_theirs(tmp_path: Path, playbook: Playbook) -> None:
    (stored, shown, cursor, customer), _ = await _conflict_on_title(tmp_path, playbook, "t")
    assert (stored.title, stored.customer) == ("Original", "Globex (another process)")
    assert shown == "Original" and cursor == 4, "the cursor stays where it was, not at the start"
    assert customer == "Globex (another process)"


async def test_locked_database_waits_then_says_so_and_keeps_the_text(
    tmp_path: Path, playbook: Playbook
) -> None:
    db = tmp_path / "locked.db"
    store = Store(db, playbook, clock=fixed_clock, busy_timeout=0.5)
    case_id = store.create(Escalation(title="Original")).id or 0
    app = _app(store, playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.open_case(case_id, "details")
        await pilot.pause()
        screen = app.screen
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            customer = _field(screen, "customer")
            customer.focus()
            await pilot.press(*"Initech")
            started = time.monotonic()
            assert not screen.flush_edits()
            waited = time.monotonic() - started
            await pilot.pause()
            assert waited >= 0.4, f"gave up after {waited:.2f} s without waiting for the lock"
            assert screen.saved_indicator.state == "error"
            assert any("locked" in str(n.message) for n in app._notifications)
            assert customer.value == "Initech", "the typed text left the screen"
            assert store.get(case_id).customer == ""
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        # The lock is gone: the text still on screen is saved without typing it again.
        await pilot.press("tab")
        await pilot.pause()
        assert store.get(case_id).customer == "Initech", "what was typed never reached the file"
        assert screen.saved_indicator.state == "saved"
    store.close()


async def test_the_list_notices_changes_from_another_process(
    tmp_path: Path, playbook: Playbook, monkeypatch: pytest.MonkeyPatch, figures: Counter[str]
) -> None:
    import screens.home
    from screens.home import HomeScreen

    monkeypatch.setattr(screens.home, "CHANGE_POLL", 0.05)
    db = tmp_path / "list.db"
    store = Store(db, playbook, clock=fixed_clock)
    first = store.create(Escalation(title="Already there")).id or 0
    app = _app(store, playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert [row.title for row in home.rows] == ["Already there"]

        async def until(condition) -> bool:  # type: ignore[no-untyped-def]
            for _ in range(100):  # the poll runs every 0.05 s here; give it 5 s at most
                if condition():
                    return True
                await pilot.pause(0.05)
            return False

        done = cli(db, "new", "--title", "From the CLI")
        assert done.returncode == 0, done.stderr
        assert await until(lambda: "From the CLI" in [row.title for row in home.rows])
        other_process(
            db, f"case = store.get({first})\ncase.title = 'Renamed elsewhere'\nstore.save(case)"
        )
        assert await until(lambda: "Renamed elsewhere" in [row.title for row in home.rows])
        # The app's own writes are not "another process": no reload for them.
        store.create(Escalation(title="Mine"))
        assert not home.check_for_changes()
    store.close()


@pytest.mark.parametrize("answer", ["m", "t"])
async def test_a_refused_save_keeps_the_cursor_in_a_text_area(
    tmp_path: Path, playbook: Playbook, answer: str
) -> None:
    from screens.widgets import FieldArea

    db = tmp_path / "two.db"
    store = Store(db, playbook, clock=fixed_clock)
    case = Escalation(title="T", narrative="Exports stall.\nSince Monday.")
    case_id = store.create(case).id or 0
    app = _app(store, playbook)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.open_case(case_id, "details")
        await pilot.pause()
        screen = app.screen
        other_process(
            db, f"case = store.get({case_id})\ncase.customer = 'Globex'\nstore.save(case)"
        )
        area = next(a for a in screen.query(FieldArea) if a.path == "narrative")
        area.focus()
        area.move_cursor((1, 5))
        await pilot.press("X")
        assert area.cursor_location == (1, 6)
        screen.flush_edits()
        await pilot.pause()
        await pilot.press(answer)
        await pilot.pause()
        assert area.cursor_location == (1, 6), "the cursor stays where it was"
        assert area.text == ("Exports stall.\nSinceX Monday." if answer == "m" else case.narrative)
        stored = store.get(case_id)
        assert stored.customer == "Globex"
        assert (stored.narrative == "Exports stall.\nSinceX Monday.") is (answer == "m")
    store.close()
