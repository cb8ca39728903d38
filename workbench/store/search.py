"""Full-text search: user text to a safe FTS5 query, the text a case is indexed by, and the FTS
reads the list and the similar-case pool build on."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from workbench.store.migrations import FTS_PREFIX

if TYPE_CHECKING:
    from workbench.models import Escalation

# The words of a similar-case query: letters and digits only, so no FTS syntax gets through.
_TERM = re.compile(r"[^\W_]+")

# Control characters end an FTS query string early (NUL) or cannot be encoded (lone surrogates).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")

_PREFIX_MIN = 3  # letters or digits before the word being typed is searched as a prefix
# Words in nearly every case: as a prefix ("the*": the, then, there, these, ...) each merges most
# of the index (0.3 s at 100,000 cases), and nobody means "words starting with the".
_NOT_PREFIXES = frozenset({
    "the", "and", "for", "are", "but", "not", "was", "you", "all", "any", "can", "has", "had",
    "her", "his", "its", "our", "out", "who", "how", "why", "what", "when", "where", "which",
    "there", "their", "them", "then", "than", "they", "this", "that", "these", "those", "with",
    "from", "into", "have", "been", "were", "will", "would", "could", "should", "about", "after",
    "before",
})  # fmt: skip
_SIMILAR_WORDS = 64  # at most this many words in a similar-case query


class Hits(NamedTuple):
    """An FTS query whose matches `Store.page` read into temp.search_hits, and how many."""

    match: str
    found: int


def fts_query(text: str, *, prefix: bool | None = None) -> str | None:
    """User text -> a safe FTS5 query. Each whitespace-separated chunk becomes a quoted phrase
    (quotes doubled), so quotes, AND/OR/NOT, NEAR, column filters and stray punctuation mean
    nothing, and FTS splits the chunk with the same tokenizer that indexed the text ("foo-bar"
    finds "foo bar"). All chunks are required. None when there is no searchable word.

    The last chunk is a prefix while it is being typed (no trailing space): with `prefix=True`
    always; by default only once its last word holds three letters or digits and is not a word
    found in nearly every case ("the"). A short or common prefix ("e*", "ex*", "the*") matches
    most cases and costs a merge of most of the index; the store tries it only when the words
    as typed find nothing (`match_query`)."""
    clean = _UNSAFE.sub(" ", text)
    chunks = [chunk for chunk in clean.split() if any(ch.isalnum() for ch in chunk)]
    if not chunks:
        return None
    terms = ['"' + chunk.replace('"', '""') + '"' for chunk in chunks]
    if not clean[-1].isspace():
        words = _TERM.findall(chunks[-1])
        last = words[-1] if words else chunks[-1]
        cheap = len(last) >= _PREFIX_MIN and last.lower() not in _NOT_PREFIXES
        if prefix or (prefix is None and cheap):
            terms[-1] += "*"
    return " ".join(terms)


def lookup_cheap(match: str) -> bool:
    """Whether FTS answers "does this case match?" for `match` (an fts_query) from single index
    entries: every prefix in it is one the prefix index holds (FTS_PREFIX letters or digits).
    Any other prefix is a merge of every word it starts, on each lookup."""
    for phrase in re.findall(r'"((?:[^"]|"")*)"\*', match):
        words = _TERM.findall(phrase.replace('""', '"'))
        if not words or len(words[-1]) != FTS_PREFIX:
            return False
    return True


def any_word_query(terms: Iterable[str]) -> str | None:
    """The similar-case pool's FTS query: any of the words in `terms`, exact (no prefixes), the
    first `_SIMILAR_WORDS` distinct ones; None when there is no word."""
    words = list(dict.fromkeys(w for term in terms for w in _TERM.findall(term)))
    words = words[:_SIMILAR_WORDS]
    return " OR ".join(f'"{word}"' for word in words) if words else None


def search_text(case: Escalation) -> str:
    """What full-text search sees besides title and customer: the symptom, lessons learned and
    de-escalation findings, the notes on checklist items, and the whole running log."""
    parts = [case.component, case.narrative, case.reproduction.observed]
    parts.append(case.reproduction.evidence)  # exact error text is what agents search for
    parts.extend(case.unplaced)  # an imported report's prose the import could not place
    if case.resolution is not None:
        parts.append(case.resolution.lessons_learned)
    if case.de_escalation is not None:
        parts += [case.de_escalation.outcome, case.de_escalation.findings]
    parts.extend(answer.note for answer in case.triage.values())
    for entry in case.log:
        parts += [entry.summary, entry.detail, entry.expectation]
    return "\n".join(part for part in parts if part)


def match_query(conn: sqlite3.Connection, query: str | None) -> str | None:
    """The FTS query for the search text: the words as typed, or, when they find nothing and
    the last word is still being typed, that word as a prefix ("hp" for HPE, "50" for 502:
    too short or too common to be tried first, see fts_query)."""
    match = fts_query(query) if query else None
    if match is None or query is None:
        return None
    wide = fts_query(query, prefix=True)
    if wide is None or wide == match:
        return match
    probe = "SELECT 1 FROM cases_fts WHERE cases_fts MATCH ? LIMIT 1"
    return wide if conn.execute(probe, (match,)).fetchone() is None else match
