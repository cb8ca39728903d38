"""Reading a TOML file someone wrote by hand (a team's playbook, an agent's settings): every failure
is one line naming the file, and a mistake in it names the line too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def read_toml(path: Path, what: str, error: type[Exception]) -> tuple[str, dict[str, Any]]:
    """The file's text and its parsed TOML; `error` (with `what` the file is, "playbook") on a
    file that cannot be read, is not UTF-8, cannot be a path, or is not TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not UTF-8 text") from exc
    except ValueError as exc:  # a path no file system accepts (an embedded NUL)
        raise error(f"{path!r}: not a usable path ({exc})") from exc
    import tomllib  # here: the app starts without reading any TOML (no settings file, the
    # shipped playbook loaded after the first frame)

    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from exc


def line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line number of a location (a validation error's, a key's) in the TOML source.

    Walks the location path: a key is found at or after the previous match, and a list index `n`
    after a key skips to the n-th `[[...key]]` table of that array.
    """
    lines = text.splitlines()
    start = 0
    found: int | None = None
    parts = list(loc)
    for position, part in enumerate(parts):
        if isinstance(part, int):
            continue
        key = re.escape(part)
        index = parts[position + 1] if position + 1 < len(parts) else None
        if isinstance(index, int):
            header = re.compile(rf"^\s*\[\[[\w.]*\b{key}\]\]")
            hits = [i for i in range(start, len(lines)) if header.search(lines[i])]
            if index < len(hits):
                start = hits[index]
                found = start + 1
                continue
        pattern = re.compile(rf"^\s*(\[\[?[\w.]*\b{key}\]\]?|{key}\s*=)")
        for line_no in range(start, len(lines)):
            if pattern.search(lines[line_no]):
                found = line_no + 1
                start = line_no
                break
    return found
