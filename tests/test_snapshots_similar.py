"""Snapshots of the history screen (F8: similar cases, their signals) at 80x24 and 160x48, and of
the help screen at 80x24.

The clock is fixed (tests/conftest.py) and the history is `test_ui_similar.seed`. Regenerate with
`pytest tests/test_snapshots_similar.py --snapshot-update` and look at the SVGs before committing.
"""

from __future__ import annotations

from typing import Any

import pytest

from screens.help import HelpScreen
from screens.similar import SimilarScreen
from tests.conftest import AppFactory
from tests.test_ui_similar import seed
from workbench.store import Store


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_similar_cases_and_signals(
    snap_compare: Any, make_app: AppFactory, store: Store, size: tuple[int, int]
) -> None:
    case_id = seed(store)
    app = make_app()

    async def open_history(pilot: Any) -> None:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SimilarScreen)

    assert snap_compare(app, terminal_size=size, run_before=open_history)


def test_help(snap_compare: Any, make_app: AppFactory, store: Store) -> None:
    case_id = seed(store)
    app = make_app()

    async def open_help(pilot: Any) -> None:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)
