"""Ages and countdowns as the list and the panels show them, against the injected clock."""

from __future__ import annotations

from datetime import datetime


def format_age(start: datetime, now: datetime) -> str:
    """A compact age ("45m", "5h", "3d", "6w") measured against the injected clock."""
    seconds = max(0, int((now - start).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    days = seconds // 86400
    if days < 28:
        return f"{days}d"
    return f"{days // 7}w"


def format_countdown(due: datetime, now: datetime) -> str:
    """Time until (or since) a due time: "in 3h 10m", "2h 5m overdue"."""
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = f"{days}d {hours}h"
    elif hours:
        span = f"{hours}h {minutes:02d}m"
    else:
        span = f"{minutes}m"
    return f"{span} overdue" if overdue else f"in {span}"
