"""Times in the document: written in one form that always reads back to the same instant, and read
in that form or the ISO 8601 forms an agent types."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

__all__ = ["format_time", "parse_time"]

# Zone abbreviations the parse understands. The renderer writes an abbreviation only when it maps back
# to the same offset here; otherwise it writes the offset (+05:45), so a time always round-trips.
_ZONES: dict[str, timedelta] = {
    name: timedelta(minutes=minutes)
    for name, minutes in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "WET": 0,
        "WEST": 60,
        "BST": 60,
        "CET": 60,
        "CEST": 120,
        "EET": 120,
        "EEST": 180,
        "MSK": 180,
        "IST": 330,
        "PKT": 300,
        "SGT": 480,
        "HKT": 480,
        "AWST": 480,
        "JST": 540,
        "KST": 540,
        "ACST": 570,
        "ACDT": 630,
        "AEST": 600,
        "AEDT": 660,
        "NZST": 720,
        "NZDT": 780,
        "BRT": -180,
        "ART": -180,
        "EST": -300,
        "EDT": -240,
        "CST": -360,
        "CDT": -300,
        "MST": -420,
        "MDT": -360,
        "PST": -480,
        "PDT": -420,
        "AKST": -540,
        "AKDT": -480,
        "HST": -600,
    }.items()
}


def _offset_label(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    label = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{label}:{secs:02d}" if secs else label


def format_time(value: datetime, tz: tzinfo | None = None) -> str:
    """`YYYY-MM-DD HH:MM ZONE` in `tz` (None: local time): to the minute, as the app shows times (the
    seconds are dropped, not rounded), with the zone's abbreviation when it reads back to the same
    offset, else the offset."""
    local = value.astimezone(tz) if tz is not None else value.astimezone()
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    offset = local.utcoffset() or timedelta(0)
    name = local.tzname() or ""
    if name.isalpha() and _ZONES.get(name.upper()) == offset:
        zone = name
    elif not offset:
        zone = "UTC"
    else:
        zone = _offset_label(offset)
    return f"{text} {zone}"


_TIME_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ \t]+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?"
    r"(?:[ \t]*(?:(?P<name>[A-Za-z]{1,5})|(?P<offset>[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)))?"
)


def parse_time(text: str, tz: tzinfo | None = None) -> datetime | None:
    """The inverse of `format_time`, and the ISO 8601 forms an agent types; None when `text` is not
    one exact date and time. A time without a zone is read in `tz` (None: local time)."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    micro = int((match.group(7) or "0").ljust(6, "0"))
    zone: tzinfo | None
    if match.group("name"):
        offset = _ZONES.get(match.group("name").upper())
        if offset is None:
            return None
        zone = timezone(offset)
    elif match.group("offset"):
        digits = match.group("offset")[1:].replace(":", "")
        delta = timedelta(
            hours=int(digits[0:2]), minutes=int(digits[2:4] or 0), seconds=int(digits[4:6] or 0)
        )
        if delta >= timedelta(hours=24):
            return None
        zone = timezone(-delta if match.group("offset")[0] == "-" else delta)
    else:
        zone = tz
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()
