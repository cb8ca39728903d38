"""Parse stage 2: an escalation document's sections read back into a case."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import get_args

from workbench.document.aliases import (
    ASK_LABELS,
    DEADLINE_LABELS,
    FIELD_LABEL_ALIASES,
    NOT_APPLICABLE,
)
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
from workbench.document.deadlines import read_deadline
from workbench.document.impact import impact_numbers
from workbench.document.numbers import customer_names
from workbench.document.preamble import HeaderParser, block_text
from workbench.document.report import Report
from workbench.document.sections import SectionKey, Sections, section_heading
from workbench.document.structure import (
    ACTION_SEPARATORS,
    BASELINE_DEFAULT,
    BASELINE_LABELS,
    ENVIRONMENT_DEFAULT,
    ENVIRONMENT_LABELS,
    INPUT_SEPARATORS,
    NOT_APPLICABLE_LABEL,
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
    SlaPosition,
    utcnow,
)
from workbench.playbook import Playbook
from workbench.rules.applicability import reproduction_not_applicable
from workbench.rules.asks import ask_type_of
from workbench.rules.impact import effective_severity
from workbench.sanitize import sanitize
from workbench.vocab import plural

__all__ = ["IMPORTED_SEVERITY_REASON", "parse_markdown", "read_document"]

IMPORTED_SEVERITY_REASON = "Stated in the imported document"

_LINKED = re.compile(r"#?(\d+)")
_FILE_LIKE = re.compile(
    r"\.(?:har|log|txt|png|jpe?g|gif|mp4|mov|webm|zip|gz|json|csv|pdf)\b|screenshot|recording|"
    r"video|\blogs?\b",
    re.IGNORECASE,
)
_THREAD_LIKE = re.compile(r"^#|slack|thread|channel|teams|chat|e-?mail", re.IGNORECASE)


class _Parser(HeaderParser):
    """Reads each section's lines into the case's fields."""

    # -- labeled sections ---------------------------------------------------------------------------
    def fields(self, key: SectionKey, blocks: list[Block], table: Labels) -> dict[str, str]:
        """A section of "Label: value" lines. An unlabeled line continues the line before it."""
        values: dict[str, Text] = {}
        last: str | None = None
        for entry in entries(blocks, table):
            text = join_text([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key is None:
                if last is None:
                    heading = section_heading(self.doc, key)
                    self.report.warn(
                        f"{heading}: no label on the line {preview(text)!r}; kept as not placed"
                    )
                    self.unplace(heading, self.value(text))
                    continue
                values[last] = join_text([values[last], text])
                continue
            values[entry.key] = (
                join_text([values[entry.key], text]) if entry.key in values else text
            )
            last = entry.key
        return {name: self.value(text) for name, text in values.items()}

    def business_impact(self, blocks: list[Block]) -> BusinessImpact:
        names = ("affected_customers", "operational_effect", "revenue_exposure", "sla_position")
        values = self.fields("business_impact", blocks, self.table(names))
        for name, value in values.items():
            self.report.read(f"business_impact.{name}", value, "business_impact", value)
        return BusinessImpact(**values)

    def table(self, names: tuple[str, ...]) -> Labels:
        """The labels of these fields: the playbook's, then the variants people write."""
        labels = self.doc.labels
        pairs = [(getattr(labels, name), name) for name in names]
        pairs += [(alias, name) for name in names for alias in FIELD_LABEL_ALIASES.get(name, ())]
        return label_table(pairs)

    def communication(self, blocks: list[Block]) -> Communication:
        names = ("most_recent_update", "customer_expectation", "escalation_risk")
        values = self.fields("communication", blocks, self.table(names))
        for name, value in values.items():
            self.report.read(f"communication.{name}", value, "communication", value)
        return Communication(**values)

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
        del labels
        table = self.table(names)
        not_applicable = self.not_applicable(blocks)
        if not_applicable:
            self.report.read("reproduction.not_applicable", not_applicable, "reproduction",
                             not_applicable)  # fmt: skip
            return Reproduction(not_applicable=not_applicable)
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

    def not_applicable(self, blocks: list[Block]) -> str:
        """The section's text when all it says is that it does not apply ("N/A - not a defect")."""
        if len(blocks) != 1 or not isinstance(blocks[0], Para):
            return ""
        text = self.value(blocks[0].text)
        lowered = text.lower()
        return text if any(lowered.startswith(word) for word in NOT_APPLICABLE) else ""

    def step(self, text: Text) -> ReproStep:
        match = text.search(INPUT_SEPARATORS)
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
            match = text.search(ACTION_SEPARATORS)
            if match is None:
                actions.append(ActionTaken(tried=self.value(text)))
            else:
                actions.append(
                    ActionTaken(
                        tried=self.value(text.cut(0, match.start())),
                        outcome=self.value(text.cut(match.end())),
                    )
                )
        self.report.read("actions", plural(len(actions), "action"), "actions", "")
        return actions

    # -- request ------------------------------------------------------------------------------------
    def request(self, blocks: list[Block]) -> Request:
        pairs = [(self.doc.labels.hard_deadline, "deadline")]
        pairs += [(label, "deadline") for label in DEADLINE_LABELS]
        pairs += [(choice.label, f"ask:{choice.id}") for choice in self.doc.ask_types]
        pairs += [(label, f"ask:{kind}") for label, kind in ASK_LABELS.items()]
        ask_type: AskType | None = None
        asks: list[str] = []
        deadline: Text | None = None
        # An ask that starts with escaped text or a code span was exported with its wording kept
        # literal ("Ship a fix: ..." typed as the ask itself): its type is not read from it.
        literal_start = False
        for entry in entries(blocks, label_table(pairs)):
            text = join_text([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key == "deadline":
                deadline = text
                continue
            if not asks and entry.key is None:
                literal_start = not text.strip().all_raw(0, 30)
            if entry.key is not None and ask_type is None:
                ask_type = _ask_type(entry.key.removeprefix("ask:"))
            asks.append(self.value(text))
        ask = "\n".join(a for a in asks if a)
        if ask_type is None and ask and not literal_start:
            ask_type = ask_type_of(ask, self.playbook)
            if ask_type is not None:
                self.report.read("request.ask_type", ask_type, "request", ask,
                                 "from the ask's wording")  # fmt: skip
        elif ask_type is not None:
            self.report.read("request.ask_type", ask_type, "request", ask, "from its label")
        request = Request(ask_type=ask_type, ask=ask)
        if deadline is not None:
            value = self.value(deadline)
            # A value starting with literal text (a code span) was kept as text by the export:
            # no deadline is read out of it. Words in spans further on are Markdown's, not that.
            readable = deadline.strip().all_raw(0, 1)
            when = parse_time(value, self.tz) if readable else None
            request.deadline_text = value
            if when is not None:
                request.hard_deadline = when
                self.report.read("request.hard_deadline", when.isoformat(), "request", value,
                                 "the template's own form")  # fmt: skip
                return request
            read = read_deadline(value, self.tz, self.now) if readable else None
            if read is None:
                if value:
                    self.report.warn(f"deadline {value!r} states no date: kept as text")
            elif read.at is not None:
                request.hard_deadline = read.at
                self.report.read("request.hard_deadline", read.at.isoformat(), "request", value,
                                 read.how)  # fmt: skip
            else:
                request.deadline_date = read.day
                day = read.day.isoformat() if read.day else ""
                self.report.read("request.deadline_date", day, "request", value, read.how)
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

    Raises DocumentError when the document has no title line (it is not an escalation); anything
    else it cannot place is kept in `case.unplaced` and reported by `read_document`. `now` stamps
    the case and a severity override (default: the current time); `tz` is the zone of a deadline
    written without one (None: local time)."""
    return read_document(text, playbook, now=now, tz=tz)[0]


def read_document(
    text: str,
    playbook: Playbook,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
) -> tuple[Escalation, Report]:
    """`parse_markdown` with the report of what was read, from where, and how."""
    now = now or utcnow()
    clean = sanitize(text)
    blocks = read_blocks(clean)
    parser = _Parser(playbook, now, tz)
    splitter = Sections(playbook.document)
    title, preamble, sections = splitter.split(blocks)
    for warning in splitter.warnings:
        parser.report.warn(warning)
    severity, routes = parser.preamble(preamble)
    business = parser.business_impact(sections["business_impact"])
    references, linked = parser.attachments(sections.get("attachments", []))
    sla = _sla_id(playbook, business.sla_position)
    if sla is not None:
        parser.report.read("impact.sla", sla, "business_impact", business.sla_position)
    impact = impact_numbers(business, parser.report)
    impact.sla = sla
    names = customer_names(business.affected_customers)
    if names:
        parser.report.read("customers", ", ".join(names), "business_impact",
                           business.affected_customers)  # fmt: skip
    for heading, body in splitter.unknown:
        parser.unplace(parser.value(heading), "\n".join(block_text(b) for b in body))
    title_value = parser.value(title)
    parser.report.read("title", title_value, "title", title_value)
    if parser.customer:  # the case's own customer first, then the others affected
        names = [parser.customer, *(n for n in names if n.lower() != parser.customer.lower())]
    case = Escalation(
        title=title_value,
        customer=parser.customer or (names[0] if names else ""),
        customers=names,
        component=parser.component,
        created_at=now,
        updated_at=now,
        routed_to=routes,
        impact=impact,
        business_impact=business,
        narrative=parser.narrative(sections["narrative"]),
        reproduction=parser.reproduction(sections.get("reproduction", [])),
        actions=parser.actions(sections["actions"]),
        communication=parser.communication(sections["communication"]),
        request=parser.request(sections["request"]),
        references=references,
        linked=linked,
        unplaced=[item.text for item in parser.report.unplaced],
    )
    suggested = effective_severity(case, playbook, now)
    if severity is not None and severity != suggested:
        case.severity_override = Override(
            value=severity.value, reason=IMPORTED_SEVERITY_REASON, at=now
        )
    elif severity is None and suggested is not None:
        # The document states no severity; keep it that way rather than let the numbers and the
        # SLA line read from its text suggest one (export -> import would change the document).
        case.impact = ImpactInputs()
    _forget_derived_not_applicable(case, playbook, now)
    parser.report.locate(clean)
    return case, parser.report


def _forget_derived_not_applicable(case: Escalation, playbook: Playbook, now: datetime) -> None:
    """A "Not applicable" line that the export's own rule writes for this case (routed away from
    the teams that take defects) is not the writer's text: the rule says it again on export, so
    keeping it would store a value the case never had."""
    stated = case.reproduction.not_applicable
    if not stated:
        return
    case.reproduction.not_applicable = ""
    reason = reproduction_not_applicable(case, playbook, now)
    if reason is None or stated != f"{NOT_APPLICABLE_LABEL}: {reason}":
        case.reproduction.not_applicable = stated


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
