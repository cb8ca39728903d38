"""The dialog a refused save opens (the case changed elsewhere): keep mine or take theirs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tests.conftest import AppFactory, seed_cases
from tests.test_snapshots import _open
from workbench.store import Store

SnapCompare = Callable[..., bool]


def test_conflict_dialog(snap_compare: SnapCompare, make_app: AppFactory, store: Store) -> None:
    case = seed_cases(store)[0]
    case_id = case.id or 0
    opener = _open(case_id, "details")

    async def run_before(pilot: Pilot[Any]) -> None:
        from screens.dialogs import ConflictDialog

        await opener(pilot)
        screen = pilot.app.screen
        other = store.get(case_id)
        other.customer = "Globex (another window)"
        store.save(other)
        assert not screen.edit(lambda c: setattr(c, "title", "Mine"))  # type: ignore[attr-defined]
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConflictDialog)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
