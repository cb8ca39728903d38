"""Damaged copies of a realistic database are read-only evidence.

A database of generated cases (bench/generate.py), its due columns counted as a command counts
them, is copied and damaged: a page overwritten with random bytes or zeros, the file truncated at a
page boundary, bytes of the header flipped, a run of pages scrambled. Each copy is put through every
reading command of the CLI and the app's start (headless: the list, a case opened, its similar-case
worker). Each either works or says in one line that the file is damaged and exits with status 2;
never a traceback or an "internal error". And the file is byte for byte as it was afterwards, with
no -wal or -shm left beside it.

The fast profile sweeps a few copies in every `make test`; `make soak` sweeps hundreds.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import NOW
from tests.reliability.profile import PROFILES, Profile, count, figures, total_figures

__all__ = ["figures", "total_figures"]

pytestmark = pytest.mark.usefixtures("figures")

PAGE = 4096
CASES = 120
NOW_TEXT = NOW.isoformat()


def fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's bytes (hashed) and what lies beside it."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(
        p.name for p in path.parent.iterdir()
    )


def realistic(folder: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A realistic database at rest: generated cases, their due columns counted as every command
    counts them (so a command that only reads writes nothing), no -wal beside it."""
    from bench.generate import build_database
    from workbench.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "healthy.db"
    build_database(path, CASES, NOW)
    monkeypatch.setenv("WORKBENCH_NOW", NOW_TEXT)
    result = CliRunner().invoke(main, ["--db", str(path), "list"])
    assert result.exit_code == 0, result.output
    assert fingerprint(path)[1] == ["healthy.db"]
    return path.read_bytes()


def damages(healthy: bytes) -> list[tuple[str, Callable[[random.Random], bytes]]]:
    pages = len(healthy) // PAGE

    def overwrite(rng: random.Random, fill: Callable[[int], bytes], run: int = 1) -> bytes:
        first = rng.randrange(0, pages - run + 1)
        out = bytearray(healthy)
        out[first * PAGE : (first + run) * PAGE] = fill(run * PAGE)
        return bytes(out)

    def flip_header(rng: random.Random) -> bytes:
        out = bytearray(healthy)
        for _ in range(rng.randint(1, 3)):
            out[rng.randrange(16, 100)] ^= rng.randrange(1, 256)
        return bytes(out)

    return [
        ("a page of random bytes", lambda rng: overwrite(rng, rng.randbytes)),
        ("a page of zeros", lambda rng: overwrite(rng, bytes)),
        ("truncated at a page", lambda rng: healthy[: PAGE * rng.randrange(1, pages)]),
        ("header bytes flipped", flip_header),
        ("pages scrambled", lambda rng: overwrite(rng, rng.randbytes, rng.randint(2, 8))),
    ]


def commands(out: Path) -> list[list[str]]:
    """Every command that reads (a backup writes only its own new file, elsewhere)."""
    return [
        ["list"],
        ["list", "--search", "export", "--json"],
        ["show", "7"],
        ["export", "7"],
        ["check", "7"],
        ["due"],
        ["similar", "7"],
        ["stats"],
        ["backup", str(out / "copy.db")],
    ]


def assert_one_line_or_works(result: object, label: str) -> None:
    from click.testing import Result

    assert isinstance(result, Result)
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"{label}: {exc!r}"
    assert result.exit_code in (0, 1, 2), f"{label}: status {result.exit_code}"
    assert "Traceback" not in result.output and "internal error" not in result.output, label
    if result.exit_code == 2:
        assert result.stderr.startswith("workbench: error: "), f"{label}: {result.stderr!r}"
        assert result.stderr.count("\n") == 1, f"{label}: {result.stderr!r}"


async def start_the_app(path: Path) -> tuple[int | None, str | None]:
    """The app as the `workbench` command starts it, headless: the list, the first case opened
    (its similar-case worker), every worker finished. (status, the one line it ended with)."""
    from screens.app import WorkbenchApp
    from workbench.once import once
    from workbench.session import State

    state = State(path)
    try:
        playbook = once(state.playbook)
        store = state.store(playbook=playbook)
        app = WorkbenchApp(store, playbook, clock=lambda: NOW)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            if app.is_running and app.damage is None:
                await pilot.press("enter")
                await pilot.pause()
            if app.is_running:
                await app.workers.wait_for_complete()
                await pilot.pause()
        return app.return_code, app.damage
    finally:
        state.close()


@PROFILES
async def test_damaged_copies_are_read_only_evidence(
    profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.cli import main
    from workbench.store import StoreError

    healthy = realistic(tmp_path / "healthy", monkeypatch)
    kinds = damages(healthy)
    rng = random.Random(20261206)
    runner = CliRunner()
    refused = app_ended = 0
    for n in range(profile.swept):
        name, make = kinds[n % len(kinds)]
        folder = tmp_path / f"{n}"
        out = tmp_path / f"{n}-out"
        folder.mkdir()
        out.mkdir()
        path = folder / "damaged.db"
        path.write_bytes(make(rng))
        path.chmod(0o600)
        before = fingerprint(path)
        label = f"copy {n} ({name})"
        for args in commands(out):
            result = runner.invoke(main, ["--db", str(path), *args])
            assert_one_line_or_works(result, f"{label}, {args}")
            refused += result.exit_code == 2
            assert fingerprint(path) == before, f"{label}: {args} wrote to it"
        try:
            status, damage = await start_the_app(path)
        except StoreError as exc:  # refused before the app started: one line, as the CLI says
            assert "\n" not in str(exc), f"{label}: {exc!r}"
        else:
            assert status in (None, 0, 2), f"{label}: the app ended with {status}"
            if status == 2:
                app_ended += 1
                assert damage is not None and "\n" not in damage, f"{label}: {damage!r}"
        assert fingerprint(path) == before, f"{label}: the app wrote to it"
        shutil.rmtree(out)
    count("damaged copies swept", profile.swept)
    assert refused, "no copy was refused: the damage was not damage"
