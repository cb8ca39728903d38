"""Follow-up cadence, row by row from the playbook's "Post-Escalation Follow-Through" table:
Critical every 2 hours / every 2-4 hours, High every 4 hours / every 4-8 hours, Medium once daily /
every 1-2 business days. Every expected time below is written out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workbench.models import (
    Escalation,
    EscalationRecord,
    LogEntry,
    LogKind,
    Override,
    Severity,
    Status,
)
from workbench.playbook import Calendar, Playbook, default_playbook
from workbench.rules.cadence import add_business_days, follow_up_schedule

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = Calendar()


def at(text: str) -> datetime:
    """A UTC instant from "2026-11-25 09:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return default_playbook()


def escalated(
    severity: str | None, sent: datetime, *log: tuple[LogKind, datetime], **fields: object
) -> Escalation:
    case = Escalation(
        status=Status.ESCALATED,
        escalation=EscalationRecord(destination="engineering", sent_at=sent),
        log=[LogEntry(kind=kind, at=when, summary=kind.label) for kind, when in log],
        **fields,
    )
    if severity is not None:
        case.severity_override = Override(value=severity, reason="set for the test", at=sent)
    return case


# -- the table itself ------------------------------------------------------------------------------
def test_the_cadence_rows_are_the_playbooks(pb: Playbook) -> None:
    rows = {
        (c.severity, c.team_label, c.customer_label, c.team_hours, c.customer_min, c.customer_max)
        for c in pb.follow_through.cadence
    }
    assert rows == {
        ("critical", "Every 2 hours", "Every 2-4 hours (or per SLA)", 2, 2, 4),
        ("high", "Every 4 hours", "Every 4-8 hours", 4, 4, 8),
        ("medium", "Once daily", "Every 1-2 business days", 24, 1, 2),
    }


# -- one row each ----------------------------------------------------------------------------------
def test_critical_every_2_hours_and_customer_every_2_to_4(pb: Playbook) -> None:
    sent = at("2026-11-25 09:00")
    schedule = follow_up_schedule(escalated("critical", sent), pb, at("2026-11-25 10:00"))
    assert schedule is not None
    assert schedule.severity == Severity.CRITICAL
    assert schedule.team.track == "team"
    assert schedule.team.last_at == sent
    assert (schedule.team.earliest, schedule.team.latest) == (
        at("2026-11-25 11:00"),
        at("2026-11-25 11:00"),
    )
    assert schedule.customer.track == "customer"
    assert (schedule.customer.earliest, schedule.customer.latest) == (
        at("2026-11-25 11:00"),
        at("2026-11-25 13:00"),
    )
    assert not schedule.team.due and not schedule.team.overdue
    assert not schedule.severity_assumed


def test_high_every_4_hours_and_customer_every_4_to_8(pb: Playbook) -> None:
    schedule = follow_up_schedule(
        escalated("high", at("2026-11-25 09:00")), pb, at("2026-11-25 09:30")
    )
    assert schedule is not None
    assert schedule.team.earliest == schedule.team.latest == at("2026-11-25 13:00")
    assert (schedule.customer.earliest, schedule.customer.latest) == (
        at("2026-11-25 13:00"),
        at("2026-11-25 17:00"),
    )


def test_medium_daily_and_customer_every_1_to_2_business_days(pb: Playbook) -> None:
    # Wednesday 09:00: team Thursday 09:00, customer Thursday 09:00 to Friday 09:00.
    schedule = follow_up_schedule(
        escalated("medium", at("2026-11-25 09:00")), pb, at("2026-11-25 09:30")
    )
    assert schedule is not None
    assert schedule.team.earliest == schedule.team.latest == at("2026-11-26 09:00")
    assert (schedule.customer.earliest, schedule.customer.latest) == (
        at("2026-11-26 09:00"),
        at("2026-11-27 09:00"),
    )


def test_medium_friday_goes_to_monday_and_tuesday(pb: Playbook) -> None:
    friday = at("2026-11-27 15:30")
    schedule = follow_up_schedule(escalated("medium", friday), pb, friday)
    assert schedule is not None
    # The team check-in is "once daily", in hours: Saturday.
    assert schedule.team.earliest == at("2026-11-28 15:30")
    assert (schedule.customer.earliest, schedule.customer.latest) == (
        at("2026-11-30 15:30"),
        at("2026-12-01 15:30"),
    )


def test_medium_skips_a_holiday(pb: Playbook) -> None:
    holiday_pb = pb.model_copy(update={"calendar": Calendar(holidays=(date(2026, 11, 30),))})
    friday = at("2026-11-27 10:00")
    schedule = follow_up_schedule(escalated("medium", friday), holiday_pb, friday)
    assert schedule is not None
    assert (schedule.customer.earliest, schedule.customer.latest) == (
        at("2026-12-01 10:00"),
        at("2026-12-02 10:00"),
    )


def test_medium_honours_the_calendars_business_days(pb: Playbook) -> None:
    # A team working Sunday to Thursday (ISO 7, 1-4): Thursday + 1 is Sunday.
    sunday_pb = pb.model_copy(update={"calendar": Calendar(business_days=(7, 1, 2, 3, 4))})
    thursday = at("2026-11-26 10:00")
    schedule = follow_up_schedule(escalated("medium", thursday), sunday_pb, thursday)
    assert schedule is not None
    assert schedule.customer.earliest == at("2026-11-29 10:00")
    assert schedule.customer.latest == at("2026-11-30 10:00")


# -- daylight saving -------------------------------------------------------------------------------
def test_hours_are_real_elapsed_time_across_a_dst_change(pb: Playbook) -> None:
    # London springs forward on Sunday 29 March 2026 at 01:00 GMT. 00:30 GMT + 2 h is 03:30 BST.
    sent = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
    schedule = follow_up_schedule(escalated("critical", sent), pb, sent, tz=LONDON)
    assert schedule is not None
    assert schedule.team.earliest - schedule.team.last_at == timedelta(hours=2)
    assert schedule.team.earliest.astimezone(LONDON).strftime("%H:%M %Z") == "03:30 BST"
    assert schedule.customer.latest.astimezone(LONDON).strftime("%H:%M %Z") == "05:30 BST"


def test_business_days_keep_the_local_time_across_a_dst_change(pb: Playbook) -> None:
    # Friday 23 October 2026 10:00 BST; London falls back on Sunday 25 October.
    friday = datetime(2026, 10, 23, 10, 0, tzinfo=LONDON)
    schedule = follow_up_schedule(escalated("medium", friday), pb, friday, tz=LONDON)
    assert schedule is not None
    monday = schedule.customer.earliest.astimezone(LONDON)
    assert (monday.date(), monday.strftime("%H:%M %Z")) == (date(2026, 10, 26), "10:00 GMT")
    assert schedule.customer.earliest - friday == timedelta(days=3, hours=1)
    tuesday = schedule.customer.latest.astimezone(LONDON)
    assert (tuesday.date(), tuesday.strftime("%H:%M")) == (date(2026, 10, 27), "10:00")


def test_business_days_default_to_utc(pb: Playbook) -> None:
    friday = datetime(2026, 10, 23, 10, 0, tzinfo=LONDON)  # 09:00 UTC
    schedule = follow_up_schedule(escalated("medium", friday), pb, friday)
    assert schedule is not None
    assert schedule.customer.earliest == at("2026-10-26 09:00")


# -- re-assessment, late updates, the log ----------------------------------------------------------
def test_a_severity_change_part_way_reschedules_from_the_last_update(pb: Playbook) -> None:
    sent = at("2026-11-25 09:00")
    case = escalated("medium", sent, (LogKind.TEAM_CHECKIN, at("2026-11-25 10:00")))
    before = follow_up_schedule(case, pb, at("2026-11-25 11:00"))
    assert before is not None
    assert before.team.earliest == at("2026-11-26 10:00")
    assert not before.team.due

    case.severity_override = Override(value="critical", reason="second customer down", at=sent)
    after = follow_up_schedule(case, pb, at("2026-11-25 11:00"))
    assert after is not None
    assert after.severity == Severity.CRITICAL
    assert after.team.earliest == at("2026-11-25 12:00")
    assert (after.customer.earliest, after.customer.latest) == (
        at("2026-11-25 11:00"),
        at("2026-11-25 13:00"),
    )
    assert after.customer.due and not after.customer.overdue


def test_a_severity_drop_relaxes_the_schedule(pb: Playbook) -> None:
    sent = at("2026-11-25 09:00")
    case = escalated("critical", sent)
    now = at("2026-11-25 12:00")
    critical = follow_up_schedule(case, pb, now)
    assert critical is not None and critical.team.overdue
    case.severity_override = Override(value="high", reason="workaround found", at=now)
    high = follow_up_schedule(case, pb, now)
    assert high is not None
    assert high.team.earliest == at("2026-11-25 13:00")
    assert not high.team.overdue and not high.team.due


def test_severity_from_the_impact_rules_drives_the_cadence(pb: Playbook) -> None:
    case = escalated(None, at("2026-11-25 09:00"))
    case.impact.sla = "breached"  # SLA threshold approaching: High
    schedule = follow_up_schedule(case, pb, at("2026-11-25 09:00"))
    assert schedule is not None
    assert schedule.severity == Severity.HIGH
    assert schedule.team.earliest == at("2026-11-25 13:00")


def test_a_late_update_is_overdue_then_restarts_the_clock(pb: Playbook) -> None:
    sent = at("2026-11-25 09:00")
    case = escalated("high", sent)
    late = follow_up_schedule(case, pb, at("2026-11-25 18:00"))
    assert late is not None
    assert late.customer.latest == at("2026-11-25 17:00")
    assert late.customer.overdue and late.customer.due
    assert late.team.overdue

    case.log.append(
        LogEntry(kind=LogKind.CUSTOMER_UPDATE, at=at("2026-11-25 18:00"), summary="late update")
    )
    after = follow_up_schedule(case, pb, at("2026-11-25 18:05"))
    assert after is not None
    assert after.customer.last_at == at("2026-11-25 18:00")
    assert (after.customer.earliest, after.customer.latest) == (
        at("2026-11-25 22:00"),
        at("2026-11-26 02:00"),
    )
    assert not after.customer.overdue and not after.customer.due
    # The team track is separate: still overdue.
    assert after.team.overdue


def test_due_and_overdue_boundaries(pb: Playbook) -> None:
    case = escalated("critical", at("2026-11-25 09:00"))
    just_before = follow_up_schedule(case, pb, at("2026-11-25 10:59"))
    on_time = follow_up_schedule(case, pb, at("2026-11-25 11:00"))
    after = follow_up_schedule(case, pb, at("2026-11-25 11:01"))
    assert just_before is not None and on_time is not None and after is not None
    assert (just_before.team.due, just_before.team.overdue) == (False, False)
    assert (on_time.team.due, on_time.team.overdue) == (True, False)
    assert (after.team.due, after.team.overdue) == (True, True)
    assert (after.customer.due, after.customer.overdue) == (True, False)


def test_only_the_latest_update_of_each_track_counts(pb: Playbook) -> None:
    case = escalated(
        "high",
        at("2026-11-25 09:00"),
        (LogKind.TEAM_CHECKIN, at("2026-11-25 11:00")),
        (LogKind.TEAM_CHECKIN, at("2026-11-25 10:00")),
        (LogKind.NOTE, at("2026-11-25 12:00")),
        (LogKind.CUSTOMER_UPDATE, at("2026-11-25 09:30")),
    )
    schedule = follow_up_schedule(case, pb, at("2026-11-25 12:00"))
    assert schedule is not None
    assert schedule.team.last_at == at("2026-11-25 11:00")
    assert schedule.team.earliest == at("2026-11-25 15:00")
    assert schedule.customer.last_at == at("2026-11-25 09:30")
    assert schedule.customer.latest == at("2026-11-25 17:30")


def test_updates_before_the_escalation_do_not_count(pb: Playbook) -> None:
    case = escalated(
        "critical", at("2026-11-25 09:00"), (LogKind.TEAM_CHECKIN, at("2026-11-24 09:00"))
    )
    schedule = follow_up_schedule(case, pb, at("2026-11-25 09:00"))
    assert schedule is not None
    assert schedule.team.last_at == at("2026-11-25 09:00")


def test_no_severity_follows_the_medium_cadence_and_says_so(pb: Playbook) -> None:
    schedule = follow_up_schedule(
        escalated(None, at("2026-11-25 09:00")), pb, at("2026-11-25 09:00")
    )
    assert schedule is not None
    assert schedule.severity == Severity.MEDIUM
    assert schedule.severity_assumed


def test_the_escalated_log_entry_starts_the_clock_without_a_record(pb: Playbook) -> None:
    case = Escalation(
        status=Status.ESCALATED,
        log=[LogEntry(kind=LogKind.ESCALATED, at=at("2026-11-25 09:00"), summary="sent")],
        severity_override=Override(value="high", reason="r"),
    )
    schedule = follow_up_schedule(case, pb, at("2026-11-25 09:00"))
    assert schedule is not None
    assert schedule.team.earliest == at("2026-11-25 13:00")


# -- no schedule -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.KEPT_IN_SUPPORT, Status.DE_ESCALATED, Status.RESOLVED]
)
def test_no_schedule_unless_escalated(pb: Playbook, status: Status) -> None:
    case = escalated("critical", at("2026-11-25 09:00"))
    case.status = status
    assert follow_up_schedule(case, pb, at("2026-11-25 12:00")) is None


def test_no_schedule_without_an_escalation_time(pb: Playbook) -> None:
    case = Escalation(status=Status.ESCALATED)
    assert follow_up_schedule(case, pb, at("2026-11-25 12:00")) is None


# -- add_business_days -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-25 09:00", 0, "2026-11-25 09:00"),  # Wednesday
        ("2026-11-25 09:00", 1, "2026-11-26 09:00"),
        ("2026-11-25 09:00", 2, "2026-11-27 09:00"),
        ("2026-11-25 09:00", 3, "2026-11-30 09:00"),  # over the weekend
        ("2026-11-27 17:45", 1, "2026-11-30 17:45"),  # Friday -> Monday
        ("2026-11-28 10:00", 1, "2026-11-30 10:00"),  # Saturday -> Monday
        ("2026-11-29 10:00", 2, "2026-12-01 10:00"),  # Sunday -> Tuesday
        ("2026-11-25 09:00", 10, "2026-12-09 09:00"),  # two weeks
        ("2026-11-25 09:00", 1.5, "2026-11-26 21:00"),  # a fraction is real hours
    ],
)
def test_add_business_days(start: str, days: float, expected: str) -> None:
    assert add_business_days(at(start), days, WEEKDAYS) == at(expected)


def test_add_business_days_skips_holidays() -> None:
    christmas = Calendar(holidays=(date(2026, 12, 24), date(2026, 12, 25)))
    assert add_business_days(at("2026-12-23 12:00"), 1, christmas) == at("2026-12-28 12:00")


def test_add_business_days_in_a_zone_keeps_wall_time() -> None:
    start = datetime(2026, 10, 23, 18, 0, tzinfo=LONDON)
    result = add_business_days(start, 1, WEEKDAYS)
    assert result.tzinfo == LONDON
    assert result.replace(tzinfo=None) == datetime(2026, 10, 26, 18, 0)
    assert result.utcoffset() == timedelta(0)


def test_add_business_days_counts_in_the_given_zone() -> None:
    # Friday 23:30 UTC is already Saturday in Tokyo: + 1 business day is Monday in Tokyo.
    tokyo = ZoneInfo("Asia/Tokyo")
    result = add_business_days(at("2026-11-27 23:30"), 1, WEEKDAYS, tz=tokyo)
    assert result == datetime(2026, 11, 30, 8, 30, tzinfo=tokyo)


def test_add_business_days_lands_on_a_real_instant_in_a_dst_gap() -> None:
    # 01:30 on Sunday 29 March 2026 does not exist in London; Saturday 01:30 + 1 business day is
    # Monday anyway, but a Sunday-working calendar must not produce a missing time.
    every_day = Calendar(business_days=(1, 2, 3, 4, 5, 6, 7))
    result = add_business_days(datetime(2026, 3, 28, 1, 30, tzinfo=LONDON), 1, every_day)
    assert result.astimezone(UTC).astimezone(LONDON) == result
    assert result.date() == date(2026, 3, 29)


@pytest.mark.parametrize("days", [-1, float("nan"), float("inf")])
def test_add_business_days_refuses_bad_counts(days: float) -> None:
    with pytest.raises(ValueError):
        add_business_days(at("2026-11-25 09:00"), days, WEEKDAYS)


def test_add_business_days_refuses_a_calendar_without_business_days() -> None:
    with pytest.raises(ValueError):
        add_business_days(at("2026-11-25 09:00"), 1, Calendar(business_days=(0, 9)))
