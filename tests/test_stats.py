"""Dashboard figures against values worked out by hand on a fixed set of twelve cases.

NOW is Tuesday 24 Nov 2026 14:00 UTC, so the 13-week window starts Monday 31 Aug 2026 and its
weeks start 31 Aug, 7 Sep, 14, 21, 28 Sep, 5, 12, 19, 26 Oct, 2, 9, 16, 23 Nov.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workbench.followup import escalate, resolve
from workbench.models import Escalation, ImpactInputs, Override, Severity, Status
from workbench.playbook import Playbook
from workbench.stats import (
    CaseFacts,
    Dashboard,
    compute_dashboard,
    dashboard_from,
    dashboard_json,
    facts_of,
    route_labels,
    top_symptoms,
    week_start,
)
from workbench.store import Store

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def fact(
    case_id: int,
    title: str,
    status: Status,
    severity: str | None,
    created: datetime,
    *,
    routes: tuple[str, ...] = (),
    escalated: datetime | None = None,
    resolved: datetime | None = None,
    next_due: datetime | None = None,
    due_latest: datetime | None = None,
    breached: bool = False,
) -> CaseFacts:
    return CaseFacts(
        id=case_id,
        title=title,
        customer=f"Customer {case_id}",
        status=status,
        severity=Severity(severity) if severity else None,
        destinations=routes,
        created_at=created,
        escalated_at=escalated,
        resolved_at=resolved,
        next_due=next_due,
        due_latest=due_latest,
        sla_breached=breached,
    )


ESC, RES, DRAFT = Status.ESCALATED, Status.RESOLVED, Status.DRAFT
FACTS = [
    # open, escalated this week's Friday before; the team check-in is past its latest time: overdue
    fact(1, "CSV export times out", ESC, "critical", at(11, 20), routes=("Engineering",),
         escalated=at(11, 20, 10), next_due=at(11, 24, 12), due_latest=at(11, 24, 13),
         breached=True),
    # open, due since 13:00, not overdue until 18:00
    fact(2, "CSV export fails for big reports", ESC, "high", at(11, 10),
         routes=("Engineering", "Leadership"), escalated=at(11, 11), next_due=at(11, 24, 13),
         due_latest=at(11, 24, 18)),
    fact(3, "SSO login loop", DRAFT, "high", at(11, 23)),
    fact(4, "Invoice rounding off", Status.KEPT_IN_SUPPORT, "medium", at(10, 5)),
    fact(5, "CSV exports stall", RES, "medium", at(9, 1, 9), resolved=at(9, 3, 9)),  # 48 h
    fact(6, "SSO login redirects forever", RES, "high", at(9, 9, 12), escalated=at(9, 10),
         resolved=at(9, 10, 12)),  # 24 h
    fact(7, "Webhook duplicates", RES, "high", at(10, 1), escalated=at(10, 1, 6),
         resolved=at(10, 4)),  # 72 h
    fact(8, "CSV export blank columns", RES, "high", at(10, 20), escalated=at(10, 21),
         resolved=at(10, 21, 12)),  # 36 h
    fact(9, "Checkout down", RES, "critical", at(11, 2, 8), escalated=at(11, 2, 9),
         resolved=at(11, 2, 14), breached=True),  # 6 h
    # before the window: counted in totals and open figures only
    fact(10, "CSV export old", RES, "high", at(5, 1), escalated=at(5, 2), resolved=at(5, 10)),
    fact(11, "SSO thing", Status.DE_ESCALATED, None, at(8, 20), routes=("Support L2",),
         escalated=at(8, 21)),
    fact(12, "Data exposure in shared links", DRAFT, None, at(11, 24, 13), routes=("Security",)),
]  # fmt: skip


@pytest.fixture
def board(playbook: Playbook) -> Dashboard:
    return compute_dashboard(FACTS, NOW, destinations=route_labels(playbook))


def test_window_is_thirteen_monday_weeks() -> None:
    assert week_start(NOW) == at(11, 23)
    assert week_start(at(11, 29, 23)) == at(11, 23)
    board = compute_dashboard([], NOW)
    assert board.window_start == at(8, 31)
    assert [w.start for w in board.weekly][:2] == [at(8, 31), at(9, 7)]
    assert board.weekly[-1].start == at(11, 23)
    assert len(board.weekly) == 13


def test_weeks_are_the_agents_own(playbook: Playbook) -> None:
    """In Los Angeles, Monday 23 Nov 05:00 UTC is still Sunday evening: that escalation belongs
    to the week of 16 Nov there. Weeks start at local midnight, on both sides of the change
    from summer time (1 Nov 2026)."""
    from zoneinfo import ZoneInfo

    pacific = ZoneInfo("America/Los_Angeles")
    sunday_evening = at(11, 23, 5)
    assert week_start(sunday_evening) == at(11, 23)
    assert week_start(sunday_evening, pacific) == datetime(2026, 11, 16, tzinfo=pacific)
    escalations = [
        fact(20, "Sunday evening there", ESC, "high", at(11, 20), escalated=sunday_evening),
        # Monday 2 Nov 00:30 PST, just after the first local midnight in winter time
        fact(21, "Monday just after midnight", ESC, "high", at(11, 1),
             escalated=datetime(2026, 11, 2, 0, 30, tzinfo=pacific)),
    ]  # fmt: skip
    utc = compute_dashboard(escalations, NOW)
    local = compute_dashboard(escalations, NOW, zone=pacific)
    assert [w.count for w in utc.weekly][-4:] == [1, 0, 0, 1]  # weeks of 2, 9, 16, 23 Nov
    assert [w.count for w in local.weekly][-4:] == [1, 0, 1, 0]
    starts = [w.start for w in local.weekly]
    assert starts[0] == local.window_start == datetime(2026, 8, 31, tzinfo=pacific)
    assert all(s.weekday() == 0 and (s.hour, s.minute) == (0, 0) for s in starts)
    assert starts[0].utcoffset() == timedelta(hours=-7) and starts[-1].utcoffset() == timedelta(
        hours=-8
    )
    # Into summer time (8 Mar 2026) a week is an hour short, and still a week.
    spring_now = datetime(2026, 4, 14, 12, tzinfo=pacific)  # window from Monday 19 Jan
    monday = datetime(2026, 3, 9, 0, 30, tzinfo=pacific)
    spring = compute_dashboard(
        [fact(22, "Monday after the change", ESC, "high", monday, escalated=monday)],
        spring_now,
        zone=pacific,
    )
    assert [w.start.date() for w in spring.weekly if w.count] == [monday.date()]
    # Through the store: the playbook calendar's zone is the dashboard's.
    in_pacific = playbook.model_copy(
        update={
            "calendar": playbook.calendar.model_copy(update={"timezone": "America/Los_Angeles"})
        }
    )
    assert dashboard_from(None, in_pacific, NOW).window_start == starts[0]


def test_open_cases_by_severity_and_destination(board: Dashboard) -> None:
    assert board.total == 12
    assert board.open_total == 6
    assert board.open_by_severity == {"critical": 1, "high": 2, "medium": 1, "unrated": 2}
    assert board.open_matrix == {
        "critical": {"Engineering": 1},
        "high": {"Engineering": 1, "Leadership": 1, "Support": 1},
        "medium": {"Support": 1},
        "unrated": {"Support L2": 1, "Security": 1},
    }
    assert board.destinations == (
        "Support L2",
        "Engineering",
        "Product",
        "Security",
        "Leadership",
        "Support",
    )


def test_follow_ups_due_and_overdue(board: Dashboard) -> None:
    assert (board.followups_due, board.followups_overdue) == (1, 1)


def test_escalations_per_week(board: Dashboard) -> None:
    assert [w.count for w in board.weekly] == [0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0]
    assert board.escalations_in_window == 6


def test_median_time_to_resolution_by_severity(board: Dashboard) -> None:
    assert board.median_resolution_hours == {
        "critical": 6.0,
        "high": 36.0,  # 24, 36, 72
        "medium": 48.0,
        "unrated": None,
    }
    assert board.resolved_in_window == {"critical": 1, "high": 3, "medium": 1, "unrated": 0}


def test_kept_in_support_versus_escalated(board: Dashboard) -> None:
    # opened in the window: kept 4 and 5; escalated 1, 2, 6, 7, 8, 9; drafts 3 and 12 undecided
    assert (board.kept, board.escalated) == (2, 6)
    assert board.kept_share == 0.25
    assert compute_dashboard([], NOW).kept_share is None


def test_sla_breaches(board: Dashboard) -> None:
    assert (board.sla_breaches_open, board.sla_breaches_window) == (1, 2)


def test_most_frequent_symptoms(board: Dashboard) -> None:
    assert [(s.phrase, s.count, s.case_ids) for s in board.top_symptoms] == [
        ("CSV export", 4, (1, 2, 5, 8)),
        ("SSO login", 2, (3, 6)),
    ]


def test_symptoms_fall_back_to_single_words_and_skip_one_offs() -> None:
    titles = [
        (1, "Timeout on save"),
        (2, "Save timeout"),
        (3, "Login broken"),
        (4, "Timeouts"),
        (5, "Login page blank"),
    ]
    # "save" only ever appears with a timeout: a detail of it, not a symptom of its own
    assert [(s.phrase, s.count) for s in top_symptoms(titles)] == [("Timeout", 3), ("Login", 2)]
    assert top_symptoms([(1, "Only once")]) == ()


def test_symptoms_prefer_the_longest_shared_phrase() -> None:
    titles = [
        (1, "SSO login loop"),
        (2, "SSO login loop for new tenant"),
        (3, "Endless SSO login loop"),
        (4, "CSV export times out"),
        (5, "CSV export times out again"),
        (6, "CSV export fails"),
    ]
    # at equal counts the longer phrase comes first
    assert [(s.phrase, s.count, s.case_ids) for s in top_symptoms(titles)] == [
        ("SSO login loop", 3, (1, 2, 3)),
        ("CSV export", 3, (4, 5, 6)),
    ]


def test_json_form_has_every_figure(board: Dashboard) -> None:
    data = dashboard_json(board)
    assert data["open"] == {
        "total": 6,
        "by_severity": {"critical": 1, "high": 2, "medium": 1, "unrated": 2},
        "by_severity_and_destination": board.open_matrix,
    }
    assert data["follow_ups"] == {"due": 1, "overdue": 1}
    weeks = data["escalations_per_week"]
    assert isinstance(weeks, list) and weeks[1] == {"week_start": "2026-09-07", "count": 1}
    assert data["kept_share"] == 0.25
    assert data["sla_breaches"] == {"open": 1, "in_window": 2}
    assert data["top_symptoms"] == [
        {"phrase": "CSV export", "count": 4, "case_ids": [1, 2, 5, 8]},
        {"phrase": "SSO login", "count": 2, "case_ids": [3, 6]},
    ]


# -- the same figures from a real store -----------------------------------------------------------------
def _stored(store: Store, playbook: Playbook) -> list[Escalation]:
    """Four real cases written through the store and the follow-up operations."""
    made: list[Escalation] = []

    def create(title: str, created: datetime, severity: str, **fields: object) -> Escalation:
        case = Escalation(
            title=title,
            customer="Acme",
            created_at=created,
            updated_at=created,
            severity_override=Override(value=severity, reason="test", at=created),
            **fields,  # type: ignore[arg-type]
        )
        return store.create(case)

    a = create("CSV export times out", NOW - timedelta(days=3), "high")
    escalate(a, playbook, "engineering", "", NOW - timedelta(days=2))
    made.append(store.save(a))
    b = create("CSV export fails", NOW - timedelta(days=10), "critical")
    escalate(b, playbook, "l2", "", NOW - timedelta(days=9, hours=20))
    escalate(b, playbook, "engineering", "", NOW - timedelta(days=9))
    resolve(b, playbook, customer_confirmed=True, tracking_closed=True,
            lessons_learned="Raise the timeout", now=NOW - timedelta(days=8))  # fmt: skip
    made.append(store.save(b))
    c = create("Invoice rounding", NOW - timedelta(days=20), "medium",
               impact=ImpactInputs(sla="breached"))  # fmt: skip
    resolve(c, playbook, customer_confirmed=True, tracking_closed=False,
            lessons_learned="Documented the rounding rule", now=NOW - timedelta(days=19))  # fmt: skip
    made.append(store.save(c))
    made.append(
        create("SSO loop", NOW - timedelta(hours=2), "medium", status=Status.KEPT_IN_SUPPORT)
    )
    return made


def test_store_facts_match_the_facts_of_each_case(store: Store, playbook: Playbook) -> None:
    made = _stored(store, playbook)
    from_store = {f.id: f for f in store.case_facts()}
    from_cases = {c.id: facts_of(c, playbook, NOW) for c in made}
    assert from_store == from_cases
    b = from_store[made[1].id or 0]
    # the first hop counts as the escalation, not the later one to Engineering
    assert b.escalated_at == NOW - timedelta(days=9, hours=20)
    assert b.resolved_at == NOW - timedelta(days=8)
    assert from_store[made[2].id or 0].sla_breached


def test_dashboard_from_the_store(store: Store, playbook: Playbook) -> None:
    _stored(store, playbook)
    board = compute_dashboard(store.case_facts(), NOW, destinations=route_labels(playbook))
    assert board.total == 4 and board.open_total == 2
    assert board.open_matrix["high"] == {"Engineering": 1}
    assert board.open_matrix["medium"] == {"Support": 1}
    assert board.median_resolution_hours["critical"] == 48.0
    assert board.median_resolution_hours["medium"] == 24.0
    assert (board.kept, board.escalated) == (2, 2)
    assert (board.sla_breaches_open, board.sla_breaches_window) == (0, 1)
    assert board.escalations_in_window == 2


def test_store_facts_since_the_window_give_the_same_dashboard(
    store: Store, playbook: Playbook
) -> None:
    """Resolved cases last saved before the window only count in the total: reading just open
    and recently saved cases (what the app and `workbench stats` do) changes no figure."""
    from workbench.stats import dashboard_from, window_start

    _stored(store, playbook)
    old = Escalation(title="Ancient CSV export bug", customer="Old Co",
                     created_at=NOW - timedelta(days=400))  # fmt: skip
    resolve(old, playbook, customer_confirmed=True, tracking_closed=True,
            lessons_learned="Gone", now=NOW - timedelta(days=390))  # fmt: skip
    old_open = Escalation(title="Ancient open case", created_at=NOW - timedelta(days=300))
    past = Store(store.path, playbook, clock=lambda: NOW - timedelta(days=390))
    past.create(old)
    past.create(old_open)
    past.close()
    start = window_start(NOW)
    recent = {f.id for f in store.case_facts(since=start)}
    every = list(store.case_facts())
    assert len(every) == 6 and len(recent) == 5  # the old resolved case is left out
    full = compute_dashboard(every, NOW, destinations=route_labels(playbook))
    assert dashboard_from(store, playbook, NOW) == full
    assert full.total == 6 and full.open_total == 3
