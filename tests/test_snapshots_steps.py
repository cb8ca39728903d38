"""Snapshots of the Reproduction (F4), Details (F5) and Export (F7) screens at 80x24 and 160x48,
and of the step editor at 80x24.

One realistic defect case (the document-format example, with one vague step and one step that
types "a value" left in, so the lint beside them shows). The clock is fixed (tests.conftest.NOW,
local zone UTC). Regenerate with `pytest tests/test_snapshots_steps.py --snapshot-update` and look at
the SVGs before committing them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from screens.app import WorkbenchApp
from tests.conftest import NOW, new_case
from workbench.models import (
    ActionTaken,
    Baseline,
    Communication,
    Environment,
    ImpactInputs,
    References,
    Reproduction,
    ReproStep,
    Request,
    TriageAnswer,
)
from workbench.playbook import Playbook
from workbench.store import Store

SIZES = [(80, 24), (160, 48)]
SIZE_IDS = ["80x24", "160x48"]


def defect_case(store: Store) -> int:
    case = new_case(
        store,
        "CSV export fails for reports over 10,000 rows",
        customer="Acme Corp",
        component="Reports",
        created_at=NOW - timedelta(days=2),
        triage={"esc.technical.code_fix": TriageAnswer(checked=True)},
        impact=ImpactInputs(
            customers_affected=3,
            end_users_affected=1200,
            growing=True,
            depth="blocked",
            arr_exposed=180000,
            sla="at_risk",
        ),
        narrative=(
            "Since Monday 23 Nov, CSV export fails for every report over 10,000 rows. "
            "The export spins for 30 s and ends with error E-1042. "
            "Three enterprise customers are blocked at month-end close."
        ),
        reproduction=Reproduction(
            baseline=Baseline(
                account_type="Enterprise admin",
                configuration="SSO on",
                permissions="Admin",
                prerequisites="A report with 10,001 rows",
            ),
            steps=[
                ReproStep(action="Open Reports and select report 4471", literal_input="4471"),
                ReproStep(action="try exporting"),
                ReproStep(action="Enter a value in the Rows field", literal_input="a value"),
            ],
            expected="A CSV file downloads",
            observed='Error "Export failed (E-1042)" after 30 s',
            environment=Environment(browser="Chrome 122", os="macOS 14.3", plan_tier="Enterprise"),
            frequency="Every time, above 10,000 rows",
        ),
        actions=[
            ActionTaken(tried="Cleared browser cache", outcome="No change"),
            ActionTaken(tried="Exported 9,999 rows", outcome="Works"),
        ],
        communication=Communication(
            customer_expectation="A fix or workaround by Friday 27 Nov",
            escalation_risk="High: CFO has asked for an executive call",
        ),
        request=Request(
            ask_type="fix",
            ask="Restore CSV export above 10,000 rows",
            hard_deadline=datetime(2026, 11, 27, 17, 0, tzinfo=UTC),
        ),
        references=References(tickets=["https://support.example.com/tickets/4471"]),
    )
    assert case.id is not None
    return case.id


@pytest.fixture
def steps_app(store: Store, playbook: Playbook) -> tuple[WorkbenchApp, int]:
    case_id = defect_case(store)
    return WorkbenchApp(store, playbook, clock=lambda: NOW, bell=False), case_id


def steady_cursors(app: WorkbenchApp) -> None:
    """A blinking cursor is on or off depending on when the picture is taken: keep it on."""
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]


def _opener(app: WorkbenchApp, case_id: int, step: str) -> Any:
    async def open_step(pilot: Any) -> None:
        app.open_case(case_id, step)
        await pilot.pause()
        await app.workers.wait_for_complete()  # the similar-case line, ranked in a worker
        await pilot.pause()
        steady_cursors(app)
        await pilot.pause()

    return open_step


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_reproduction(
    snap_compare: Any, steps_app: tuple[WorkbenchApp, int], size: tuple[int, int]
) -> None:
    app, case_id = steps_app
    assert snap_compare(app, terminal_size=size, run_before=_opener(app, case_id, "reproduction"))


def test_step_editor(snap_compare: Any, steps_app: tuple[WorkbenchApp, int]) -> None:
    app, case_id = steps_app
    opener = _opener(app, case_id, "reproduction")

    async def edit_vague_step(pilot: Any) -> None:
        await opener(pilot)
        await pilot.press("j", "e")
        await pilot.pause()
        steady_cursors(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=edit_vague_step)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_details(
    snap_compare: Any, steps_app: tuple[WorkbenchApp, int], size: tuple[int, int]
) -> None:
    app, case_id = steps_app
    assert snap_compare(app, terminal_size=size, run_before=_opener(app, case_id, "details"))


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_export(
    snap_compare: Any, steps_app: tuple[WorkbenchApp, int], size: tuple[int, int]
) -> None:
    app, case_id = steps_app
    assert snap_compare(app, terminal_size=size, run_before=_opener(app, case_id, "export"))


def test_export_pasted_log(snap_compare: Any, store: Store, playbook: Playbook) -> None:
    """The preview's code block (a narrative with a pasted log line and a line that would not
    read back as typed is written as one fenced block): on a shade of its own, further down."""
    case_id = defect_case(store)
    case = store.get(case_id)
    case.narrative = (
        "Since Monday 23 Nov, CSV export fails above 10,000 rows; ~ 1 in 40 smaller ones too.\n"
        "2026-11-23T10:42:01Z ERROR export-worker E-1042 <rows=10001> *timeout* after 30 s"
    )
    store.save(case)
    app = WorkbenchApp(store, playbook, clock=lambda: NOW, bell=False)
    opener = _opener(app, case_id, "export")

    async def scrolled(pilot: Any) -> None:
        await opener(pilot)
        await pilot.press("pagedown")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=scrolled)
