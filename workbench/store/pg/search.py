"""Full-text search on the server: the text a case is indexed by, folded as the local index folds
it (lower case, accents removed, split into letters and digits like FTS5's unicode61), and the
user's search turned into a `tsquery` with the same meaning as the local FTS query (every chunk
required, a chunk's words as a phrase, the word being typed as a prefix)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from workbench.store.search import _NOT_PREFIXES, _PREFIX_MIN, _SIMILAR_WORDS, _UNSAFE

_WORD = re.compile(r"[^\W_]+")

# ts_rank's weights for the labels {D, C, B, A} (each at most 1): title (A) 3, search text (B)
# 1, customer (C) 0.5, in the proportions the local bm25 weighs the three columns.
RANK_WEIGHTS = "{0.0, 0.1667, 0.3333, 1.0}"


def fold(text: str) -> str:
    """Lower case without accents ("Café" -> "cafe"), as unicode61 remove_diacritics 2 folds."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of `text`, as the index holds them."""
    return _WORD.findall(fold(_UNSAFE.sub(" ", text)))


def indexed(text: str) -> str:
    """What `to_tsvector('simple', ...)` is given: the folded words joined by spaces, so the
    server's parser sees only plain words and splits nothing differently from here."""
    return " ".join(words(text))


PREFIX_LENGTH = 3  # the prefixes `search_prefixes` holds: "exp" for export, expired, ...


class Match(NamedTuple):
    """A search on the server: `words` for the search vector (a tsquery), and a three-letter
    prefix typed alone as the last chunk ("exp"), looked up in the prefix vector instead: as a
    `exp:*` of the search vector it merges every word that starts with it (50 ms at 100,000
    cases), as an exact lexeme of the prefix vector it is one index entry."""

    words: str | None
    prefix: str | None


def prefixes(text: str) -> str:
    """The three-letter prefixes of the words of `text`, each once: the prefix vector's text."""
    return " ".join(sorted({w[:PREFIX_LENGTH] for w in words(text) if len(w) >= PREFIX_LENGTH}))


def server_match(text: str, *, prefix: bool | None = None) -> Match | None:
    """`ts_query` as the store asks it: a last chunk that is one word of three letters or
    digits typed as a prefix goes to the prefix vector (see Match)."""
    query = ts_query(text, prefix=prefix)
    if query is None:
        return None
    phrases = query.split(" & ")
    last = phrases[-1]
    word = last[1:-3] if last.startswith("(") and last.endswith(":*)") else ""
    if len(word) == PREFIX_LENGTH and " " not in word:
        rest = " & ".join(phrases[:-1]) or None
        return Match(rest, word)
    return Match(query, None)


def ts_query(text: str, *, prefix: bool | None = None) -> str | None:
    """User text -> a `to_tsquery('simple', ...)` string (see search.fts_query for the rules):
    each whitespace-separated chunk a phrase of its words (`<->`), all chunks required (`&`),
    the last word a prefix (`:*`) once it is three letters long and not a common word, or
    always with `prefix=True`. Only folded letters and digits reach the query: no syntax gets
    through. None when there is no word."""
    clean = _UNSAFE.sub(" ", text)
    chunks = [words(chunk) for chunk in clean.split()]
    chunks = [chunk for chunk in chunks if chunk]
    if not chunks:
        return None
    last = chunks[-1][-1]
    typing = not clean[-1].isspace()
    cheap = len(last) >= _PREFIX_MIN and last not in _NOT_PREFIXES
    star = typing and (prefix or (prefix is None and cheap))
    phrases = [" <-> ".join(chunk) for chunk in chunks]
    if star:
        phrases[-1] += ":*"
    return " & ".join(f"({phrase})" for phrase in phrases)


def any_word_ts_query(terms: Iterable[str]) -> str | None:
    """The similar-case pool's query: any of the words of `terms`, exact (no prefixes), the
    first `_SIMILAR_WORDS` distinct ones; None when there is no word."""
    found = list(dict.fromkeys(w for term in terms for w in words(term)))[:_SIMILAR_WORDS]
    return " | ".join(found) if found else None
