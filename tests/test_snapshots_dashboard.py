"""Snapshots of the dashboard over a fixed quarter of cases, at 80x24 (what a lead reads in a small
terminal), 120x32 and 160x48.

The clock is fixed (tests.conftest.NOW, Tue 24 Nov 2026 14:00 UTC, local zone UTC) and the history
is `test_ui_dashboard.HISTORY`. Regenerate with `pytest tests/test_snapshots_dashboard.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

from typing import Any

import pytest

from screens.app import WorkbenchApp
from tests.conftest import fixed_clock
from tests.test_ui_dashboard import seed_history
from workbench.playbook import Playbook
from workbench.store import Store


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 32), (160, 48)], ids=["80x24", "120x32", "160x48"]
)
def test_dashboard(
    snap_compare: Any, store: Store, playbook: Playbook, size: tuple[int, int]
) -> None:
    seed_history(store, playbook)
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)

    async def open_dashboard(pilot: Any) -> None:
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_dashboard)
