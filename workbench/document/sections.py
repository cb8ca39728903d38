"""Parse stage 2, first half: a document's blocks as its title line, its preamble and its sections."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

from workbench.document.aliases import HEADING_ALIASES, TITLE_LABELS
from workbench.document.blocks import (
    Block,
    Heading,
    Item,
    List,
    Para,
    Text,
    join_text,
    label_table,
    match_label,
)
from workbench.document.structure import DocumentError
from workbench.playbook import Document

__all__ = ["SectionKey", "Sections", "section_heading"]

SectionKey = Literal[
    "business_impact",
    "narrative",
    "reproduction",
    "actions",
    "communication",
    "request",
    "attachments",
]
_SECTIONS: tuple[SectionKey, ...] = get_args(SectionKey)
_REQUIRED: tuple[SectionKey, ...] = (
    "business_impact",
    "narrative",
    "actions",
    "communication",
    "request",
)


_NUMBERING = re.compile(r"^(?:#+\s*)?(?:\d{1,2}|[ivx]{1,4}|[a-g])[.)]\s+", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\([^)]*\)\s*$")
_HEADING_MAX = 90  # a longer line is text, whatever it starts with


def _norm_heading(text: str) -> str:
    """A heading as compared: one space, lower case, without numbering ("2. ", "## 3)"),
    emphasis marks, a trailing colon or a bracketed remark ("(for defects)")."""
    text = " ".join(text.split()).strip("*_ ").rstrip(":").strip("*_ ").rstrip(":").strip()
    text = _NUMBERING.sub("", text)
    text = _BRACKETS.sub("", text)
    return text.strip("*_ ").rstrip(":").strip().lower()


_HEADING_KEYS: dict[int, tuple[Document, Mapping[str, SectionKey]]] = {}


def _heading_keys(doc: Document) -> Mapping[str, SectionKey]:
    """Normalised heading text -> section: the playbook's headings, with and without their bracketed
    remark, then the other names people give them (`aliases.HEADING_ALIASES`). Kept per document
    object, read-only: the render asks for every line of text it writes."""
    kept = _HEADING_KEYS.get(id(doc))
    if kept is not None and kept[0] is doc:
        return kept[1]
    keys: dict[str, SectionKey] = {}
    for key in _SECTIONS:
        heading: str = getattr(doc.headings, key)
        keys[_norm_heading(heading)] = key
        keys.setdefault(" ".join(heading.split()).lower(), key)
    for key in _SECTIONS:
        for alias in HEADING_ALIASES.get(key, ()):
            keys.setdefault(alias, key)
    if len(_HEADING_KEYS) > 16:
        _HEADING_KEYS.clear()
    _HEADING_KEYS[id(doc)] = (doc, MappingProxyType(keys))
    return _HEADING_KEYS[id(doc)][1]


# A line that starts with a heading in bold and goes on: "**Reproduction procedure:** N/A".
_BOLD_HEAD = re.compile(
    r"^\s*(?:(\*\*|__)(?P<head>[^*_\n]{2,80}?)(\*\*|__)\s*:?|(?P<caps>[A-Z][A-Z ()/&]{2,80}):)"
    r"\s*(?P<rest>\S.*)$"
)


def names_section(doc: Document, line: str) -> bool:
    """Would this line, written plainly as a line of a paragraph, start a section when read back
    (`Sections.plain_headings`): a heading of the template or another name for one (with
    numbering, emphasis, a trailing colon or a bracketed remark), alone or in bold or capitals
    before the text it heads. The render's escaping asks, so typed text never splits a section."""
    keys = _heading_keys(doc)
    stripped = line.strip()
    if len(stripped) <= _HEADING_MAX and _norm_heading(stripped) in keys:
        return True
    match = _BOLD_HEAD.match(line)
    if match is None:
        return False
    head = match.group("head") or match.group("caps")
    return len(head) <= _HEADING_MAX and _norm_heading(head) in keys


def section_heading(doc: Document, key: SectionKey) -> str:
    """The section's heading as the playbook writes it (for messages that name the section)."""
    heading: str = getattr(doc.headings, key)
    return heading


class Sections:
    """Where a document's sections start: its Markdown headings, or in a document typed as plain
    text, the lines that are exactly a heading of the template."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.heading_keys = _heading_keys(doc)
        self.warnings: list[str] = []
        self.unknown: list[tuple[Text, list[Block]]] = []

    def section_of(self, text: Text) -> SectionKey | None:
        if not text.all_raw() or len(text) > _HEADING_MAX:
            return None
        return self.heading_keys.get(_norm_heading(text.text))

    def bold_head(self, line: Text) -> tuple[SectionKey, Text] | None:
        """(section, rest) for a line that starts with a section heading in bold and goes on."""
        match = _BOLD_HEAD.match(line.text)
        if match is None or not line.all_raw(0, match.start("rest")):
            return None
        name = "head" if match.group("head") else "caps"
        key = self.section_of(line.cut(match.start(name), match.end(name)))
        return (key, line.cut(match.start("rest"))) if key is not None else None

    def split(self, blocks: list[Block]) -> tuple[Text, list[Block], dict[SectionKey, list[Block]]]:
        """(title, preamble, sections). Headings are Markdown headings; a document without any
        section heading is read as plain text, with the template's headings as lines of their own.
        A document with no labelled title ("Escalation: ...", "Subject: ...") takes its first
        heading that names no section ("# CSV export stuck at 90%"), as colleagues write them."""
        blocks = self.plain_headings(blocks)
        try:
            return self._split(blocks, None)
        except DocumentError:
            first = next((b for b in blocks if isinstance(b, Heading)), None)
            if (
                first is None
                or self.section_of(first.text) is not None
                or not first.text.strip().text
                or blocks[-1] is first  # a heading with nothing under it reports nothing
            ):
                raise
            self.warnings.clear()
            self.unknown.clear()
            return self._split(blocks, first)

    def _split(
        self, blocks: list[Block], title_heading: Heading | None
    ) -> tuple[Text, list[Block], dict[SectionKey, list[Block]]]:
        title_table = label_table(
            [(self.doc.title_label, "title"), *((label, "title") for label in TITLE_LABELS)]
        )
        title_word = self.doc.title_label.lower()
        title_pending = False  # a bare "# Escalation" heading: the title follows as "Summary: ..."
        title: Text | None = None
        preamble: list[Block] = []
        sections: dict[SectionKey, list[Block]] = {}
        current: list[Block] | None = preamble
        section_level = 6
        for block in blocks:
            if isinstance(block, Heading):
                key = self.section_of(block.text)
                if key is not None:
                    if title is None:
                        break
                    if key in sections:
                        self.warnings.append(
                            f"duplicate section: {section_heading(self.doc, key)} (read as one)"
                        )
                        current = sections[key]
                    else:
                        sections[key] = current = []
                    section_level = min(section_level, block.level)
                    continue
                if title is None and block is title_heading:
                    title = block.text.strip()
                    continue
                if title is None:
                    match = match_label(block.text, title_table, dash=True)
                    if match is not None and match[1].text:
                        title = match[1]
                        continue
                    if _norm_heading(block.text.text) == title_word:
                        title_pending = True
                        continue
                if block.level <= section_level and sections:
                    # A section the template does not have: kept, to be reported as not placed.
                    current = []
                    self.unknown.append((block.text, current))
                continue
            if title is None:
                if isinstance(block, Para):
                    lines = block.text.lines()
                    match = match_label(lines[0], title_table, dash=True)
                    if match is not None and (match[0] == "title" or title_pending):
                        title = match[1]
                        if len(lines) > 1:
                            preamble.append(Para(join_text(lines[1:])))
                continue
            if current is not None:
                current.append(block)
        if title is None:
            raise DocumentError(f"no {self.doc.title_label} title line")
        for key in _REQUIRED:
            if key not in sections:
                self.warnings.append(f"missing section: {section_heading(self.doc, key)}")
                sections[key] = []
        return title, preamble, sections

    def plain_headings(self, blocks: list[Block]) -> list[Block]:
        """Paragraph lines that are exactly a section heading become headings."""
        out: list[Block] = []
        for block in blocks:
            if isinstance(block, List):
                out.extend(self.plain_list(block))
                continue
            if not isinstance(block, Para):
                out.append(block)
                continue
            lines = block.text.lines()
            if not any(self.section_of(ln.strip()) or self.bold_head(ln) for ln in lines):
                out.append(block)  # as it was: its line breaks keep whether they were typed
                continue
            pending: list[Text] = []
            for line in lines:
                bold = self.bold_head(line)
                if self.section_of(line.strip()) is not None or bold is not None:
                    if pending:
                        out.append(Para(join_text(pending)))
                        pending = []
                    if bold is not None:
                        out.append(Heading(2, line.cut(0, len(line) - len(bold[1])).strip()))
                        pending = [bold[1]]
                    else:
                        out.append(Heading(2, line.strip()))
                else:
                    pending.append(line)
            if pending:
                out.append(Para(join_text(pending)))
        return out

    def plain_list(self, block: List) -> list[Block]:
        """A heading line typed right under a list is a lazy continuation of its last item: split
        the list there; items after the heading belong to the new section."""
        for i, item in enumerate(block.items):
            for j, sub in enumerate(item.blocks):
                if not isinstance(sub, Para):
                    continue
                lines = sub.text.lines()
                for k, line in enumerate(lines):
                    if self.section_of(line.strip()) is None:
                        continue
                    head = item.blocks[:j] + ([Para(join_text(lines[:k]))] if k else [])
                    items = block.items[:i] + ([Item(head)] if head else [])
                    out: list[Block] = [List(block.ordered, items)] if items else []
                    out.append(Heading(2, line.strip()))
                    rest: list[Block] = (
                        [Para(join_text(lines[k + 1 :]))] if k + 1 < len(lines) else []
                    )
                    rest += item.blocks[j + 1 :]
                    if block.items[i + 1 :]:
                        rest.append(List(block.ordered, block.items[i + 1 :]))
                    return out + self.plain_headings(rest)
        return [block]
