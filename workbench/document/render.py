"""The case as the playbook's escalation document (CommonMark): headings, order and labels from
`playbook.document`, and the playbook's placeholder for every empty field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from workbench.document.escaping import (
    ASCII_PUNCT,
    NO_CHARS,
    Esc,
    code_span,
    escape,
    label_start,
)
from workbench.document.structure import (
    ACTION_SEPARATOR,
    BASELINE_LABELS,
    ENVIRONMENT_LABELS,
    INPUT_SEPARATOR,
)
from workbench.document.times import format_time, parse_time
from workbench.models import ActionTaken, BusinessImpact, Escalation, ReproStep, Request
from workbench.playbook import Playbook
from workbench.rules.impact import effective_severity
from workbench.rules.triage import routed_destinations
from workbench.sanitize import sanitize
from workbench.vocab import plural

__all__ = ["compose_business_impact", "render_markdown"]

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
    def __init__(self, playbook: Playbook, tz: tzinfo | None) -> None:
        self.playbook = playbook
        self.doc = playbook.document
        self.placeholder = self.doc.placeholder
        self.tz = tz
        self.labels = label_start(self.doc)

    def esc(
        self,
        value: str,
        *,
        indent: str = "",
        line_start: bool = False,
        extra: frozenset[str] = NO_CHARS,
        input_colon: bool = False,
        single_line: bool = False,
    ) -> str:
        """The escaped, sanitized value, or the placeholder when it is empty."""
        how = Esc(self.labels, indent, line_start, extra, input_colon, single_line)
        return escape(sanitize(value), how) or self.placeholder

    def bullet(self, label: str, value: str) -> str:
        return f"- {label}: {self.esc(value, indent='  ')}"

    def line(self, label: str, value: str) -> str:
        return f"{label}: {self.esc(value)}"

    def parts(self, labels: dict[str, str], values: dict[str, str]) -> str:
        filled = [
            f"{label}: {self.esc(values[name], extra=frozenset(';'))}"
            for name, label in labels.items()
            if sanitize(values[name])
        ]
        return "; ".join(filled) or self.placeholder


def _narrative(r: _Renderer, text: str) -> str:
    text = sanitize(text)
    pieces = text.split("\n\n")
    if len(pieces) > 1 and all(p and p[0] != "\n" and p[-1] != "\n" for p in pieces):
        return "\n\n".join(r.esc(p, line_start=True) for p in pieces)
    return r.esc(text, line_start=True)


def _steps(r: _Renderer, steps: Sequence[ReproStep]) -> str:
    if not steps:
        return f"1. {r.placeholder}"
    lines: list[str] = []
    for number, step in enumerate(steps, start=1):
        prefix = f"{number}. "
        indent = " " * len(prefix)
        text = prefix + r.esc(step.action, indent=indent, line_start=True, input_colon=True)
        literal = sanitize(step.literal_input)
        if literal:
            span = code_span(literal)
            text += INPUT_SEPARATOR + (span if span else r.esc(literal, indent=indent))
        lines.append(text)
    return "\n".join(lines)


def _actions(r: _Renderer, actions: Sequence[ActionTaken]) -> str:
    if not actions:
        return f"1. {r.placeholder}"
    lines: list[str] = []
    for number, action in enumerate(actions, start=1):
        prefix = f"{number}. "
        indent = " " * len(prefix)
        tried = r.esc(action.tried, indent=indent, line_start=True)
        outcome = r.esc(action.outcome, indent=indent)
        lines.append(f"{prefix}{tried}{ACTION_SEPARATOR}{outcome}")
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
    return "\n".join(
        [
            r.bullet(labels.most_recent_update, update),
            r.bullet(labels.customer_expectation, expectation),
            r.bullet(labels.escalation_risk, typed.escalation_risk),
        ]
    )


def _deadline_text(r: _Renderer, text: str) -> str:
    escaped = r.esc(text, indent="  ")
    if escaped == sanitize(text) and parse_time(escaped, UTC) is not None:
        # Typed text that reads like a time stays text: escape its first punctuation mark.
        at = next(i for i, ch in enumerate(escaped) if ch in ASCII_PUNCT)
        escaped = f"{escaped[:at]}\\{escaped[at:]}"
    return escaped


def _request(r: _Renderer, request: Request) -> str:
    if request.ask_type:
        ask = f"- {r.playbook.ask_label(request.ask_type)}: {r.esc(request.ask, indent='  ')}"
    else:
        ask = f"- {r.esc(request.ask, indent='  ', line_start=True)}"
    if request.hard_deadline is not None:
        deadline = format_time(request.hard_deadline, r.tz)
    elif sanitize(request.deadline_text):
        deadline = _deadline_text(r, request.deadline_text)
    else:
        deadline = r.placeholder
    return f"{ask}\n- {r.doc.labels.hard_deadline}: {deadline}"


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
        lines.extend(f"  - {r.esc(item, indent='    ', line_start=True)}" for item in items)
    if case.linked:
        lines.append(f"- {labels.linked_cases}: " + ", ".join(f"#{n}" for n in case.linked))
    return "\n".join(lines)


def render_markdown(
    case: Escalation, playbook: Playbook, now: datetime, *, tz: tzinfo | None = None
) -> str:
    """The case as the playbook's escalation document (CommonMark), times in `tz` (None: local).

    Ends with one newline, has no trailing spaces, and contains no control character but newline
    and tab. (A case kept in support exports as its note instead: `keep_note.render_export`.)"""
    r = _Renderer(playbook, tz)
    doc = playbook.document
    labels = doc.labels
    heads = doc.headings
    rep = case.reproduction

    title = r.esc(case.title, single_line=True)
    trailing = len(title) - len(title.rstrip("#"))
    if trailing and title != r.placeholder:
        title = f"{title[: len(title) - trailing]}\\{title[len(title) - trailing :]}"
    severity = effective_severity(case, playbook, now)
    routes = routed_destinations(case, playbook, now)
    route_labels = [_route_label(playbook, destination) for destination in routes]
    impact = compose_business_impact(case, playbook)

    blocks = [
        f"# {doc.title_label}: {title}",
        f"{doc.severity_label}: "
        + (playbook.severity(severity.value).name if severity else r.placeholder),
        f"{doc.routed_label}: " + (", ".join(route_labels) or r.placeholder),
        f"## {heads.business_impact}",
        "\n".join(
            [
                r.bullet(labels.affected_customers, impact.affected_customers),
                r.bullet(labels.operational_effect, impact.operational_effect),
                r.bullet(labels.revenue_exposure, impact.revenue_exposure),
                r.bullet(labels.sla_position, impact.sla_position),
            ]
        ),
        f"## {heads.narrative}",
        _narrative(r, case.narrative),
        f"## {heads.reproduction}",
        f"{labels.baseline}: " + r.parts(BASELINE_LABELS, rep.baseline.model_dump()),
        _steps(r, rep.steps),
        r.line(labels.expected, rep.expected),
        r.line(labels.observed, rep.observed),
        f"{labels.environment}: " + r.parts(ENVIRONMENT_LABELS, rep.environment.model_dump()),
        r.line(labels.frequency, rep.frequency),
        r.line(labels.evidence, rep.evidence),
        r.line(labels.eliminations, rep.eliminations),
        f"## {heads.actions}",
        _actions(r, case.actions),
        f"## {heads.communication}",
        _communication(r, case),
        f"## {heads.request}",
        _request(r, case.request),
        f"## {heads.attachments}",
        _attachments(r, case),
    ]
    if case.resolution is not None and case.resolution.resolved_at is not None:
        blocks += _resolution(r, case)
    return "\n\n".join(blocks) + "\n"


def _resolution(r: _Renderer, case: Escalation) -> list[str]:
    """A resolved case's closing section, after the template's: when, confirmed, lessons learned
    (the playbook's "When resolved: confirm with the customer, close internal tracking, and
    capture lessons learned")."""
    done = case.resolution
    assert done is not None and done.resolved_at is not None
    return [
        "## RESOLUTION",
        "\n".join(
            [
                f"- Resolved: {format_time(done.resolved_at, r.tz)}",
                f"- Customer confirmed: {'yes' if done.customer_confirmed else 'no'}",
                f"- Internal tracking closed: {'yes' if done.tracking_closed else 'no'}",
                r.bullet("Lessons learned", done.lessons_learned),
            ]
        ),
    ]


def _route_label(playbook: Playbook, destination_id: str) -> str:
    try:
        return playbook.destination(destination_id).route_label
    except KeyError:
        return sanitize(destination_id)
