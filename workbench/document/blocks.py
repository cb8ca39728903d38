"""Parse stage 1: markdown-it's token stream as blocks of text that remember which characters were
escaped, and a section's blocks as labeled lines.

Each character of a text is "raw" (written plainly: it may be structure) or "literal" (a backslash
escape, a character reference, or markup kept as text: always the user's). Labels, separators and
the placeholder are recognised in raw characters only, and raw whitespace at the edges of a value
is layout. This is the inverse of `escaping`."""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.sanitize import sanitize

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "EMPTY",
    "PARAGRAPH",
    "Block",
    "Code",
    "Heading",
    "Item",
    "Labels",
    "List",
    "Para",
    "Text",
    "entries",
    "is_intro",
    "item_text",
    "join_text",
    "label_table",
    "markdown_parser",
    "match_label",
    "preview",
    "read_blocks",
]

_parser: MarkdownIt | None = None


def markdown_parser() -> MarkdownIt:
    """One CommonMark parser per process, made on first use: importing markdown_it
    is slow, and the app's cold start never needs it."""
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        parser = MarkdownIt("commonmark")
        # Keep escapes and character references as their own tokens: they mark literal characters.
        parser.disable("text_join")
        _parser = parser
    return _parser


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a document's token stream exists.

    The stream is a few thousand small objects, none in a cycle: reference counting frees them
    all when the parse ends. Collections started during it only walk them, and promote them
    toward the oldest generation as if they were long-lived, so every few imports a full
    collection ran inside a parse, taking longer than the parse itself. Whether the collector was
    on is put back as it was (another thread, or the caller, may have held it off too)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_RAW = 1
_LIT = 0
_SOFT = 2  # a soft line break: a line end the author typed (raw, but not one the renderer writes)
_MARK = 3  # emphasis markup an author typed (`**Label:**`): structure around labels and headings


@dataclass(frozen=True, slots=True)
class Text:
    """Inline text with a flag per character: 1 = written plainly (may be structure), 0 = escaped,
    a character reference, or markup kept as text. `codes` are the code spans: (start, end, content)
    with start/end around the backticks."""

    text: str
    raw: bytes
    codes: tuple[tuple[int, int, str], ...] = ()

    def __len__(self) -> int:
        return len(self.text)

    def all_raw(self, start: int = 0, end: int | None = None) -> bool:
        return 0 not in self.raw[start:end]

    def cut(self, start: int, end: int | None = None) -> Text:
        stop = len(self.text) if end is None else end
        codes = tuple(
            (a - start, b - start, c) for a, b, c in self.codes if a >= start and b <= stop
        )
        return Text(self.text[start:stop], self.raw[start:stop], codes)

    def strip(self) -> Text:
        """Without raw whitespace at either end (layout, not the user's)."""
        start, stop = 0, len(self.text)
        while start < stop and self.raw[start] and self.text[start].isspace():
            start += 1
        while stop > start and self.raw[stop - 1] and self.text[stop - 1].isspace():
            stop -= 1
        return self if (start, stop) == (0, len(self.text)) else self.cut(start, stop)

    def find(self, needle: str, start: int = 0) -> int:
        """Index of the first raw occurrence of `needle`, or -1."""
        at = self.text.find(needle, start)
        while at >= 0 and not self.all_raw(at, at + len(needle)):
            at = self.text.find(needle, at + 1)
        return at

    def search(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        match = pattern.search(self.text)
        while match is not None and not self.all_raw(match.start(), match.end()):
            match = pattern.search(self.text, match.start() + 1)
        return match

    def typed_line_starts(self) -> list[bool]:
        """For each of `lines()`: does it start the text or follow a soft break?"""
        starts = [True]
        at = self.find("\n")
        while at >= 0:
            starts.append(self.raw[at] == _SOFT)
            at = self.find("\n", at + 1)
        return starts

    def lines(self) -> list[Text]:
        """Split at raw line breaks (soft and hard breaks of the source)."""
        result: list[Text] = []
        start = 0
        at = self.find("\n")
        while at >= 0:
            result.append(self.cut(start, at))
            start = at + 1
            at = self.find("\n", start)
        result.append(self.cut(start))
        return result

    def split(self, separator: str) -> list[Text]:
        result: list[Text] = []
        start = 0
        at = self.find(separator)
        while at >= 0:
            result.append(self.cut(start, at))
            start = at + len(separator)
            at = self.find(separator, start)
        result.append(self.cut(start))
        return result

    def is_placeholder(self, placeholder: str) -> bool:
        return self.text == placeholder and self.all_raw()


EMPTY = Text("", b"")
_NEWLINE = Text("\n", bytes([_RAW]))
PARAGRAPH = Text("\n\n", bytes([_RAW, _RAW]))


def join_text(parts: Iterable[Text], separator: Text = _NEWLINE) -> Text:
    text: list[str] = []
    raw = bytearray()
    codes: list[tuple[int, int, str]] = []
    size = 0
    for index, part in enumerate(parts):
        if index:
            text.append(separator.text)
            raw += separator.raw
            size += len(separator)
        codes.extend((a + size, b + size, c) for a, b, c in part.codes)
        text.append(part.text)
        raw += part.raw
        size += len(part)
    return Text("".join(text), bytes(raw), tuple(codes))


def _flatten(children: Sequence[Token] | None) -> Text:
    """An inline token's children as one Text. Markup an agent typed (emphasis, links, code spans)
    is kept as literal text, so nothing they wrote is lost."""
    text: list[str] = []
    raw = bytearray()
    codes: list[tuple[int, int, str]] = []
    size = 0
    links: list[Token] = []

    def add(value: str, flag: int) -> None:
        nonlocal size
        text.append(value)
        raw.extend(bytes([flag]) * len(value))
        size += len(value)

    for token in children or ():
        kind = token.type
        if kind == "text":
            add(token.content, _RAW)
        elif kind == "softbreak":
            add("\n", _SOFT)
        elif kind == "hardbreak":
            add("\n", _RAW)
        elif kind == "text_special":
            add(token.content, _LIT)
        elif kind == "code_inline":
            # A code span is literal text: what it holds, without its backticks.
            start = size
            add(token.content, _LIT)
            codes.append((start, size, token.content))
        elif kind == "link_open":
            links.append(token)
            if token.markup != "autolink":
                add("[", _LIT)
        elif kind == "link_close":
            opened = links.pop() if links else None
            if opened is not None and opened.markup != "autolink":
                href = str(opened.attrGet("href") or "")
                title = opened.attrGet("title")
                add(f']({href} "{title}")' if title else f"]({href})", _LIT)
        elif kind == "image":
            src = str(token.attrGet("src") or "")
            add(f"![{token.content}]({src})", _LIT)
        elif kind in ("em_open", "em_close", "strong_open", "strong_close"):
            add(token.markup, _MARK)
        else:
            add(token.content, _LIT)
    return Text("".join(text), bytes(raw), tuple(codes))


@dataclass(slots=True)
class Heading:
    level: int
    text: Text


@dataclass(slots=True)
class Para:
    text: Text


@dataclass(slots=True)
class Item:
    blocks: list[Block]


@dataclass(slots=True)
class List:
    ordered: bool
    items: list[Item]


@dataclass(slots=True)
class Code:
    text: Text


Block = Heading | Para | List | Code


def _blocks(tokens: Sequence[Token], index: int = 0, stop: str = "") -> tuple[list[Block], int]:
    """The block structure of the token stream from `index` up to the `stop` token type."""
    out: list[Block] = []
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == stop:
            return out, index + 1
        if kind == "heading_open":
            out.append(Heading(int(token.tag[1:]), _flatten(tokens[index + 1].children)))
            index += 3
        elif kind == "paragraph_open":
            out.append(Para(_flatten(tokens[index + 1].children)))
            index += 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            close = kind.replace("_open", "_close")
            items: list[Item] = []
            index += 1
            while index < len(tokens) and tokens[index].type != close:
                blocks, index = _blocks(tokens, index + 1, "list_item_close")
                items.append(Item(blocks))
            out.append(List(kind == "ordered_list_open", items))
            index += 1
        elif kind == "blockquote_open":
            inner, index = _blocks(tokens, index + 1, "blockquote_close")
            out.extend(inner)
        elif kind in ("fence", "code_block", "html_block"):
            content = token.content.removesuffix("\n")  # the last line's end, not the text's
            out.append(Code(Text(content, bytes([_LIT]) * len(content))))
            index += 1
        else:
            index += 1
    return out, index


def read_blocks(text: str) -> list[Block]:
    """The document's blocks. The collector is held off while its token stream exists."""
    with _collector_paused():
        blocks, _ = _blocks(markdown_parser().parse(text))
    return blocks


# -- labeled lines ------------------------------------------------------------------------------------
Labels = tuple[tuple[str, str], ...]  # (lower-case label, key), longest first


def label_table(pairs: Iterable[tuple[str, str]]) -> Labels:
    """(label, key) pairs as a match table."""
    return tuple(sorted(((label.lower(), key) for label, key in pairs), key=lambda p: -len(p[0])))


_DASHES = ("-", "–", "—")


def _skip(line: Text, at: int, marks: bool = True) -> int:
    """Past raw blanks (and emphasis marks) from `at`."""
    text = line.text
    while (
        at < len(text) and line.raw[at] and (text[at] in " \t" or (marks and line.raw[at] == _MARK))
    ):
        at += 1
    return at


def match_label(line: Text, table: Labels, *, dash: bool = False) -> tuple[str, Text] | None:
    """(key, value) when the line starts with one of the labels and a colon (case-insensitive).
    The label may be in bold or italics (`**Label:**`, `**Label**:`); with `dash`, "Label - value"
    reads as "Label: value"."""
    text = line.text
    start = _skip(line, 0)
    lowered = text[start : start + 80].lower()
    for label, key in table:
        size = len(label)
        if lowered[:size] != label or not line.all_raw(start, start + size):
            continue
        at = _skip(line, start + size)
        if at < len(text) and text[at] == ":" and line.raw[at]:
            return key, line.cut(_skip(line, at + 1)).strip()
        if at < len(text) and text[at] == "(" and at > start + size:
            # "Evidence (Crashlytics, top frames): ..." keeps its remark in the value.
            close = text.find(")", at, at + 60)
            after = _skip(line, close + 1) if close > 0 else -1
            if after > 0 and text[after : after + 1] == ":" and line.all_raw(at, after + 1):
                return key, line.cut(at).strip()
        if (
            dash
            and at > start + size
            and at < len(text)
            and text[at] in _DASHES
            and line.raw[at]
            and text[at + 1 : at + 2] in (" ", "\t")
        ):
            return key, line.cut(_skip(line, at + 1)).strip()
    return None


@dataclass(slots=True)
class _Entry:
    """One logical line of a section: a label's value, or an unlabeled line (key None), with the
    items of a list nested under it."""

    key: str | None
    text: Text
    item: bool = False  # the first line of a list item
    nested: list[Text] = field(default_factory=list)
    intro: bool = False  # starts with a typed intro line ("Steps:"), which is not a value


def item_text(item: Item) -> Text:
    parts: list[Text] = []
    for block in item.blocks:
        if isinstance(block, Para | Code):
            parts.append(block.text)
        elif isinstance(block, List):
            parts.extend(item_text(sub) for sub in block.items)
    return join_text(parts)


def _add_lines(out: list[_Entry], text: Text, table: Labels, *, item: bool) -> None:
    """Labeled lines start entries; other lines continue the entry before them, except a typed
    intro line ("Steps to reproduce:") outside a list item, which starts an entry of its own."""
    typed = text.typed_line_starts()
    pending: list[Text] = []  # continuation lines of out[-1], joined once (long pasted logs)

    def flush() -> None:
        if pending:
            out[-1].text = join_text([out[-1].text, *pending])
            pending.clear()

    for index, line in enumerate(text.lines()):
        match = match_label(line, table) if table else None
        if match is not None:
            flush()
            out.append(_Entry(match[0], match[1], item and index == 0))
        elif typed[index] and not (item and index == 0) and is_intro(line):
            flush()
            out.append(_Entry(None, line, intro=True))
        elif index == 0 or not out:
            flush()
            out.append(_Entry(None, line, item))
        else:
            pending.append(line)
    flush()


def entries(blocks: Sequence[Block], table: Labels) -> list[_Entry]:
    out: list[_Entry] = []
    for block in blocks:
        if isinstance(block, Para):
            _add_lines(out, block.text, table, item=False)
        elif isinstance(block, Code):
            if out:
                out[-1].text = join_text([out[-1].text, block.text])
            else:
                out.append(_Entry(None, block.text))
        elif isinstance(block, List):
            for item in block.items:
                start = len(out)
                first = True
                for sub in item.blocks:
                    if isinstance(sub, Para):
                        _add_lines(out, sub.text, table, item=first)
                        first = False
                    elif isinstance(sub, List):
                        if len(out) == start:
                            out.append(_Entry(None, EMPTY, True))
                            first = False
                        out[-1].nested.extend(item_text(nested) for nested in sub.items)
                    elif isinstance(sub, Code):
                        if len(out) == start:
                            out.append(_Entry(None, sub.text, first))
                            first = False
                        else:
                            out[-1].text = join_text([out[-1].text, sub.text])
                if len(out) == start:
                    out.append(_Entry(None, EMPTY, True))
    return [_without_intro(entry) for entry in out if not _bare_intro(entry)]


def _bare_intro(entry: _Entry) -> bool:
    return entry.intro and len(entry.text.lines()) == 1 and not entry.nested


def _without_intro(entry: _Entry) -> _Entry:
    """An intro entry as what follows its intro line (still marked `intro`)."""
    if not entry.intro:
        return entry
    lines = entry.text.lines()
    return _Entry(None, join_text(lines[1:]), nested=entry.nested, intro=True)


def is_intro(text: Text) -> bool:
    """An unlabeled line like "Steps to reproduce:" that introduces what follows."""
    text = text.strip()
    return not text.text or (text.text.endswith(":") and bool(text.raw[-1]) and len(text) <= 60)


def preview(text: Text) -> str:
    line = " ".join(sanitize(text.text).split())
    return line if len(line) <= 50 else line[:49] + "…"
