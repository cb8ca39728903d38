"""How hard the reliability tests push: a fast profile for every `make test`, a long one for
`make soak` (the `soak` marker, deselected by default).

Each reliability test is parametrized with both profiles; the soak one carries the marker, so
`pytest -m soak` runs only the long runs and the default run only the fast ones. The numbers can be
raised further from the environment for a one-off run (`WORKBENCH_SOAK_SCALE=3 make soak`).

The figures (kills survived, inputs tried, files tried, what was lost) are added up per process
and printed at the end of each module, and `make soak` prints the sum of all of them.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Profile:
    name: str
    app_kills: int  # SIGKILLs of the real app in the middle of a scripted editing session
    store_kills: int  # SIGKILLs of a process saving through the store in a tight loop
    writers: int  # processes saving the same case at once
    writer_rounds: int  # saves per writer
    ui_batches: int  # app sessions fed a batch of hostile strings each
    ui_batch_size: int
    examples: int  # hypothesis examples per core property
    files: int  # damaged database files tried
    swept: int  # damaged copies of a realistic database put through every command and the app
    resizes: int  # terminal sizes per resize storm
    typing_kills: int  # SIGKILLs of the real app typing steadily (a key every ~150 ms)
    fuzz: int  # byte sequences fed to the app's terminal input parser


def _scaled(value: int) -> int:
    scale = float(os.environ.get("WORKBENCH_SOAK_SCALE", "1") or "1")
    return max(1, int(value * scale))


FAST = Profile(
    name="fast",
    app_kills=2,
    store_kills=8,
    writers=2,
    writer_rounds=15,
    ui_batches=1,
    ui_batch_size=6,
    examples=25,
    files=30,
    swept=10,
    resizes=30,
    typing_kills=2,
    fuzz=150,
)
SOAK = Profile(
    name="soak",
    app_kills=_scaled(110),
    store_kills=_scaled(400),
    writers=_scaled(4),
    writer_rounds=_scaled(150),
    ui_batches=_scaled(6),
    ui_batch_size=12,
    examples=_scaled(400),
    files=_scaled(400),
    swept=_scaled(300),
    resizes=_scaled(150),
    typing_kills=_scaled(40),
    fuzz=_scaled(5000),
)

# Use as `@PROFILES` on a test taking a `profile: Profile` argument.
PROFILES = pytest.mark.parametrize(
    "profile",
    [pytest.param(FAST, id="fast"), pytest.param(SOAK, id="soak", marks=pytest.mark.soak)],
)


# -- figures ------------------------------------------------------------------------------------------
FIGURES: Counter[str] = Counter()
_ORDER = (
    "app kills survived",
    "store kills survived",
    "app edits shown saved, verified after kills",
    "steady-typing kills survived",
    "keys typed over a second before a kill, verified",
    "store saves verified after kills",
    "concurrent saves",
    "stale saves refused",
    "inputs tried",
    "CLI invocations tried",
    "files tried",
    "damaged copies swept",
    "resizes survived",
    "terminal byte sequences parsed",
    "lost",
)


def count(name: str, n: int = 1) -> None:
    FIGURES[name] += n


def summary(figures: Counter[str] | None = None) -> str:
    figures = FIGURES if figures is None else figures
    names = [n for n in _ORDER if n in figures] + sorted(set(figures) - set(_ORDER))
    if "lost" not in names:
        names.append("lost")
    return ", ".join(f"{name}: {figures.get(name, 0):,}" for name in names)


_PRINTED: list[bool] = []


def _print(request: pytest.FixtureRequest, line: str) -> None:
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            sys.stdout.write(line)
            sys.stdout.flush()
    else:  # pragma: no cover
        sys.stdout.write(line)


@pytest.fixture(scope="session")
def total_figures(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """At the end of the run, the sum over every reliability module (printed once)."""
    yield FIGURES
    if FIGURES and not _PRINTED:
        _PRINTED.append(True)
        _print(request, f"\n[reliability] total: {summary()}\n")


@pytest.fixture(scope="module")
def figures(request: pytest.FixtureRequest, total_figures: Counter[str]) -> Iterator[Counter[str]]:
    """Print what this module tried (and what was lost) when it is done."""
    before = Counter(FIGURES)
    yield FIGURES
    mine = Counter(FIGURES)
    mine.subtract(before)
    mine = Counter({k: v for k, v in mine.items() if v})
    if not mine:
        return
    _print(request, f"\n[reliability] {request.module.__name__}: {summary(mine)}\n")
