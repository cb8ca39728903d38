"""Packing and diffs: a case as the JSON the store keeps (zlib-packed), the leaf-by-leaf diff a
save records as events, and the fixed-width time text the list columns sort by."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from workbench.store.errors import UnstorableTextError

if TYPE_CHECKING:
    from pydantic import ValidationError

    from workbench.models import Escalation

# Bookkeeping fields that change on every save; they are not "changes" worth an event.
_NOT_DIFFED = frozenset({"revision", "updated_at"})
_MISSING = object()
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# zlib: a case's JSON to about 41% (5.6 kB -> 2.3 kB on generated cases). Every save packs the
# whole case: level 3 does it in under half level 6's time (0.06 against 0.14 ms for a 16 kB
# case) for 4% more bytes; any level unpacks the same way.
_PACK_LEVEL = 3


def case_json(case: Escalation) -> str:
    """The case as JSON. Text UTF-8 cannot hold (a lone surrogate, from a JSON import's
    `\\ud800` or a broken paste) is refused like any write that cannot be done: an
    UnstorableTextError naming the field, never an unexpected exception. The screens copy a case
    through it too, so a paste is refused with the same words before it reaches the store."""
    from pydantic_core import PydanticSerializationError

    try:
        return case.model_dump_json()
    except PydanticSerializationError as exc:
        where = next(
            (
                path
                for path, value in flatten(case.model_dump()).items()
                if isinstance(value, str) and _SURROGATE.search(value)
            ),
            "a field",
        )
        raise UnstorableTextError(
            f"not saved: {where} holds a character that cannot be stored (a lone "
            f"surrogate, not valid Unicode text)"
        ) from exc


def first_error(exc: ValidationError) -> str:
    """A validation error's first complaint on one line: where in the document, and what."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(document)"
    return f"{where}: {first['msg']}"


def pack_document(text: str) -> bytes:
    """A case's JSON as stored: zlib-compressed UTF-8. Most of a case is prose and a running
    log, which compresses well; the list, the search and the dashboard read their own columns."""
    return zlib.compress(text.encode("utf-8"), _PACK_LEVEL)


def unpack_document(value: object) -> str:
    """A stored case's JSON: packed (bytes) since schema 3, plain text before, and readable both
    ways. Anything else, or bytes that do not inflate, is a ValueError (a damaged value)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return zlib.decompress(value).decode("utf-8")
        except (zlib.error, UnicodeDecodeError) as exc:
            raise ValueError(f"a stored case does not unpack ({exc})") from exc
    raise ValueError(f"a stored case is neither text nor packed bytes ({type(value).__name__})")


def iso(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# -- diffs ------------------------------------------------------------------------------------------
def flatten(doc: object, prefix: str = "") -> dict[str, object]:
    """JSON document -> {"reproduction.steps.0.action": leaf}. Empty lists and objects have no
    leaves; None is a leaf."""
    out: dict[str, object] = {}
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix] = doc
    return out


def _encode(value: object) -> str | None:
    return None if value is _MISSING else json.dumps(value, ensure_ascii=False)


def diff_documents(
    old: Mapping[str, object], new: Mapping[str, object]
) -> list[tuple[str, str | None, str | None]]:
    """(path, old JSON, new JSON) for every leaf that differs; absent leaves are None. The
    changed leaves in the new document's order, then those it no longer has.

    Every save diffs the whole case (a keystroke's save too), so equal subtrees are skipped
    whole: compared as objects, then as JSON text (1 == True == 1.0 in Python, not in the
    document), both at C speed; only the subtrees that differ are walked leaf by leaf. The text
    is pydantic-core's (about three times json's speed): only the comparison needs it."""
    from pydantic_core import to_json

    present: list[tuple[str, str | None, str | None]] = []
    removed: list[tuple[str, str | None, str | None]] = []
    for key in [*new, *(k for k in old if k not in new)]:
        if key in _NOT_DIFFED:
            continue
        _diff(old.get(key, _MISSING), new.get(key, _MISSING), str(key), present, removed, to_json)
    if len(removed) > 1:  # rare (a step deleted): in the old document's order
        order = {path: index for index, path in enumerate(flatten(dict(old)))}
        removed.sort(key=lambda change: order[change[0]])
    return present + removed


def _diff(
    was: object,
    now: object,
    path: str,
    present: list[tuple[str, str | None, str | None]],
    removed: list[tuple[str, str | None, str | None]],
    as_json: Callable[[object], bytes],
) -> None:
    same = was is not _MISSING and now is not _MISSING and was == now
    if same and as_json(was) == as_json(now):
        return
    if isinstance(was, dict) and isinstance(now, dict):
        for key in [*now, *(k for k in was if k not in now)]:
            _diff(
                was.get(key, _MISSING),
                now.get(key, _MISSING),
                f"{path}.{key}",
                present,
                removed,
                as_json,
            )
        return
    if isinstance(was, list) and isinstance(now, list):
        for index in range(max(len(was), len(now))):
            _diff(
                was[index] if index < len(was) else _MISSING,
                now[index] if index < len(now) else _MISSING,
                f"{path}.{index}",
                present,
                removed,
                as_json,
            )
        return
    # A leaf, or a container against a leaf or nothing: its leaves, compared one by one.
    before = {} if was is _MISSING else flatten(was, path)
    after = {} if now is _MISSING else flatten(now, path)
    for leaf in after:
        old_text, new_text = _encode(before.get(leaf, _MISSING)), _encode(after[leaf])
        if old_text != new_text:
            present.append((leaf, old_text, new_text))
    for leaf in before:
        if leaf not in after:
            removed.append((leaf, _encode(before[leaf]), None))
