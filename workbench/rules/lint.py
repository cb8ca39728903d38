"""Lint: the playbook's operating principles and reproduction advice as checks on a case.

Each finding quotes the playbook's own advice, names the dotted path of the field it is about
(list indices as stored, from 0) and the screen where it is fixed. The word lists come from the
playbook's [lint] table, matched as whole words, case-insensitive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from workbench.models import Escalation, Status
from workbench.playbook import Playbook
from workbench.rules._common import aware_utc, find_phrases, phrase_pattern, quoted
from workbench.rules.asks import ask_type_of
from workbench.rules.times import future_start
from workbench.rules.triage import routed_destinations

Screen = Literal["triage", "impact", "reproduction", "details"]

RULES: tuple[str, ...] = (
    "adjective",
    "vague_step",
    "vague_input",
    "no_repro",
    "no_expected",
    "no_observed",
    "no_environment",
    "no_deadline",
    "deadline_past",
    "no_ask",
    "narrative_length",
    "future_start",
)
SCREENS: tuple[Screen, ...] = ("triage", "impact", "reproduction", "details")


@dataclass(frozen=True)
class Finding:
    rule: str
    field: str
    message: str
    advice: str
    screen: Screen


# -- sentences ----------------------------------------------------------------------------------------
# Abbreviations that never end a sentence: a title, a Latin "for example", a "number".
_NEVER_ENDS = {
    "e.g", "eg", "i.e", "ie", "cf", "vs", "viz", "approx", "incl", "excl", "esp", "mr", "mrs", "ms",
    "dr", "prof", "st", "jr", "sr", "fig", "ca", "resp", "dept", "est", "min", "max", "ref", "ver",
    "vol", "pp", "pg", "ext", "tel", "attn",
}  # fmt: skip
# Abbreviations that may end a sentence: they do when a capital letter follows.
_ENDS_IF_CAPITAL = {"etc", "a.m", "p.m", "am", "pm", "inc", "ltd", "co", "corp", "u.s", "u.k", "al"}
_BOUNDARY = re.compile(r"(?P<stop>[.!?…]+)[\"'”’)\]]*(?P<space>\s+|$)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _ends_sentence(before: str, stop: str, after: str) -> bool:
    """Whether a run of terminal punctuation, preceded by `before` and followed by `after`, ends a
    sentence."""
    if stop[0] in "!?":
        return True
    token = before.rsplit(None, 1)[-1] if before.strip() else ""
    token = token.lstrip("\"'“‘([{").lower()
    next_char = after.lstrip("\"'“‘([{")[:1]
    capital_next = next_char.isupper() or next_char == ""
    if "…" in stop or stop.startswith(".."):
        return capital_next
    if token in _NEVER_ENDS:
        return False
    if token == "no":  # "No. 5" is a number; "No. The fix..." is an answer
        return not (next_char.isdigit() or next_char == "#")
    if token in _ENDS_IF_CAPITAL:
        return capital_next
    return True


def split_sentences(text: str) -> list[str]:
    """The sentences of a text; fragments without a letter ("1.", "---") are not sentences."""
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            after = paragraph[match.end() :]
            if _ends_sentence(paragraph[start : match.start()], match.group("stop"), after):
                sentences.append(paragraph[start : match.end()].strip())
                start = match.end()
        sentences.append(paragraph[start:].strip())
    return [s for s in sentences if any(ch.isalpha() for ch in s)]


def count_sentences(text: str) -> int:
    """Sentences in free text. Abbreviations ("e.g."), versions ("v2.3"), decimals and URLs do not
    split a sentence: a stop only ends one when whitespace or the end follows it."""
    return len(split_sentences(text))


# -- field access -------------------------------------------------------------------------------------
# Names used in `lint.quantified_fields`, mapped to the case paths that hold them and their screen.
_QUANTIFIED: dict[str, tuple[tuple[str, ...], Screen]] = {
    "affected_customers": (("business_impact.affected_customers",), "impact"),
    "operational_effect": (("business_impact.operational_effect",), "impact"),
    "revenue_exposure": (("business_impact.revenue_exposure",), "impact"),
    "sla_position": (("business_impact.sla_position",), "impact"),
    "narrative": (("narrative",), "details"),
    "request": (("request.ask", "request.deadline_text"), "details"),
    "title": (("title",), "details"),
}
_SCREEN_OF_SECTION: dict[str, Screen] = {
    "business_impact": "impact",
    "impact": "impact",
    "reproduction": "reproduction",
    "triage": "triage",
}


def field_text(case: Escalation, path: str) -> str | None:
    """The text at a dotted path of the case, or None when the path holds no text."""
    value: object = case
    for part in path.split("."):
        if isinstance(value, list):
            if not part.isdigit() or int(part) >= len(value):
                return None
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            value = getattr(value, part, None)
        if value is None:
            return None
    return value if isinstance(value, str) else None


def _quantified_fields(playbook: Playbook) -> list[tuple[str, str, Screen]]:
    """(label, case path, screen) for each configured field; a dotted path is taken as is."""
    fields: list[tuple[str, str, Screen]] = []
    for name in playbook.lint.quantified_fields:
        label = getattr(playbook.document.labels, name, name.replace("_", " ").capitalize())
        if name in _QUANTIFIED:
            paths, screen = _QUANTIFIED[name]
            fields.extend((label, path, screen) for path in paths)
        else:
            fields.append((label, name, _SCREEN_OF_SECTION.get(name.split(".")[0], "details")))
    return fields


# -- defects ------------------------------------------------------------------------------------------
ENGINEERING = "engineering"
TECHNICAL_TRIGGER = "esc.technical"


def is_defect(case: Escalation, playbook: Playbook, now: datetime) -> bool:
    """A defect: routed to Engineering, a technical barrier ticked, or defect words in the title or
    the observed outcome."""
    if ENGINEERING in routed_destinations(case, playbook, now):
        return True
    checked = case.checked_ids()
    for trigger in playbook.triggers:
        if trigger.id == TECHNICAL_TRIGGER and any(item.id in checked for item in trigger.items):
            return True
    words = playbook.lint.defect_words
    return bool(find_phrases(case.title, words) or find_phrases(case.reproduction.observed, words))


# -- the checks ---------------------------------------------------------------------------------------
_TYPING = re.compile(
    r"\b(type|types|typed|typing|enter|enters|entered|entering|input|paste|pastes|pasted|pasting|"
    r"fill in|fill out|fills in|upload|uploads|uploaded|uploading)\b",
    re.IGNORECASE,
)
_ENTER_KEY = re.compile(
    r"\b(press|pressing|hit|hitting|the)\s+(the\s+)?enter\b|\benter\s+key\b", re.I
)
_LITERAL = re.compile(r"[\"'“‘`«].+?[\"'”’`»]|\d")


def _principle(playbook: Playbook, principle_id: str) -> str:
    return next((p.text for p in playbook.principles if p.id == principle_id), "")


# A number right beside an adjective quantifies it: "about 40 accounts", "all 1,800 users",
# "40 major accounts", "$85k, a significant share".
_NUMBER_NEAR = re.compile(r"[$€£¥~≈]?\d")


def _quantified(text: str, word: str) -> bool:
    """Whether every use of `word` in the text has a number within two words of it."""
    for match in phrase_pattern(word).finditer(text):
        before = text[: match.start()].split()[-2:]
        after = text[match.end() :].split()[:2]
        if not any(_NUMBER_NEAR.match(token.lstrip("(")) for token in before + after):
            return False
    return True


def _adjectives(case: Escalation, playbook: Playbook) -> list[Finding]:
    advice = _principle(playbook, "quantify")
    findings: list[Finding] = []
    for label, path, screen in _quantified_fields(playbook):
        text = field_text(case, path) or ""
        words = [
            w for w in find_phrases(text, playbook.lint.adjectives) if not _quantified(text, w)
        ]
        if words:
            findings.append(
                Finding(
                    "adjective",
                    path,
                    f"{label}: {quoted(words)} where a number belongs.",
                    advice,
                    screen,
                )
            )
    return findings


def _steps(case: Escalation, playbook: Playbook) -> list[Finding]:
    advice = playbook.reproduction.advice
    findings: list[Finding] = []
    for index, step in enumerate(case.reproduction.steps):
        number = index + 1
        base = f"reproduction.steps.{index}"
        vague = find_phrases(step.action, playbook.lint.vague_actions)
        if vague:
            findings.append(
                Finding(
                    "vague_step",
                    f"{base}.action",
                    f"Step {number} is vague ({quoted(vague)}): say exactly what to select, where.",
                    advice.exact_actions,
                    "reproduction",
                )
            )
        vague_in_action = False
        for part in ("action", "literal_input"):
            text = step.action if part == "action" else step.literal_input
            inputs = find_phrases(text, playbook.lint.vague_inputs)
            if inputs:
                vague_in_action = vague_in_action or part == "action"
                findings.append(
                    Finding(
                        "vague_input",
                        f"{base}.{part}",
                        f"Step {number} uses {quoted(inputs)}: give the literal value used.",
                        advice.literal_inputs,
                        "reproduction",
                    )
                )
        typing_text = _ENTER_KEY.sub(" ", step.action)
        # One finding per problem: "enter a value" is already flagged above.
        if (
            not vague_in_action
            and not step.literal_input.strip()
            and _TYPING.search(typing_text)
            and not _LITERAL.search(typing_text)
        ):
            findings.append(
                Finding(
                    "vague_input",
                    f"{base}.literal_input",
                    f"Step {number} types or enters something but gives no literal input.",
                    advice.literal_inputs,
                    "reproduction",
                )
            )
    return findings


def _defect(case: Escalation, playbook: Playbook) -> list[Finding]:
    repro = case.reproduction
    principle = _principle(playbook, "repro")
    findings: list[Finding] = []
    if not any(step.action.strip() for step in repro.steps):
        findings.append(
            Finding(
                "no_repro",
                "reproduction.steps",
                "This looks like a defect and has no reproduction steps.",
                principle,
                "reproduction",
            )
        )
    if not repro.expected.strip():
        findings.append(
            Finding(
                "no_expected",
                "reproduction.expected",
                "No expected outcome: say what should happen.",
                principle,
                "reproduction",
            )
        )
    if not repro.observed.strip():
        findings.append(
            Finding(
                "no_observed",
                "reproduction.observed",
                "No observed outcome: say what happens instead, with the exact error text.",
                playbook.reproduction.advice.evidence,
                "reproduction",
            )
        )
    env = repro.environment
    if not any(
        v.strip() for v in (env.browser, env.os, env.plan_tier, env.feature_flags, env.other)
    ):
        findings.append(
            Finding(
                "no_environment",
                "reproduction.environment",
                "No environment: browser and version, OS, plan tier, feature flags.",
                playbook.reproduction.advice.environment,
                "reproduction",
            )
        )
    return findings


def _request(case: Escalation, playbook: Playbook, now: datetime) -> list[Finding]:
    findings: list[Finding] = []
    request = case.request
    deadline_advice = _principle(playbook, "deadline")
    if request.hard_deadline is None and request.deadline_date is not None:
        if request.deadline_date < now.date() and case.status not in (
            Status.RESOLVED,
            Status.DE_ESCALATED,
        ):
            findings.append(
                Finding(
                    "deadline_past",
                    "request.hard_deadline",
                    "The hard deadline has passed: agree a new one.",
                    deadline_advice,
                    "details",
                )
            )
    elif request.hard_deadline is None:
        typed = request.deadline_text.strip()
        message = (
            f'The deadline "{typed}" is not a date and time.' if typed else "No hard deadline."
        )
        findings.append(
            Finding("no_deadline", "request.hard_deadline", message, deadline_advice, "details")
        )
    elif aware_utc(request.hard_deadline) < now and case.status not in (
        Status.RESOLVED,
        Status.DE_ESCALATED,
    ):
        findings.append(
            Finding(
                "deadline_past",
                "request.hard_deadline",
                "The hard deadline has passed: agree a new one.",
                deadline_advice,
                "details",
            )
        )
    if request.ask_type is None and ask_type_of(request.ask, playbook) is None:
        labels = " / ".join(choice.label.lower() for choice in playbook.document.ask_types)
        findings.append(
            Finding(
                "no_ask",
                "request.ask_type",
                f"No ask type: choose one of {labels}.",
                _principle(playbook, "ask"),
                "details",
            )
        )
    return findings


def _narrative(case: Escalation, playbook: Playbook) -> list[Finding]:
    rule = playbook.document.narrative
    count = count_sentences(case.narrative)
    if rule.min_sentences <= count <= rule.max_sentences:
        return []
    span = f"{rule.min_sentences}-{rule.max_sentences}"
    plural = "sentence" if count == 1 else "sentences"
    return [
        Finding(
            "narrative_length",
            "narrative",
            f"The narrative has {count} {plural}; the playbook asks for {span}.",
            f"{span} sentences covering: {rule.covers}",
            "details",
        )
    ]


def _times(case: Escalation, now: datetime) -> list[Finding]:
    """An impact start in the future (typed before this check, or imported)."""
    problem = future_start(case.impact.started_at, now)
    if problem is None:
        return []
    advice = "Duration: how long has this persisted? The start is a moment already past."
    return [Finding("future_start", "impact.started_at", f"Started: {problem}", advice, "impact")]


def lint_case(case: Escalation, playbook: Playbook, now: datetime) -> list[Finding]:
    """Every finding, grouped by screen order: impact words, reproduction, then the details."""
    now = aware_utc(now)
    findings = _adjectives(case, playbook)
    findings += _times(case, now)
    findings += _steps(case, playbook)
    if is_defect(case, playbook, now):
        findings += _defect(case, playbook)
    findings += _narrative(case, playbook)
    findings += _request(case, playbook, now)
    order = {screen: index for index, screen in enumerate(SCREENS)}
    return sorted(findings, key=lambda f: order[f.screen])
