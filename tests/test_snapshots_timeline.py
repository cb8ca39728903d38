"""Snapshots of the timeline: a Critical case whose customer update is overdue, at 80x24 and 160x48.

The clock is fixed (tests.conftest.NOW, Tue 24 Nov 2026 14:00 UTC, local zone UTC), so the countdowns
and times are the same on every run. Regenerate with `pytest tests/test_snapshots_timeline.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from screens.app import WorkbenchApp
from tests.conftest import NOW, new_case
from workbench.followup import escalate, log_update
from workbench.models import ImpactInputs, Override
from workbench.playbook import Playbook
from workbench.store import Store


def overdue_critical_case(store: Store) -> int:
    """Escalated at 09:00; the team was checked at 12:30 (next 14:30), the customer last told at
    09:40 (window 11:40-13:40): at 14:00 the customer update is 20 minutes overdue."""
    case = new_case(
        store,
        "Checkout returns 500 for EU customers",
        customer="Globex",
        created_at=NOW - timedelta(hours=6),
        impact=ImpactInputs(customers_affected=14, depth="blocked", sla="breached"),
    )
    case.severity_override = Override(
        value="critical", reason="Service down for every EU customer", at=NOW - timedelta(hours=5)
    )
    playbook = store.playbook
    escalate(case, playbook, "engineering", "Payments squad (Dana Li)", NOW - timedelta(hours=5))
    log_update(
        case,
        "customer_update",
        "Told Globex the cause is found and a rollback is being prepared",
        "Call with their CTO",
        "Checkout working again by 18:00 today",
        now=NOW - timedelta(hours=4, minutes=20),
    )
    log_update(
        case,
        "team_checkin",
        "Dana: rollback of payment-gw 4.2 is running",
        now=NOW - timedelta(hours=1, minutes=30),
    )
    log_update(case, "note", "Two more EU merchants reported it", now=NOW - timedelta(minutes=50))
    saved = store.save(case)
    assert saved.id is not None
    return saved.id


@pytest.fixture
def timeline_app(store: Store, playbook: Playbook) -> tuple[WorkbenchApp, int]:
    case_id = overdue_critical_case(store)
    return WorkbenchApp(store, playbook, clock=lambda: NOW, bell=False), case_id


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_timeline_with_overdue_customer_update(
    snap_compare: Any, timeline_app: tuple[WorkbenchApp, int], size: tuple[int, int]
) -> None:
    app, case_id = timeline_app

    async def open_timeline(pilot: Any) -> None:
        app.open_case(case_id, "timeline")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_timeline)


def test_timeline_change_log_snapshot(
    snap_compare: Any, timeline_app: tuple[WorkbenchApp, int]
) -> None:
    app, case_id = timeline_app

    async def open_change_log(pilot: Any) -> None:
        app.open_case(case_id, "timeline")
        await pilot.pause()
        await pilot.press("g")

    assert snap_compare(app, terminal_size=(120, 30), run_before=open_change_log)


@pytest.mark.parametrize(
    ("keys", "name"),
    [(("D", "down", "space", "tab", "down", "space"), "de-escalate"), (("R", "space"), "resolve")],
    ids=["de-escalate", "resolve"],
)
def test_tick_dialogs(
    snap_compare: Any, timeline_app: tuple[WorkbenchApp, int], keys: tuple[str, ...], name: str
) -> None:
    """De-escalate and Resolve at 80x24: one tick list per group, `[x]` / `[ ]`, the same hint."""
    app, case_id = timeline_app

    async def open_dialog(pilot: Any) -> None:
        app.open_case(case_id, "timeline")
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_dialog)
