"""Realistic cases for the benchmarks, and databases of 0, 10,000 or 100,000 of them.

"Realistic" means what a support team accumulates over years: field lengths as agents write them
(a 50-90 character title, a 3-5 sentence narrative, up to eight reproduction steps, a running log
that grows with the escalation's life), a mix of statuses that depends on age (old cases are
resolved, recent ones open), severities and destinations in the proportions a team sees, and
timestamps spread over five years. The words come from a support vocabulary with a skewed
(Zipf-like) frequency, so full-text search meets both very common and rare terms, as it does in a
real history.

Everything is derived from one seed: the same size gives the same database.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

YEARS = 5
SEED = 20260517

# -- vocabulary ----------------------------------------------------------------------------------------
COMPONENTS = (
    "CSV export", "billing", "SSO login", "SAML", "REST API", "webhooks", "reporting", "dashboards",
    "search", "notifications", "mobile app", "user provisioning", "audit log", "data import",
    "scheduler", "permissions", "invoicing", "integrations", "file storage", "email delivery",
    "workflow engine", "analytics", "admin console", "onboarding", "payments", "sync service",
    "custom fields", "GraphQL API", "rate limiting", "backups", "calendar", "chat widget",
    "PDF generation", "localization", "SCIM", "two-factor auth", "public API", "data retention",
    "sandbox", "usage metering",
)  # fmt: skip

_PREFIXES = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
    "Tyrell", "Cyberdyne", "Aperture", "Wonka", "Oscorp", "Gringotts", "Monarch", "Nakatomi",
    "Pied Piper", "Dunder", "Bluth", "Prestige", "Sterling", "Northwind", "Contoso", "Fabrikam",
    "Tailspin", "Litware", "Adatum", "Proseware", "Lucerne", "Blue Yonder", "Coho", "Margie",
    "Woodgrove", "Alpine", "Fourth Coffee", "Wingtip", "Trey", "Humongous", "Graphic Design",
    "Southridge", "Lamna", "Relecloud", "VanArsdel", "Consolidated", "Massive Dynamic", "Krusty",
    "Duff", "Gekko", "Zorg", "Rekall", "Weyland", "Yoyodyne", "Omni", "Tessier", "Ajax",
)  # fmt: skip
_SUFFIXES = (
    "Corp", "Inc", "Ltd", "GmbH", "Group", "Holdings", "Labs", "Systems", "Logistics", "Health",
    "Bank", "Retail", "Media", "Energy", "Insurance", "Partners", "Foods", "Airlines", "Analytics",
    "Software", "Telecom", "Pharma", "Capital", "Freight", "Hotels", "Motors", "Studios", "AG",
)  # fmt: skip

# Support words a component's topic draws from (with the component's own words and rarer terms).
WORDS = (
    "customer", "export", "error", "users", "page", "request", "account", "report", "fails",
    "after", "when", "timeout", "data", "login", "invoice", "sync", "api", "update", "slow",
    "file", "upload", "dashboard", "permission", "admin", "setting", "missing", "duplicate",
    "email", "token", "session", "webhook", "retry", "queue", "job", "import", "field", "button",
    "workspace", "team", "filter", "search", "record", "integration", "payment", "charge", "renewal",
    "schedule", "notification", "mobile", "browser", "chrome", "firefox", "safari", "edge",
    "windows", "macos", "ios", "android", "release", "regression", "deploy", "rollback", "cache",
    "database", "index", "latency", "spike", "outage", "partial", "intermittent", "consistently",
    "reproducible", "workaround", "escalated", "engineering", "product", "security", "leadership",
    "contract", "sla", "breach", "penalty", "renewal", "churn", "revenue", "pipeline", "enterprise",
    "plan", "tier", "flag", "beta", "config", "saml", "sso", "oauth", "certificate", "expired",
    "rotation", "header", "payload", "json", "csv", "xlsx", "pdf", "encoding", "utf-8", "unicode",
    "timezone", "daylight", "midnight", "batch", "rows", "columns", "limit", "quota", "throttled",
    "429", "500", "502", "503", "504", "403", "401", "404", "stack", "trace", "log", "har", "screenshot",
    "video", "steps", "expected", "observed", "blank", "spinner", "hangs", "crash", "freeze",
    "memory", "cpu", "disk", "network", "proxy", "firewall", "vpn", "dns", "region", "eu", "us",
    "apac", "tenant", "migration", "legacy", "v2", "v3", "endpoint", "pagination", "cursor",
    "offset", "sorting", "locale", "currency", "rounding", "tax", "discount", "coupon", "refund",
    "chargeback", "dispute", "ledger", "reconciliation", "audit", "compliance", "gdpr", "hipaa",
    "soc2", "retention", "deletion", "backup", "restore", "snapshot", "replica", "failover",
    "corrupted", "truncated", "stale", "inconsistent", "mismatch", "overwritten", "lost", "orphaned",
    "locked", "deadlock", "race", "concurrency", "scheduler", "cron", "nightly", "weekly",
    "monthly", "quarterly", "fiscal", "year-end", "close", "payroll", "onboarding", "provisioning",
    "scim", "directory", "groups", "roles", "inheritance", "override", "template", "workflow",
    "approval", "rejection", "draft", "publish", "archive", "restore", "undo", "history", "version",
    "diff", "merge", "conflict", "attachment", "thumbnail", "preview", "render", "font", "layout",
    "overflow", "scroll", "keyboard", "shortcut", "accessibility", "screen-reader", "contrast",
    "translation", "german", "japanese", "arabic", "rtl", "emoji", "punctuation", "newline",
    "whitespace", "trailing", "leading", "quoted", "escaped", "delimiter", "semicolon", "comma",
)  # fmt: skip

_FIRST = ("Alex", "Sam", "Jordan", "Priya", "Chen", "Maria", "Tom", "Aisha", "Lukas", "Yuki",
          "Omar", "Elena", "Ravi", "Sofia", "Noah", "Fatima", "Ben", "Ines", "Kofi", "Hana")  # fmt: skip
_LAST = ("Smith", "Garcia", "Nguyen", "Patel", "Müller", "Rossi", "Kim", "Okafor", "Silva",
         "Tanaka", "Cohen", "Novak", "Larsen", "Dubois", "Haddad", "Kowalski", "Reyes", "Berg")  # fmt: skip

BROWSERS = ("Chrome 124", "Chrome 126", "Firefox 127", "Safari 17.5", "Edge 125", "Chrome 119")
SYSTEMS = ("Windows 11", "Windows 10", "macOS 14.5", "macOS 13.6", "Ubuntu 22.04", "iOS 17.5")
PLANS = ("Starter", "Team", "Business", "Enterprise", "Enterprise Plus")
FREQUENCIES = ("every time", "about 1 in 3 attempts", "intermittent, twice a day", "once so far",
               "every night at 00:00 UTC", "only for accounts over 10k rows")  # fmt: skip
ASK_TYPES = ("investigate", "fix", "decide", "exception")
SEVERITY_SIGNALS = {
    "critical": (
        "service_down",
        "data_at_risk",
        "security_incident",
        "multiple_high_value_accounts",
    ),
    "high": ("core_function_broken", "key_customer_blocked", "sla_approaching"),
    "medium": ("workaround_available",),
}
# Share of cases per severity (the rest have no severity yet).
SEVERITY_MIX = (("critical", 0.08), ("high", 0.27), ("medium", 0.45))
DESTINATION_MIX = (("l2", 0.45), ("engineering", 0.35), ("product", 0.1), ("security", 0.04),
                   ("leadership", 0.06))  # fmt: skip


GENERAL = (
    "the", "to", "and", "a", "of", "in", "is", "for", "on", "with", "when", "after", "it", "not",
    "from", "this", "that", "but", "are", "be", "was", "at", "by", "as", "or", "they", "we",
    "their", "can", "has", "have", "no", "all", "only", "again", "still", "then", "every",
    "customer", "users", "error", "page", "request", "account", "fails", "update", "issue",
    "working", "shows", "blank", "slow", "team", "admin", "settings", "button", "data", "message",
    "since", "yesterday", "today", "morning", "release", "version", "browser", "retry", "expected",
    "observed", "steps", "screenshot", "log", "ticket", "workaround", "engineering", "support",
)  # fmt: skip


def _tail_terms(rng: random.Random, count: int) -> list[str]:
    """Rarer words, the long tail of a real history: product and feature names, error codes,
    setting names, job and host names. Letters and digits only, as the FTS tokenizer sees them."""
    syllables = ("ka", "ro", "vel", "mo", "tri", "dex", "lu", "sa", "nor", "qui", "zen", "pa",
                 "lor", "fi", "ton", "ber", "gal", "mi", "sho", "rex", "dun", "ali", "vor", "ne")  # fmt: skip
    terms: set[str] = set()
    while len(terms) < count:
        kind = rng.random()
        if kind < 0.5:
            terms.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
        elif kind < 0.7:
            terms.add(f"e{rng.randint(1000, 9999)}")
        elif kind < 0.85:
            terms.add(f"{rng.choice(WORDS)}{rng.choice(WORDS)}")
        else:
            terms.add(f"{rng.choice(('job', 'host', 'node', 'svc', 'queue'))}{rng.randint(1, 999)}")
    return sorted(terms)


class Words:
    """Sentences and phrases as a support team writes them: general words, and the words of the
    case's component (its topic), each with a skewed (Zipf-like) frequency.

    Every component has its own topic: a share of the support vocabulary and of a long tail of
    rarer terms, so a word such as "export" is common in export cases and rare elsewhere, as in
    a real history. Drawing every word afresh costs more than the rest of a case together, so
    sentences are drawn once into a pool per component and cases pick from the pools."""

    POOL = 300  # sentences per component
    TOPIC = 90  # words per component

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        tail = _tail_terms(rng, 8000)
        general_cum = list(_cumulative([1.0 / (rank + 1) for rank in range(len(GENERAL))]))
        topic_cum = list(_cumulative([1.0 / (rank + 1) ** 0.8 for rank in range(self.TOPIC)]))
        self._topics: dict[str, list[str]] = {}
        self._sentences: dict[str, list[str]] = {}
        self._phrases: dict[str, list[str]] = {}
        for component in COMPONENTS:
            own = [w for w in component.lower().replace("-", " ").split() if len(w) > 2]
            domain = rng.sample(WORDS, 40)
            topic = [*own, *domain, *rng.sample(tail, self.TOPIC - len(own) - len(domain))]
            self._topics[component] = topic

            def draw(count: int, topic: list[str] = topic) -> list[str]:
                # Two words in five from the topic, the rest general.
                return [
                    rng.choices(topic, cum_weights=topic_cum)[0]
                    if rng.random() < 0.4
                    else rng.choices(GENERAL, cum_weights=general_cum)[0]
                    for _ in range(count)
                ]

            sentences = []
            for _ in range(self.POOL):
                text = " ".join(draw(rng.randint(6, 20)))
                sentences.append(text[0].upper() + text[1:] + ".")
            self._sentences[component] = sentences
            self._phrases[component] = [" ".join(draw(rng.randint(1, 6))) for _ in range(self.POOL)]
        self.topic = COMPONENTS[0]

    def on(self, component: str) -> Words:
        """These words, about `component` from now on."""
        self.topic = component
        return self

    def words(self, count: int) -> list[str]:
        return [self.rng.choice(self._topics[self.topic]) for _ in range(count)]

    def phrase(self, low: int, high: int) -> str:
        parts: list[str] = []
        target = self.rng.randint(low, high)
        phrases = self._phrases[self.topic]
        while len(parts) < target:
            parts.extend(self.rng.choice(phrases).split())
        return " ".join(parts[:target])

    def sentence(self, low: int = 8, high: int = 20) -> str:
        return self.rng.choice(self._sentences[self.topic])

    def sentences(self, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self._sentences[self.topic], k=count))

    def text(self, low_chars: int, high_chars: int) -> str:
        """A sentence-shaped text cut to a length in [low_chars, high_chars]."""
        target = self.rng.randint(low_chars, high_chars)
        if target <= 0:
            return ""
        parts: list[str] = []
        size = 0
        pool = self._sentences[self.topic]
        while size < target:
            sentence = self.rng.choice(pool)
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)[:target].rstrip()


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def customers(rng: random.Random, count: int = 1500) -> list[str]:
    names = {f"{rng.choice(_PREFIXES)} {rng.choice(_SUFFIXES)}" for _ in range(count * 3)}
    return sorted(names)[:count]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str | None:
    roll = rng.random()
    for value, share in mix:
        if roll < share:
            return value
        roll -= share
    return None


def _title(rng: random.Random, words: Words, component: str) -> str:
    """A one-line summary of 45-95 characters, led by the component as agents often write it."""
    target = rng.randint(45, 95)
    title = f"{component}: {words.phrase(5, 11)}"
    while len(title) < target:
        title += " " + words.phrase(2, 6)
    return title[:target].rstrip()


def case_dict(
    rng: random.Random, words: Words, names: list[str], created: datetime, now: datetime
) -> dict[str, Any]:
    """One case as the JSON form of an `Escalation` (validated by the caller)."""
    age = now - created
    # Old cases are closed; the last few weeks hold the open work.
    roll = rng.random()
    if age > timedelta(days=45):
        status = "resolved" if roll < 0.78 else "kept_in_support" if roll < 0.95 else "de_escalated"
    else:
        status = ("draft", "escalated", "kept_in_support", "resolved", "de_escalated")[
            min(4, int(roll * 5.2))
        ]
    escalated = status in ("escalated", "resolved", "de_escalated") and rng.random() < 0.85
    severity = _pick(rng, SEVERITY_MIX)
    component = rng.choice(COMPONENTS)
    words = words.on(component)
    customer = rng.choice(names)
    span = min(age, timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23)))
    updated = created + span * rng.uniform(0.3, 1.0)

    def at(fraction: float) -> str:
        return (created + span * fraction).isoformat()

    triage_ids = _TRIAGE_IDS
    checked = rng.sample(triage_ids, rng.randint(2, 9))
    triage = {
        cid: {"checked": True, "note": words.sentence(4, 12) if rng.random() < 0.15 else ""}
        for cid in checked
    }
    destinations: list[str] = []
    if escalated:
        first = _pick(rng, DESTINATION_MIX) or "l2"
        destinations = [first]
        if rng.random() < 0.15:
            destinations.append("engineering" if first != "engineering" else "product")
    steps = [
        {
            "action": f"{words.phrase(2, 4).capitalize()} the {words.phrase(1, 3)} "
            f"{rng.choice(('page', 'dialog', 'menu', 'tab', 'field', 'button'))}",
            "literal_input": words.phrase(1, 4) if rng.random() < 0.55 else "",
        }
        for _ in range(rng.choice((0, 2, 3, 3, 4, 4, 5, 6, 8)))
    ]
    log: list[dict[str, Any]] = []
    escalation = None
    sent = 0.2
    if escalated:
        escalation = {"destination": destinations[0], "receiver": _person(rng), "sent_at": at(sent)}
        log.append({"at": at(sent), "kind": "escalated", "summary": f"Sent to {destinations[0]}"})
        updates = rng.choice((1, 2, 3, 4, 6, 8, 12, 18, 30))
        for index in range(updates):
            moment = sent + (1 - sent) * (index + 1) / (updates + 1)
            kind = "team_checkin" if index % 2 == 0 else "customer_update"
            entry = {"at": at(moment), "kind": kind, "summary": words.text(40, 140)}
            if kind == "customer_update":
                entry["expectation"] = words.text(20, 80)
            if rng.random() < 0.3:
                entry["detail"] = words.text(60, 240)
            log.append(entry)
    resolution = None
    if status == "resolved":
        resolution = {
            "customer_confirmed": True,
            "tracking_closed": rng.random() < 0.9,
            "lessons_learned": words.text(60, 300),
            "resolved_at": at(0.98),
        }
        log.append({"at": at(0.98), "kind": "resolved", "summary": words.text(30, 90)})
    de_escalation = None
    if status == "de_escalated":
        de_escalation = {"outcome": words.text(40, 160), "findings": words.text(40, 200),
                         "completed_at": at(0.9)}  # fmt: skip
    deadline = created + timedelta(days=rng.randint(1, 14), hours=17)
    return {
        "title": _title(rng, words, component),
        "customer": customer,
        "component": component,
        "status": status,
        "tier": rng.choice(("L1", "L2", "L2", "L2", "manager")),
        "created_at": created.isoformat(),
        "updated_at": updated.isoformat(),
        "triage": triage,
        "impact": _impact(rng, severity),
        "routed_to": destinations,
        "narrative": words.sentences(3, 5),
        "reproduction": {
            "baseline": {
                "account_type": rng.choice(PLANS) + " account",
                "configuration": words.phrase(4, 10),
                "permissions": rng.choice(("Admin", "Member", "Billing admin", "Read-only")),
                "prerequisites": words.phrase(3, 10) if rng.random() < 0.6 else "",
            },
            "steps": steps,
            "expected": words.text(40, 160),
            "observed": words.text(40, 200),
            "environment": {
                "browser": rng.choice(BROWSERS),
                "os": rng.choice(SYSTEMS),
                "plan_tier": rng.choice(PLANS),
                "feature_flags": ", ".join(words.words(rng.randint(0, 3))),
            },
            "frequency": rng.choice(FREQUENCIES),
            "evidence": f"HAR file and {rng.randint(1, 6)} screenshots attached",
            "eliminations": words.text(0, 160),
        },
        "actions": [
            {"tried": words.text(20, 90), "outcome": words.text(20, 90)}
            for _ in range(rng.randint(0, 4))
        ],
        "communication": {
            "most_recent_update": words.text(30, 120),
            "customer_expectation": words.text(20, 90),
            "escalation_risk": words.text(0, 90),
        },
        "request": {
            "ask_type": rng.choice(ASK_TYPES),
            "ask": words.text(30, 140),
            "hard_deadline": deadline.isoformat(),
        },
        "references": {
            "tickets": [f"SUP-{rng.randint(1000, 99999)}" for _ in range(rng.randint(1, 3))],
            "threads": [f"#support-{component.split()[0].lower()}"] if rng.random() < 0.5 else [],
            "files": [f"{words.words(1)[0]}-{rng.randint(1, 99)}.har"]
            if rng.random() < 0.4
            else [],
        },
        "escalation": escalation,
        "log": log,
        "de_escalation": de_escalation,
        "resolution": resolution,
    }


# Impact answers that score into each severity band (duration left unanswered: it would make the
# severity depend on the day the benchmark runs).
_IMPACT: dict[str, tuple[dict[str, Any], ...]] = {
    "medium": (
        {"customers_affected": 1, "end_users_affected": 8, "depth": "inconvenienced",
         "arr_exposed": 4000.0, "sla": "compliant"},
        {"customers_affected": 1, "end_users_affected": 40, "depth": "inconvenienced",
         "arr_exposed": 0.0, "sla": None},
    ),
    "high": (
        {"customers_affected": 3, "end_users_affected": 600, "depth": "degraded",
         "arr_exposed": 12000.0, "sla": "at_risk"},
        {"customers_affected": 2, "end_users_affected": 900, "depth": "blocked",
         "arr_exposed": 60000.0, "sla": "compliant", "growing": True},
    ),
    "critical": (
        {"customers_affected": 12, "end_users_affected": 9000, "depth": "blocked",
         "arr_exposed": 450000.0, "sla": "breached", "press_or_social": True},
        {"customers_affected": 40, "end_users_affected": 6000, "depth": "blocked",
         "arr_exposed": 260000.0, "sla": "breached", "penalties_apply": True},
    ),
}  # fmt: skip


def _impact(rng: random.Random, severity: str | None) -> dict[str, Any]:
    if severity is None:
        return {}
    answers = dict(rng.choice(_IMPACT[severity]))
    answers["signals"] = {rng.choice(SEVERITY_SIGNALS[severity]): True}
    return answers


_TRIAGE_IDS: list[str] = []


def _init_triage_ids() -> None:
    if not _TRIAGE_IDS:
        from workbench.playbook import default_playbook

        # Items that carry a severity signal would override the severity mix; the impact answers
        # carry each case's signal instead.
        criteria = default_playbook().all_criteria()
        _TRIAGE_IDS.extend(c.id for c in criteria if not c.severity_signal)


def creation_times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """`count` creation times over the last YEARS years, more of them recently (a team that
    grew), oldest first: ids follow time, as they do in a real database."""
    span = timedelta(days=365 * YEARS).total_seconds()
    offsets = sorted(span * (1 - rng.random() ** 0.8) for _ in range(count))
    return [now - timedelta(seconds=offset) for offset in reversed(offsets)]


CHUNK = 2000


def _chunk_json(job: tuple[int, int, list[datetime], list[str], datetime]) -> list[str]:
    """One chunk of cases as JSON text (run in a worker process: it has its own seed, so the
    result does not depend on how many workers there are)."""
    import json

    seed, index, created, names, now = job
    _init_triage_ids()
    rng = random.Random(seed * 1_000_003 + index)
    words = Words(rng)
    return [json.dumps(case_dict(rng, words, names, moment, now)) for moment in created]


def _jobs(
    count: int, now: datetime, seed: int
) -> list[tuple[int, int, list[datetime], list[str], datetime]]:
    rng = random.Random(seed)
    names = customers(rng)
    times = creation_times(rng, count, now)
    return [
        (seed, index, times[start : start + CHUNK], names, now)
        for index, start in enumerate(range(0, count, CHUNK))
    ]


def generate(count: int, now: datetime, seed: int = SEED, *, workers: int = 0) -> Iterator[Any]:
    """`count` validated cases (`Escalation`), oldest first. With `workers`, the text is made
    in that many processes while this one validates (and the caller stores) what they made."""
    from workbench.models import Escalation

    jobs = _jobs(count, now, seed)
    if workers <= 0 or len(jobs) < 2:
        for job in jobs:
            for text in _chunk_json(job):
                yield Escalation.model_validate_json(text)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for chunk in pool.imap(_chunk_json, jobs):
            for text in chunk:
                yield Escalation.model_validate_json(text)


def build_database(
    path: Path, count: int, now: datetime | None = None, *, workers: int = 1
) -> float:
    """A fresh database at `path` with `count` generated cases; returns the seconds it took."""
    from workbench.playbook import default_playbook
    from workbench.store import Store

    now = now or datetime.now(UTC)
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path, default_playbook(), clock=lambda: now)
    try:
        if count:
            store.create_many(generate(count, now, workers=workers))
    finally:
        store.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a benchmark database.")
    parser.add_argument("path", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--workers", type=int, default=1, help="Processes making the text.")
    args = parser.parse_args(argv)
    seconds = build_database(args.path, args.count, workers=args.workers)
    print(f"{args.count} cases in {seconds:.1f} s -> {args.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
