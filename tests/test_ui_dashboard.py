"""The dashboard screen: opened from the list (`d`) and the palette, showing the store's figures."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Static

from screens.dashboard import DashboardScreen, bar_rows, chart_size, short_route
from screens.home import HomeScreen
from tests.conftest import NOW, AppFactory, new_case
from workbench.followup import escalate, resolve
from workbench.models import ImpactInputs, Override, Status
from workbench.playbook import Playbook
from workbench.stats import compute_dashboard, route_labels
from workbench.store import Store

# (title, customer, severity, opened days ago, escalated hours later -> destination,
#  resolved hours after opening, SLA)
HISTORY: tuple[tuple[str, str, str, float, tuple[float, str] | None, float | None, str], ...] = (
    ("CSV export times out", "Globex", "high", 80, (5, "engineering"), 30, "at_risk"),
    ("CSV export fails for big reports", "Initech", "high", 66, (2, "engineering"), 50, ""),
    ("SSO login loop after IdP change", "Hooli", "critical", 60, (1, "engineering"), 6, "breached"),
    ("Invoice totals off by a cent", "Umbrella", "medium", 55, None, 20, ""),
    ("Invoice rounding on VAT lines", "Wonka", "medium", 41, None, 72, ""),
    ("CSV export times out again", "Globex", "high", 34, (3, "engineering"), 24, "at_risk"),
    ("SSO login loop for new tenant", "Tyrell", "high", 27, (8, "engineering"), 40, ""),
    ("Webhook deliveries duplicated", "Soylent", "medium", 20, (30, "engineering"), None, ""),
    ("Pricing page missing discount", "Acme Corp", "medium", 14, (4, "product"), None, ""),
    ("CSV export times out for Q3 report", "Stark", "critical", 9, (1, "engineering"), None, "breached"),
    ("Possible data exposure in share links", "Hooli", "critical", 3, (0.5, "security"), None, ""),
    ("SSO login loop on mobile", "Wayne", "high", 1, None, None, "at_risk"),
    ("Webhook retries ignore 200", "Oscorp", "medium", 0.2, None, None, ""),
)  # fmt: skip


def seed_history(store: Store, playbook: Playbook) -> None:
    """A quarter of cases: escalated, kept, resolved and open ones, on the fixed clock."""
    for title, customer, severity, days, escalation, resolved_after, sla in HISTORY:
        opened = NOW - timedelta(days=days)
        case = new_case(
            store,
            title,
            customer=customer,
            created_at=opened,
            severity_override=Override(value=severity, reason="as triaged", at=opened),
            impact=ImpactInputs(sla=sla or None),  # type: ignore[arg-type]
        )
        if escalation is not None:
            hours, destination = escalation
            escalate(case, playbook, destination, "", opened + timedelta(hours=hours))
        if resolved_after is not None:
            resolve(case, playbook, customer_confirmed=True, tracking_closed=True,
                    lessons_learned="Documented in the KB", now=opened + timedelta(hours=resolved_after))  # fmt: skip
        elif escalation is None and days > 10:
            case.status = Status.KEPT_IN_SUPPORT
        store.save(case)


def test_chart_grows_with_the_terminal() -> None:
    assert chart_size(36, 24, 13) == (2, 6)  # the right column at 80x24
    assert chart_size(76, 32, 13) == (5, 8)  # 120x32
    assert chart_size(116, 48, 13) == (6, 14)  # 160x48: capped
    assert chart_size(10, 10, 13) == (2, 6)  # never below the 80x24 chart
    # The axis labels widen with the peak (four digits at 1000): the bars make room for them.
    assert chart_size(56, 48, 13, peak=10) == (4, 14)  # 2 + 1 + 13 x 4 = 55
    assert chart_size(56, 48, 13, peak=1000) == (3, 14)  # 4 + 1 + 13 x 4 = 57 would not fit
    for width in range(43, 120):
        for peak in (1, 10, 1000, 100000):
            bar, _ = chart_size(width, 48, 13, peak)
            assert max(2, len(str(peak))) + 1 + 13 * bar <= width, (width, peak)


def test_bar_rows_scale_to_the_peak() -> None:
    assert bar_rows([0, 1, 2], height=2, width=1, gap=0) == ["  █", " ██"]
    assert bar_rows([0, 3, 4], height=1, width=1, gap=0) == [" ▆█"]
    assert bar_rows([0, 0], height=1) == ["     "]
    assert bar_rows([1, 100], height=1, width=1) == ["▁ █"]  # a sliver, never nothing


def test_short_route_names() -> None:
    assert [short_route(x) for x in ("Support L2", "Engineering", "Support", "Custom team")] == [
        "L2",
        "Eng",
        "Sup",
        "team",
    ]


async def _palette_results(app: App[None], pilot: Pilot[None]) -> None:
    """Wait for the palette's worker to list its hits (polled, not slept for a fixed time)."""
    commands = app.screen.query_one(CommandList)
    for _ in range(200):
        if commands.option_count:
            return
        await pilot.pause(0.01)
    raise AssertionError("the palette listed nothing")


def _text(screen: DashboardScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).render())


async def test_d_on_the_list_opens_the_dashboard(
    make_app: AppFactory, store: Store, playbook: Playbook
) -> None:
    seed_history(store, playbook)
    board = compute_dashboard(store.case_facts(), NOW, destinations=route_labels(playbook))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.board == board
        title = _text(screen, "#dash-title")
        assert "13 cases, 6 open" in title
        opened = _text(screen, "#dash-open")
        assert "Open cases (6)" in opened
        assert "Critical" in opened and "High" in opened and "Medium" in opened
        status = _text(screen, "#dash-status")
        assert f"{board.followups_due} due · {board.followups_overdue} overdue" in status
        assert "0 due · 4 overdue" in status  # the four open escalations, none updated
        assert "1 open · 2 in 13 wk" in status  # SLA breaches: #10 open, #3 resolved
        assert "2 kept · 9 escalated" in status
        median = _text(screen, "#dash-median")
        assert median.splitlines()[1:] == [
            "  Critical   6.0 h  1 resolved",  # #3: 6 hours
            "  High      35.0 h  4 resolved",  # 24, 30, 40, 50 hours
            "  Medium    46.0 h  2 resolved",  # 20, 72 hours
        ]
        chart = _text(screen, "#dash-chart")
        assert f"{board.escalations_in_window} in 13 wk" in chart
        symptoms = _text(screen, "#dash-symptoms")
        assert symptoms.splitlines()[1:] == [
            "    4  CSV export",
            "    3  SSO login loop",
            "    2  Invoice",
            "    2  Webhook",
        ]
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_the_palette_opens_the_dashboard(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p", *"dashboard")
        await _palette_results(app, pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "0 cases, 0 open" in _text(app.screen, "#dash-title")
        assert "none open" in _text(app.screen, "#dash-open")


async def test_reload_picks_up_new_cases(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "0 cases" in _text(app.screen, "#dash-title")
        new_case(store, "Fresh problem", customer="Acme")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 case, 1 open" in _text(app.screen, "#dash-title")


async def test_the_palette_opens_the_dashboard_from_a_case(
    make_app: AppFactory, store: Store
) -> None:
    case = new_case(store, "Fresh problem", customer="Acme")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert case.id is not None
        app.open_case(case.id, "impact")
        await pilot.pause()
        await pilot.press("ctrl+p", *"dashboard")
        await _palette_results(app, pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
