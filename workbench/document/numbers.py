"""Numbers as people write them in a document's impact lines: counts ("about 40 accounts", "twelve",
"2,300 end users"), money ("$1,240,000", "1.2M ARR", "€12k", "USD 40,000", "$240K"), and the
customers a line names. Pure functions of the text; each result says how it was read."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Amount", "Count", "amounts", "counts", "customer_names"]

_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "a dozen": 12, "a hundred": 100, "hundred": 100, "a single": 1, "single": 1,
}  # fmt: skip
_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9,
           "thousand": 1e3, "million": 1e6, "billion": 1e9}  # fmt: skip
_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "a$": "AUD",
            "au$": "AUD", "c$": "CAD", "ca$": "CAD", "nz$": "NZD", "chf": "CHF", "₹": "INR",
            "r$": "BRL", "kr": "SEK"}  # fmt: skip
_CODES = ("USD", "EUR", "GBP", "AUD", "CAD", "CHF", "JPY", "NZD", "SEK", "NOK", "DKK", "INR",
          "BRL", "MXN", "SGD", "HKD", "ZAR", "PLN", "CZK")  # fmt: skip
_APPROX = re.compile(
    r"(?:about|around|approx\.?|approximately|roughly|nearly|almost|some|~|≈|circa|ca\.|over|"
    r"more than|at least|up to|all|all of|at most|under|less than|est\.?)\s*$",
    re.IGNORECASE,
)

_NUMBER = r"\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CODE = "|".join(_CODES)
_MONEY = re.compile(
    rf"(?P<pre>US\$|AU?\$|CA?\$|NZ\$|R\$|[$€£¥₹]|(?:{_CODE})\s?)\s?(?P<n1>{_NUMBER})"
    rf"(?:\s?(?P<s1>k|mm|m|bn|b|thousand|million|billion)\b)?"
    rf"|(?<![\w.,])(?P<n2>{_NUMBER})(?:\s?(?P<s2>k|mm|m|bn|b|thousand|million|billion)\b)?"
    rf"\s?(?P<post>[€£$]|(?:{_CODE})\b|ARR\b|MRR\b)",
    re.IGNORECASE,
)
_COUNT = re.compile(
    rf"(?<![\w.$€£¥/-])(?P<n>{_NUMBER})(?![\w$€£%/:-]|\.\d|,\d)"
    r"|\b(?P<w>a dozen|a hundred|a single|"
    + "|".join(sorted(_WORDS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_USERS = re.compile(
    r"^\s*(?:[\w-]+\s+){0,2}?(?:end[- ]?users?|users?|seats?|employees|people|staff|members|"
    r"students|agents|editors|learners|licen[cs]es|logins|admins)\b",
    re.IGNORECASE,
)


def _value(number: str, suffix: str | None) -> float:
    value = float(re.sub(r"[,\u202f\u00a0 ]", "", number))
    if suffix:
        value *= _SUFFIX[suffix.lower()]
    return value


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str  # ISO code, "" when none written
    start: int
    end: int
    text: str
    approximate: bool

    def how(self) -> str:
        cur = f" {self.currency}" if self.currency else " (no currency written)"
        approx = " (approximate)" if self.approximate else ""
        return f"{self.text!r} = {self.value:,.0f}{cur}{approx}"


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int
    text: str
    approximate: bool
    users: bool  # followed by "users", "seats", ...

    def how(self) -> str:
        approx = " (approximate)" if self.approximate else ""
        return f"{self.text!r} = {self.value:,}{approx}"


def _currency(pre: str | None, post: str | None) -> str:
    for mark in (pre, post):
        if not mark:
            continue
        mark = mark.strip()
        if mark.upper() in _CODES:
            return mark.upper()
        if mark.lower() in _SYMBOLS:
            return _SYMBOLS[mark.lower()]
    return ""


def amounts(text: str) -> list[Amount]:
    """The money amounts of a line, in order."""
    found: list[Amount] = []
    for match in _MONEY.finditer(text):
        if match.group("n1"):
            number, suffix = match.group("n1"), match.group("s1")
        else:
            number, suffix = match.group("n2"), match.group("s2")
        post = match.group("post")
        if post and post.upper() in ("ARR", "MRR") and not suffix and _value(number, None) < 1000:
            continue  # "3 ARR" is not an amount
        currency = _currency(match.group("pre"), post)
        approx = bool(_APPROX.search(text[: match.start()]))
        found.append(
            Amount(_value(number, suffix), currency, match.start(), match.end(), match.group(0),
                   approx)
        )  # fmt: skip
    return found


def counts(text: str) -> list[Count]:
    """The whole-number counts of a line (not money, dates, times, versions or percentages)."""
    found: list[Count] = []
    money = [(a.start, a.end) for a in amounts(text)]
    for match in _COUNT.finditer(text):
        if any(a <= match.start() < b for a, b in money):
            continue
        if match.group("n"):
            raw = match.group("n")
            if "." in raw:
                continue
            value = int(re.sub(r"[,\u202f\u00a0 ]", "", raw))
        else:
            raw = match.group("w")
            value = _WORDS[raw.lower()]
        approx = bool(_APPROX.search(text[: match.start()]))
        users = bool(_USERS.match(text[match.end() :]))
        found.append(Count(value, match.start(), match.end(), raw, approx, users))
    return found


# -- customer names ---------------------------------------------------------------------------------
_MARKER = re.compile(
    r"\b(?:named|incl\.?|including|e\.g\.?|eg|such as|notably|namely|i\.e\.?|"
    r"the (?:biggest|largest|main|key) (?:ones )?(?:are|is)|among them)\s*:?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*")
_PAREN = re.compile(r"\(([^()]*)\)")
_COUNT_PREFIX = re.compile(r"^[^A-Z]*$")


def _names(text: str) -> list[str]:
    names: list[str] = []
    for part in _SPLIT.split(text):
        part = _PAREN.sub("", part).strip(" .,:;")
        if not part or not (part[0].isupper() or (part[0].isdigit() and not part.isdigit())):
            continue
        if counts(part) and counts(part)[0].start == 0:
            continue
        names.append(part)
    return names


def _clean(names: list[str], source: str) -> list[str]:
    """Names keep a trailing period they were written with ("Kovács Kft.")."""
    out: list[str] = []
    for name in names:
        at = source.find(name)
        if (
            at >= 0
            and source[at + len(name) : at + len(name) + 1] == "."
            and name.split()[-1][:1].isupper()
            and len(name.split()[-1]) <= 4
        ):
            name += "."
        if name not in out:
            out.append(name)
    return out


def customer_names(line: str) -> list[str]:
    """The customers an "Affected customers" line names: after "named:", "incl.", "e.g.", in
    brackets after the count ("3 (A, B, C)"), or after the count and a colon ("2 customers: A, B");
    else the capitalised items of the line."""
    segments = [s for s in re.split(r";|\n", line) if s.strip()]
    for segment in segments:
        match = _MARKER.search(segment)
        if match is None:
            continue
        rest = segment[match.end() :]
        before = segment[: match.start()]
        if before.count("(") > before.count(")"):
            rest = rest.split(")")[0]
        names = _names(rest)
        if names:
            return _clean(names, rest)
    for segment in segments:
        paren = _PAREN.search(segment)
        if paren is not None and _COUNT_PREFIX.match(segment[: paren.start()]):
            before = counts(segment[: paren.start()])
            names = _names(paren.group(1).replace(";", ","))
            if names:
                if before and before[0].value == 1 and not before[0].users:
                    names = names[:1]
                return _clean(names, paren.group(1))
        head, colon, rest = segment.partition(":")
        if colon and _COUNT_PREFIX.match(head) and counts(head):
            names = _names(rest)
            if names:
                return _clean(names, rest)
    first = segments[0] if segments else ""
    return _clean(_names(first), first)
