"""Similar past cases: rank a pool of candidate cases by how much they look like the case being written.

The playbook asks for pattern detection (three independent reports, a resurfaced issue, a profile that
support has resolved before); all of that starts with "which past cases describe the same symptom". The
store supplies a small pool of candidates from its full-text index (never a full scan); this module
ranks that pool with TF-IDF cosine over the symptom text (title, observed outcome, narrative, evidence,
steps), then adds boosts for the things that make two reports the same problem even when worded
differently: the same component, the same error code or quoted error text, shared feature flags and the
same environment. Every score comes with the reasons behind it, so the agent can judge the match.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workbench.models import Escalation
from workbench.symptom import surface_words, term_weights
from workbench.vocab import plural

# Boosts added to the text similarity (0..1). Tuned on the labelled history in tests/test_history.py.
BOOST_LINKED = 1.0
BOOST_COMPONENT = 0.15
BOOST_ERROR_CODE = 0.2
BOOST_QUOTED_ERROR = 0.25
BOOST_FLAG = 0.1
MAX_FLAG_BOOST = 0.2
BOOST_ENVIRONMENT = 0.03
MAX_ENVIRONMENT_BOOST = 0.09
BOOST_CUSTOMER = 0.05

# A candidate is listed from this score; it counts as "the same problem" for the signals from the
# second threshold (or when the agent linked it). On the labelled history (tests/history_data.py,
# 4 seeds) 0.45 keeps 82% of the same-problem pairs and joins no two different problems; 0.4 kept
# 88% but joined a few, and a signal that cites the wrong cases costs the agent's trust.
MIN_SCORE = 0.15
SAME_PROBLEM_SCORE = 0.45

_QUOTED = re.compile(r"\"([^\"\n]{6,200})\"|“([^”\n]{6,200})”|`([^`\n]{6,200})`|'([^'\n]{6,200})'")
_ERROR_CODES = (
    re.compile(r"\b[A-Za-z]{1,8}[-_]?\d{2,6}\b"),  # E-1042, ERR1042, SSO_401
    re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),  # ERR_CONNECTION_RESET
    re.compile(r"\b[1-5]\d\d\b"),  # HTTP status codes
    re.compile(r"\b0x[0-9a-fA-F]{2,}\b"),
    re.compile(r"\b[A-Z]\w+(?:Error|Exception)\b"),  # TimeoutError, NullPointerException
)
_FLAG_SPLIT = re.compile(r"[,;\s]+")
_NO_FLAGS = frozenset({"", "none", "n/a", "na", "-", "off", "no"})


@dataclass(frozen=True)
class SimilarCase:
    """One ranked match: the case, its score (higher is closer) and why it matched."""

    case_id: int
    score: float
    reasons: tuple[str, ...]
    text_score: float = 0.0
    linked: bool = False

    @property
    def same_problem(self) -> bool:
        """Close enough to count as the same symptom for the pattern signals."""
        return self.linked or self.score >= SAME_PROBLEM_SCORE


# -- features beyond the words ---------------------------------------------------------------------
def _normalize(text: str) -> str:
    return " ".join(text.lower().split())


def error_codes(case: Escalation) -> set[str]:
    """Error codes and exception names mentioned in the symptom text (normalized to upper case)."""
    text = " ".join(
        (case.title, case.reproduction.observed, case.reproduction.evidence, case.narrative)
    )
    text += " " + " ".join(case.unplaced)
    found: set[str] = set()
    for pattern in _ERROR_CODES:
        for match in pattern.findall(text):
            code = match.upper().replace("_", "-")
            if code.isdigit() and not ("400" <= code <= "599"):
                continue  # a bare number is only an error code when it is an HTTP error status
            found.add(code)
    return found


def quoted_errors(case: Escalation) -> set[str]:
    """Exact error text the agent quoted ("Export failed", `E_TIMEOUT`), normalized for comparison."""
    text = "\n".join(
        (case.title, case.reproduction.observed, case.reproduction.evidence, case.narrative)
    )
    text += "\n" + "\n".join(case.unplaced)
    out: set[str] = set()
    for groups in _QUOTED.findall(text):
        quoted = next((g for g in groups if g), "")
        norm = _normalize(quoted).strip(" .:;!")
        if len(norm) >= 6:
            out.add(norm)
    return out


def feature_flags(case: Escalation) -> set[str]:
    raw = case.reproduction.environment.feature_flags.lower()
    return {flag for flag in _FLAG_SPLIT.split(raw) if flag not in _NO_FLAGS}


def _environment(case: Escalation) -> dict[str, str]:
    env = case.reproduction.environment
    browser = env.browser.strip().lower().split()
    os_name = env.os.strip().lower().split()
    return {
        "browser": browser[0] if browser else "",
        "OS": os_name[0] if os_name else "",
        "plan": _normalize(env.plan_tier),
    }


def _customer_key(name: str) -> str:
    return _normalize(name)


@dataclass(frozen=True)
class _Profile:
    """Everything the ranking compares, computed once per case."""

    terms: dict[str, float]
    component: str
    customer: str
    codes: frozenset[str]
    quoted: frozenset[str]
    flags: frozenset[str]
    environment: dict[str, str]
    linked: frozenset[int]

    @classmethod
    def of(cls, case: Escalation) -> _Profile:
        return cls(
            terms=term_weights(case),
            component=_normalize(case.component),
            customer=_customer_key(case.customer),
            codes=frozenset(error_codes(case)),
            quoted=frozenset(quoted_errors(case)),
            flags=frozenset(feature_flags(case)),
            environment=_environment(case),
            linked=frozenset(case.linked),
        )


def _quoted_match(a: frozenset[str], b: frozenset[str]) -> str | None:
    for x in sorted(a):
        for y in sorted(b):
            if x == y or (min(len(x), len(y)) >= 10 and (x in y or y in x)):
                return x if len(x) <= len(y) else y
    return None


def _vector(terms: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    vec = {t: w * idf.get(t, 0.0) for t, w in terms.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


class SimilarityIndex:
    """A candidate pool prepared once (term weights, document frequencies, flags), ranked against
    any number of cases: the CLI and the tests rank many cases against one history."""

    def __init__(self, candidates: Sequence[Escalation]) -> None:
        self.pool = [c for c in candidates if c.id is not None]
        self.profiles = [_Profile.of(c) for c in self.pool]
        self.df: Counter[str] = Counter()
        for profile in self.profiles:
            self.df.update(profile.terms.keys())
        # a flag most of the pool carries (a default-on beta) says nothing about the problem
        flag_df = Counter(flag for profile in self.profiles for flag in profile.flags)
        n = len(self.pool)
        self.common_flags = {flag for flag, k in flag_df.items() if n >= 5 and k > n * 0.3}
        # IDF from the pool alone, so candidate vectors are computed once for every query
        self.idf = {term: self._idf(term) for term in self.df}
        self.vectors = [_vector(profile.terms, self.idf) for profile in self.profiles]

    def _idf(self, term: str) -> float:
        return math.log((len(self.pool) + 1) / (self.df.get(term, 0) + 0.5)) + 1.0

    def rank(
        self, case: Escalation, *, limit: int = 10, min_score: float = MIN_SCORE
    ) -> list[SimilarCase]:
        """The pool ranked against `case`, best first, with reasons; `case` itself excluded."""
        return _rank(self, case, limit=limit, min_score=min_score)


def rank_similar(
    case: Escalation,
    candidates: Sequence[Escalation],
    *,
    limit: int = 10,
    min_score: float = MIN_SCORE,
) -> list[SimilarCase]:
    """Rank candidate cases by similarity to `case`, best first, with reasons; `case` itself excluded.

    IDF comes from the pool plus the case, so words every candidate shares weigh little. The pool is
    meant to be the store's full-text top few hundred, which keeps this fast at any history size.
    """
    return SimilarityIndex(candidates).rank(case, limit=limit, min_score=min_score)


def _rank(
    index: SimilarityIndex, case: Escalation, *, limit: int, min_score: float
) -> list[SimilarCase]:
    if not any(c.id != case.id for c in index.pool):
        return []
    query = _Profile.of(case)
    idf = {term: index.idf.get(term) or index._idf(term) for term in query.terms}
    qvec = _vector(query.terms, idf)
    surface = surface_words(case)
    common_flags = index.common_flags
    results: list[SimilarCase] = []
    for other, profile, vec in zip(index.pool, index.profiles, index.vectors, strict=True):
        if other.id is None or other.id == case.id:
            continue
        shared = qvec.keys() & vec.keys()
        text = sum(qvec[t] * vec[t] for t in shared)
        linked = other.id in query.linked or (case.id is not None and case.id in profile.linked)
        same_component = bool(query.component) and query.component == profile.component
        codes = sorted(query.codes & profile.codes)
        quoted = _quoted_match(query.quoted, profile.quoted) if query.quoted else None
        flags = sorted((query.flags & profile.flags) - common_flags)
        env_same = [
            key
            for key, value in query.environment.items()
            if value and value == profile.environment.get(key)
        ]
        if text <= 0:
            env_same = []  # the same browser alone is no similarity
        same_customer = bool(query.customer) and query.customer == profile.customer
        score = (
            text
            + (BOOST_LINKED if linked else 0.0)
            + (BOOST_COMPONENT if same_component else 0.0)
            + (BOOST_ERROR_CODE if codes else 0.0)
            + (BOOST_QUOTED_ERROR if quoted else 0.0)
            + min(MAX_FLAG_BOOST, BOOST_FLAG * len(flags))
            + min(MAX_ENVIRONMENT_BOOST, BOOST_ENVIRONMENT * len(env_same))
            + (BOOST_CUSTOMER if same_customer else 0.0)
        )
        if score < min_score:
            continue
        # The reasons, in the order an agent would check them.
        reasons: list[str] = []
        if linked:
            reasons.append("linked as the same problem")
        if shared:
            top = sorted(shared, key=lambda t: (-qvec[t] * vec[t], t))[:4]
            reasons.append("shared words: " + ", ".join(surface.get(t, t) for t in top))
        if same_component:
            reasons.append(f"same component: {other.component.strip()}")
        if codes:
            reasons.append("same error code: " + ", ".join(codes[:3]))
        if quoted:
            reasons.append(f'same error text: "{quoted}"')
        if flags:
            reasons.append("same feature flag: " + ", ".join(flags[:3]))
        if env_same:
            reasons.append(
                "same environment: "
                + ", ".join(f"{key} {profile.environment[key]}" for key in env_same)
            )
        if same_customer:
            reasons.append("same customer")
        results.append(
            SimilarCase(
                case_id=other.id,
                score=round(score, 4),
                reasons=tuple(reasons),
                text_score=round(text, 4),
                linked=linked,
            )
        )
    results.sort(key=lambda s: (-s.score, s.case_id))
    return results[:limit]


# -- links and outcomes ----------------------------------------------------------------------------
def link_cases(case: Escalation, other: Escalation) -> bool:
    """Mark two cases as the same problem, on both sides; False when they already were."""
    if case.id is None or other.id is None or case.id == other.id:
        raise ValueError("only two different stored cases can be linked")
    changed = False
    if other.id not in case.linked:
        case.linked = [*case.linked, other.id]
        changed = True
    if case.id not in other.linked:
        other.linked = [*other.linked, case.id]
        changed = True
    return changed


def unlink_cases(case: Escalation, other: Escalation) -> bool:
    """Undo `link_cases` on both sides; False when they were not linked."""
    changed = other.id in case.linked or case.id in other.linked
    case.linked = [i for i in case.linked if i != other.id]
    other.linked = [i for i in other.linked if i != case.id]
    return changed


def linked_customers(case: Escalation, linked: Sequence[Escalation]) -> list[str]:
    """The distinct customers of a case and the cases linked to it (first spelling kept): the
    affected-customer count the impact screen can take from the links."""
    seen: dict[str, str] = {}
    for item in [case, *linked]:
        key = _customer_key(item.customer)
        if key and key not in seen:
            seen[key] = " ".join(item.customer.split())
    return list(seen.values())


@dataclass(frozen=True)
class CustomerTally:
    """The affected customers a case and its linked cases add up to: `count` for the impact
    screen, `names` to say who ("Acme Corp", "2 not named on #4")."""

    count: int
    names: list[str]


def linked_customer_tally(case: Escalation, linked: Sequence[Escalation]) -> CustomerTally:
    """The distinct named customers of a case and its linked cases, plus, for a linked case that
    names none (an imported document often leaves the customer field blank), its own
    affected-customer count, or one: a linked case always has a customer of its own, named or
    not. This case's own count is never added (it is what the tally replaces), only its one
    customer when it names none."""
    names = linked_customers(case, linked)
    count = len(names)
    for item in [case, *linked]:
        if _customer_key(item.customer):
            continue
        own = 1 if item is case else max(1, item.impact.customers_affected or 0)
        where = "this case" if item is case else f"#{item.id}"
        count += own
        names.append(f"{plural(own, 'customer')} not named on {where}")
    return CustomerTally(count, names)


def describe_outcome(case: Escalation, destination_names: Mapping[str, str]) -> str:
    """Where a past case ended up, in a few words: "Resolved in support", "Resolved via
    Engineering" (after an escalation), "Escalated to Engineering", "Kept in support", "Draft"."""
    # Every destination it went to, in the order it went ("Engineering, Leadership"); the ones
    # still active while it is escalated.
    status = case.status.value
    records = case.active_escalations() if status == "escalated" else case.escalations
    where = ", ".join(
        destination_names.get(r.destination, r.destination)
        for r in sorted(records, key=lambda r: r.sent_at)
    )
    if status == "resolved":
        return f"Resolved via {where}" if where else "Resolved in support"
    if status == "escalated":
        return f"Escalated to {where}" if where else "Escalated"
    if status == "de_escalated":
        return f"De-escalated from {where}" if where else "De-escalated"
    if status == "kept_in_support":
        return "Kept in support"
    return "Draft (open)"


def lessons_of(case: Escalation) -> str:
    return case.resolution.lessons_learned.strip() if case.resolution is not None else ""
