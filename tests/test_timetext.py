"""workbench.timetext: every time phrase at its boundaries, across DST, and for any duration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.timetext import age, clock, countdown, day, hours, moment, relative, span, window

NOW = datetime(2026, 12, 6, 4, 24, tzinfo=UTC)  # a Sunday
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "0 s"),
        (timedelta(seconds=59), "59 s"),
        (timedelta(seconds=60), "1 m"),
        (timedelta(seconds=119), "1 m"),
        (timedelta(minutes=59, seconds=59), "59 m"),
        (timedelta(minutes=60), "1 h"),
        (timedelta(hours=3, minutes=10), "3 h 10 m"),
        (timedelta(hours=23, minutes=59), "23 h 59 m"),
        (timedelta(hours=24), "1 d"),
        (timedelta(days=2, hours=3, minutes=5), "2 d 3 h"),
        (timedelta(days=2, minutes=5), "2 d 5 m"),
        (timedelta(days=4), "4 d"),
        (timedelta(minutes=-20), "20 m"),
    ],
)
def test_span(delta: timedelta, text: str) -> None:
    assert span(delta) == text


def test_span_with_one_part_keeps_the_largest_unit() -> None:
    assert span(timedelta(hours=3, minutes=10), parts=1) == "3 h"
    assert span(timedelta(days=1, hours=23), parts=1) == "1 d"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "now"),
        (timedelta(seconds=59), "now"),
        (timedelta(seconds=-59), "now"),
        (timedelta(seconds=60), "in 1 m"),
        (timedelta(minutes=-60), "1 h ago"),
        (timedelta(days=1, hours=6), "in 1 d 6 h"),
        (timedelta(hours=-5), "5 h ago"),
    ],
)
def test_relative(delta: timedelta, text: str) -> None:
    assert relative(delta) == text


def test_countdown_before_during_and_past_a_window() -> None:
    start, end = NOW + timedelta(hours=3, minutes=10), NOW + timedelta(hours=5)
    assert countdown(start, NOW, latest=end) == "in 3 h 10 m"
    assert countdown(NOW + timedelta(seconds=59), NOW) == "in 59 s"
    assert countdown(NOW, NOW) == "due now"  # exactly now
    assert countdown(NOW - timedelta(hours=1), NOW, latest=end) == "due now"
    assert (
        countdown(NOW - timedelta(hours=1), NOW, latest=end, until_latest=True)
        == "due now, latest in 5 h"
    )
    assert countdown(NOW - timedelta(seconds=1), NOW) == "OVERDUE by 1 s"
    assert countdown(NOW - timedelta(hours=1), NOW) == "OVERDUE by 1 h"
    assert countdown(NOW - timedelta(hours=3), NOW, latest=NOW - timedelta(minutes=20)) == (
        "OVERDUE by 20 m"
    )
    # Overdue by the cadence's word even when the latest time is not passed yet.
    assert countdown(NOW, NOW, overdue=True) == "OVERDUE by 0 s"


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=59), "59 s"),
        (timedelta(seconds=60), "1 m"),
        (timedelta(minutes=59), "59 m"),
        (timedelta(minutes=60), "1 h"),
        (timedelta(hours=23, minutes=59), "23 h"),
        (timedelta(hours=24), "1 d"),
        (timedelta(days=27, hours=23), "27 d"),
        (timedelta(days=28), "4 w"),
        (timedelta(days=365), "52 w"),
        (timedelta(hours=-1), "0 s"),  # a start in the future: the clock moved back
    ],
)
def test_age(ago: timedelta, text: str) -> None:
    assert age(NOW - ago, NOW) == text


def test_clock_same_day_other_day_other_year() -> None:
    assert clock(NOW, NOW, UTC) == "04:24"
    assert clock(NOW + timedelta(hours=19, minutes=35), NOW, UTC) == "23:59"
    assert clock(NOW + timedelta(hours=19, minutes=36), NOW, UTC) == "Mon 7 Dec 00:00"
    assert clock(NOW - timedelta(days=1), NOW, UTC) == "Sat 5 Dec 04:24"
    assert clock(NOW, NOW, UTC, with_day=True) == "Sun 6 Dec 04:24"
    assert clock(NOW + timedelta(days=30), NOW, UTC) == "Tue 5 Jan 2027 04:24"
    assert clock(NOW, NOW, UTC, with_year=True) == "Sun 6 Dec 2026 04:24"


def test_clock_reads_the_day_in_the_zone() -> None:
    late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # already Monday in Berlin
    assert clock(late, NOW, UTC) == "23:30"
    assert clock(late, NOW, BERLIN) == "Mon 7 Dec 00:30"


def test_clock_and_span_across_dst() -> None:
    # Berlin springs forward on Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    after = before + timedelta(hours=1)  # 03:30 CEST
    assert clock(before, before, BERLIN) == "01:30"
    assert clock(after, before, BERLIN) == "03:30"
    assert window(before, after, before, BERLIN) == "01:30–03:30"
    assert span(after - before) == "1 h"  # an hour passed, though the wall clock moved two
    # New York falls back on Sunday 1 November 2026: 02:00 EDT becomes 01:00 EST.
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = first + timedelta(hours=1)  # 01:30 EST
    assert clock(first, first, NEW_YORK) == clock(second, first, NEW_YORK) == "01:30"
    assert countdown(second, first) == "in 1 h"
    assert moment(second, first, NEW_YORK) == "Sun 1 Nov 01:30 (in 1 h)"


def test_window() -> None:
    start = datetime(2026, 12, 6, 6, 23, tzinfo=UTC)
    assert window(start, start + timedelta(hours=2), NOW, UTC) == "06:23–08:23"
    # A point in time is one time, not "06:23–06:23", even a few seconds apart.
    assert window(start, start, NOW, UTC) == "06:23"
    assert window(start, start + timedelta(seconds=30), NOW, UTC) == "06:23"
    assert window(start, start + timedelta(minutes=1), NOW, UTC) == "06:23–06:24"
    # The start names its day unless it is today, the end unless it is the start's day.
    tomorrow = start + timedelta(days=1)
    assert window(tomorrow, tomorrow, NOW, UTC) == "Mon 7 Dec 06:23"
    assert window(tomorrow, tomorrow + timedelta(days=1), NOW, UTC) == (
        "Mon 7 Dec 06:23–Tue 8 Dec 06:23"
    )
    assert window(start, start + timedelta(days=1), NOW, UTC) == "06:23–Mon 7 Dec 06:23"


def test_moment() -> None:
    assert moment(NOW + timedelta(days=1, hours=6), NOW, UTC) == "Mon 7 Dec 10:24 (in 1 d 6 h)"
    assert moment(NOW - timedelta(hours=3), NOW, UTC) == "Sun 6 Dec 01:24 (3 h ago)"
    assert moment(NOW, NOW, UTC) == "Sun 6 Dec 04:24 (now)"
    assert (
        moment(datetime(2027, 1, 1, 9, tzinfo=UTC), NOW, UTC)
        == "Fri 1 Jan 2027 09:00 (in 26 d 4 h)"
    )


def test_naive_datetimes_are_utc() -> None:
    assert clock(NOW.replace(tzinfo=None), NOW, UTC) == "04:24"


def test_day() -> None:
    assert day(NOW, UTC) == "6 Dec 2026"
    assert day(NOW, UTC, with_year=False) == "6 Dec"
    assert day(datetime(2026, 12, 6, 23, 30, tzinfo=UTC), BERLIN) == "7 Dec 2026"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (0.0, "0.0 h"),
        (3.5, "3.5 h"),
        (35.0, "35.0 h"),
        (47.9, "47.9 h"),
        (48.0, "2.0 d"),
    ],
)
def test_hours(value: float | None, text: str) -> None:
    assert hours(value) == text


durations = st.timedeltas(min_value=timedelta(days=-50_000), max_value=timedelta(days=50_000))


@given(durations)
def test_any_duration_is_a_short_phrase_on_one_line(delta: timedelta) -> None:
    for text in (span(delta), relative(delta), countdown(NOW + delta, NOW), age(NOW - delta, NOW)):
        assert text and text == text.strip() and "\n" not in text
        assert len(text) <= 30


@given(durations.filter(lambda d: d < timedelta(0)))
def test_a_countdown_to_a_past_moment_says_overdue(delta: timedelta) -> None:
    assert countdown(NOW + delta, NOW).startswith("OVERDUE by ")


@given(durations.filter(lambda d: d > timedelta(0)))
def test_a_countdown_to_a_future_moment_says_in(delta: timedelta) -> None:
    assert countdown(NOW + delta, NOW) == f"in {span(delta)}"
