"""What the CLI prints: sanitized text and table cells, JSON, and plain tables that fit the
terminal.

Everything printed from a case goes through `sanitize` (workbench/sanitize.py), so a field cannot
put terminal control sequences on the screen; JSON output escapes them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import click


def sanitize(text: str) -> str:
    from workbench.sanitize import sanitize as clean

    return clean(text)


def cell(text: object) -> str:
    """A table cell: sanitized, on one line."""
    return " ".join(sanitize("" if text is None else str(text)).split())


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def dumps(value: object) -> str:
    """JSON as UTF-8 text; C1 control characters (which JSON leaves raw) are escaped too."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def echo_json(value: object) -> None:
    click.echo(dumps(value))


def echo_text(text: str) -> None:
    clean = sanitize(text)
    click.echo(clean, nl=not clean.endswith("\n"))


def when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    from workbench import timetext

    return timetext.moment(moment, now)


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: wide East Asian characters 2, combining marks 0."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def fit(text: str, width: int) -> str:
    """`text` padded to `width` columns, or cut with "…" to fit them."""
    used = display_width(text)
    if used <= width:
        return text + " " * (width - used)
    kept: list[str] = []
    used = 0
    for ch in text:
        size = display_width(ch)
        if used + size > width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept) + "…" + " " * max(width - 1 - used, 0)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shrink: Sequence[tuple[int, int]],
    optional: Sequence[int] = (),
    last_resort: Sequence[tuple[int, int]] = (),
) -> Iterator[str]:
    """Plain aligned columns that fit the terminal. Too wide, the columns in `shrink` are cut to
    their minimum widths in that order; still too wide, the `optional` columns are left out one
    by one; then `last_resort` cuts further. Cut cells end in "…"."""
    shown = list(range(len(headers)))
    natural = [
        max([display_width(h), *(display_width(r[i]) for r in rows)]) for i, h in enumerate(headers)
    ]
    width = terminal_width()

    def fitted(steps: Sequence[tuple[int, int]]) -> tuple[dict[int, int], int]:
        widths = {i: natural[i] for i in shown}
        overflow = sum(widths.values()) + 2 * (len(shown) - 1) - width
        for column, minimum in steps:
            if overflow <= 0:
                break
            if column in widths:
                floor = max(minimum, display_width(headers[column]))
                cut = min(overflow, max(widths[column] - floor, 0))
                widths[column] -= cut
                overflow -= cut
        return widths, overflow

    widths, overflow = fitted(shrink)
    for column in optional:
        if overflow <= 0:
            break
        shown.remove(column)
        widths, overflow = fitted(shrink)
    if overflow > 0:
        widths, overflow = fitted([*shrink, *last_resort])
    for row in [headers, *rows]:
        yield "  ".join(fit(row[i], widths[i]) for i in shown).rstrip()


def terminal_width() -> int:
    import shutil

    return max(shutil.get_terminal_size((120, 24)).columns, 60)
