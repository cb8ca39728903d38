"""Parse stage 2: an escalation document's sections read back into a case."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import get_args

from workbench.document.blocks import (
    EMPTY,
    PARAGRAPH,
    Block,
    Code,
    Labels,
    List,
    Para,
    Text,
    entries,
    is_intro,
    item_text,
    join_text,
    label_table,
    match_label,
    preview,
    read_blocks,
)
from workbench.document.sections import SectionKey, Sections, section_heading
from workbench.document.structure import (
    ACTION_SEPARATOR,
    BASELINE_DEFAULT,
    BASELINE_LABELS,
    ENVIRONMENT_DEFAULT,
    ENVIRONMENT_LABELS,
    NOT_APPLICABLE_LABEL,
    DocumentError,
)
from workbench.document.times import parse_time
from workbench.models import (
    ActionTaken,
    AskType,
    Baseline,
    BusinessImpact,
    Communication,
    Environment,
    Escalation,
    ImpactInputs,
    Override,
    References,
    Reproduction,
    ReproStep,
    Request,
    Severity,
    SlaPosition,
    utcnow,
)
from workbench.playbook import Playbook
from workbench.rules.impact import effective_severity
from workbench.sanitize import sanitize

__all__ = ["IMPORTED_SEVERITY_REASON", "parse_markdown"]

IMPORTED_SEVERITY_REASON = "Stated in the imported document"

_STEP_INPUT = re.compile(r"[ \t]+(?:—|–|--|-)[ \t]*input[ \t]*:", re.IGNORECASE)
_ROUTE_SPLIT = re.compile(r"\s*(?:,|/|;|&|\+|\band\b)\s*", re.IGNORECASE)
_LINKED = re.compile(r"#?(\d+)")
_FILE_LIKE = re.compile(
    r"\.(?:har|log|txt|png|jpe?g|gif|mp4|mov|webm|zip|gz|json|csv|pdf)\b|screenshot|recording|"
    r"video|\blogs?\b",
    re.IGNORECASE,
)
_THREAD_LIKE = re.compile(r"^#|slack|thread|channel|teams|chat|e-?mail", re.IGNORECASE)


class _Parser:
    """Reads each section's lines into the case's fields."""

    def __init__(self, playbook: Playbook, now: datetime, tz: tzinfo | None) -> None:
        self.playbook = playbook
        self.doc = playbook.document
        self.placeholder = self.doc.placeholder
        self.now = now
        self.tz = tz

    # -- values -------------------------------------------------------------------------------------
    def value(self, text: Text) -> str:
        """The user's text: placeholder -> empty; sanitized (a document may carry `&#27;`)."""
        text = text.strip()
        return "" if text.is_placeholder(self.placeholder) else sanitize(text.text)

    # -- preamble -----------------------------------------------------------------------------------
    def preamble(self, blocks: list[Block]) -> tuple[Severity | None, list[str]]:
        table = label_table(
            [(self.doc.severity_label, "severity"), (self.doc.routed_label, "routed")]
        )
        severity: Severity | None = None
        routes: list[str] = []
        for entry in entries(blocks, table):
            if entry.key == "severity":
                severity = self.severity(self.value(entry.text))
            elif entry.key == "routed":
                routes = self.routes(self.value(entry.text))
        return severity, routes

    def severity(self, text: str) -> Severity | None:
        if not text:
            return None
        wanted = text.strip().lower()
        for definition in self.playbook.severities:
            if wanted in (definition.id, definition.name.lower()):
                return Severity(definition.id)
        names = ", ".join(d.name for d in self.playbook.severities)
        raise DocumentError(
            f"{self.doc.severity_label}: unknown severity {text!r} (expected one of {names})"
        )

    def routes(self, text: str) -> list[str]:
        routes: list[str] = []
        for name in _ROUTE_SPLIT.split(text):
            if not name:
                continue
            wanted = name.lower()
            for dest in self.playbook.destinations:
                if wanted in (dest.id, dest.name.lower(), dest.route_label.lower()):
                    if dest.id not in routes:
                        routes.append(dest.id)
                    break
            else:
                names = ", ".join(d.route_label for d in self.playbook.destinations)
                raise DocumentError(
                    f"{self.doc.routed_label}: unknown destination {name!r} (expected {names})"
                )
        return routes

    # -- labeled sections ---------------------------------------------------------------------------
    def fields(self, key: SectionKey, blocks: list[Block], table: Labels) -> dict[str, str]:
        """A section of "Label: value" lines. An unlabeled line continues the line before it."""
        values: dict[str, Text] = {}
        last: str | None = None
        for entry in entries(blocks, table):
            text = join_text([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key is None:
                if last is None:
                    raise DocumentError(
                        f"{section_heading(self.doc, key)}: no label on the line {preview(text)!r}"
                    )
                values[last] = join_text([values[last], text])
                continue
            values[entry.key] = (
                join_text([values[entry.key], text]) if entry.key in values else text
            )
            last = entry.key
        return {name: self.value(text) for name, text in values.items()}

    def business_impact(self, blocks: list[Block]) -> BusinessImpact:
        labels = self.doc.labels
        names = ("affected_customers", "operational_effect", "revenue_exposure", "sla_position")
        table = label_table((getattr(labels, name), name) for name in names)
        return BusinessImpact(**self.fields("business_impact", blocks, table))

    def communication(self, blocks: list[Block]) -> Communication:
        labels = self.doc.labels
        names = ("most_recent_update", "customer_expectation", "escalation_risk")
        table = label_table((getattr(labels, name), name) for name in names)
        return Communication(**self.fields("communication", blocks, table))

    # -- narrative ----------------------------------------------------------------------------------
    def narrative(self, blocks: list[Block]) -> str:
        parts: list[str] = []
        for block in blocks:
            if isinstance(block, Para | Code):
                parts.append(self.value(block.text))
            elif isinstance(block, List):
                for number, item in enumerate(block.items, start=1):
                    marker = f"{number}. " if block.ordered else "- "
                    parts.append(marker + self.value(item_text(item)))
        if len(parts) == 1:
            return parts[0]
        return "\n\n".join(parts)

    # -- reproduction -------------------------------------------------------------------------------
    def reproduction(self, blocks: list[Block]) -> Reproduction:
        labels = self.doc.labels
        names = (
            "baseline",
            "expected",
            "observed",
            "environment",
            "frequency",
            "evidence",
            "eliminations",
        )
        table = label_table(
            [*((getattr(labels, name), name) for name in names), (NOT_APPLICABLE_LABEL, "n/a")]
        )
        steps: list[Text] = []
        values: dict[str, Text] = {}
        last: str | None = None
        for entry in entries(blocks, table):
            text = join_text([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key == "n/a":
                last = None  # "Not applicable: <reason>": the section holds nothing
            elif entry.key is not None:
                values[entry.key] = (
                    join_text([values[entry.key], text]) if entry.key in values else text
                )
                last = entry.key
            elif entry.item:
                steps.append(text)
            elif last is not None and not entry.intro:
                # A paragraph after a field continues it ("Evidence:" and the error text).
                values[last] = join_text([values[last], text], PARAGRAPH)
            else:
                # Plain lines after "Steps:" or before any label: the steps, one per line.
                steps.extend(line for line in text.lines() if line.strip().text)
                last = None
        parsed = [self.step(text) for text in steps]
        if len(parsed) == 1 and parsed[0] == ReproStep():
            parsed = []
        text_values = {
            name: self.value(values[name])
            for name in ("expected", "observed", "frequency", "evidence", "eliminations")
            if name in values
        }
        baseline = self.parts(values.get("baseline", EMPTY), BASELINE_LABELS, BASELINE_DEFAULT)
        environment = self.parts(
            values.get("environment", EMPTY), ENVIRONMENT_LABELS, ENVIRONMENT_DEFAULT
        )
        return Reproduction(
            baseline=Baseline(**baseline),
            steps=parsed,
            environment=Environment(**environment),
            **text_values,
        )

    def step(self, text: Text) -> ReproStep:
        match = text.search(_STEP_INPUT)
        if match is None:
            return ReproStep(action=self.value(text))
        action = self.value(text.cut(0, match.start()))
        rest = text.cut(match.end()).strip()
        if len(rest.codes) == 1 and rest.codes[0][:2] == (0, len(rest)):
            literal = sanitize(rest.codes[0][2])
        else:
            literal = self.value(rest)
        return ReproStep(action=action, literal_input=literal)

    def parts(self, text: Text, labels: dict[str, str], default: str) -> dict[str, str]:
        """A "Label: value; Label: value" line; unlabeled parts go to `default`."""
        text = text.strip()
        if not text.text or text.is_placeholder(self.placeholder):
            return {}
        table = label_table((label, name) for name, label in labels.items())
        found: dict[str, list[str]] = {}
        for part in text.split(";"):
            part = part.strip()
            if not part.text:
                continue
            match = match_label(part, table)
            name, value = (match[0], match[1]) if match else (default, part)
            found.setdefault(name, []).append(self.value(value))
        return {name: "; ".join(v for v in values if v) for name, values in found.items()}

    # -- actions ------------------------------------------------------------------------------------
    def actions(self, blocks: list[Block]) -> list[ActionTaken]:
        texts: list[Text] = []
        for entry in entries(blocks, ()):
            text = join_text([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.item:
                texts.append(text)
            else:
                texts.extend(line for line in text.lines() if not is_intro(line))
        if len(texts) == 1 and texts[0].strip().is_placeholder(self.placeholder):
            return []
        actions: list[ActionTaken] = []
        for text in texts:
            at = text.find(ACTION_SEPARATOR.strip())
            if at < 0:
                actions.append(ActionTaken(tried=self.value(text)))
            else:
                actions.append(
                    ActionTaken(
                        tried=self.value(text.cut(0, at)),
                        outcome=self.value(text.cut(at + len(ACTION_SEPARATOR.strip()))),
                    )
                )
        return actions

    # -- request ------------------------------------------------------------------------------------
    def request(self, blocks: list[Block]) -> Request:
        pairs = [(self.doc.labels.hard_deadline, "deadline")]
        pairs += [(choice.label, f"ask:{choice.id}") for choice in self.doc.ask_types]
        ask_type: AskType | None = None
        asks: list[str] = []
        deadline: Text | None = None
        for entry in entries(blocks, label_table(pairs)):
            text = join_text([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key == "deadline":
                deadline = text
                continue
            if entry.key is not None and ask_type is None:
                ask_type = _ask_type(entry.key.removeprefix("ask:"))
            asks.append(self.value(text))
        request = Request(ask_type=ask_type, ask="\n".join(a for a in asks if a))
        if deadline is not None:
            value = self.value(deadline)
            when = parse_time(value, self.tz) if deadline.strip().all_raw() else None
            if when is not None:
                request.hard_deadline = when
            else:
                request.deadline_text = value
        return request

    # -- attachments --------------------------------------------------------------------------------
    def attachments(self, blocks: list[Block]) -> tuple[References, list[int]]:
        labels = self.doc.labels
        names = ("tickets", "threads", "files", "linked_cases")
        table = label_table((getattr(labels, name), name) for name in names)
        found: dict[str, list[str]] = {"tickets": [], "threads": [], "files": []}
        linked: list[int] = []
        loose: list[str] = []
        labeled = False
        for entry in entries(blocks, table):
            if entry.key is None:
                lines = [entry.text] if entry.item else entry.text.lines()
                loose.extend(v for v in (self.value(t) for t in [*lines, *entry.nested]) if v)
                continue
            labeled = True
            head = entry.text.strip()
            items = [] if not head.text or head.is_placeholder(self.placeholder) else [head]
            values = [self.value(t) for t in items] + [self.value(t) for t in entry.nested]
            if entry.key == "linked_cases":
                for value in values:
                    linked.extend(int(n) for n in _LINKED.findall(value))
            else:
                found[entry.key].extend(values)
        if loose:
            if len(loose) == 3 and not labeled:
                for name, value in zip(("tickets", "threads", "files"), loose, strict=True):
                    found[name].append(value)
            else:
                for value in loose:
                    found[_bucket(value)].append(value)
        return References(**found), linked


def _ask_type(value: str) -> AskType | None:
    for choice in get_args(AskType):
        if choice == value:
            ask: AskType = choice
            return ask
    return None


def _bucket(value: str) -> str:
    """Where an unlabeled reference goes: a file, a discussion thread, or a ticket."""
    if _FILE_LIKE.search(value):
        return "files"
    if _THREAD_LIKE.search(value):
        return "threads"
    return "tickets"


def parse_markdown(
    text: str,
    playbook: Playbook,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> Escalation:
    """Read an escalation document back into a case.

    Raises DocumentError naming the section when the document is not in the playbook's structure.
    `now` stamps the case and a severity override (default: the current time); `tz` is the zone of
    a deadline written without one (None: local time)."""
    now = now or utcnow()
    blocks = read_blocks(sanitize(text))
    parser = _Parser(playbook, now, tz)
    title, preamble, sections = Sections(playbook.document).split(blocks)
    severity, routes = parser.preamble(preamble)
    business = parser.business_impact(sections["business_impact"])
    references, linked = parser.attachments(sections.get("attachments", []))
    sla = _sla_id(playbook, business.sla_position)
    case = Escalation(
        title=parser.value(title),
        created_at=now,
        updated_at=now,
        routed_to=routes,
        impact=ImpactInputs(sla=sla),
        business_impact=business,
        narrative=parser.narrative(sections["narrative"]),
        reproduction=parser.reproduction(sections.get("reproduction", [])),
        actions=parser.actions(sections["actions"]),
        communication=parser.communication(sections["communication"]),
        request=parser.request(sections["request"]),
        references=references,
        linked=linked,
    )
    suggested = effective_severity(case, playbook, now)
    if severity is not None and severity != suggested:
        case.severity_override = Override(
            value=severity.value, reason=IMPORTED_SEVERITY_REASON, at=now
        )
    elif severity is None and suggested is not None and sla is not None:
        # The document states no severity; keep it that way rather than let the SLA line suggest one.
        case.impact = ImpactInputs()
    return case


def _sla_id(playbook: Playbook, text: str) -> SlaPosition | None:
    """The SLA position id when the line starts with one of the playbook's labels."""
    lowered = text.strip().lower()
    for choice in playbook.document.sla_positions:
        label = choice.label.lower()
        if lowered == label or (lowered.startswith(label) and not lowered[len(label)].isalnum()):
            for position in get_args(SlaPosition):
                if position == choice.id:
                    known: SlaPosition = position
                    return known
    return None
