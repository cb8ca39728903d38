"""Render-side protection: a sanitized value written verbatim, and read back as exactly that value.

The document carries the typed text as it was typed, never backslash-escaped. A line that would
read back as structure (a block, a field, a section) goes whole into a code span; in a line that
would otherwise only render differently (Markdown) or read back differently (either format), each
run of words holding such a character goes into a code span of its own, so prose stays prose. A
code span takes a longer backtick fence when it holds backticks and a space pad when it starts or
ends with one. A value of several lines with more than one line that needs a span, or with empty
lines, goes into a fenced code block. The parse reads code spans and code blocks back as literal
text, so nothing inside them is structure: a line that would forge a section, a list item or a
label is neutralised by being in one. `encode_line` is the single place that decides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.document.sections import names_section
from workbench.document.structure import (
    ACTION_SEPARATORS,
    BASELINE_LABELS,
    ENVIRONMENT_LABELS,
    INPUT_SEPARATORS,
    NOT_APPLICABLE_LABEL,
)

if TYPE_CHECKING:
    from workbench.playbook import Document

__all__ = ["Esc", "code_span", "encode", "encode_line", "fence", "label_start"]

# Markdown: characters that change how a line renders (code, emphasis, links, HTML and autolinks,
# backslash escapes, GFM strikethrough and tables) and character references.
# A "<" before a blank or the line's end opens no tag or autolink ("x < y").
_MD_ACTIVE = re.compile(
    r"[`*\[\]|~\\]|<(?![ \t]|$)|&(?:#[0-9]|#[xX][0-9a-fA-F]|[A-Za-z][A-Za-z0-9]*;)"
)
# Plain text is read back by the same CommonMark parser, which keeps emphasis, raw HTML and
# unmatched brackets as typed; what it would change: backslash escapes, character references, code
# spans, autolinks, links and images, and link reference definitions ("[JIRA-1]: https://...",
# which vanish from the text).
_PLAIN_ACTIVE = re.compile(
    r"`|\\[!-/:-@\[-`{-~]|\\$|&(?:#[0-9]|#[xX][0-9a-fA-F]|[A-Za-z][A-Za-z0-9]*;)"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>|\]\(|\]\[|\]:|!\["
)
# A line start that could open a block: a list item, a heading, a quote, a fence, a table row, a
# thematic break or setext underline, an HTML block, an ordered list item.
_LINE_START = re.compile(
    r"[>|<]|#{1,6}(?:[ \t]|$)|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|~~~|```"
    r"|(?:[-*_][ \t]*){3,}$|[-=]+[ \t]*$"
)


_LABEL_STARTS: dict[tuple[int, tuple[str, ...]], tuple[Document, re.Pattern[str]]] = {}


def label_start(doc: Document, aliases: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Every label of the document, and `aliases` (the other names the parse takes for the labels
    of the section a value is in: `aliases.py`), followed by a colon or by a remark in brackets
    and a colon ("Evidence (HAR):"): a line of user text that starts like this would be read as a
    field of its own. Kept per document object (hashing a playbook's document per line of text
    cost more than the match)."""
    key = (id(doc), aliases)
    kept = _LABEL_STARTS.get(key)
    if kept is not None and kept[0] is doc:
        return kept[1]
    labels = {
        doc.title_label,
        doc.severity_label,
        doc.routed_label,
        NOT_APPLICABLE_LABEL,
        *doc.labels.model_dump().values(),
        *(choice.label for choice in doc.ask_types),
        *BASELINE_LABELS.values(),
        *ENVIRONMENT_LABELS.values(),
        *aliases,
    }
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    pattern = re.compile(rf"[ \t]*(?:{alternatives})[ \t]*(?:\([^)\n]*\)[ \t]*)?:", re.IGNORECASE)
    if len(_LABEL_STARTS) > 64:
        _LABEL_STARTS.clear()
    _LABEL_STARTS[key] = (doc, pattern)
    return pattern


@dataclass(frozen=True, slots=True)
class Esc:
    """Where a value sits and what it must not forge."""

    doc: Document
    plain: bool = False  # the plain-text format (fewer characters are active)
    indent: str = ""  # continuation lines start with this (the list item's content column)
    line_start: bool = False  # the value's first line starts a line of the document
    extra: str = ""  # more characters that are structure here (";" between parts)
    arrow: bool = False  # "->" and its kin are structure here (what was tried, before its outcome)
    step_input: bool = False  # " — input:" is structure here (a step's action)
    block_ok: bool = True  # a fenced code block may stand for the value
    # A label at a line's start, and a line ending in ":" (an intro, "Steps:"), are structure here:
    # everywhere but the narrative, which the parse reads as text whatever its lines say.
    labels: bool = True
    # The other names the parse takes for the labels of this value's section (`label_start`).
    aliases: tuple[str, ...] = ()
    heading: bool = False  # the value ends a Markdown heading: a last "#" would close it


def _structure(line: str, how: Esc, *, at_start: bool) -> bool:
    """Would this line, written plainly, read as structure (a block, a field, a section, a part
    of its own) or lose its edges? Such a line goes whole into one code span."""
    if line[0].isspace() or line[-1].isspace():
        return True  # Markdown drops whitespace at the edges of a line
    if at_start and (_LINE_START.match(line) or (how.labels and line.endswith(":"))):
        return True  # a block, or an intro line ("Steps:") that the parse sets apart
    if how.labels and label_start(how.doc, how.aliases).match(line):
        return True  # a field of its own (or a part of its own, after a ";")
    if how.doc.placeholder in line:
        return True
    if how.plain and _unclosed_html(line):
        return True  # raw HTML running on into the lines below takes them as its text
    if names_section(how.doc, line):
        return True  # a heading, or another name for one: it would start a section
    if any(ch in line for ch in how.extra):
        return True
    if how.arrow and ACTION_SEPARATORS.search(line):
        return True
    return how.step_input and INPUT_SEPARATORS.search(line) is not None


def _inline(word: str, how: Esc) -> bool:
    """Does this word (with the blank after it, if any) hold a character that Markdown (or the
    plain read-back) would change? Every pattern looked for lies within a run of non-blank
    characters and what follows it, so a line is safe once each such word is in a code span."""
    active = _PLAIN_ACTIVE if how.plain else _MD_ACTIVE
    return active.search(word) is not None or _loose_underscore(word, how)


_BLANKS = re.compile(r"([ \t]+)")
# What opens raw HTML (a tag, a closing tag, a comment, a declaration, an instruction).
_HTML_OPENER = re.compile(r"<[A-Za-z/!?]")
# A character reference but for its closing ";".
_OPEN_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)$")


def encode_line(line: str, how: Esc, *, at_start: bool) -> str:
    """One line as document text: verbatim; whole in a code span when it would read as
    structure; else with each run of words that Markdown would change in a code span of its
    own ("Invoices `<draft>` vanish after `*retry*`"), so that prose still reads as prose."""
    if not line:
        return line
    if _structure(line, how, at_start=at_start):
        return code_span(line)
    words = _BLANKS.split(line)
    literal = [
        i % 2 == 0 and _inline(word + "".join(words[i + 1 : i + 2])[:1], how)
        for i, word in enumerate(words)
    ]
    # A first word opening with emphasis marks would be skipped as a label's markup by the
    # parse ("**Label:** value"); a last one ending in "#" would close a heading.
    literal[0] = literal[0] or words[0][0] in "*_"
    literal[-1] = literal[-1] or (how.heading and words[-1].endswith("#"))
    # A value ending in "&copy" or "&#65" before the ";" that joins it to the next part would
    # end in a character reference there.
    literal[-1] = literal[-1] or (
        ";" in how.extra and _OPEN_REFERENCE.search(words[-1]) is not None
    )
    _join_tags(words, literal)
    if not any(literal):
        return line
    if how.plain and _HTML_OPENER.search(line):
        # The plain read-back keeps raw HTML as typed, backticks included: a span inside a tag or
        # a comment ("<!-- `&amp;` -->") would come back with its backticks. The line is one span.
        return code_span(line)
    out: list[str] = []
    i = 0
    while i < len(words):
        if not literal[i]:
            out.append(words[i])
            i += 1
            continue
        end = i
        while end + 2 < len(words) and literal[end + 2]:
            end += 2  # the blanks between two literal words join them in one span
        out.append(code_span("".join(words[i : end + 1])))
        i = end + 1
    return "".join(out)


# Each opener of raw HTML with what closes it, the longer openers first.
_HTML_CLOSERS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">"), ("<", ">"))


def _unclosed_html(line: str) -> bool:
    """Does raw HTML open on this line and not close on it? (Markdown puts the `<` of every
    line it would read as HTML into a span; the plain read-back takes raw HTML as typed.)"""
    for match in _HTML_OPENER.finditer(line):
        at = match.start()
        opener, closer = next(pair for pair in _HTML_CLOSERS if line.startswith(pair[0], at))
        end = line.find(closer, at + len(opener))
        if end < 0:
            return True
        if opener == "<" and ('"' in line[at:end] or "'" in line[at:end]):
            return True  # a quoted attribute may hold the ">" or run on past the line
    return False


def _loose_underscore(line: str, how: Esc) -> bool:
    """An underscore that could open or close emphasis (not inside a word, as in snake_case)."""
    if how.plain or "_" not in line:
        return False
    last = len(line) - 1
    return any(
        ch == "_" and not (0 < i < last and line[i - 1].isalnum() and line[i + 1].isalnum())
        for i, ch in enumerate(line)
    )


def code_span(text: str) -> str:
    """One line of text as a code span that reads back exactly."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    tick = "`" * (longest + 1)
    pad = (
        text[0] == "`"
        or text[-1] == "`"
        or (text[0] == " " and text[-1] == " " and text.strip(" ") != "")
    )
    return f"{tick} {text} {tick}" if pad else f"{tick}{text}{tick}"


def fence(text: str, indent: str) -> str:
    """`text` as a fenced code block starting on a new line at `indent`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    tick = "`" * max(3, longest + 1)
    body = "\n".join(indent + line if line else "" for line in text.split("\n"))
    return f"\n{indent}{tick}\n{body}\n{indent}{tick}"


def _join_tags(words: list[str], literal: list[bool]) -> None:
    """A tag spread over words ("<row id=88>") goes into one span, not "`<row` id=88>": a literal
    word left with an unclosed "<" takes in the words up to the next one holding a ">"."""
    for i in range(0, len(words), 2):
        word = words[i]
        if not literal[i] or word.rfind("<") <= word.rfind(">"):
            continue
        close = next((j for j in range(i + 2, len(words), 2) if ">" in words[j]), None)
        for j in range(i + 2, (close or i) + 1, 2):
            literal[j] = True


def encode(value: str, how: Esc) -> str:
    """`value` (sanitized, not empty) as document text: verbatim lines, a line in a code span
    where it must be, or a fenced block (starting with a newline) for literal text of several
    lines. Without `block_ok`, empty lines are dropped: the value must stay one paragraph."""
    lines = value.split("\n")
    if not how.block_ok and len(lines) > 1:
        lines = [line for line in lines if line] or [""]
    written = [
        encode_line(line, how, at_start=how.line_start or i > 0) for i, line in enumerate(lines)
    ]
    # More than one line needing a span is most often a paste (a log, a stack trace, a list),
    # whose lines a reader needs as lines: in a paragraph, Markdown would run them together.
    spanned = sum(out != line for out, line in zip(written, lines, strict=True))
    if how.block_ok and len(lines) > 1 and ("" in lines or spanned > 1):
        return fence(value, how.indent)
    if lines == [""]:
        return ""
    return ("\n" + how.indent).join(written)
