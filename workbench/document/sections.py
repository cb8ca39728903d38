"""Parse stage 2, first half: a document's blocks as its title line, its preamble and its sections."""

from __future__ import annotations

import re
from typing import Literal, get_args

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


def _norm_heading(text: str) -> str:
    return " ".join(text.split()).lower()


def _heading_keys(doc: Document) -> dict[str, SectionKey]:
    """Normalised heading text -> section; "REPRODUCTION PROCEDURE" matches without "(for defects)"."""
    keys: dict[str, SectionKey] = {}
    for key in _SECTIONS:
        heading: str = getattr(doc.headings, key)
        keys[_norm_heading(heading)] = key
        short = re.sub(r"\s*\([^)]*\)\s*$", "", heading)
        keys.setdefault(_norm_heading(short), key)
    return keys


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

    def section_of(self, text: Text) -> SectionKey | None:
        return self.heading_keys.get(_norm_heading(text.text)) if text.all_raw() else None

    def split(self, blocks: list[Block]) -> tuple[Text, list[Block], dict[SectionKey, list[Block]]]:
        """(title, preamble, sections). Headings are Markdown headings; a document without any
        section heading is read as plain text, with the template's headings as lines of their own."""
        if not any(isinstance(b, Heading) and self.section_of(b.text) for b in blocks):
            blocks = self.plain_headings(blocks)
        title_table = label_table([(self.doc.title_label, "title")])
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
                        raise DocumentError(f"duplicate section: {section_heading(self.doc, key)}")
                    sections[key] = current = []
                    section_level = min(section_level, block.level)
                    continue
                if title is None:
                    match = match_label(block.text, title_table)
                    if match is not None:
                        title = match[1]
                        continue
                if block.level <= section_level and sections:
                    current = None  # an unknown section: ignored
                continue
            if title is None:
                if isinstance(block, Para):
                    lines = block.text.lines()
                    match = match_label(lines[0], title_table)
                    if match is not None:
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
                raise DocumentError(f"missing section: {section_heading(self.doc, key)}")
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
            pending: list[Text] = []
            for line in block.text.lines():
                if self.section_of(line.strip()) is not None:
                    if pending:
                        out.append(Para(join_text(pending)))
                        pending = []
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
