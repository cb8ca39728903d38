"""`workbench similar ID` and `workbench stats` against a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import NOW, fixed_clock, new_case
from workbench import cli
from workbench.followup import escalate, resolve
from workbench.models import Reproduction
from workbench.playbook import Playbook
from workbench.store import CaseStore, Store, open_store


@pytest.fixture
def store(db_target: Path | str, playbook: Playbook) -> Iterator[CaseStore]:
    """The test's store on both backends: the local file, or a team database."""
    with open_store(db_target, playbook, clock=fixed_clock) as opened:
        yield opened


def run(db: Path | str, *args: str) -> Result:
    env = {"WORKBENCH_NOW": NOW.isoformat(), "WORKBENCH_DB": None, "WORKBENCH_PLAYBOOK": None}
    return CliRunner().invoke(cli.main, ["--db", str(db), *args], env=env)


def _history(store: Store, playbook: Playbook) -> int:
    """Three customers reporting the CSV export timeout (one patched and resolved), an unrelated
    case, and the new report; returns the new report's id."""
    observed = Reproduction(observed='Error "Export failed (E-1042)" after 30 s')
    old = new_case(store, "CSV export times out on big reports", customer="Globex",
                   component="Reports", reproduction=observed,
                   created_at=NOW - timedelta(days=40))  # fmt: skip
    escalate(old, playbook, "engineering", "", NOW - timedelta(days=39))
    resolve(old, playbook, customer_confirmed=True, tracking_closed=True,
            lessons_learned="Raised the export timeout to 120 s", now=NOW - timedelta(days=30))  # fmt: skip
    store.save(old)
    new_case(store, "Large CSV exports time out", customer="Initech", component="Reports",
             reproduction=observed, created_at=NOW - timedelta(days=2))  # fmt: skip
    new_case(store, "SSO login redirects in a loop", customer="Hooli")
    case = new_case(store, "CSV export of the sales report times out", customer="Acme Corp",
                    component="Reports", reproduction=observed)  # fmt: skip
    assert case.id is not None
    return case.id


def test_similar_lists_matches_and_signals(
    store: Store, db_target: Path | str, playbook: Playbook
) -> None:
    case_id = _history(store, playbook)
    result = run(db_target, "similar", str(case_id))
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.splitlines()[0] == f"Cases like #{case_id} CSV export of the sales report times out:"
    assert "=#1 " in out and "Globex · Resolved via Engineering" in out
    assert "Lessons learned: Raised the export timeout to 120 s" in out
    assert "=#2 " in out and "Initech · Draft (open)" in out
    assert "#3 " not in out  # the SSO loop is nothing like it
    assert "[esc.recurring.three_reports]" in out
    assert "[esc.recurring.resurfaced]" in out


def test_similar_json(store: Store, db_target: Path | str, playbook: Playbook) -> None:
    case_id = _history(store, playbook)
    result = run(db_target, "similar", f"#{case_id}", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] == case_id
    assert [row["id"] for row in data["similar"]] == [1]
    top = data["similar"][0]
    assert top["customer"] == "Globex" and top["status"] == "resolved"
    assert top["lessons_learned"] == "Raised the export timeout to 120 s"
    assert any("same error code: E-1042" in r for r in top["reasons"])
    ids = {s["criterion_id"]: s for s in data["signals"]}
    assert ids["esc.recurring.three_reports"]["evidence_case_ids"] == [1, 2]
    assert ids["esc.recurring.resurfaced"]["evidence_case_ids"] == [1]


def test_similar_unknown_case_is_a_one_line_error(store: Store, db_target: Path | str) -> None:
    result = run(db_target, "similar", "99")
    assert result.exit_code == 2
    assert "no case with id 99" in result.output


def test_stats_text_and_json(store: Store, db_target: Path | str, playbook: Playbook) -> None:
    _history(store, playbook)
    text = run(db_target, "stats")
    assert text.exit_code == 0, text.output
    assert "Cases: 4 in all, 3 open" in text.output
    assert "Kept in support vs escalated (opened in the last 13 weeks): 0 vs 1" in text.output
    assert "Most frequent symptoms" in text.output and "3  CSV export" in text.output
    data = json.loads(run(db_target, "stats", "--json").output)
    assert data["total"] == 4
    assert data["open"]["total"] == 3
    # the resolved case has no severity: opened 40 days ago, resolved 30 days ago
    assert data["median_hours_to_resolution"] == {
        "critical": None,
        "high": None,
        "medium": None,
        "unrated": 240.0,
    }
    assert sum(w["count"] for w in data["escalations_per_week"]) == 1


def test_stats_without_a_database_is_all_zero(tmp_path: Path) -> None:
    result = run(tmp_path / "none.db", "stats", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["total"] == 0
    assert not (tmp_path / "none.db").exists()


REPORTS = Path(__file__).parent / "reports"


def test_four_reports_written_four_ways_are_one_recurring_pattern(db_target: Path | str) -> None:
    """Three customers' reports of one symptom, each in a colleague's own style (an email with
    no sections among them), then a fourth: `similar` ranks the three first, as the same problem,
    and raises the recurring-pattern trigger; each case keeps the customer its header names."""
    ids = {}
    for name in ("stall-initech.md", "stall-globex.txt", "stall-umbrella.md", "stall-hooli.md"):
        result = run(db_target, "import", str(REPORTS / name))
        assert result.exit_code == 0, result.output
        ids[name] = int(result.stdout.strip().splitlines()[-1])
    result = run(db_target, "similar", str(ids["stall-hooli.md"]), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    top = found["similar"][:3]
    others = {ids[n] for n in ("stall-initech.md", "stall-globex.txt", "stall-umbrella.md")}
    assert {row["id"] for row in top} == others
    assert all(row["same_problem"] for row in top)
    assert {row["customer"] for row in top} == {"Initech", "Globex Corp", "Umbrella Health"}
    recurring = [s for s in found["signals"] if s["criterion_id"] == "esc.recurring.three_reports"]
    assert recurring and set(recurring[0]["evidence_case_ids"]) == others
