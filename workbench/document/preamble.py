"""Parse stage 2, the start: a parser's state, the user's values, and the lines above the first
section (severity, routing, the customer and the component), which `parse._Parser` builds on."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from workbench.document.aliases import (
    COMPONENT_LABELS,
    CUSTOMER_LABELS,
    DESTINATION_ALIASES,
    ROUTED_LABELS,
    SEVERITY_LABELS,
)
from workbench.document.blocks import Block, List, Para, Text, item_text, label_table, match_label
from workbench.document.report import Report
from workbench.models import Severity
from workbench.playbook import Playbook
from workbench.sanitize import sanitize

__all__ = ["HeaderParser", "block_text"]

_ROUTE_SPLIT = re.compile(r"\s*(?:,|/|;|&|\+|\band\b|\bthen\b)\s*", re.IGNORECASE)


class HeaderParser:
    """A document being read: its values, and what stands above its sections."""

    def __init__(self, playbook: Playbook, now: datetime, tz: tzinfo | None) -> None:
        self.playbook = playbook
        self.doc = playbook.document
        self.placeholder = self.doc.placeholder
        self.now = now
        self.tz = tz
        self.report = Report()
        self.customer = ""  # stated above the sections ("Customer: Acme"), if at all
        self.component = ""

    # -- values -------------------------------------------------------------------------------------
    def value(self, text: Text) -> str:
        """The user's text: placeholder -> empty; sanitized (a document may carry `&#27;`);
        emphasis around the whole value (`**Critical**`) is layout."""
        text = text.strip()
        if text.is_placeholder(self.placeholder):
            return ""
        value = sanitize(text.text)
        start, stop = 0, len(text)
        if text.raw[:1] == b"\x03" and text.raw[-1:] == b"\x03":
            while start < stop and text.raw[start] == 3:
                start += 1
            while stop > start and text.raw[stop - 1] == 3:
                stop -= 1
        return value[start:stop].strip() if (start, stop) != (0, len(text)) else value

    # -- preamble -----------------------------------------------------------------------------------
    def preamble(self, blocks: list[Block]) -> tuple[Severity | None, list[str]]:
        """The severity and routes stated above the sections; a customer and a component stated
        there ("Customer: Acme", "Component: CSV export") go to `self.customer`/`component`."""
        pairs = [(self.doc.severity_label, "severity"), (self.doc.routed_label, "routed")]
        pairs += [(label, "severity") for label in SEVERITY_LABELS]
        pairs += [(label, "routed") for label in ROUTED_LABELS]
        pairs += [(label, "customer") for label in CUSTOMER_LABELS]
        pairs += [(label, "component") for label in COMPONENT_LABELS]
        table = label_table(pairs)
        severity: Severity | None = None
        routes: list[str] = []
        for block in blocks:
            if not isinstance(block, Para):
                self.unplace("preamble", block_text(block))
                continue
            for line in block.text.lines():
                match = match_label(line, table, dash=True)
                if match is None:
                    if line.strip().text:
                        self.unplace("preamble", self.value(line))
                    continue
                value = self.value(match[1])
                if match[0] in ("customer", "component"):
                    self.header_line(match[0], value)
                elif match[0] == "severity":
                    severity = self.severity(value)
                else:
                    routes += [r for r in self.routes(value) if r not in routes]
        return severity, routes

    def header_line(self, field: str, value: str) -> None:
        """The first customer / component line wins; a later one is kept as not placed."""
        line = " ".join(value.split())
        if not line:
            return
        if getattr(self, field):
            self.unplace("preamble", f"{field.capitalize()}: {line}")
            return
        setattr(self, field, line)
        self.report.read(field, line, "preamble", value)

    def severity(self, text: str) -> Severity | None:
        if not text:
            return None
        wanted = text.strip().lower()
        for definition in self.playbook.severities:
            name = definition.name.lower()
            if wanted in (definition.id, name) or re.match(rf"{re.escape(name)}\b", wanted):
                self.report.read("severity", definition.id, "preamble", text)
                return Severity(definition.id)
        names = ", ".join(d.name for d in self.playbook.severities)
        self.report.warn(
            f"{self.doc.severity_label}: unknown severity {text!r} (expected one of {names}); "
            "kept as text"
        )
        self.unplace("preamble", f"{self.doc.severity_label}: {text}")
        return None

    def routes(self, text: str) -> list[str]:
        routes: list[str] = []
        for name in _ROUTE_SPLIT.split(text):
            if not name:
                continue
            wanted = " ".join(name.lower().strip(" .()").split())
            for dest in self.playbook.destinations:
                known = (dest.id, dest.name.lower(), dest.route_label.lower())
                if wanted in known + DESTINATION_ALIASES.get(dest.id, ()):
                    if dest.id not in routes:
                        routes.append(dest.id)
                        self.report.read("routed_to", dest.id, "preamble", name)
                    break
            else:
                names = ", ".join(d.route_label for d in self.playbook.destinations)
                self.report.warn(
                    f"{self.doc.routed_label}: unknown destination {name!r} (expected {names}); "
                    "kept as text"
                )
                self.unplace("preamble", f"{self.doc.routed_label}: {name}")
        return routes

    def unplace(self, where: str, text: str) -> None:
        if text.strip():
            self.report.unplace(where, text)


def block_text(block: Block) -> str:
    """A block's text as written, for what could not be placed."""
    if isinstance(block, List):
        return "\n".join(sanitize(item_text(item).text) for item in block.items)
    return sanitize(block.text.text)
