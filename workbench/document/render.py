"""The case as the playbook's escalation document, in CommonMark or in the template's plain text:
headings, order and labels from `playbook.document`; the playbook's placeholder for every empty
required field; the optional reproduction lines (baseline, frequency, evidence, eliminations) only
when filled in; text as the agent typed it (see `escaping`)."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from workbench.document.aliases import ASK_LABELS, DEADLINE_LABELS, FIELD_LABEL_ALIASES
from workbench.document.deadlines import read_deadline
from workbench.document.escaping import Esc, code_span, encode, encode_line, fence, label_start
from workbench.document.structure import (
    ACTION_SEPARATOR,
    BASELINE_LABELS,
    ENVIRONMENT_DEFAULT,
    ENVIRONMENT_LABELS,
    INPUT_SEPARATOR,
    NOT_APPLICABLE_LABEL,
)
from workbench.document.times import format_time, parse_time
from workbench.models import (
    ActionTaken,
    BusinessImpact,
    Escalation,
    LogKind,
    ReproStep,
    Request,
)
from workbench.playbook import Playbook
from workbench.rules.applicability import reproduction_not_applicable
from workbench.rules.asks import ask_type_of
from workbench.rules.impact import effective_severity
from workbench.rules.triage import routed_destinations
from workbench.sanitize import sanitize
from workbench.vocab import plural

__all__ = [
    "FORMATS",
    "compose_business_impact",
    "render_document",
    "render_markdown",
    "render_plain",
]

FORMATS = ("markdown", "plain")
_ARROWS = ("->", "→")


def _field_aliases(*names: str) -> tuple[str, ...]:
    return tuple(alias for name in names for alias in FIELD_LABEL_ALIASES.get(name, ()))


# The other names each section's parse takes for its labels (parse.py's `table`, the request's).
_BUSINESS_ALIASES = _field_aliases(
    "affected_customers", "operational_effect", "revenue_exposure", "sla_position"
)
_REPRODUCTION_ALIASES = _field_aliases(
    "baseline", "expected", "observed", "environment", "frequency", "evidence", "eliminations"
)
_COMMUNICATION_ALIASES = _field_aliases(
    "most_recent_update", "customer_expectation", "escalation_risk"
)
_REQUEST_ALIASES = (*DEADLINE_LABELS, *ASK_LABELS)

_DEPTH_WORDS = {
    "blocked": "Fully blocked",
    "degraded": "Degraded",
    "inconvenienced": "Inconvenienced",
}


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _money(amount: float, currency: str) -> str:
    if not currency:
        return _count(amount)
    if len(currency) == 1 or not currency.isalpha():
        return f"{currency}{_count(amount)}"
    return f"{currency} {_count(amount)}"


def compose_business_impact(case: Escalation, playbook: Playbook) -> BusinessImpact:
    """The BUSINESS IMPACT lines: what the agent typed, else composed from the impact numbers."""
    typed = case.business_impact
    impact = case.impact

    counts: list[str] = []
    if impact.customers_affected is not None:
        counts.append(plural(impact.customers_affected, "customer"))
    if impact.end_users_affected is not None:
        counts.append(plural(impact.end_users_affected, "end user"))
    affected = ", ".join(counts)
    if affected and impact.growing:
        affected += " (growing)"
    customer = sanitize(case.customer)
    if customer.strip():
        affected = f"{affected}: {customer}" if affected else customer

    operational = _DEPTH_WORDS.get(impact.depth or "", "")

    money: list[str] = []
    if impact.arr_exposed is not None:
        money.append(f"{_money(impact.arr_exposed, impact.currency)} ARR exposed")
    if impact.pipeline_at_risk is not None:
        money.append(f"{_money(impact.pipeline_at_risk, impact.currency)} pipeline at risk")
    revenue = "; ".join(money)

    sla = playbook.sla_label(impact.sla) if impact.sla else ""
    if sla and impact.penalties_apply:
        sla += "; contractual penalties apply"

    return BusinessImpact(
        affected_customers=typed.affected_customers or affected,
        operational_effect=typed.operational_effect or operational,
        revenue_exposure=typed.revenue_exposure or revenue,
        sla_position=typed.sla_position or sla,
    )


class _Renderer:
    """One document being written: Markdown (`plain=False`) or the template's plain text."""

    def __init__(
        self, playbook: Playbook, tz: tzinfo | None, now: datetime, *, plain: bool
    ) -> None:
        self.playbook = playbook
        self.now = now
        self.doc = playbook.document
        self.placeholder = self.doc.placeholder
        self.tz = tz
        self.plain = plain
        # The other names the parse takes for the labels of the section being written (`within`).
        self.aliases: tuple[str, ...] = ()

    def within(self, aliases: tuple[str, ...]) -> _Renderer:
        """A renderer for a section whose parse also takes `aliases` for its labels: a typed
        line starting with one is written as literal text there (and only there: in the title
        or an action, "SLA: breach in 2h" stays as typed). A copy: no section's aliases carry
        over into the next one's writing."""
        section = copy.copy(self)
        section.aliases = aliases
        return section

    def enc(
        self,
        value: str,
        *,
        indent: str = "",
        line_start: bool = False,
        extra: str = "",
        arrow: bool = False,
        step_input: bool = False,
        block_ok: bool = True,
        labels: bool = True,
    ) -> str:
        """The sanitized value as document text, or the placeholder when it is empty."""
        how = Esc(
            self.doc,
            plain=self.plain,
            indent=indent,
            line_start=line_start,
            extra=extra,
            arrow=arrow,
            step_input=step_input,
            block_ok=block_ok,
            labels=labels,
            aliases=self.aliases,
        )
        value = sanitize(value)
        return (encode(value, how) if value else "") or self.placeholder

    def heading(self, text: str) -> str:
        return text if self.plain else f"## {text}"

    def bullet(self, label: str, value: str) -> str:
        return _after(f"- {label}:", self.enc(value, indent="  "))

    def line(self, label: str, value: str) -> str:
        return _after(f"{label}:", self.enc(value))

    def parts(self, labels: dict[str, str], values: dict[str, str], unlabeled: str = "") -> str:
        # A part after one that spans lines starts on a continuation line, where a line ending
        # in ":" would read as the intro of a new block: it is encoded as at a line's start.
        filled: list[str] = []
        for name, label in labels.items():
            if name != unlabeled and _one_paragraph(values[name]):
                wrapped = any("\n" in part for part in filled)
                value = self.enc(values[name], extra=";", block_ok=False, line_start=wrapped)
                filled.append(f"{label}: {value}")
        rest = _one_paragraph(values.get(unlabeled, "")) if unlabeled else ""
        if rest:
            extra = "" if _splits_back(rest, label_start(self.doc)) else ";"
            wrapped = any("\n" in part for part in filled)
            filled.append(self.enc(rest, extra=extra, block_ok=False, line_start=wrapped))
        return "; ".join(filled) or self.placeholder


def _one_paragraph(value: str) -> str:
    """The sanitized value without empty lines (what a value that cannot be a block carries)."""
    return "\n".join(line for line in sanitize(value).split("\n") if line)


def _start(encoded: str, indent: str) -> str:
    """An encoded value that starts a line (a list item's text): a block starts right there."""
    return encoded[1 + len(indent) :] if encoded.startswith("\n") else encoded


def _after(prefix: str, encoded: str) -> str:
    """`prefix` and a value: on the same line, or a fenced block on the lines below."""
    return prefix + encoded if encoded.startswith("\n") else f"{prefix} {encoded}"


def _splits_back(text: str, labels: re.Pattern[str]) -> bool:
    """Would an unlabeled "a; b; c" part read back as exactly this text (split at ";", trimmed,
    joined with "; ", none taken for a labeled part)?"""
    pieces = text.split(";")
    return (
        all(p.strip() and not labels.match(p.strip()) for p in pieces)
        and "; ".join(p.strip() for p in pieces) == text
    )


def _paragraphs(text: str) -> list[str]:
    """The text's paragraphs (split at its empty lines), or the text whole when its empty lines
    are more than paragraphs can carry (one block keeps them)."""
    pieces = text.split("\n\n") if text else []
    if len(pieces) > 1 and not all(p and p[0] != "\n" and p[-1] != "\n" for p in pieces):
        return [text]
    return pieces


def _narrative(r: _Renderer, case: Escalation) -> str:
    # What the de-escalation found and the lessons learned follow as paragraphs of the
    # narrative, which is how the import reads them back: one text, the same paragraphs again.
    parts = [sanitize(case.narrative)]
    if case.de_escalation is not None and sanitize(case.de_escalation.findings).strip():
        parts.append(f"De-escalation findings: {sanitize(case.de_escalation.findings)}")
    if case.resolution is not None and sanitize(case.resolution.lessons_learned).strip():
        parts.append(f"Lessons learned: {sanitize(case.resolution.lessons_learned)}")
    pieces = _paragraphs("\n\n".join(part for part in parts if part))
    if not pieces:
        return r.placeholder
    # The narrative is read back as text whatever its lines start or end with: "Customer: Acme"
    # is no field there, nor "The worker log shows:" an intro; both stay prose.
    out = [_start(r.enc(piece, line_start=True, labels=False), "") for piece in pieces]
    return "\n\n".join(out)


def _steps(r: _Renderer, steps: Sequence[ReproStep]) -> str:
    if not steps:
        return f"1. {r.placeholder}"
    lines: list[str] = []
    for number, step in enumerate(steps, start=1):
        prefix = f"{number}. "
        indent = " " * len(prefix)
        literal = sanitize(step.literal_input)
        typed = _one_paragraph(step.action)
        if "\n" in literal:
            # The line before a block literal ends with "input:": it must be the item's first line.
            typed = typed.replace("\n", " ")
        action = r.enc(typed, indent=indent, line_start=True, step_input=True, block_ok=False)
        text = prefix + action
        if literal and "\n" in literal:
            text = _after(text + INPUT_SEPARATOR.rstrip(), fence(literal, indent))
        elif literal:
            text += INPUT_SEPARATOR + code_span(literal)
        lines.append(text)
    return "\n".join(lines)


def _actions(r: _Renderer, actions: Sequence[ActionTaken]) -> str:
    if not actions:
        return f"1. {r.placeholder}"
    lines: list[str] = []
    for number, action in enumerate(actions, start=1):
        prefix = f"{number}. "
        indent = " " * len(prefix)
        tried = r.enc(action.tried, indent=indent, line_start=True, arrow=True, block_ok=False)
        if not sanitize(action.outcome) and any(a in _one_paragraph(action.tried) for a in _ARROWS):
            lines.append(prefix + tried)  # the outcome is already in the text
            continue
        # On a continuation line of the item, the outcome's first line ends a document line that
        # the parse reads like any other ("Expected outcome:" there would start a new block).
        outcome = r.enc(action.outcome, indent=indent, line_start="\n" in tried)
        lines.append(_after(f"{prefix}{tried}{ACTION_SEPARATOR.rstrip()}", outcome))
    return "\n".join(lines)


def _communication(r: _Renderer, case: Escalation) -> str:
    labels = r.doc.labels
    typed = case.communication
    update, expectation = typed.most_recent_update, typed.customer_expectation
    logged = [entry for entry in case.log if entry.kind == "customer_update"]
    if logged:
        latest = max(logged, key=lambda entry: entry.at)
        stamp = format_time(latest.at, r.tz)
        summary = sanitize(latest.summary)
        update = f"{stamp}: {summary}" if summary else stamp
        # The last expectation the customer was given, even if the latest update did not restate it.
        expecting = [entry for entry in logged if sanitize(entry.expectation)]
        if expecting:
            expectation = max(expecting, key=lambda entry: entry.at).expectation
    resolved = _resolved_expectation(r, case)
    if resolved:
        expectation = resolved
    return "\n".join(
        [
            r.bullet(labels.most_recent_update, update),
            r.bullet(labels.customer_expectation, expectation),
            r.bullet(labels.escalation_risk, typed.escalation_risk),
        ]
    )


def _resolved_expectation(r: _Renderer, case: Escalation) -> str:
    """After resolution, what the customer was told is no longer pending: what was resolved, when,
    and whether the customer confirmed it."""
    resolution = case.resolution
    if resolution is None or resolution.resolved_at is None:
        return ""
    text = f"Resolved {format_time(resolution.resolved_at, r.tz)}"
    done = [entry for entry in case.log if entry.kind == LogKind.RESOLVED]
    if done:
        summary = sanitize(max(done, key=lambda entry: entry.at).summary)
        summary = summary.removeprefix("Resolved").lstrip(": ").strip()
        if summary:
            text += f": {summary}"
    if resolution.customer_confirmed:
        return text + "; the customer confirmed the resolution"
    return text + "; the customer's confirmation is pending"


def _request(r: _Renderer, request: Request) -> str:
    # An ask whose wording states its type ("please fix ...") is written under that type's label,
    # as the lint and the import read it: the document says the type out loud.
    ask_type = request.ask_type or ask_type_of(sanitize(request.ask), r.playbook)
    if ask_type:
        ask = _after(f"- {r.playbook.ask_label(ask_type)}:", r.enc(request.ask, indent="  "))
    else:
        ask = "- " + _start(r.enc(request.ask, indent="  ", line_start=True), "  ")
    label = f"- {r.doc.labels.hard_deadline}:"
    if request.hard_deadline is not None:
        deadline = f"{label} {format_time(request.hard_deadline, r.tz)}"
    else:
        text = sanitize(request.deadline_text)
        encoded = r.enc(text, indent="  ")
        first = text.split("\n", 1)[0]
        lead = encoded.split("\n", 1)[0]  # "" when the text is a fenced block
        if first and lead and not lead.startswith("`") and _reads_otherwise(r, text, request):
            # Typed text that reads like a time stays text: a value starting with literal text
            # is one the import reads no deadline out of (the first line whole in one span).
            encoded = code_span(first) + encoded[len(lead) :]
        deadline = _after(label, encoded)
    return f"{ask}\n{deadline}"


def _reads_otherwise(r: _Renderer, text: str, request: Request) -> bool:
    """Would the import read a deadline out of this text that the case does not hold? (The
    import reads the same text with `read_deadline`, which finds a date anywhere in it.)"""
    if parse_time(text, UTC) is not None:
        return True
    read = read_deadline(text, r.tz or UTC, r.now)
    return read is not None and (read.at is not None or read.day != request.deadline_date)


def _attachments(r: _Renderer, case: Escalation) -> str:
    labels = r.doc.labels
    refs = case.references
    lines: list[str] = []
    for label, items in (
        (labels.tickets, refs.tickets),
        (labels.threads, refs.threads),
        (labels.files, refs.files),
    ):
        if not items:
            lines.append(f"- {label}: {r.placeholder}")
            continue
        lines.append(f"- {label}:")
        lines.extend(
            "  - " + _start(r.enc(item, indent="    ", line_start=True), "    ") for item in items
        )
    if case.linked:
        lines.append(f"- {labels.linked_cases}: " + ", ".join(f"#{n}" for n in case.linked))
    return "\n".join(lines)


def _title(r: _Renderer, title: str) -> str:
    """The one-line summary: a heading holds one line, so line breaks are written as spaces."""
    text = sanitize(title).replace("\n", " ")
    if not text:
        return r.placeholder
    return encode_line(text, Esc(r.doc, r.plain, heading=not r.plain), at_start=False)


def _reproduction(r: _Renderer, case: Escalation, now: datetime) -> list[str]:
    """The section's blocks: the template's lines, the optional ones only when filled in."""
    if case.reproduction.not_applicable.strip():
        # What the document the case came from said ("N/A - works as designed"), as it said it:
        # one paragraph, as the import reads it (a fenced block would read back as a step).
        text = r.enc(case.reproduction.not_applicable, line_start=True, block_ok=False)
        return [_start(text, "")]
    reason = reproduction_not_applicable(case, r.playbook, now)
    if reason is not None:
        return [f"{NOT_APPLICABLE_LABEL}: {reason}"]
    labels = r.doc.labels
    rep = case.reproduction
    blocks: list[str] = []
    if any(_one_paragraph(value) for value in rep.baseline.model_dump().values()):
        blocks.append(f"{labels.baseline}: " + r.parts(BASELINE_LABELS, rep.baseline.model_dump()))
    blocks.append(_steps(r, rep.steps))
    blocks.append(r.line(labels.expected, rep.expected))
    blocks.append(r.line(labels.observed, rep.observed))
    environment = r.parts(ENVIRONMENT_LABELS, rep.environment.model_dump(), ENVIRONMENT_DEFAULT)
    blocks.append(f"{labels.environment}: {environment}")
    for name in ("frequency", "evidence", "eliminations"):
        value = getattr(rep, name)
        if sanitize(value):
            blocks.append(r.line(getattr(labels, name), value))
    return blocks


def _render(
    case: Escalation, playbook: Playbook, now: datetime, tz: tzinfo | None, *, plain: bool
) -> str:
    r = _Renderer(playbook, tz, now, plain=plain)
    doc = playbook.document
    labels = doc.labels
    heads = doc.headings
    severity = effective_severity(case, playbook, now)
    routes = routed_destinations(case, playbook, now)
    route_labels = [_route_label(playbook, destination) for destination in routes]
    impact = compose_business_impact(case, playbook)

    preamble = [
        f"{doc.title_label}: {_title(r, case.title)}"
        if plain
        else f"# {doc.title_label}: " + _title(r, case.title),
        f"{doc.severity_label}: "
        + (playbook.severity(severity.value).name if severity else r.placeholder),
        f"{doc.routed_label}: " + (", ".join(route_labels) or r.placeholder),
    ]
    rb = r.within(_BUSINESS_ALIASES)
    business = "\n".join(
        [
            rb.bullet(labels.affected_customers, impact.affected_customers),
            rb.bullet(labels.operational_effect, impact.operational_effect),
            rb.bullet(labels.revenue_exposure, impact.revenue_exposure),
            rb.bullet(labels.sla_position, impact.sla_position),
        ]
    )
    sections: list[tuple[str, list[str]]] = [
        (heads.business_impact, [business]),
        (heads.narrative, [_narrative(r, case)]),
        (heads.reproduction, _reproduction(r.within(_REPRODUCTION_ALIASES), case, now)),
        (heads.actions, [_actions(r, case.actions)]),
        (heads.communication, [_communication(r.within(_COMMUNICATION_ALIASES), case)]),
        (heads.request, [_request(r.within(_REQUEST_ALIASES), case.request)]),
        (heads.attachments, [_attachments(r, case)]),
    ]
    if not plain:
        blocks = list(preamble)
        for heading, body in sections:
            blocks.append(r.heading(heading))
            blocks.extend(body)
        return "\n\n".join(blocks) + "\n"
    # Plain text: the template's layout, a blank line before each heading and after a list that
    # other lines follow (a line right under a list item would continue that item).
    out = ["\n".join(preamble)]
    for heading, body in sections:
        text = heading
        for index, block in enumerate(body):
            after_list = index > 0 and _is_list(body[index - 1])
            text += ("\n\n" if after_list else "\n") + block
        out.append(text)
    return "\n\n".join(out) + "\n"


def _is_list(block: str) -> bool:
    return block.startswith(("- ", "1. "))


def render_markdown(
    case: Escalation, playbook: Playbook, now: datetime, *, tz: tzinfo | None = None
) -> str:
    """The case as the playbook's escalation document (CommonMark), times in `tz` (None: local).

    Ends with one newline and contains no control character but newline and tab. No trailing
    spaces, except on the lines of a fenced block that the agent typed with them."""
    return _render(case, playbook, now, tz, plain=False)


def render_plain(
    case: Escalation, playbook: Playbook, now: datetime, *, tz: tzinfo | None = None
) -> str:
    """The case as the template itself in plain text (for e-mail and ticket fields): capital
    headings, "- " bullets and "1." steps, no Markdown markers; values verbatim. The parse reads
    it back as it reads the Markdown document."""
    return _render(case, playbook, now, tz, plain=True)


def render_document(
    case: Escalation,
    playbook: Playbook,
    now: datetime,
    *,
    tz: tzinfo | None = None,
    fmt: str = "markdown",
) -> str:
    """The document in `fmt`: "markdown" (the default) or "plain"."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown document format {fmt!r} (expected {' or '.join(FORMATS)})")
    return _render(case, playbook, now, tz, plain=fmt == "plain")


def _route_label(playbook: Playbook, destination_id: str) -> str:
    try:
        return playbook.destination(destination_id).route_label
    except KeyError:
        return sanitize(destination_id)
