"""parse_when / describe_when: the forms agents type, zones and DST, refusal of guesses, no crashes."""

from __future__ import annotations

import time as time_module
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.when import describe_when, parse_when

BERLIN = ZoneInfo("Europe/Berlin")
# Thursday 26 Nov 2026, 17:00 in Berlin (16:00 UTC).
NOW = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 17:00", berlin(2026, 11, 27, 17, 0)),
        ("Tomorrow at 5 pm", berlin(2026, 11, 27, 17, 0)),
        ("today 9am", berlin(2026, 11, 26, 9, 0)),
        ("today 9:30 PM", berlin(2026, 11, 26, 21, 30)),
        ("yesterday 14:00", berlin(2026, 11, 25, 14, 0)),
        ("tomorrow", berlin(2026, 11, 27, 0, 0)),
        ("+4h", NOW + timedelta(hours=4)),
        ("+30m", NOW + timedelta(minutes=30)),
        ("+2d", NOW + timedelta(days=2)),
        ("+1w", NOW + timedelta(weeks=1)),
        ("+1h30m", NOW + timedelta(hours=1, minutes=30)),
        ("+1.5h", NOW + timedelta(hours=1, minutes=30)),
        ("-45m", NOW - timedelta(minutes=45)),
        ("in 3 hours", NOW + timedelta(hours=3)),
        ("in an hour", NOW + timedelta(hours=1)),
        ("in 2 days", NOW + timedelta(days=2)),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("now", NOW),
        ("fri 17:00", berlin(2026, 11, 27, 17, 0)),
        ("Friday 9am", berlin(2026, 11, 27, 9, 0)),
        ("next mon 9:30", berlin(2026, 11, 30, 9, 30)),
        # Today is Thursday: later today is still "thu", earlier means next week.
        ("thu 18:00", berlin(2026, 11, 26, 18, 0)),
        ("thu 16:00", berlin(2026, 12, 3, 16, 0)),
        ("fri eod", berlin(2026, 11, 27, 17, 0)),
        ("2026-11-27 17:00", berlin(2026, 11, 27, 17, 0)),
        ("2026-11-27T17:00", berlin(2026, 11, 27, 17, 0)),
        ("2026-11-27 5pm", berlin(2026, 11, 27, 17, 0)),
        ("2026-11-27", berlin(2026, 11, 27, 0, 0)),
        ("2026-11-27T17:00:00Z", datetime(2026, 11, 27, 17, 0, tzinfo=UTC)),
        ("2026-11-27T17:00:00+05:00", datetime(2026, 11, 27, 12, 0, tzinfo=UTC)),
        ("27/11 17:00", berlin(2026, 11, 27, 17, 0)),
        ("11/27", berlin(2026, 11, 27, 0, 0)),
        ("27.11.2027", berlin(2027, 11, 27, 0, 0)),
        ("05/05", berlin(2027, 5, 5, 0, 0)),  # same either way; already past this year
        ("27 nov 17:00", berlin(2026, 11, 27, 17, 0)),
        ("Nov 27th 2027", berlin(2027, 11, 27, 0, 0)),
        ("29 feb", berlin(2028, 2, 29, 0, 0)),
        ("noon", berlin(2026, 11, 27, 12, 0)),
        ("17h30", berlin(2026, 11, 26, 17, 30)),
        ("12am", berlin(2026, 11, 27, 0, 0)),
        # What describe_when prints reads back.
        ("Fri 27 Nov 17:00 (in 1 d)", berlin(2026, 11, 27, 17, 0)),
    ],
)
def test_forms(text: str, expected: datetime) -> None:
    result = parse_when(text, NOW, BERLIN)
    assert result == expected
    assert result is not None and result.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "soon",
        "ASAP",
        "end of week",
        "03/04",  # March or April?
        "03.04",
        "13/13",
        "31/02",
        "25:00",
        "13pm",
        "0am",
        "+",
        "+4x",
        "in a while",
        "Thu 27 Nov 17:00",  # 27 Nov 2026 is a Friday
        "2026-02-30",
        "2026-11-27 25:00",
        "2026-11-27x17:00",
        "+999999w",
        "9999-12-31T23:59:59-12:00",
        "tomorrow tomorrow",
    ],
)
def test_refused(text: str) -> None:
    assert parse_when(text, NOW, BERLIN) is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (berlin(2026, 11, 26, 10, 0), berlin(2026, 11, 26, 17, 0)),
        (berlin(2026, 11, 26, 17, 30), berlin(2026, 11, 27, 17, 0)),
    ],
)
def test_eod_is_today_or_tomorrow(now: datetime, expected: datetime) -> None:
    assert parse_when("eod", now, BERLIN) == expected
    assert parse_when("end of day", now, BERLIN) == expected


def test_bare_time_is_the_next_such_moment() -> None:
    assert parse_when("18:00", NOW, BERLIN) == berlin(2026, 11, 26, 18, 0)
    assert parse_when("9:00", NOW, BERLIN) == berlin(2026, 11, 27, 9, 0)


def test_year_is_rolled_only_when_the_date_is_past() -> None:
    assert parse_when("26/11", NOW, BERLIN) == berlin(2026, 11, 26, 0, 0)
    assert parse_when("25/11", NOW, BERLIN) == berlin(2027, 11, 25, 0, 0)


def test_wall_clock_across_dst() -> None:
    # Saturday 28 March 2026, noon in Berlin; clocks go forward that night.
    now = berlin(2026, 3, 28, 12, 0)
    assert parse_when("tomorrow 12:00", now, BERLIN) == now + timedelta(hours=23)
    assert parse_when("+1d", now, BERLIN) == now + timedelta(hours=24)


def test_naive_now_is_utc() -> None:
    assert parse_when("+1h", NOW.replace(tzinfo=None), BERLIN) == NOW + timedelta(hours=1)


def test_iso_without_zone_is_read_in_tz() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    assert parse_when("2026-11-27 09:00", NOW, tokyo) == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time_module.tzset()
    yield
    monkeypatch.undo()
    time_module.tzset()


@pytest.mark.usefixtures("local_zone")
def test_default_zone_is_the_machines() -> None:
    new_york = ZoneInfo("America/New_York")
    expected = datetime(2026, 11, 27, 17, 0, tzinfo=new_york).astimezone(UTC)
    assert parse_when("tomorrow 17:00", NOW) == expected
    assert describe_when(expected, NOW) == "Fri 27 Nov 17:00 (in 1 d 6 h)"


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (berlin(2026, 11, 27, 18, 0), "Fri 27 Nov 18:00 (in 1 d 1 h)"),
        (berlin(2026, 11, 26, 14, 0), "Thu 26 Nov 14:00 (3 h ago)"),
        (berlin(2026, 11, 26, 17, 45), "Thu 26 Nov 17:45 (in 45 m)"),
        (berlin(2026, 11, 26, 19, 5), "Thu 26 Nov 19:05 (in 2 h 5 m)"),
        (berlin(2026, 11, 26, 17, 0), "Thu 26 Nov 17:00 (now)"),
        (berlin(2026, 12, 1, 9, 0), "Tue 1 Dec 09:00 (in 4 d 16 h)"),
        (berlin(2027, 1, 4, 9, 0), "Mon 4 Jan 2027 09:00 (in 38 d 16 h)"),
        (berlin(2026, 11, 24, 17, 0), "Tue 24 Nov 17:00 (2 d ago)"),
    ],
)
def test_describe(dt: datetime, expected: str) -> None:
    assert describe_when(dt, NOW, BERLIN) == expected


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=40))
def test_never_raises_on_any_text(text: str) -> None:
    result = parse_when(text, NOW, BERLIN)
    assert result is None or result.tzinfo is UTC


_PIECES = st.sampled_from(
    [
        "+",
        "-",
        "in ",
        " ago",
        "tomorrow",
        "fri",
        "eod",
        "9",
        "99",
        "999999",
        ":",
        "/",
        ".",
        "-",
        "T",
        "Z",
        "am",
        "h",
        "d",
        "w",
        " ",
        "2026-11-27",
        "9999-12-31",
        "0001-01-01",
        "29",
        "feb",
        "at",
        "(in 1 d)",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(_PIECES, max_size=6),
    now=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
)
def test_never_raises_on_near_misses(pieces: list[str], now: datetime) -> None:
    result = parse_when("".join(pieces), now, BERLIN)
    assert result is None or result.tzinfo is UTC


@settings(max_examples=100, deadline=None)
@given(
    dt=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
)
def test_describe_reads_back(dt: datetime) -> None:
    moment = dt.replace(second=0, microsecond=0, tzinfo=BERLIN).astimezone(UTC)
    stamp = describe_when(moment, NOW, BERLIN)
    back = parse_when(stamp, NOW, BERLIN)
    # The wall clock is read back exactly, except in the hour DST repeats.
    assert back is not None
    assert back.astimezone(BERLIN).replace(tzinfo=None) == moment.astimezone(BERLIN).replace(
        tzinfo=None
    )
