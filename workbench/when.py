"""Times as an agent types them: "tomorrow 17:00", "+4h", "fri 9am", "eod", "2026-11-27 17:00".

Deadlines, follow-ups and "when did it start" are typed in a hurry, so the parser accepts the short
forms people actually write and refuses anything it would have to guess at: "03/04" could be March
or April, so it is rejected rather than read the wrong way. Everything is standard library, results
are aware UTC datetimes, and wall-clock words are read in the given zone (default: the machine's
local zone, DST included). `parse_when` never raises on any text; it returns None instead.

Rules a caller can rely on:
- A time without a day ("17:00", "9am") and a weekday ("fri", "fri 17:00") mean the next such moment
  after `now` (today if it is still ahead). "eod" is 17:00 today, or tomorrow once 17:00 has passed.
- A day without a time ("tomorrow", "2026-11-27", "27/11") means the start of that day (00:00).
- A day and month without a year ("27/11", "27 nov") mean the next such date, today included.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from workbench import timetext

__all__ = ["END_OF_DAY", "describe_when", "parse_when"]

END_OF_DAY = time(17, 0)

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_WEEKDAY_ALIASES: dict[str, int] = {}
for _index, _short in enumerate(_WEEKDAYS):
    _full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[_index]
    for _alias in {_short, _full, _full[:4]}:
        _WEEKDAY_ALIASES[_alias] = _index
_WEEKDAY_ALIASES.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_MONTH_ALIASES: dict[str, int] = {}
for _index, _full in enumerate(
    (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    start=1,
):
    _MONTH_ALIASES[_full] = _index
    _MONTH_ALIASES[_full[:3]] = _index
_MONTH_ALIASES["sept"] = 9

_UNIT_SECONDS: dict[str, int] = {}
for _names, _seconds in (
    (("s", "sec", "secs", "second", "seconds"), 1),
    (("m", "min", "mins", "minute", "minutes"), 60),
    (("h", "hr", "hrs", "hour", "hours"), 3600),
    (("d", "day", "days"), 86400),
    (("w", "wk", "wks", "week", "weeks"), 7 * 86400),
):
    for _name in _names:
        _UNIT_SECONDS[_name] = _seconds

_UNIT = "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True))
_AMOUNT = rf"(\d{{1,6}}(?:\.\d{{1,3}})?|an?)\s*({_UNIT})(?![a-z])"
_DURATION_RE = re.compile(rf"^(?:{_AMOUNT}\s*(?:,|and)?\s*)+$")
_AMOUNT_RE = re.compile(_AMOUNT)
_TIME_RE = re.compile(
    r"^(?:(?P<h24>\d{1,2})[:h](?P<m24>\d{2})(?::(?P<s24>\d{2}))?"
    r"|(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.))$"
)
_NUMERIC_DATE_RE = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}))?\.?$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_when(text: str, now: datetime, tz: tzinfo | None = None) -> datetime | None:
    """The moment `text` names, as an aware UTC datetime; None when it is not one we can read.

    `now` anchors relative forms ("+4h", "tomorrow"); `tz` is the zone wall-clock words are read in
    (None: the machine's local zone).
    """
    try:
        if not isinstance(text, str):
            return None
        return _parse(text, _as_utc(now), tz)
    except (ValueError, OverflowError, OSError):
        # Out-of-range dates ("+999999w", year 9999 plus a day) are not moments we can name.
        return None


def describe_when(dt: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A moment as the agent reads it: "Fri 27 Nov 17:00 (in 1 d 1 h)", or "(3 h ago)"
    (`workbench.timetext.moment`; the year is shown only when it is not the current one)."""
    return timetext.moment(dt, now, tz)


# -- helpers ----------------------------------------------------------------------------------------
def _as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken to be UTC already, as the models do."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _to_local(value: datetime, tz: tzinfo | None) -> datetime:
    return value.astimezone(tz) if tz is not None else value.astimezone()


def _localize(day: date, clock: time, tz: tzinfo | None) -> datetime:
    """A wall-clock time on a day in `tz` (or the machine's zone, with its DST rules), as UTC."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return aware.astimezone(UTC)


def _duration(text: str) -> timedelta | None:
    """ "4h", "1 h 30 m", "2 days", "an hour" as a timedelta; None if it is not only a duration."""
    if not _DURATION_RE.match(text):
        return None
    total = 0.0
    for amount, unit in _AMOUNT_RE.findall(text):
        value = 1.0 if amount in ("a", "an") else float(amount)
        total += value * _UNIT_SECONDS[unit]
    return timedelta(seconds=total)


def _clock(text: str) -> time | None:
    """ "17:00", "9:30", "17h30", "9am", "9:30 pm", "noon", "midnight"; None otherwise."""
    if text == "noon":
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    if text in ("eod", "cob", "end of day", "close of business"):
        return END_OF_DAY
    match = _TIME_RE.match(text)
    if not match:
        return None
    if match["h24"] is not None:
        hour, minute, second = int(match["h24"]), int(match["m24"]), int(match["s24"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        return time(hour, minute, second)
    hour, minute = int(match["h12"]), int(match["m12"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    hour %= 12
    if match["ampm"].startswith("p"):
        hour += 12
    return time(hour, minute)


def _split_clock(text: str) -> tuple[str, time | None]:
    """Split "<day part> [at] <time>" into the day part and the time (None when there is none)."""
    for suffix in ("end of day", "close of business"):
        if text.endswith(suffix):
            return _strip_at(text[: -len(suffix)].strip()), END_OF_DAY
    words = text.split(" ")
    # The time may be one word ("17:00", "5pm") or two ("5 pm", "9:30 am").
    for size in (2, 1):
        if len(words) < size:
            continue
        clock = _clock(" ".join(words[-size:]))
        if clock is not None:
            return _strip_at(" ".join(words[:-size])), clock
    return text, None


def _strip_at(head: str) -> str:
    for word in ("at", "by"):
        if head == word:
            return ""
        head = head.removesuffix(f" {word}")
    return head


def _day_of_month(day: int, month: int, year: int | None, today: date) -> date | None:
    if year is not None:
        return date(year, month, day)
    for candidate_year in (
        today.year,
        today.year + 1,
        today.year + 2,
        today.year + 3,
        today.year + 4,
    ):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue  # 29 Feb outside a leap year: try the next year
        if candidate >= today:
            return candidate
    return None


def _named_date(text: str, today: date) -> date | None:
    """ "27 nov", "nov 27", "27 november 2026", "27/11", "11/27", "27.11.2026"."""
    numeric = _NUMERIC_DATE_RE.match(text)
    if numeric:
        first, second = int(numeric[1]), int(numeric[2])
        year = int(numeric[3]) if numeric[3] else None
        if first > 12 and 1 <= second <= 12:
            day, month = first, second
        elif second > 12 and 1 <= first <= 12:
            day, month = second, first
        elif first == second and 1 <= first <= 12:
            day = month = first
        else:
            return None  # "03/04": March or April? Refuse rather than guess.
        return _day_of_month(day, month, year, today)
    words = text.replace(",", " ").split()
    if len(words) not in (2, 3):
        return None
    year_word = words[2] if len(words) == 3 else None
    if year_word is not None and not re.fullmatch(r"\d{4}", year_word):
        return None
    for day_word, month_word in ((words[0], words[1]), (words[1], words[0])):
        day_word = re.sub(r"(st|nd|rd|th)$", "", day_word)
        month_number = _MONTH_ALIASES.get(month_word.rstrip("."))
        if month_number is not None and re.fullmatch(r"\d{1,2}", day_word):
            year = int(year_word) if year_word else None
            return _day_of_month(int(day_word), month_number, year, today)
    return None


def _parse(raw: str, now: datetime, tz: tzinfo | None) -> datetime | None:
    text = " ".join(raw.strip().lower().split())
    # What describe_when prints can be typed back: drop its "(in 1 d 1 h)".
    text = re.sub(r"\s*\((?:in [^()]*|[^()]* ago|now)\)$", "", text)
    if not text or len(text) > 100:
        return None
    if text == "now":
        return now

    # Relative: "+4h", "-30m", "in 3 hours", "2 hours ago".
    sign = 0
    body = text
    if text[0] in "+-":
        sign, body = (1 if text[0] == "+" else -1), text[1:].strip()
    elif text.startswith("in "):
        sign, body = 1, text[3:]
    elif text.endswith(" ago"):
        sign, body = -1, text[:-4]
    if sign:
        span = _duration(body)
        return now + sign * span if span is not None else None

    # Absolute ISO forms: "2026-11-27", "2026-11-27 17:00", "2026-11-27T17:00:00+01:00", "...Z".
    if _ISO_DATE_RE.match(text):
        return _parse_iso(text, tz)

    today = _to_local(now, tz).date()
    head, clock = _split_clock(text)
    if head == "":
        if clock is None:
            return None
        # A bare time is the next such moment: later today, or tomorrow.
        result = _localize(today, clock, tz)
        if result <= now:
            result = _localize(today + timedelta(days=1), clock, tz)
        return result
    at = clock or time(0)

    head = head.removeprefix("on ").removeprefix("next ").removeprefix("this ")
    relative_days = {"today": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "yesterday": -1}
    if head in relative_days:
        return _localize(today + timedelta(days=relative_days[head]), at, tz)

    weekday = _WEEKDAY_ALIASES.get(head.rstrip(".,"))
    if weekday is not None:
        ahead = (weekday - today.weekday()) % 7
        result = _localize(today + timedelta(days=ahead), at, tz)
        if result <= now:
            result = _localize(today + timedelta(days=ahead + 7), at, tz)
        return result

    # A date, optionally after its weekday ("fri 27 nov"); a weekday that does not match is refused.
    first, _, rest = head.partition(" ")
    named_weekday = _WEEKDAY_ALIASES.get(first.rstrip(".,"))
    date_text = rest if named_weekday is not None else head
    day = _named_date(date_text, today)
    if day is not None and named_weekday is not None and day.weekday() != named_weekday:
        # "Thu 1 Jan" written this year (as describe_when prints it) rather than next year's.
        day = _named_date(date_text, date(today.year, 1, 1))
        if day is not None and day.weekday() != named_weekday:
            return None
    if day is None:
        return None
    return _localize(day, at, tz)


def _parse_iso(text: str, tz: tzinfo | None) -> datetime | None:
    """ISO 8601 with or without a zone (without: read in `tz`); also "2026-11-27 5pm"."""
    day = date.fromisoformat(text[:10])
    rest = text[10:]
    if not rest:
        return _localize(day, time(0), tz)
    if rest[0] not in " t":
        return None
    candidate = f"{text[:10]}T{rest[1:]}"
    if candidate.endswith("z"):
        candidate = candidate[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        clock = _clock(rest.strip().removeprefix("at ").removeprefix("by "))
        return _localize(day, clock, tz) if clock is not None else None
    if parsed.tzinfo is None:
        return _localize(parsed.date(), parsed.time(), tz)
    return parsed.astimezone(UTC)
