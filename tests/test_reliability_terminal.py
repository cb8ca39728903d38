"""The terminal: resize storms and tiny terminals never crash the app or lose its state.

Every screen (the list, each step of a case, a dialog, help) is resized many times in a row to
sizes drawn from 1x1 to 300x100, through and out of the "terminal too small" cover; the app starts
at 10x5; afterwards it is back at 80x24 with the screen it had, and keys still work.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fixed_clock
from tests.reliability.profile import PROFILES, Profile, count, figures, total_figures
from workbench.models import ActionTaken, Escalation
from workbench.playbook import Playbook
from workbench.store import Store

__all__ = ["figures", "total_figures"]

pytestmark = pytest.mark.usefixtures("figures")


def _app(store: Store, playbook: Playbook) -> Any:
    from screens.app import WorkbenchApp

    return WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)


def _sizes(rng: random.Random, n: int) -> list[tuple[int, int]]:
    fixed = [(1, 1), (10, 5), (59, 19), (60, 20), (80, 24), (2, 80), (300, 3), (300, 100)]
    drawn = [(rng.randint(1, 300), rng.randint(1, 100)) for _ in range(n)]
    return (fixed + drawn)[:n] if n >= len(fixed) else drawn


async def _storm(app: Any, pilot: Any, sizes: list[tuple[int, int]]) -> None:
    """Resize after resize; most without waiting for the app to catch up (a window dragged)."""
    for n, (width, height) in enumerate(sizes):
        await pilot.resize_terminal(width, height)
        if n % 7 == 0:
            await pilot.pause()
        assert app.is_running, f"died at {width}x{height}"


async def _sweep(app: Any, pilot: Any, sizes: list[tuple[int, int]]) -> None:
    """Each size long enough to be laid out: the smallest widths, one by one."""
    for width, height in sizes:
        await pilot.resize_terminal(width, height)
        await pilot.pause()
        assert app.is_running, f"died at {width}x{height}"


def _tiny_sizes(profile: Profile) -> list[tuple[int, int]]:
    if profile.name == "fast":
        return [(1, 1)]
    return [(w, h) for w in range(1, 62, 6) for h in (1, 5, 19, 24)]


# The fast profile: the screens whose layout once broke at one column, and the list.
FAST_TARGETS = {("case", "triage"), ("dialog", "override")}


# Where the storm is raised: (what to open, step or dialog); each is opened from the list.
TARGETS: list[tuple[str, str]] = [
    ("home", ""),
    ("help", ""),
    ("dashboard", ""),
    *[("case", step) for step in ("triage", "impact", "reproduction", "details", "timeline")],
    ("case", "export"),
    ("similar", ""),
    ("dialog", "new case"),
    ("dialog", "log update"),
    ("dialog", "step editor"),
    ("dialog", "override"),
    ("home", "search"),
]


async def _open(app: Any, pilot: Any, kind: str, what: str, case_id: int) -> None:
    app.go_home()
    await pilot.pause()
    if kind == "help":
        await pilot.press("f1")
    elif kind == "dashboard":
        await pilot.press("d")
    elif kind == "case":
        assert app.open_case(case_id, what)
    elif kind == "similar":
        assert app.open_case(case_id, "details")
        await pilot.pause()
        await pilot.press("f8")
    elif what == "new case":
        await pilot.press("n")
    elif what == "log update":
        assert app.open_case(case_id, "timeline")
        await pilot.pause()
        app.screen.action_log_update()
    elif what == "step editor":
        assert app.open_case(case_id, "reproduction")
        await pilot.pause()
        app.screen.query_one("#steps").action_add()
    elif what == "override":
        assert app.open_case(case_id, "impact")
        await pilot.pause()
        app.screen.action_override()
    if what == "search":
        await pilot.press("slash", *"export")
    await pilot.pause()


@PROFILES
async def test_resize_storm_on_every_screen(
    profile: Profile, tmp_path: Path, playbook: Playbook
) -> None:
    from screens.case_base import CaseScreen
    from screens.dialogs import TooSmallScreen

    store = Store(tmp_path / "resize.db", playbook, clock=fixed_clock)
    case = store.create(
        Escalation(
            title="Resize me " * 8,
            customer="Acme Corporation",
            narrative="A long narrative that has to wrap. " * 20,
            actions=[ActionTaken(tried="Cleared the cache " * 5, outcome="No change " * 5)],
        )
    )
    case_id = case.id or 0
    for n in range(30):
        store.create(Escalation(title=f"Case {n} with a long title to wrap and cut"))
    rng = random.Random(2026)
    per_screen = max(3, profile.resizes // len(TARGETS))
    app = _app(store, playbook)
    async with app.run_test(size=(80, 24)) as pilot:
        tried = 0
        targets = [t for t in TARGETS if profile.name == "soak" or t in FAST_TARGETS]
        for kind, what in targets:
            await _open(app, pilot, kind, what, case_id)
            before = app.screen
            where = f"{kind} {what}".strip()
            try:
                await _sweep(app, pilot, _tiny_sizes(profile))
                await _storm(app, pilot, _sizes(rng, per_screen))
            except AssertionError as exc:
                raise AssertionError(f"{where}: {exc}") from None
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            tried += per_screen + len(_tiny_sizes(profile))
            assert not isinstance(app.screen, TooSmallScreen), f"{where}: the cover stayed"
            assert app.screen is before, f"{where}: now on {type(app.screen).__name__}"
            if isinstance(app.screen, CaseScreen):
                assert app.screen.case_id == case_id
            await pilot.press("escape")  # keys still work: escape closes what is open
            await pilot.pause()
            assert app.screen is not before or kind == "home", f"{where}: escape did nothing"
        assert app.is_running
    store.close()
    count("resizes survived", tried)


async def test_a_10x5_terminal_from_the_start(tmp_path: Path, playbook: Playbook) -> None:
    from screens.dialogs import TooSmallScreen
    from screens.home import HomeScreen

    store = Store(tmp_path / "tiny.db", playbook, clock=fixed_clock)
    case_id = store.create(Escalation(title="Tiny")).id or 0
    app = _app(store, playbook)
    async with app.run_test(size=(10, 5)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        for key in ("n", "enter", "f2", "slash", "x", "escape", "f1", "tab", "down"):
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running
        assert app.open_case(case_id, "details")  # a case opened from the palette meanwhile
        await pilot.pause()
        await pilot.resize_terminal(10, 5)
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("escape")  # back from the case: the list, not a stale cover
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen), type(app.screen).__name__
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)
        await pilot.press("n")  # and the list's keys work
        await pilot.pause()
        assert type(app.screen).__name__ == "TextPrompt"
    store.close()
    count("resizes survived", 3)


@pytest.mark.soak  # about 5 s; the fast profile's storms check the screen and case survive
async def test_typing_survives_a_resize_storm(tmp_path: Path, playbook: Playbook) -> None:
    """What was typed before and during the storm is on screen and saved after it."""
    from screens.widgets import FieldArea

    store = Store(tmp_path / "typing.db", playbook, clock=fixed_clock)
    case_id = store.create(Escalation(title="Typing")).id or 0
    app = _app(store, playbook)
    rng = random.Random(5)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.open_case(case_id, "details")
        await pilot.pause()
        screen = app.screen
        narrative = screen.query_one("#narrative", FieldArea)
        narrative.focus()
        await pilot.press(*"before")
        await _storm(app, pilot, [(1, 1), (10, 5), *_sizes(rng, 2)])
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        narrative.focus()
        await pilot.press("end", *"after")
        await pilot.press("tab")
        await pilot.pause()
        assert narrative.text == "beforeafter"
        assert store.get(case_id).narrative == "beforeafter"
    store.close()
    count("resizes survived", 4)
