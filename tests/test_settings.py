"""The agent's own settings file: local holidays added to the playbook's calendar, and every
mistake reported in one line naming the file, the line and the key."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from workbench import settings as settings_module
from workbench.models import (
    Escalation,
    EscalationRecord,
    LogEntry,
    LogKind,
    Override,
    Request,
    Status,
)
from workbench.playbook import Playbook
from workbench.rules.cadence import add_business_days, follow_up_schedule
from workbench.rules.summary import summarize
from workbench.session import State
from workbench.settings import (
    Settings,
    SettingsError,
    load_settings,
    local_zone_name,
    settings_path,
    with_settings,
)
from workbench.store import Store


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_holidays_as_toml_dates_or_iso_strings_sorted_and_unique(tmp_path: Path) -> None:
    path = write(tmp_path, 'holidays = [2026-12-25, "2026-12-24", " 2026-12-25 "]\n')
    assert load_settings(path).holidays == (date(2026, 12, 24), date(2026, 12, 25))


def test_an_empty_file_and_a_missing_default_file_are_no_settings(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "# nothing yet\n")) == Settings()
    assert load_settings(tmp_path / "absent.toml", required=False) == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("holidays = [2026-12-25, 'Christmas']\n", ":1: holidays[1]: 'Christmas' is not a date"),
        ("\nholidays = 2026-12-25\n", ":2: holidays: a list of dates"),
        ("holidays = [2026-12-25T10:00:00]\n", "holidays[0]: datetime.datetime(2026, 12, 25"),
        ("holidays = ['2026-02-30']\n", "holidays[0]: '2026-02-30' is not a date"),
        ("bell = false\n", ":1: bell: unknown setting (holidays, timezone)"),
        ('\n\ntimezone = "Mars/Olympus"\n', ":3: timezone: 'Mars/Olympus' is not a time zone"),
        ("timezone = 2\n", ":1: timezone: 2 is not a time zone"),
        ("holidays = [\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_a_file_named_on_purpose_must_exist_and_be_text(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such settings file"):
        load_settings(tmp_path / "typo.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"holidays = [\xff]\n")
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_settings(binary)


def test_which_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "mine.toml"
    assert settings_path(explicit) == (explicit, True)
    monkeypatch.setenv("WORKBENCH_SETTINGS", str(tmp_path / "env.toml"))
    assert settings_path() == (tmp_path / "env.toml", True)
    monkeypatch.delenv("WORKBENCH_SETTINGS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_path() == (tmp_path / "cfg" / "escalation-workbench" / "settings.toml", False)


def test_settings_holidays_join_the_playbooks_and_the_cadence_skips_them(
    playbook: Playbook,
) -> None:
    team = playbook.model_copy(
        update={
            "calendar": playbook.calendar.model_copy(update={"holidays": (date(2026, 12, 25),)})
        }
    )
    mine = with_settings(team, Settings(holidays=(date(2026, 12, 24), date(2026, 12, 25))))
    assert mine.calendar.holidays == (date(2026, 12, 24), date(2026, 12, 25))
    assert with_settings(team, Settings(), local_zone=lambda: None) is team
    wednesday = datetime(2026, 12, 23, 16, 0, tzinfo=UTC)
    assert add_business_days(wednesday, 1, team.calendar) == datetime(
        2026, 12, 24, 16, 0, tzinfo=UTC
    )
    # Thu 24 (mine) and Fri 25 (the team's) skipped, then the weekend: Monday 28.
    assert add_business_days(wednesday, 1, mine.calendar) == datetime(
        2026, 12, 28, 16, 0, tzinfo=UTC
    )


# -- the zone business days are counted in ------------------------------------------------------------
PACIFIC = "America/Los_Angeles"
MONDAY_NOON_PACIFIC = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def test_a_timezone_setting_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, f'timezone = " {PACIFIC} "\nholidays = [2026-12-24]\n')
    assert load_settings(path) == Settings(holidays=(date(2026, 12, 24),), timezone=PACIFIC)


def test_the_zone_is_the_agents_else_the_playbooks_else_the_machines(playbook: Playbook) -> None:
    team = playbook.model_copy(
        update={"calendar": playbook.calendar.model_copy(update={"timezone": "Europe/Berlin"})}
    )
    machine = lambda: "Asia/Tokyo"  # noqa: E731
    assert with_settings(
        team, Settings(timezone=PACIFIC), local_zone=machine
    ).calendar.timezone == (PACIFIC)
    assert with_settings(team, Settings(), local_zone=machine).calendar.timezone == "Europe/Berlin"
    assert with_settings(playbook, Settings(), local_zone=machine).calendar.timezone == "Asia/Tokyo"
    assert with_settings(playbook, Settings(), local_zone=lambda: None).calendar.timezone is None


def test_a_playbook_calendar_with_an_unknown_zone_is_refused(playbook: Playbook) -> None:
    with pytest.raises(ValidationError, match="not a time zone"):
        type(playbook.calendar).model_validate({"timezone": "Europe/Atlantis"})
    with pytest.raises(ValidationError, match="not a time zone"):
        type(playbook.calendar).model_validate({"timezone": "  "})


def test_a_playbook_zone_is_trimmed_as_the_settings_one_is(playbook: Playbook) -> None:
    calendar = type(playbook.calendar).model_validate({"timezone": f" {PACIFIC}\t"})
    assert calendar.timezone == PACIFIC


def test_business_days_are_the_zones_own_days(playbook: Playbook) -> None:
    """Friday 17:00 in San Francisco is already Saturday 01:00 in UTC. Counted in UTC, one
    business day later was Monday 01:00 UTC: Sunday evening for the agent. Counted in the agent's
    zone it is Monday 17:00 there."""
    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # Fri 20 Nov, 17:00 PST
    utc_days = playbook.calendar
    pacific_days = utc_days.model_copy(update={"timezone": PACIFIC})
    assert add_business_days(friday_evening, 1, utc_days) == datetime(
        2026, 11, 23, 1, 0, tzinfo=UTC
    )
    due = add_business_days(friday_evening, 1, pacific_days)
    assert due.astimezone(UTC) == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # Mon 23 Nov, 17:00 PST
    # The follow-up schedule counts them the same way: Medium, a customer update every 1-2 days.
    case = Escalation(
        title="Exports stall",
        status=Status.ESCALATED,
        severity_override=Override(value="medium", reason="one team blocked", at=friday_evening),
        escalation=EscalationRecord(destination="engineering", sent_at=friday_evening),
    )
    pacific = playbook.model_copy(update={"calendar": pacific_days})
    for book, earliest in ((playbook, 23), (pacific, 24)):
        schedule = follow_up_schedule(case, book, friday_evening)
        assert schedule is not None and schedule.cadence.customer_unit == "business_days"
        assert schedule.customer.earliest == datetime(2026, 11, earliest, 1, 0, tzinfo=UTC)


def test_the_machines_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TZ", f":{PACIFIC}")
    assert local_zone_name() == PACIFIC
    monkeypatch.setenv("TZ", f"/usr/share/zoneinfo/{PACIFIC}")
    assert local_zone_name() == PACIFIC
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Asia/Tokyo")
    monkeypatch.setenv("TZ", f":{link}")  # a file, as in TZ=:/etc/localtime: where it leads
    assert local_zone_name() == "Asia/Tokyo"
    for utc in ("", "CET-1CEST,M3.5.0,M10.5.0/3"):  # what the C library reads as UTC, or a rule
        monkeypatch.setenv("TZ", utc)
        assert local_zone_name() is None
    monkeypatch.delenv("TZ")
    # No TZ: where /etc/localtime links to, through any number of links.
    monkeypatch.setattr(settings_module.os.path, "islink", lambda path: True)
    monkeypatch.setattr(
        settings_module.os.path, "realpath", lambda path: "/usr/share/zoneinfo/Europe/Berlin"
    )
    assert local_zone_name() == "Europe/Berlin"
    monkeypatch.setattr(
        settings_module.os.path,
        "realpath",
        lambda path: "/var/db/timezone/tz/2024a.1.0/zoneinfo/Asia/Tokyo",  # macOS
    )
    assert local_zone_name() == "Asia/Tokyo"


def test_the_command_counts_in_the_settings_zone(tmp_path: Path) -> None:
    # No setting: the machine's zone (the tests run with TZ=UTC).
    assert State(settings_path=write(tmp_path, "")).playbook().calendar.timezone == "UTC"
    path = write(tmp_path, f'timezone = "{PACIFIC}"\n')
    assert State(settings_path=path).playbook().calendar.timezone == PACIFIC


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="no tzset (Windows)")
def test_times_are_shown_in_the_settings_zone(tmp_path: Path) -> None:
    """The machine may be a server in UTC (the tests' is): the zone the settings name is also
    the one times are shown in (every shown time goes through `astimezone()`), the same
    instants in the agent's own clock."""
    from workbench.document import format_time

    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # Fri 20 Nov, 17:00 PST
    assert format_time(friday_evening) == "2026-11-21 01:00 UTC"
    State(settings_path=write(tmp_path, "")).settings()
    assert format_time(friday_evening) == "2026-11-21 01:00 UTC"  # no zone named: the machine's
    State(settings_path=write(tmp_path, f'timezone = "{PACIFIC}"\n')).settings()
    assert format_time(friday_evening) == "2026-11-20 17:00 PST"
    assert time.tzname[0] == "PST"
    # A zone the C library has no file for would read as UTC: the shown zone stays as it was.
    assert not settings_module.show_times_in("Mars/Olympus")
    assert format_time(friday_evening) == "2026-11-20 17:00 PST"


def test_a_zone_the_c_library_reads_otherwise_is_not_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python's zone data and the C library's can differ (a tzdata package, no system file):
    where the C library does not give the zone's offset, TZ goes back to what it was."""
    from zoneinfo import ZoneInfo

    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    monkeypatch.setattr(settings_module, "zone_named", lambda name: ZoneInfo("Asia/Tokyo"))
    assert not settings_module.show_times_in("Europe/Berlin")
    assert os.environ["TZ"] == "UTC"
    assert friday_evening.astimezone().utcoffset() == timedelta(0)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="no tzset (Windows)")
def test_a_zone_without_the_c_librarys_file_is_not_taken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """London is at UTC+0 in winter, so a C library without its file (reading the name as a
    rule: UTC) gives the right offset half the year; summer time tells them apart."""
    monkeypatch.setenv("TZDIR", str(tmp_path))  # where the C library looks: no zone files
    assert not settings_module.show_times_in("Europe/London")
    assert os.environ["TZ"] == "UTC"
    # The command says so, in one line, and goes on (business days counted in London).
    state = State(settings_path=write(tmp_path, 'timezone = "Europe/London"\n'))
    state.settings()
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "cannot show them in Europe/London" in said
    assert state.playbook().calendar.timezone == "Europe/London"
    monkeypatch.delenv("TZDIR")
    assert settings_module.show_times_in("Europe/London")
    assert datetime(2026, 7, 1, 12, tzinfo=UTC).astimezone().utcoffset() == timedelta(hours=1)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="no tzset (Windows)")
def test_a_command_shows_times_in_the_settings_zone(tmp_path: Path, playbook: Playbook) -> None:
    from click.testing import CliRunner

    from workbench import cli

    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    db = tmp_path / "w.db"
    with Store(db, playbook, clock=lambda: friday_evening) as store:
        case = store.create(
            Escalation(title="Exports stall", request=Request(hard_deadline=friday_evening))
        )
    assert case.id is not None
    settings = write(tmp_path, f'timezone = "{PACIFIC}"\n')
    for extra, shown in (
        (["--settings", str(settings)], "2026-11-20 17:00 PST"),
        ([], "2026-11-21 01:00 UTC"),
    ):
        # Each command is a process of its own: it starts in the machine's zone.
        os.environ["TZ"] = "UTC"
        time.tzset()
        done = CliRunner().invoke(
            cli.main,
            ["--db", str(db), *extra, "export", str(case.id)],
            env={"WORKBENCH_NOW": friday_evening.isoformat()},
        )
        assert done.exit_code == 0, done.output
        assert shown in done.stdout


def test_the_lists_due_columns_are_counted_again_when_the_zone_changes(
    tmp_path: Path, playbook: Playbook
) -> None:
    """The list, its overdue count and the dashboard read the due columns a save stored; the
    timeline counts live. A store opened with another calendar counts its open cases again, so
    the two agree: once, and without touching the cases themselves."""
    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # Fri 20 Nov, 17:00 PST
    pacific = playbook.model_copy(
        update={"calendar": playbook.calendar.model_copy(update={"timezone": PACIFIC})}
    )
    path = tmp_path / "w.db"
    with Store(path, playbook, clock=lambda: friday_evening) as store:
        case = store.create(
            Escalation(
                title="Exports stall",
                status=Status.ESCALATED,
                severity_override=Override(value="medium", reason="one team", at=friday_evening),
                escalation=EscalationRecord(destination="engineering", sent_at=friday_evening),
                # The team checked in on Monday: the customer update is what falls due first.
                log=[LogEntry(at=MONDAY_NOON_PACIFIC, kind=LogKind.TEAM_CHECKIN, summary="sync")],
            )
        )
        store.create(Escalation(title="A draft: no follow-ups"))
        assert case.id is not None
        counted_in_utc = store.list_cases(status="escalated")[0]
    with Store(path, pacific, clock=lambda: friday_evening) as store:
        assert store.recount_dues() == 1
        row = store.list_cases(status="escalated")[0]
        live = summarize(store.get(case.id), pacific, friday_evening)
        assert (row.next_due, row.due_latest) == (live.next_due, live.due_latest)
        # The customer update at the latest: Tue 24 Nov 01:00 UTC counted in UTC; counted in
        # Los Angeles it is Tue 17:00 there, after the team's next check-in (Tue 12:00 there).
        assert counted_in_utc.due_latest == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
        assert row.due_latest == MONDAY_NOON_PACIFIC + timedelta(days=1)
        assert row.updated_at == counted_in_utc.updated_at  # not an edit of the case
        stamp = store._conn.execute("SELECT value FROM derived_from").fetchall()  # type: ignore[union-attr]
        assert stamp == [(store._calendar_stamp(),)] and PACIFIC in stamp[0][0]
        assert store.recount_dues() == 0  # counted with this calendar already
        assert store.get(case.id) == case  # the case itself is as it was
        assert [e.field for e in store.events(case.id)] == ["created"]
    with Store(path, playbook, clock=lambda: friday_evening) as store:
        assert store.recount_dues() == 1
        assert store.list_cases(status="escalated")[0].due_latest == counted_in_utc.due_latest
        # Counted in UTC now, and stamped so. A save in Los Angeles of the open case makes
        # its row Los Angeles's: the stamp no longer holds for every row, and goes.
    with Store(path, pacific, clock=lambda: friday_evening) as store:
        edited = store.get(case.id)
        edited.title = "Exports stall at 99%"
        store.save(edited)
        assert store._conn.execute("SELECT count(*) FROM derived_from").fetchone() == (0,)  # type: ignore[union-attr]
    with Store(path, playbook, clock=lambda: friday_evening) as store:
        assert store.recount_dues() == 1  # the open in UTC counts that row again
        # A save with the stamp's own calendar keeps it.
        draft = store.list_cases(status="draft")[0]
        store.save(store.get(draft.id).model_copy(update={"title": "A draft, renamed"}))
        assert store._conn.execute("SELECT count(*) FROM derived_from").fetchone() == (1,)  # type: ignore[union-attr]
        assert store.recount_dues() == 0


def test_the_command_counts_the_list_in_the_settings_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.db"
    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    monkeypatch.setenv("WORKBENCH_NOW", friday_evening.isoformat())
    state = State(db=path, settings_path=write(tmp_path, f'timezone = "{PACIFIC}"\n'))
    try:
        store = state.store()
        case = store.create(
            Escalation(
                title="Exports stall",
                status=Status.ESCALATED,
                escalation=EscalationRecord(destination="engineering", sent_at=friday_evening),
                log=[LogEntry(at=MONDAY_NOON_PACIFIC, kind=LogKind.TEAM_CHECKIN, summary="sync")],
            )
        )
        pacific = state.playbook()
    finally:
        state.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cases SET due_latest = NULL")  # as an older version left it
    conn.execute("DELETE FROM derived_from")
    conn.commit()
    conn.close()
    state = State(db=path, settings_path=tmp_path / "settings.toml")
    try:
        row = state.store(create=False).list_cases()[0]
        live = summarize(case, pacific, friday_evening)
        assert row.due_latest == live.due_latest == MONDAY_NOON_PACIFIC + timedelta(days=1)
    finally:
        state.close()


def test_counting_again_never_waits_for_another_writer(tmp_path: Path, playbook: Playbook) -> None:
    """A command (a backup, a list) opened while the app saves goes on; a later open counts."""
    path = tmp_path / "w.db"
    friday_evening = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    with Store(path, playbook, clock=lambda: friday_evening) as store:
        store.create(
            Escalation(
                title="Exports stall",
                status=Status.ESCALATED,
                escalation=EscalationRecord(destination="engineering", sent_at=friday_evening),
            )
        )
        store._conn.execute("UPDATE cases SET due_latest = NULL")  # type: ignore[union-attr]
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with Store(path, playbook, clock=lambda: friday_evening, busy_timeout=60) as store:
            started = time.monotonic()
            assert store.recount_dues() == 0
            assert time.monotonic() - started < 30  # not the minute its saves would wait
            assert store.list_cases()[0].due_latest is None
            assert store.busy_timeout > 0  # its own saves still wait as before
            assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] == int(  # type: ignore[union-attr]
                store.busy_timeout * 1000
            )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with Store(path, playbook, clock=lambda: friday_evening) as store:
        assert store.recount_dues() == 1
        assert store.list_cases()[0].due_latest is not None
