"""Deadlines as people write them: "2026-12-07 08:00 UTC", "Mon 2026-12-07 08:00 UTC", a bare date
("2026-12-15", "Thu 17 Dec 2026"), "Fri 11 Dec 17:00 UTC", "EOD Thursday 2026-12-10", "2026-12-11
EOD ET", "12/14/2026 09:00 ET", "14 Dec 2026, 9am PST", "Monday 2026-12-14 noon CET". A pure
function of (text, zone, now); the result says how it was read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["Deadline", "read_deadline"]

_FIXED: dict[str, float] = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "bst": 1,
    "ist": 5.5, "jst": 9, "kst": 9, "sgt": 8, "hkt": 8, "aest": 10, "aedt": 11, "acst": 9.5,
    "awst": 8, "nzst": 12, "nzdt": 13, "brt": -3, "art": -3, "est": -5, "edt": -4, "cst": -6,
    "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "akst": -9, "hst": -10, "msk": 3,
}  # fmt: skip
_REGIONS = {"et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
            "pt": "America/Los_Angeles"}  # fmt: skip
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?")
_SLASH = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?(?:\s+(\d{4}))?\b")
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\b(\d{1,2}):(\d{2})\b", re.I)
_EOD = re.compile(r"\b(?:eod|end of (?:the )?(?:business )?day|cob|close of business|eob)\b", re.I)
_NOON = re.compile(r"\b(?:noon|midday)\b", re.I)
_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?\b")
_ZONE = re.compile(r"\b([A-Za-z]{1,5})\b|\b([A-Z][a-z]+/[A-Za-z_]+)\b")
_WEEKDAY = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.I)
_RELATIVE = re.compile(r"\b(today|tomorrow|tonight)\b", re.I)


@dataclass(frozen=True)
class Deadline:
    at: datetime | None  # an instant
    day: date | None  # a date without a time
    how: str


def _zone(text: str, local: tzinfo) -> tuple[tzinfo | None, str]:
    match = _OFFSET.search(text)
    if match and re.search(r"(?:UTC|GMT)[+-]|[+-]\d{2}:?\d{2}\b", text):
        sign = -1 if match.group(1) == "-" else 1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return timezone(sign * delta), match.group(0)
    for token in re.findall(r"[A-Za-z]+/[A-Za-z_]+|[A-Za-z]+", text):
        lowered = token.lower()
        if lowered in _FIXED and (token.isupper() or lowered in ("utc", "gmt")):
            return timezone(timedelta(hours=_FIXED[lowered])), token
        if lowered in _REGIONS and token.isupper():
            return ZoneInfo(_REGIONS[lowered]), token
        if "/" in token:
            try:
                return ZoneInfo(token), token
            except (KeyError, ValueError):
                continue
    return None, ""


def _date(text: str, now: datetime) -> tuple[date | None, str]:
    match = _ISO.search(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3])), "ISO date"
    match = _SLASH.search(text)
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12:
            return date(year, second, first), "day/month/year"
        return date(year, first, second), "month/day/year (US)"
    for pattern, day_first in ((_DAY_MONTH, True), (_MONTH_DAY, False)):
        for match in pattern.finditer(text):
            day_s, month_s = (match[1], match[2]) if day_first else (match[2], match[1])
            month = _MONTHS.get(month_s[:3].lower())
            if month is None or (len(month_s) > 3 and not month_s.lower().startswith(
                    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                     "nov", "dec"))):  # fmt: skip
                continue
            if match[3]:
                return date(int(match[3]), month, int(day_s)), "day and month"
            candidate = date(now.year, month, int(day_s))
            if candidate < now.date() - timedelta(days=31):
                candidate = candidate.replace(year=now.year + 1)
            return candidate, f"day and month, year taken as {candidate.year}"
    match = _RELATIVE.search(text)
    if match:
        word = match[1].lower()
        return now.date() + timedelta(days=1 if word == "tomorrow" else 0), word
    match = _WEEKDAY.search(text)
    if match:
        wanted = _DAYS.index(match[1].lower()[:3])
        ahead = (wanted - now.weekday()) % 7 or 7
        return now.date() + timedelta(days=ahead), f"next {match[0]}"
    return None, ""


def read_deadline(text: str, local: tzinfo | None, now: datetime) -> Deadline | None:
    """The deadline a text states, or None when it states no date (an impossible one, such as
    31 Feb or 25:00, is no date: the text is kept as the agent wrote it)."""
    try:
        return _read_deadline(text, local, now)
    except ValueError:
        return None


def _read_deadline(text: str, local: tzinfo | None, now: datetime) -> Deadline | None:
    local = local or datetime.now().astimezone().tzinfo or UTC
    zone, zone_text = _zone(text, local)
    local_now = now.astimezone(zone or local)
    day, day_how = _date(text, local_now)
    if day is None:
        return None
    clock: time | None = None
    clock_how = ""
    iso = _ISO.search(text)
    rest = _ISO.sub(" ", text) if iso and iso.group(4) is None else text
    rest = _SLASH.sub(" ", rest)
    match = _CLOCK.search(rest)
    if iso and iso.group(4) is not None:
        clock, clock_how = time(int(iso[4]), int(iso[5])), "time as written"
    elif match:
        if match.group(3):
            hour = int(match.group(1)) % 12 + (12 if match.group(3).lower().startswith("p") else 0)
            clock = time(hour, int(match.group(2) or 0))
        else:
            clock = time(int(match.group(4)), int(match.group(5)))
        clock_how = "time as written"
    elif _NOON.search(text):
        clock, clock_how = time(12, 0), '"noon" = 12:00'
    elif _EOD.search(text):
        clock, clock_how = time(17, 0), '"EOD" = 17:00'
    if clock is None:
        return Deadline(None, day, f"a date without a time ({day_how})")
    where = zone or local
    when = datetime.combine(day, clock, tzinfo=where)
    if isinstance(where, ZoneInfo):
        when = when.replace(fold=0)
    zone_how = f"zone {zone_text}" if zone is not None else "no zone written: your zone"
    how = f"{day_how}, {clock_how}, {zone_how} -> {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return Deadline(when.astimezone(UTC), None, how)
