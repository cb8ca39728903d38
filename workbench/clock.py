"""The default clock. Everything that tells time takes a clock to call instead (tests and
`WORKBENCH_NOW` fix it); this is the one they get when nobody chose another."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as an aware UTC time."""
    return datetime.now(UTC)
