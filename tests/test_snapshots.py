"""Snapshots of the list, triage and impact at the smallest supported size and a roomy one.

Stable by construction: the clock is fixed (tests/conftest.py), the local zone is UTC, and the data
is the fixed seed set. Update with `pytest tests/test_snapshots.py --snapshot-update`, then look.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import NOW, AppFactory, seed_cases
from workbench.models import ImpactInputs, TriageAnswer
from workbench.store import Store

SIZES = [(80, 24), (160, 48)]
SnapCompare = Callable[..., bool]


def _open(case_id: int, step: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.open_case(case_id, step)  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the similar-case line, ranked in a worker
        await pilot.pause()
        # A blinking cursor is on or off depending on when the picture is taken.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


def test_home_empty(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_cases(
    snap_compare: SnapCompare, make_app: AppFactory, store: Store, size: tuple[int, int]
) -> None:
    seed_cases(store)
    assert snap_compare(make_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_triage(
    snap_compare: SnapCompare, make_app: AppFactory, store: Store, size: tuple[int, int]
) -> None:
    case = seed_cases(store)[1]
    case.triage["keep.config_error"] = TriageAnswer(checked=True, note="Tenant SAML cert rotated")
    case.triage["esc.recurring.three_reports"] = TriageAnswer(checked=True)
    store.save(case)
    assert snap_compare(make_app(), terminal_size=size, run_before=_open(case.id or 0, "triage"))


def test_triage_security(snap_compare: SnapCompare, make_app: AppFactory, store: Store) -> None:
    case = seed_cases(store)[3]
    assert snap_compare(
        make_app(), terminal_size=(80, 24), run_before=_open(case.id or 0, "triage")
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_impact(
    snap_compare: SnapCompare, make_app: AppFactory, store: Store, size: tuple[int, int]
) -> None:
    case = seed_cases(store)[0]
    case.impact = ImpactInputs(
        customers_affected=14,
        end_users_affected=3200,
        growing=True,
        depth="blocked",
        started_at=NOW - timedelta(hours=5),
        critical_at=NOW + timedelta(hours=3),
        arr_exposed=420_000,
        pipeline_at_risk=None,
        press_or_social=False,
        sla="breached",
        penalties_apply=True,
        signals={"service_down": True},
    )
    case.business_impact.operational_effect = "Checkout fails for a lot of EU shoppers"
    store.save(case)
    assert snap_compare(make_app(), terminal_size=size, run_before=_open(case.id or 0, "impact"))


def test_too_small(snap_compare: SnapCompare, make_app: AppFactory) -> None:
    assert snap_compare(make_app(), terminal_size=(50, 15))


def test_keep_dialog(snap_compare: SnapCompare, make_app: AppFactory, store: Store) -> None:
    case = seed_cases(store)[1]
    case.triage["keep.config_error"] = TriageAnswer(checked=True, note="Tenant SAML cert rotated")
    store.save(case)
    opened = _open(case.id or 0, "triage")

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("K")
        await pilot.pause()
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
