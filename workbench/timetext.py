"""Every time phrase the workbench shows, in one style, for the app and the CLI alike.

One style: a number, a space, a one-letter unit, at most two units, largest first, truncated (never
rounded up, so "in 59 m" is never shown as "in 1 h"):

- spans: "42 s", "45 m", "3 h 10 m", "2 d 3 h" (`span`)
- relative moments: "in 3 h 10 m", "3 h ago", "now" under a minute (`relative`)
- countdowns to a due time: "in 3 h 10 m", "due now", "OVERDUE by 1 h" (`countdown`)
- ages, one unit only so a column stays narrow: "45 m", "5 h", "3 d", "6 w" (`age`)
- clock times: "04:24" on the day of reference, "Sun 6 Dec 04:24" on another, the year added when it
  is not the reference's (`clock`); a moment with its distance: "Fri 27 Nov 17:00 (in 1 d 6 h)"
  (`moment`); a window "06:23–08:23", one time when both ends are the same minute (`window`)
- days: "6 Dec", "6 Dec 2026" (`day`)
- figures in hours: "35.0 h", "2.1 d" from 48 h on, "—" for none (`hours`)

Pure functions of their arguments (the clock is always passed in), standard library only: the list
imports this for its first frame. Local times are read in `tz`, or the machine's zone when None.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

__all__ = [
    "NO_VALUE",
    "age",
    "clock",
    "countdown",
    "day",
    "hours",
    "moment",
    "relative",
    "span",
    "window",
]

#: What a figure that cannot be measured shows.
NO_VALUE = "—"

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY
#: Ages count days up to four weeks, then weeks.
_AGE_IN_WEEKS_FROM = 28 * _DAY


def _seconds(delta: timedelta) -> int:
    """Whole seconds of a duration, its sign dropped."""
    return int(abs(delta.total_seconds()))


def span(delta: timedelta, *, parts: int = 2) -> str:
    """A duration, its sign ignored: "42 s" under a minute, then "45 m", "3 h 10 m", "2 d 3 h".

    At most `parts` units, largest first; zero units are left out ("2 h", not "2 h 0 m").
    """
    seconds = _seconds(delta)
    if seconds < _MINUTE:
        return f"{seconds} s"
    minutes = seconds // _MINUTE
    days, rest = divmod(minutes, 24 * 60)
    hours_, mins = divmod(rest, 60)
    units = [
        f"{value} {unit}" for value, unit in ((days, "d"), (hours_, "h"), (mins, "m")) if value
    ]
    return " ".join(units[: max(1, parts)])


def relative(delta: timedelta) -> str:
    """How far a moment is from now (`delta` = moment - now): "in 3 h 10 m", "3 h ago", or "now"
    within a minute either way."""
    if _seconds(delta) < _MINUTE:
        return "now"
    text = span(delta)
    return f"in {text}" if delta > timedelta(0) else f"{text} ago"


def countdown(
    due: datetime,
    now: datetime,
    *,
    latest: datetime | None = None,
    overdue: bool = False,
    until_latest: bool = False,
) -> str:
    """Time to a due time: "in 3 h 10 m" before `due`, "due now" from it until `latest` (default:
    `due`), "OVERDUE by 20 m" past `latest` or when `overdue` says so. `until_latest` adds how
    long is left while due: "due now, latest in 1 h"."""
    end = latest if latest is not None else due
    if overdue or now > end:
        return f"OVERDUE by {span(max(now - end, timedelta(0)))}"
    if now >= due:
        if until_latest and end > now:
            return f"due now, latest in {span(end - now)}"
        return "due now"
    return f"in {span(due - now)}"


def age(start: datetime, now: datetime) -> str:
    """How long ago something began, one unit: "45 s", "45 m", "5 h", "3 d", then "6 w" from four
    weeks on. A start after `now` (a clock moved back) is "0 s"."""
    delta = max(now - start, timedelta(0))
    seconds = _seconds(delta)
    if seconds >= _AGE_IN_WEEKS_FROM:
        return f"{seconds // _WEEK} w"
    return span(delta, parts=1)


def _utc(value: datetime) -> datetime:
    """A naive datetime is taken to be UTC, as the models store them."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    """`value` in `tz` (the machine's zone when None)."""
    value = _utc(value)
    return value.astimezone(tz) if tz is not None else value.astimezone()


def _date_text(local: datetime, *, weekday: bool, year: bool) -> str:
    text = f"{local.day} {_MONTHS[local.month - 1]}"
    if weekday:
        text = f"{_WEEKDAYS[local.weekday()]} {text}"
    if year:
        text += f" {local.year}"
    return text


def clock(
    when: datetime,
    reference: datetime,
    tz: tzinfo | None = None,
    *,
    with_day: bool = False,
    with_year: bool = False,
) -> str:
    """A clock time: "04:24" on `reference`'s local day, "Sun 6 Dec 04:24" on another day, with the
    year when it is not `reference`'s. `with_day` always names the day, `with_year` the year."""
    local, ref = _local(when, tz), _local(reference, tz)
    year = with_year or local.year != ref.year
    if not (with_day or year or local.date() != ref.date()):
        return f"{local:%H:%M}"
    return f"{_date_text(local, weekday=True, year=year)} {local:%H:%M}"


def moment(when: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A moment with its day and its distance from now: "Fri 27 Nov 17:00 (in 1 d 6 h)"."""
    return f"{clock(when, now, tz, with_day=True)} ({relative(_utc(when) - _utc(now))})"


def window(start: datetime, end: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A time range: "06:23–08:23"; the start names its day unless it is `now`'s, the end unless it
    is the start's ("Wed 25 Nov 09:00–Thu 26 Nov 09:00"). Both ends in the same minute are one
    time: "06:23"."""
    first = clock(start, now, tz)
    if _local(start, tz).replace(second=0, microsecond=0) == _local(end, tz).replace(
        second=0, microsecond=0
    ):
        return first
    return f"{first}–{clock(end, start, tz)}"


def day(when: datetime, tz: tzinfo | None = None, *, with_year: bool = True) -> str:
    """A day: "6 Dec 2026", or "6 Dec" without the year."""
    return _date_text(_local(when, tz), weekday=False, year=with_year)


def hours(value: float | None) -> str:
    """A measured figure in hours with one decimal: "3.5 h", "35.0 h", from 48 h on in days
    ("2.1 d"); "—" when there is nothing to measure."""
    if value is None:
        return NO_VALUE
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} d"
