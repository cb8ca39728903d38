"""The strip's ranking cache: a checklist toggle reuses the pool and ranking (no full-text query),
a change to the symptom text asks the store again, and the signals are always fresh."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from workbench.models import Escalation, Reproduction, TriageAnswer
from workbench.playbook import default_playbook
from workbench.signals import RankingCache, review_case

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


class CountingSource:
    def __init__(self, cases: list[Escalation]) -> None:
        self.cases = cases
        self.queries = 0

    def similar_candidates(
        self, terms: Iterable[str], *, exclude_id: int | None = None, limit: int = 200
    ) -> list[Escalation]:
        self.queries += 1
        return [c for c in self.cases if c.id != exclude_id][:limit]

    def get_many(self, case_ids: Iterable[int]) -> list[Escalation]:
        wanted = set(case_ids)
        return [c for c in self.cases if c.id in wanted]


def _report(case_id: int, customer: str) -> Escalation:
    return Escalation(
        id=case_id,
        title="CSV export fails above 10,000 rows with E-1042",
        customer=customer,
        reproduction=Reproduction(observed="Export failed (E-1042) after 30 s"),
        created_at=NOW,
    )


def test_toggle_reuses_the_ranking_and_symptom_change_queries_again() -> None:
    playbook = default_playbook()
    source = CountingSource([_report(1, "Acme"), _report(2, "Globex"), _report(3, "Initech")])
    case = _report(9, "Umbrella")
    cache = RankingCache()

    first = review_case(source, case, playbook, NOW, cache=cache)
    assert source.queries == 1
    assert {m.case_id for m in first.similar} == {1, 2, 3}
    assert any(s.criterion_id == "esc.recurring.three_reports" for s in first.signals)

    # Ticking the suggested trigger: no new query, and the signal is no longer suggested.
    case.triage["esc.recurring.three_reports"] = TriageAnswer(checked=True)
    second = review_case(source, case, playbook, NOW, cache=cache)
    assert source.queries == 1
    assert second.similar == first.similar
    assert not any(s.criterion_id == "esc.recurring.three_reports" for s in second.signals)

    # New symptom text: the pool is asked for again.
    case.narrative = "Since Monday the export times out for every report."
    review_case(source, case, playbook, NOW, cache=cache)
    assert source.queries == 2


def test_without_a_cache_every_review_queries() -> None:
    playbook = default_playbook()
    source = CountingSource([_report(1, "Acme")])
    case = _report(9, "Umbrella")
    review_case(source, case, playbook, NOW)
    review_case(source, case, playbook, NOW)
    assert source.queries == 2
