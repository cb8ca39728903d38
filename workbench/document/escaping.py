"""Render-side escaping: a sanitized value as Markdown that reads back as exactly that value.

The parse recognises structure (labels, separators, the placeholder, line breaks) in plainly
written characters only, so escaping a character is what keeps user text from becoming structure:
punctuation that could start Markdown syntax, separators inside a value, a label's colon at a line
start, and whitespace at the edges of a value or line (as `&#32;`-style references)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from workbench.document.structure import BASELINE_LABELS, ENVIRONMENT_LABELS

if TYPE_CHECKING:
    from workbench.playbook import Document

__all__ = ["ASCII_PUNCT", "NO_CHARS", "Esc", "code_span", "escape", "label_start"]

ASCII_PUNCT = frozenset(string.punctuation)
# Always escaped: code spans, emphasis, links and placeholders, HTML and autolinks, table pipes,
# strikethrough and tilde fences. `>` only where it means something: a block quote at a line start,
# and the "->" that separates an action from its outcome.
_ALWAYS = frozenset("`*[]<|~")
_INLINE_SPECIAL = re.compile(r"[`*\[\]<|~\\_&]|->")
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_ORDERED_MARKER = re.compile(r"\d{1,9}[.)](?=[ \t]|$)")
_HEADING_MARKER = re.compile(r"#+(?=[ \t]|$)")
_INPUT_COLON = re.compile(r"input[ \t]*:", re.IGNORECASE)
NO_CHARS: frozenset[str] = frozenset()


def _ref(ch: str) -> str:
    return f"&#{ord(ch)};"


@lru_cache(maxsize=16)
def label_start(doc: Document) -> re.Pattern[str]:
    """Every label of the document followed by a colon: a line of user text that starts like this
    gets its colon escaped, so it can never be read as a field of its own."""
    labels = {
        doc.title_label,
        doc.severity_label,
        doc.routed_label,
        *doc.labels.model_dump().values(),
        *(choice.label for choice in doc.ask_types),
        *BASELINE_LABELS.values(),
        *ENVIRONMENT_LABELS.values(),
    }
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})[ \t]*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Esc:
    """How to escape one value: where it sits and which separators it must not forge."""

    labels: re.Pattern[str]
    indent: str = ""  # continuation lines start with this (the list item's content column)
    line_start: bool = False  # the value's first line starts a Markdown line
    extra: frozenset[str] = NO_CHARS  # more characters to escape everywhere (";")
    input_colon: bool = False  # escape the colon of "input:" (a step's action)
    single_line: bool = False  # newlines as references (a heading cannot break a line)


def escape(value: str, how: Esc) -> str:
    """`value` (already sanitized) as Markdown that reads back as exactly `value`."""
    if not value:
        return ""
    core = value.strip("\n")
    if not core:
        return "&#10;" * len(value)
    lead = len(value) - len(value.lstrip("\n"))
    trail = len(value) - lead - len(core)
    lines = core.split("\n")
    parts = [
        _escape_line(line, how, at_start=how.line_start or i > 0) for i, line in enumerate(lines)
    ]
    joiner = "&#10;" if how.single_line else "\\\n" + how.indent
    return "&#10;" * lead + joiner.join(parts) + "&#10;" * trail


def _escape_line(line: str, how: Esc, *, at_start: bool) -> str:
    if not line:
        return ""
    special: dict[int, str] = {}
    first = line[0]
    if at_start and not how.single_line:
        if first in "-+=>":
            special[0] = "\\" + first
        elif first == "#" and _HEADING_MARKER.match(line):
            special[0] = "\\#"
        elif first.isdigit():
            marker = _ORDERED_MARKER.match(line)
            if marker:
                special[marker.end() - 1] = "\\" + line[marker.end() - 1]
    label = how.labels.match(line)
    if label:
        special[label.end() - 1] = "\\:"
    if how.input_colon:
        for match in _INPUT_COLON.finditer(line):
            special[match.end() - 1] = "\\:"
    if first.isspace():
        special[0] = _ref(first)
    if line[-1].isspace():  # Markdown drops spaces before a line break and at the end
        special[len(line) - 1] = _ref(line[-1])
    if not special and not _INLINE_SPECIAL.search(line) and not any(c in line for c in how.extra):
        return line
    out: list[str] = []
    size = len(line)
    for i, ch in enumerate(line):
        replacement = special.get(i)
        if replacement is not None:
            out.append(replacement)
        elif ch in _ALWAYS or ch in how.extra:
            out.append("\\" + ch)
        elif ch == "\\":
            after = line[i + 1] if i + 1 < size else ""
            plain = after and after not in ASCII_PUNCT and not after.isspace()
            out.append("\\" if plain and (i + 1) not in special else "\\\\")
        elif ch == "_":
            inside = 0 < i < size - 1 and line[i - 1].isalnum() and line[i + 1].isalnum()
            out.append("_" if inside else "\\_")
        elif ch == "&" and _ENTITY_LIKE.match(line, i):
            out.append("\\&")
        elif ch == ">" and i and line[i - 1] == "-":
            out.append("\\>")
        else:
            out.append(ch)
    return "".join(out)


def code_span(text: str) -> str | None:
    """`text` as one code span that reads back exactly, or None when it cannot be one (a newline)."""
    if "\n" in text or not text:
        return None
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = (
        text[0] == "`"
        or text[-1] == "`"
        or (text[0] == " " and text[-1] == " " and text.strip(" ") != "")
    )
    return f"{fence} {text} {fence}" if pad else f"{fence}{text}{fence}"
