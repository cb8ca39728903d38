"""Crash safety: SIGKILL the real app (and the store) at random moments of an editing session.

After each kill the database passes `PRAGMA integrity_check`, opens, and holds every edit the app
showed as saved (`tests/reliability/crash.py` says exactly what is checked). The fast profile
kills a few times in every `make test`; `make soak` kills the app over a hundred times.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.crash import ForkServer, kill_loop, seed_database, typing_kill_loop
from tests.reliability.profile import PROFILES, Profile, count, figures, total_figures

__all__ = ["figures", "total_figures"]

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the crash driver forks"),
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL"),
    pytest.mark.usefixtures("figures"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[ForkServer]:
    fork_server = ForkServer()
    yield fork_server
    fork_server.close()


def _report(problems: list[str]) -> str:
    return "\n".join(problems[:10])


@PROFILES
def test_app_killed_mid_edit_loses_nothing_shown_saved(
    profile: Profile, server: ForkServer, tmp_path: Path, figures: Counter[str]
) -> None:
    db = tmp_path / "crash.db"
    seed_database(db)
    run = kill_loop(
        server,
        "app",
        db,
        profile.app_kills,
        seed=7,
        delay=(0.0, 1.5),
        edits=3 if profile.name == "soak" else 2,
    )
    count("app kills survived", run.kills)
    count("app edits shown saved, verified after kills", run.saved)
    count("lost", len(run.problems))
    assert not run.problems, _report(run.problems)
    assert run.kills == profile.app_kills


@PROFILES
def test_steady_typing_killed_loses_nothing_older_than_a_second(
    profile: Profile, server: ForkServer, tmp_path: Path, figures: Counter[str]
) -> None:
    """A key every 150 ms never makes the pause that saves: the save's upper bound must. SIGKILL
    after 2-5 s of typing; everything typed more than a second before the kill is in the file."""
    db = tmp_path / "typing.db"
    seed_database(db)
    kills = profile.typing_kills
    run = typing_kill_loop(server, db, kills, seed=13, typed=(14, 32))
    count("steady-typing kills survived", run.kills)
    count("keys typed over a second before a kill, verified", run.saved)
    count("lost", len(run.problems))
    assert not run.problems, _report(run.problems)
    assert run.kills == kills
    assert run.saved > 0, "no key was typed a second before a kill: the test proves nothing"


@PROFILES
def test_store_killed_mid_transaction_loses_nothing_committed(
    profile: Profile, server: ForkServer, tmp_path: Path
) -> None:
    db = tmp_path / "crash.db"
    seed_database(db)
    # Some kills wait for the session's k-th save to begin (k up to 2): on a loaded machine the
    # start-up alone can outlast the delay, and every kill then landed before the first save.
    run = kill_loop(server, "store", db, profile.store_kills, seed=11, delay=(0.02, 0.4), edits=2)
    count("store kills survived", run.kills)
    count("store saves verified after kills", run.saved)
    count("lost", len(run.problems))
    assert not run.problems, _report(run.problems)
    assert run.kills == profile.store_kills
    assert run.saved > 0, "no save completed between the kills: the test proves nothing"


def test_the_ledger_drops_a_record_torn_by_a_kill(tmp_path: Path) -> None:
    """A long "try" cut by the kill, and the next session's record on the same line after it."""
    from tests.reliability.crash import Ledger

    log = tmp_path / "log"
    saved = '{"t": "saved", "case": 1, "path": "title", "value": "Kept"}\n'
    log.write_text(saved + '{"t": "try", "case": 1, "path": "title", "old": "Ke', "utf-8")
    ledger = Ledger()
    ledger.read(log)  # the torn start, as the kill left it
    with log.open("a", encoding="utf-8") as handle:
        handle.write('{"t": "saved", "case": 1, "path": "title", "value": "Next"}\n')
    ledger.read(log)
    assert ledger.saved == 2 and ledger.allowed[(1, "title")] == {'"Next"'}
    whole = Ledger()
    whole.read(log)  # the torn start and the next record read in one go
    assert whole.saved == 2 and whole.allowed[(1, "title")] == {'"Next"'}
