"""The escalation document: the playbook's "Escalation Document Structure" as CommonMark, and back.

`render_markdown` writes a case in the template's structure (headings, order and labels from
`playbook.document`); every empty field shows the playbook's placeholder. `parse_markdown` reads such a
document, or one an agent typed in the same structure, back into a case, using markdown-it-py's token
stream. The two are exact inverses on what the user typed: user text is sanitized, then escaped so it
can neither break the structure nor forge a label, a separator or the placeholder, and the parse
undoes exactly that escaping. So export(import(doc)) == doc for every document export produced.

How the exactness works: the parse keeps, for every character of a field, whether it was written
plainly ("raw") or as a backslash escape / character reference ("literal"). Structure (labels, the
`;` between environment entries, `->` in actions, `— input:` in steps, the placeholder, line breaks)
is recognised in raw characters only, and raw whitespace at the edges of a value is layout, while
literal whitespace is the user's. The renderer escapes accordingly: punctuation that could start
Markdown syntax, separators inside values, and whitespace at the edges of a value or line (as
`&#32;`-style references).
"""

from __future__ import annotations

import contextlib
import gc
import re
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, get_args

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
from workbench.playbook import Document, Playbook
from workbench.rules.impact import effective_severity
from workbench.rules.triage import routed_destinations
from workbench.sanitize import sanitize
from workbench.vocab import plural

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "BASELINE_LABELS",
    "ENVIRONMENT_LABELS",
    "IMPORTED_SEVERITY_REASON",
    "DocumentError",
    "compose_business_impact",
    "format_time",
    "parse_markdown",
    "parse_time",
    "render_markdown",
    "sanitize",
]

# Sub-field labels of the "Baseline state:" and "Environment:" lines (model field -> label). The
# playbook names the lines; their parts are the model's fields, in the order the advice lists them.
BASELINE_LABELS: dict[str, str] = {
    "account_type": "Account type",
    "configuration": "Configuration",
    "permissions": "Permissions",
    "prerequisites": "Prerequisites",
}
ENVIRONMENT_LABELS: dict[str, str] = {
    "browser": "Browser",
    "os": "OS",
    "plan_tier": "Plan tier",
    "feature_flags": "Feature flags",
    "other": "Other",
}
# Unlabeled parts of a hand-written line land here.
_BASELINE_DEFAULT = "configuration"
_ENVIRONMENT_DEFAULT = "other"

IMPORTED_SEVERITY_REASON = "Stated in the imported document"
INPUT_SEPARATOR = " — input: "
ACTION_SEPARATOR = " -> "

_DEPTH_WORDS = {
    "blocked": "Fully blocked",
    "degraded": "Degraded",
    "inconvenienced": "Inconvenienced",
}


class DocumentError(ValueError):
    """A document that is not an escalation in the playbook's structure; names the section."""


# =====================================================================================================
# Times
# =====================================================================================================
# Zone abbreviations the parse understands. The renderer writes an abbreviation only when it maps back
# to the same offset here; otherwise it writes the offset (+05:45), so a time always round-trips.
_ZONES: dict[str, timedelta] = {
    name: timedelta(minutes=minutes)
    for name, minutes in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "WET": 0,
        "WEST": 60,
        "BST": 60,
        "CET": 60,
        "CEST": 120,
        "EET": 120,
        "EEST": 180,
        "MSK": 180,
        "IST": 330,
        "PKT": 300,
        "SGT": 480,
        "HKT": 480,
        "AWST": 480,
        "JST": 540,
        "KST": 540,
        "ACST": 570,
        "ACDT": 630,
        "AEST": 600,
        "AEDT": 660,
        "NZST": 720,
        "NZDT": 780,
        "BRT": -180,
        "ART": -180,
        "EST": -300,
        "EDT": -240,
        "CST": -360,
        "CDT": -300,
        "MST": -420,
        "MDT": -360,
        "PST": -480,
        "PDT": -420,
        "AKST": -540,
        "AKDT": -480,
        "HST": -600,
    }.items()
}


def _offset_label(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    label = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{label}:{secs:02d}" if secs else label


def format_time(value: datetime, tz: tzinfo | None = None) -> str:
    """`YYYY-MM-DD HH:MM ZONE` in `tz` (None: local time). Seconds appear only when not zero, so a
    time always reads back to the same instant."""
    local = value.astimezone(tz) if tz is not None else value.astimezone()
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
        if local.microsecond:
            text += f".{local.microsecond:06d}"
    offset = local.utcoffset() or timedelta(0)
    name = local.tzname() or ""
    if name.isalpha() and _ZONES.get(name.upper()) == offset:
        zone = name
    elif not offset:
        zone = "UTC"
    else:
        zone = _offset_label(offset)
    return f"{text} {zone}"


_TIME_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ \t]+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?"
    r"(?:[ \t]*(?:(?P<name>[A-Za-z]{1,5})|(?P<offset>[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)))?"
)


def parse_time(text: str, tz: tzinfo | None = None) -> datetime | None:
    """The inverse of `format_time`, and the ISO 8601 forms an agent types; None when `text` is not
    one exact date and time. A time without a zone is read in `tz` (None: local time)."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    micro = int((match.group(7) or "0").ljust(6, "0"))
    zone: tzinfo | None
    if match.group("name"):
        offset = _ZONES.get(match.group("name").upper())
        if offset is None:
            return None
        zone = timezone(offset)
    elif match.group("offset"):
        digits = match.group("offset")[1:].replace(":", "")
        delta = timedelta(
            hours=int(digits[0:2]), minutes=int(digits[2:4] or 0), seconds=int(digits[4:6] or 0)
        )
        if delta >= timedelta(hours=24):
            return None
        zone = timezone(-delta if match.group("offset")[0] == "-" else delta)
    else:
        zone = tz
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        return None
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


# =====================================================================================================
# Escaping (render side)
# =====================================================================================================
_ASCII_PUNCT = frozenset(string.punctuation)
# Always escaped: code spans, emphasis, links and placeholders, HTML and autolinks, table pipes,
# strikethrough and tilde fences. `>` only where it means something: a block quote at a line start,
# and the "->" that separates an action from its outcome.
_ALWAYS = frozenset("`*[]<|~")
_INLINE_SPECIAL = re.compile(r"[`*\[\]<|~\\_&]|->")
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_ORDERED_MARKER = re.compile(r"\d{1,9}[.)](?=[ \t]|$)")
_HEADING_MARKER = re.compile(r"#+(?=[ \t]|$)")
_INPUT_COLON = re.compile(r"input[ \t]*:", re.IGNORECASE)
_NO_CHARS: frozenset[str] = frozenset()


def _ref(ch: str) -> str:
    return f"&#{ord(ch)};"


@lru_cache(maxsize=16)
def _label_start(doc: Document) -> re.Pattern[str]:
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
class _Esc:
    """How to escape one value: where it sits and which separators it must not forge."""

    labels: re.Pattern[str]
    indent: str = ""  # continuation lines start with this (the list item's content column)
    line_start: bool = False  # the value's first line starts a Markdown line
    extra: frozenset[str] = _NO_CHARS  # more characters to escape everywhere (";")
    input_colon: bool = False  # escape the colon of "input:" (a step's action)
    single_line: bool = False  # newlines as references (a heading cannot break a line)


def _escape(value: str, how: _Esc) -> str:
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


def _escape_line(line: str, how: _Esc, *, at_start: bool) -> str:
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
            plain = after and after not in _ASCII_PUNCT and not after.isspace()
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


def _code_span(text: str) -> str | None:
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


# =====================================================================================================
# Render
# =====================================================================================================
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
        self.labels = _label_start(self.doc)

    def esc(
        self,
        value: str,
        *,
        indent: str = "",
        line_start: bool = False,
        extra: frozenset[str] = _NO_CHARS,
        input_colon: bool = False,
        single_line: bool = False,
    ) -> str:
        """The escaped, sanitized value, or the placeholder when it is empty."""
        how = _Esc(self.labels, indent, line_start, extra, input_colon, single_line)
        return _escape(sanitize(value), how) or self.placeholder

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
            span = _code_span(literal)
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
        at = next(i for i, ch in enumerate(escaped) if ch in _ASCII_PUNCT)
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
    and tab."""
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
    return "\n\n".join(blocks) + "\n"


def _route_label(playbook: Playbook, destination_id: str) -> str:
    try:
        return playbook.destination(destination_id).route_label
    except KeyError:
        return sanitize(destination_id)


# =====================================================================================================
# Parse: the token stream as blocks of text that remember which characters were escaped
# =====================================================================================================
_parser: MarkdownIt | None = None


def _markdown() -> MarkdownIt:
    """One CommonMark parser per process, made on first use (the import costs ~50 ms)."""
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
    collection ran inside a parse (25-35 ms, three times the parse). Whether the collector was
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


@dataclass(frozen=True, slots=True)
class _Text:
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

    def cut(self, start: int, end: int | None = None) -> _Text:
        stop = len(self.text) if end is None else end
        codes = tuple(
            (a - start, b - start, c) for a, b, c in self.codes if a >= start and b <= stop
        )
        return _Text(self.text[start:stop], self.raw[start:stop], codes)

    def strip(self) -> _Text:
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

    def lines(self) -> list[_Text]:
        """Split at raw line breaks (soft and hard breaks of the source)."""
        result: list[_Text] = []
        start = 0
        at = self.find("\n")
        while at >= 0:
            result.append(self.cut(start, at))
            start = at + 1
            at = self.find("\n", start)
        result.append(self.cut(start))
        return result

    def split(self, separator: str) -> list[_Text]:
        result: list[_Text] = []
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


_EMPTY = _Text("", b"")
_NEWLINE = _Text("\n", bytes([_RAW]))
_PARAGRAPH = _Text("\n\n", bytes([_RAW, _RAW]))


def _join(parts: Iterable[_Text], separator: _Text = _NEWLINE) -> _Text:
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
    return _Text("".join(text), bytes(raw), tuple(codes))


def _flatten(children: Sequence[Token] | None) -> _Text:
    """An inline token's children as one _Text. Markup an agent typed (emphasis, links, code spans)
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
            start = size
            add(f"{token.markup}{token.content}{token.markup}", _LIT)
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
            add(token.markup, _LIT)
        else:
            add(token.content, _LIT)
    return _Text("".join(text), bytes(raw), tuple(codes))


@dataclass(slots=True)
class _Heading:
    level: int
    text: _Text


@dataclass(slots=True)
class _Para:
    text: _Text


@dataclass(slots=True)
class _Item:
    blocks: list[_Block]


@dataclass(slots=True)
class _List:
    ordered: bool
    items: list[_Item]


@dataclass(slots=True)
class _Code:
    text: _Text


_Block = _Heading | _Para | _List | _Code


def _blocks(tokens: Sequence[Token], index: int = 0, stop: str = "") -> tuple[list[_Block], int]:
    """The block structure of the token stream from `index` up to the `stop` token type."""
    out: list[_Block] = []
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == stop:
            return out, index + 1
        if kind == "heading_open":
            out.append(_Heading(int(token.tag[1:]), _flatten(tokens[index + 1].children)))
            index += 3
        elif kind == "paragraph_open":
            out.append(_Para(_flatten(tokens[index + 1].children)))
            index += 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            close = kind.replace("_open", "_close")
            items: list[_Item] = []
            index += 1
            while index < len(tokens) and tokens[index].type != close:
                blocks, index = _blocks(tokens, index + 1, "list_item_close")
                items.append(_Item(blocks))
            out.append(_List(kind == "ordered_list_open", items))
            index += 1
        elif kind == "blockquote_open":
            inner, index = _blocks(tokens, index + 1, "blockquote_close")
            out.extend(inner)
        elif kind in ("fence", "code_block", "html_block"):
            content = token.content.rstrip("\n")
            out.append(_Code(_Text(content, bytes([_LIT]) * len(content))))
            index += 1
        else:
            index += 1
    return out, index


# -- labeled lines ------------------------------------------------------------------------------------
_Labels = tuple[tuple[str, str], ...]  # (lower-case label, key), longest first


def _labels(pairs: Iterable[tuple[str, str]]) -> _Labels:
    """(label, key) pairs as a match table."""
    return tuple(sorted(((label.lower(), key) for label, key in pairs), key=lambda p: -len(p[0])))


def _match_label(line: _Text, table: _Labels) -> tuple[str, _Text] | None:
    """(key, value) when the line starts with one of the labels and a colon (case-insensitive)."""
    text = line.text
    for label, key in table:
        size = len(label)
        if text[:size].lower() != label or not line.all_raw(0, size):
            continue
        at = size
        while at < len(text) and text[at] in " \t" and line.raw[at]:
            at += 1
        if at < len(text) and text[at] == ":" and line.raw[at]:
            return key, line.cut(at + 1).strip()
    return None


@dataclass(slots=True)
class _Entry:
    """One logical line of a section: a label's value, or an unlabeled line (key None), with the
    items of a list nested under it."""

    key: str | None
    text: _Text
    item: bool = False  # the first line of a list item
    nested: list[_Text] = field(default_factory=list)
    intro: bool = False  # starts with a typed intro line ("Steps:"), which is not a value


def _item_text(item: _Item) -> _Text:
    parts: list[_Text] = []
    for block in item.blocks:
        if isinstance(block, _Para | _Code):
            parts.append(block.text)
        elif isinstance(block, _List):
            parts.extend(_item_text(sub) for sub in block.items)
    return _join(parts)


def _add_lines(out: list[_Entry], text: _Text, table: _Labels, *, item: bool) -> None:
    """Labeled lines start entries; other lines continue the entry before them, except a typed
    intro line ("Steps to reproduce:") outside a list item, which starts an entry of its own."""
    typed = text.typed_line_starts()
    pending: list[_Text] = []  # continuation lines of out[-1], joined once (long pasted logs)

    def flush() -> None:
        if pending:
            out[-1].text = _join([out[-1].text, *pending])
            pending.clear()

    for index, line in enumerate(text.lines()):
        match = _match_label(line, table) if table else None
        if match is not None:
            flush()
            out.append(_Entry(match[0], match[1], item and index == 0))
        elif typed[index] and not (item and index == 0) and _is_intro(line):
            flush()
            out.append(_Entry(None, line, intro=True))
        elif index == 0 or not out:
            flush()
            out.append(_Entry(None, line, item))
        else:
            pending.append(line)
    flush()


def _entries(blocks: Sequence[_Block], table: _Labels) -> list[_Entry]:
    out: list[_Entry] = []
    for block in blocks:
        if isinstance(block, _Para):
            _add_lines(out, block.text, table, item=False)
        elif isinstance(block, _Code):
            if out:
                out[-1].text = _join([out[-1].text, block.text])
            else:
                out.append(_Entry(None, block.text))
        elif isinstance(block, _List):
            for item in block.items:
                start = len(out)
                first = True
                for sub in item.blocks:
                    if isinstance(sub, _Para):
                        _add_lines(out, sub.text, table, item=first)
                        first = False
                    elif isinstance(sub, _List):
                        if len(out) == start:
                            out.append(_Entry(None, _EMPTY, True))
                            first = False
                        out[-1].nested.extend(_item_text(nested) for nested in sub.items)
                    elif isinstance(sub, _Code):
                        if len(out) == start:
                            out.append(_Entry(None, sub.text, first))
                            first = False
                        else:
                            out[-1].text = _join([out[-1].text, sub.text])
                if len(out) == start:
                    out.append(_Entry(None, _EMPTY, True))
    return [_without_intro(entry) for entry in out if not _bare_intro(entry)]


def _bare_intro(entry: _Entry) -> bool:
    return entry.intro and len(entry.text.lines()) == 1 and not entry.nested


def _without_intro(entry: _Entry) -> _Entry:
    """An intro entry as what follows its intro line (still marked `intro`)."""
    if not entry.intro:
        return entry
    lines = entry.text.lines()
    return _Entry(None, _join(lines[1:]), nested=entry.nested, intro=True)


def _is_intro(text: _Text) -> bool:
    """An unlabeled line like "Steps to reproduce:" that introduces what follows."""
    text = text.strip()
    return not text.text or (text.text.endswith(":") and bool(text.raw[-1]) and len(text) <= 60)


def _preview(text: _Text) -> str:
    line = " ".join(sanitize(text.text).split())
    return line if len(line) <= 50 else line[:49] + "…"


# =====================================================================================================
# Parse: sections
# =====================================================================================================
_SectionKey = Literal[
    "business_impact",
    "narrative",
    "reproduction",
    "actions",
    "communication",
    "request",
    "attachments",
]
_SECTIONS: tuple[_SectionKey, ...] = get_args(_SectionKey)
_REQUIRED: tuple[_SectionKey, ...] = (
    "business_impact",
    "narrative",
    "actions",
    "communication",
    "request",
)
_STEP_INPUT = re.compile(r"[ \t]+(?:—|–|--|-)[ \t]*input[ \t]*:", re.IGNORECASE)
_ROUTE_SPLIT = re.compile(r"\s*(?:,|/|;|&|\+|\band\b)\s*", re.IGNORECASE)
_LINKED = re.compile(r"#?(\d+)")
_FILE_LIKE = re.compile(
    r"\.(?:har|log|txt|png|jpe?g|gif|mp4|mov|webm|zip|gz|json|csv|pdf)\b|screenshot|recording|"
    r"video|\blogs?\b",
    re.IGNORECASE,
)
_THREAD_LIKE = re.compile(r"^#|slack|thread|channel|teams|chat|e-?mail", re.IGNORECASE)


def _norm_heading(text: str) -> str:
    return " ".join(text.split()).lower()


def _heading_keys(doc: Document) -> dict[str, _SectionKey]:
    """Normalised heading text -> section; "REPRODUCTION PROCEDURE" matches without "(for defects)"."""
    keys: dict[str, _SectionKey] = {}
    for key in _SECTIONS:
        heading: str = getattr(doc.headings, key)
        keys[_norm_heading(heading)] = key
        short = re.sub(r"\s*\([^)]*\)\s*$", "", heading)
        keys.setdefault(_norm_heading(short), key)
    return keys


class _Parser:
    def __init__(self, playbook: Playbook, now: datetime, tz: tzinfo | None) -> None:
        self.playbook = playbook
        self.doc = playbook.document
        self.placeholder = self.doc.placeholder
        self.now = now
        self.tz = tz
        self.heading_keys = _heading_keys(self.doc)

    # -- values -------------------------------------------------------------------------------------
    def value(self, text: _Text) -> str:
        """The user's text: placeholder -> empty; sanitized (a document may carry `&#27;`)."""
        text = text.strip()
        return "" if text.is_placeholder(self.placeholder) else sanitize(text.text)

    def heading(self, key: _SectionKey) -> str:
        heading: str = getattr(self.doc.headings, key)
        return heading

    # -- structure ----------------------------------------------------------------------------------
    def section_of(self, text: _Text) -> _SectionKey | None:
        return self.heading_keys.get(_norm_heading(text.text)) if text.all_raw() else None

    def split(
        self, blocks: list[_Block]
    ) -> tuple[_Text, list[_Block], dict[_SectionKey, list[_Block]]]:
        """(title, preamble, sections). Headings are Markdown headings; a document without any
        section heading is read as plain text, with the template's headings as lines of their own."""
        if not any(isinstance(b, _Heading) and self.section_of(b.text) for b in blocks):
            blocks = self.plain_headings(blocks)
        title_table = _labels([(self.doc.title_label, "title")])
        title: _Text | None = None
        preamble: list[_Block] = []
        sections: dict[_SectionKey, list[_Block]] = {}
        current: list[_Block] | None = preamble
        section_level = 6
        for block in blocks:
            if isinstance(block, _Heading):
                key = self.section_of(block.text)
                if key is not None:
                    if title is None:
                        break
                    if key in sections:
                        raise DocumentError(f"duplicate section: {self.heading(key)}")
                    sections[key] = current = []
                    section_level = min(section_level, block.level)
                    continue
                if title is None:
                    match = _match_label(block.text, title_table)
                    if match is not None:
                        title = match[1]
                        continue
                if block.level <= section_level and sections:
                    current = None  # an unknown section: ignored
                continue
            if title is None:
                if isinstance(block, _Para):
                    lines = block.text.lines()
                    match = _match_label(lines[0], title_table)
                    if match is not None:
                        title = match[1]
                        if len(lines) > 1:
                            preamble.append(_Para(_join(lines[1:])))
                continue
            if current is not None:
                current.append(block)
        if title is None:
            raise DocumentError(f"no {self.doc.title_label} title line")
        for key in _REQUIRED:
            if key not in sections:
                raise DocumentError(f"missing section: {self.heading(key)}")
        return title, preamble, sections

    def plain_headings(self, blocks: list[_Block]) -> list[_Block]:
        """Paragraph lines that are exactly a section heading become headings."""
        out: list[_Block] = []
        for block in blocks:
            if isinstance(block, _List):
                out.extend(self.plain_list(block))
                continue
            if not isinstance(block, _Para):
                out.append(block)
                continue
            pending: list[_Text] = []
            for line in block.text.lines():
                if self.section_of(line.strip()) is not None:
                    if pending:
                        out.append(_Para(_join(pending)))
                        pending = []
                    out.append(_Heading(2, line.strip()))
                else:
                    pending.append(line)
            if pending:
                out.append(_Para(_join(pending)))
        return out

    def plain_list(self, block: _List) -> list[_Block]:
        """A heading line typed right under a list is a lazy continuation of its last item: split
        the list there; items after the heading belong to the new section."""
        for i, item in enumerate(block.items):
            for j, sub in enumerate(item.blocks):
                if not isinstance(sub, _Para):
                    continue
                lines = sub.text.lines()
                for k, line in enumerate(lines):
                    if self.section_of(line.strip()) is None:
                        continue
                    head = item.blocks[:j] + ([_Para(_join(lines[:k]))] if k else [])
                    items = block.items[:i] + ([_Item(head)] if head else [])
                    out: list[_Block] = [_List(block.ordered, items)] if items else []
                    out.append(_Heading(2, line.strip()))
                    rest: list[_Block] = (
                        [_Para(_join(lines[k + 1 :]))] if k + 1 < len(lines) else []
                    )
                    rest += item.blocks[j + 1 :]
                    if block.items[i + 1 :]:
                        rest.append(_List(block.ordered, block.items[i + 1 :]))
                    return out + self.plain_headings(rest)
        return [block]

    # -- preamble -----------------------------------------------------------------------------------
    def preamble(self, blocks: list[_Block]) -> tuple[Severity | None, list[str]]:
        table = _labels([(self.doc.severity_label, "severity"), (self.doc.routed_label, "routed")])
        severity: Severity | None = None
        routes: list[str] = []
        for entry in _entries(blocks, table):
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
    def fields(self, key: _SectionKey, blocks: list[_Block], table: _Labels) -> dict[str, str]:
        """A section of "Label: value" lines. An unlabeled line continues the line before it."""
        values: dict[str, _Text] = {}
        last: str | None = None
        for entry in _entries(blocks, table):
            text = _join([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key is None:
                if last is None:
                    raise DocumentError(
                        f"{self.heading(key)}: no label on the line {_preview(text)!r}"
                    )
                values[last] = _join([values[last], text])
                continue
            values[entry.key] = _join([values[entry.key], text]) if entry.key in values else text
            last = entry.key
        return {name: self.value(text) for name, text in values.items()}

    def business_impact(self, blocks: list[_Block]) -> BusinessImpact:
        labels = self.doc.labels
        names = ("affected_customers", "operational_effect", "revenue_exposure", "sla_position")
        table = _labels((getattr(labels, name), name) for name in names)
        return BusinessImpact(**self.fields("business_impact", blocks, table))

    def communication(self, blocks: list[_Block]) -> Communication:
        labels = self.doc.labels
        names = ("most_recent_update", "customer_expectation", "escalation_risk")
        table = _labels((getattr(labels, name), name) for name in names)
        return Communication(**self.fields("communication", blocks, table))

    # -- narrative ----------------------------------------------------------------------------------
    def narrative(self, blocks: list[_Block]) -> str:
        parts: list[str] = []
        for block in blocks:
            if isinstance(block, _Para | _Code):
                parts.append(self.value(block.text))
            elif isinstance(block, _List):
                for number, item in enumerate(block.items, start=1):
                    marker = f"{number}. " if block.ordered else "- "
                    parts.append(marker + self.value(_item_text(item)))
        if len(parts) == 1:
            return parts[0]
        return "\n\n".join(parts)

    # -- reproduction -------------------------------------------------------------------------------
    def reproduction(self, blocks: list[_Block]) -> Reproduction:
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
        table = _labels((getattr(labels, name), name) for name in names)
        steps: list[_Text] = []
        values: dict[str, _Text] = {}
        last: str | None = None
        for entry in _entries(blocks, table):
            text = _join([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.key is not None:
                values[entry.key] = (
                    _join([values[entry.key], text]) if entry.key in values else text
                )
                last = entry.key
            elif entry.item:
                steps.append(text)
            elif last is not None and not entry.intro:
                # A paragraph after a field continues it ("Evidence:" and the error text).
                values[last] = _join([values[last], text], _PARAGRAPH)
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
        baseline = self.parts(values.get("baseline", _EMPTY), BASELINE_LABELS, _BASELINE_DEFAULT)
        environment = self.parts(
            values.get("environment", _EMPTY), ENVIRONMENT_LABELS, _ENVIRONMENT_DEFAULT
        )
        return Reproduction(
            baseline=Baseline(**baseline),
            steps=parsed,
            environment=Environment(**environment),
            **text_values,
        )

    def step(self, text: _Text) -> ReproStep:
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

    def parts(self, text: _Text, labels: dict[str, str], default: str) -> dict[str, str]:
        """A "Label: value; Label: value" line; unlabeled parts go to `default`."""
        text = text.strip()
        if not text.text or text.is_placeholder(self.placeholder):
            return {}
        table = _labels((label, name) for name, label in labels.items())
        found: dict[str, list[str]] = {}
        for part in text.split(";"):
            part = part.strip()
            if not part.text:
                continue
            match = _match_label(part, table)
            name, value = (match[0], match[1]) if match else (default, part)
            found.setdefault(name, []).append(self.value(value))
        return {name: "; ".join(v for v in values if v) for name, values in found.items()}

    # -- actions ------------------------------------------------------------------------------------
    def actions(self, blocks: list[_Block]) -> list[ActionTaken]:
        texts: list[_Text] = []
        for entry in _entries(blocks, ()):
            text = _join([entry.text, *entry.nested]) if entry.nested else entry.text
            if entry.item:
                texts.append(text)
            else:
                texts.extend(line for line in text.lines() if not _is_intro(line))
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
    def request(self, blocks: list[_Block]) -> Request:
        pairs = [(self.doc.labels.hard_deadline, "deadline")]
        pairs += [(choice.label, f"ask:{choice.id}") for choice in self.doc.ask_types]
        ask_type: AskType | None = None
        asks: list[str] = []
        deadline: _Text | None = None
        for entry in _entries(blocks, _labels(pairs)):
            text = _join([entry.text, *entry.nested]) if entry.nested else entry.text
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
    def attachments(self, blocks: list[_Block]) -> tuple[References, list[int]]:
        labels = self.doc.labels
        names = ("tickets", "threads", "files", "linked_cases")
        table = _labels((getattr(labels, name), name) for name in names)
        found: dict[str, list[str]] = {"tickets": [], "threads": [], "files": []}
        linked: list[int] = []
        loose: list[str] = []
        labeled = False
        for entry in _entries(blocks, table):
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
    with _collector_paused():
        blocks, _ = _blocks(_markdown().parse(sanitize(text)))
    parser = _Parser(playbook, now, tz)
    title, preamble, sections = parser.split(blocks)
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
