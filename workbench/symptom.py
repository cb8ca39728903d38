"""The words a case's symptom is told in: stems, stopwords, field-weighted terms, and the words
of the full-text query that fetches similar candidates (`workbench.history` ranks them).

Imported reports carry prose the parser could not place under a heading (`case.unplaced`); it
counts as symptom text, without the labels of the template it was written from ("Steps to
reproduce:", "Expected result:"): two reports that share only a template share no symptom.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from workbench.models import Escalation

# Field weights: what a case says about its symptom, most telling first.
_FIELD_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("title", 2.0),
    ("observed", 1.5),
    ("narrative", 1.0),
    ("evidence", 1.0),
    ("steps", 0.5),
    ("expected", 0.5),
    ("unplaced", 0.75),  # what an import could not place: a hand-written report's prose
)

_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can cannot could did do does doing done down during each either else
    ever every few for from further get gets got had has have having he her here hers him his how i if
    in into is it its itself just let lets like may me might more most much must my no nor not now of
    off on once only or other our ours out over own per same she should since so some still such than
    that the their theirs them then there these they this those though through to too under until up
    upon us very via was we were what when where whether which while who whom why will with within
    without would yet you your yours
    customer customers user users issue issues problem problems case cases reported says said see seen seems see happen happens happened happening occur occurs occurred
    try tried trying still again also one two three today yesterday since now
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# Letters and digits of any script ("Überweisung" is one word), never the underscore.
_WORD = re.compile(r"[^\W_]+")


# The words of the case in hand and of its similar-case pool stay cached; a working day's long
# tail of rare words would not: at 65,536 entries the cache filled over the first 150 cases
# opened at 100,000 cases (11.6 MiB, half a day's RSS growth), with no measurable gain over
# 8,192 (30 rankings of the similar-case pool, 185 ms median either way, or uncached).
STEM_CACHE_SIZE = 8192


@lru_cache(maxsize=STEM_CACHE_SIZE)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match "exports"/"exporting"/"exported" to "export"."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement, min_len in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
        ("ly", "", 5),
    ):
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("shes", "ches", "xes", "sses", "zes")):
                continue
            base = word[: len(word) - len(suffix)] + replacement
            # "failed" -> "fail", "stopped" -> "stop", "timed" stays a word of its own
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]
            return base
    return word


def content_words(text: str) -> list[tuple[str, str]]:
    """(stem, word as written) for each content word of a text; stopwords and short numbers
    dropped. The stem is lower case; the word keeps its case ("CSV") for display."""
    out: list[tuple[str, str]] = []
    for written in _WORD.findall(text):
        word = written.lower()
        if word in _STOPWORDS or len(word) < 2:
            continue
        if word.isdigit() and len(word) < 3:
            continue
        out.append((stem(word), written))
    return out


def tokens(text: str) -> list[str]:
    """Content words of a text, lowercased and stemmed; stopwords and short numbers dropped."""
    return [term for term, _ in content_words(text)]


def surface_words(case: Escalation) -> dict[str, str]:
    """For each stem of a case's symptom text, the shortest word it came from (for the reasons)."""
    out: dict[str, str] = {}
    for term, written in content_words(symptom_text(case)):
        word = written.lower()
        if term not in out or len(word) < len(out[term]):
            out[term] = word
    return out


def _fields(case: Escalation) -> dict[str, str]:
    repro = case.reproduction
    return {
        "title": case.title,
        "observed": repro.observed,
        "narrative": case.narrative,
        "evidence": repro.evidence,
        "steps": " ".join(f"{s.action} {s.literal_input}" for s in repro.steps),
        "expected": repro.expected,
        "unplaced": unplaced_prose(case),
    }


# "Steps to reproduce:", "Expected result -", "Environment:": a template's label at a line's
# start: up to four words of letters, then a colon or a spaced dash.
_LABEL = re.compile(
    r"^[ \t]*[#>*_\-]*[ \t]*"  # Markdown around it: "## ", "- ", "**"
    r"[^\W\d_]+(?:[ \t]*[ /&][ \t]*[^\W\d_]+){0,3}"  # one to four words
    r"[*_]*[ \t]*(?::|[ \t][-\u2013\u2014])[*_]*(?:[ \t]+|$)",  # then ":" or " -"
    re.MULTILINE,
)


def unplaced_prose(case: Escalation) -> str:
    """What an import could not place, without the labels at its lines' starts."""
    return " ".join(_LABEL.sub("", text) for text in case.unplaced)


def symptom_text(case: Escalation) -> str:
    """All the text that describes the symptom, for display and for the full-text candidate query."""
    return " ".join(text for text in _fields(case).values() if text.strip())


def term_weights(case: Escalation) -> dict[str, float]:
    """Weighted term frequencies of a case's symptom text (sublinear, field-weighted)."""
    raw: dict[str, float] = {}
    fields = _fields(case)
    for name, weight in _FIELD_WEIGHTS:
        for term, count in Counter(tokens(fields[name])).items():
            raw[term] = raw.get(term, 0.0) + weight * (1.0 + math.log(count))
    return dict(raw)


def inflections(term: str) -> list[str]:
    """The usual English forms of a stem ("export" -> exports, exported, exporting), so an
    exact-word full-text query finds the other forms without slow prefix queries."""
    if term.isdigit() or len(term) < 3:
        return [term]
    if term.endswith("e"):
        return [term, term + "s", term + "d", term[:-1] + "ing"]
    forms = [term, term + "s", term + "ed", term + "ing"]
    if term.endswith(("s", "x", "z", "ch", "sh")):
        forms.append(term + "es")
    if term.endswith("y"):
        forms += [term[:-1] + "ies", term[:-1] + "ied"]
    return forms


def query_terms(case: Escalation, limit: int = 12, max_words: int = 64) -> list[str]:
    """Words for the full-text candidate query: the case's `limit` most telling stems, each with
    the forms the case used and its usual inflections, matched as exact words (OR).

    Exact words keep the query fast on a large history (prefix queries expand to every word that
    starts alike); the inflections keep "exports" finding "exporting". Only letters and digits.
    """
    weights: dict[str, float] = {}
    seen: dict[str, list[str]] = {}
    fields = _fields(case)
    fields["component"] = case.component
    for name, weight in (*_FIELD_WEIGHTS, ("component", 2.0)):
        for word in _WORD.findall(fields[name].lower()):
            if word in _STOPWORDS or len(word) < 3 or (word.isdigit() and len(word) < 3):
                continue
            term = stem(word)
            # longer words tend to be more specific; a small nudge breaks ties toward them
            weights[term] = weights.get(term, 0.0) + weight * (1.0 + min(len(term), 10) / 20)
            forms = seen.setdefault(term, [])
            if word not in forms:
                forms.append(word)
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    words: list[str] = []
    for term, _ in ranked[:limit]:
        for word in [*seen[term], *inflections(term)]:
            if word not in words:
                words.append(word)
    return words[:max_words]
