"""Small helpers the rule modules share: aware times and whole-word phrase matching."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache


def aware_utc(value: datetime) -> datetime:
    """Rules compare instants; a naive time is taken to be UTC, as the models do."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@lru_cache(maxsize=512)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern for a word list entry ("a lot" matches "A  lot")."""
    words = [re.escape(word) for word in phrase.split()]
    body = r"\s+".join(words) if words else re.escape(phrase)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def find_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases of a list that occur in `text` as whole words, in list order, without repeats."""
    if not text.strip():
        return []
    found: list[str] = []
    for phrase in phrases:
        if phrase.strip() and phrase not in found and phrase_pattern(phrase).search(text):
            found.append(phrase)
    return found


def quoted(items: Iterable[str]) -> str:
    """`"a", "b"` for messages."""
    return ", ".join(f'"{item}"' for item in items)
