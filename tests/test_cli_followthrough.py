"""The follow-through from the shell, under the fixed clock (WORKBENCH_NOW = conftest's NOW,
Tuesday 24 Nov 2026 14:00 UTC): escalate to several destinations, keep in support, log with a
promise, re-assess, de-escalate one destination or all, resolve; what `due`, `list`, `show`,
`check` and `export` then say."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from screens import start
from tests.conftest import NOW
from workbench import cli

Run = Callable[..., Result]
H = timedelta(hours=1)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    for name in ("WORKBENCH_DB", "WORKBENCH_PLAYBOOK", "WORKBENCH_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "cli.db"

    def invoke(*args: str, now: datetime = NOW) -> Result:
        env = {"WORKBENCH_NOW": now.isoformat()}
        handed = cli.Invocation(launch_app=start.run_app)
        return CliRunner().invoke(cli.main, ["--db", str(db), *args], env=env, obj=handed)

    return invoke


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def new(
    run: Run, title: str = "Checkout fails", *, opened: datetime = NOW - timedelta(days=1)
) -> str:
    """A case opened a day before NOW (the follow-through records times before NOW)."""
    return ok(run("new", "--title", title, "--customer", "Globex", now=opened)).output.strip()


def due_json(run: Run, *args: str, now: datetime = NOW) -> list[dict[str, object]]:
    result = run("due", "--all", "--json", *args, now=now)
    assert result.exit_code in (0, 1), result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_two_destinations_have_two_team_clocks(run: Run) -> None:
    case = new(run)
    ok(run("reassess", case, "--severity", "critical", "--reason", "production down"))
    ok(run("escalate", case, "--to", "engineering", "--at", "-1h"))
    ok(run("escalate", case, "--to", "Leadership", "--receiver", "VP Support"))
    rows = [row for row in due_json(run) if row["track"] == "team"]
    assert [(row["destination"], row["latest"]) for row in rows] == [
        ("engineering", (NOW + H).isoformat()),  # sent an hour ago, Critical: every 2 h
        ("leadership", (NOW + 2 * H).isoformat()),
    ]
    assert [row["label"] for row in rows] == [
        "Team check-in · Engineering",
        "Team check-in · Leadership",
    ]
    shown = json.loads(ok(run("show", case, "--json")).stdout)
    assert [(e["destination"], e["receiver"]) for e in shown["escalations"]] == [
        ("engineering", "Owning engineering squad"),
        ("leadership", "VP Support"),
    ]
    listed = json.loads(ok(run("list", "--json")).stdout)
    assert listed[0]["routed_to"] == "Engineering, Leadership"
    assert listed[0]["next_due"] == (NOW + H).isoformat()  # the earliest across destinations
    assert "Routed to: Engineering, Leadership" in ok(run("export", case)).stdout


def test_a_check_in_names_its_team_and_moves_only_its_clock(run: Run) -> None:
    case = new(run)
    ok(run("escalate", case, "--to", "engineering"))
    ok(run("escalate", case, "--to", "leadership"))
    refused = run("log", case, "--team", "spoke to them")
    assert refused.exit_code == 2
    assert "several teams" in refused.stderr and "\n" not in refused.stderr.strip()
    later = NOW + 2 * H
    ok(run("log", case, "--team", "squad on it", "--to", "leadership", now=later))
    rows = {row["destination"]: row for row in due_json(run, now=later) if row["track"] == "team"}
    assert rows["leadership"]["last_at"] == later.isoformat()
    assert rows["engineering"]["last_at"] == NOW.isoformat()


@pytest.mark.parametrize(("minutes", "set_by"), [(-1, "promised"), (0, "cadence"), (1, "cadence")])
def test_a_promise_earlier_than_the_cadence_sets_the_next_update(
    run: Run, minutes: int, set_by: str
) -> None:
    case = new(run)
    ok(run("reassess", case, "--severity", "high", "--reason", "key customer blocked"))
    ok(run("escalate", case, "--to", "engineering"))
    cadence_due = NOW + 8 * H  # High: customer update every 4-8 h
    promise = cadence_due + timedelta(minutes=minutes)
    ok(run("log", case, "--customer", "investigating", "--next", promise.isoformat()))
    (row,) = [row for row in due_json(run) if row["track"] == "customer"]
    assert row["set_by"] == set_by
    expected = promise if set_by == "promised" else cadence_due
    assert row["latest"] == expected.isoformat()
    text = ok(run("show", case)).stdout
    assert (f"promised {promise:%H:%M}" in text) is (set_by == "promised")


def test_the_issue_example_promise_at_0530_before_a_cadence_of_0624_0824(run: Run) -> None:
    case = new(run)
    start = NOW.replace(hour=2, minute=24)
    ok(run("reassess", case, "--severity", "high", "--reason", "blocked", now=start))
    ok(run("escalate", case, "--to", "engineering", now=start))
    promise = NOW.replace(hour=5, minute=30)
    ok(run("log", case, "--customer", "next update by 05:30", "--next", "05:30", now=start))
    (row,) = [r for r in due_json(run, now=start) if r["track"] == "customer"]
    assert (row["earliest"], row["latest"], row["set_by"]) == (
        promise.isoformat(),
        promise.isoformat(),
        "promised",
    )


def test_a_deadline_given_to_the_customer_counts_too(run: Run) -> None:
    case = new(run)
    ok(run("escalate", case, "--to", "engineering"))  # no severity: Medium, 1-2 business days
    deadline = NOW + 5 * H
    ok(run("log", case, "--customer", "fix by 19:00", "--deadline", deadline.isoformat()))
    (row,) = [r for r in due_json(run) if r["track"] == "customer"]
    assert (row["latest"], row["set_by"]) == (deadline.isoformat(), "deadline")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--team", "x", "--next", "+1h"), "only a customer update promises"),
        (("--customer", "x", "--next", "-1h"), "must be later than now"),
        (("--customer", "x", "--next", "someday"), "is not a time"),
        (("--note", "x", "--to", "engineering"), "only a team check-in names"),
        (("--team", "x", "--to", "product"), "not with Product"),
        (("x",), "say what kind of update"),
    ],
)
def test_log_refuses_with_one_line(run: Run, args: tuple[str, ...], message: str) -> None:
    case = new(run)
    ok(run("escalate", case, "--to", "engineering"))
    before = ok(run("show", case, "--json")).stdout
    result = run("log", case, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert ok(run("show", case, "--json")).stdout == before


def test_kept_in_support_is_listed_checked_and_exported_as_a_note(run: Run) -> None:
    case = new(run, "SSO login loop")
    ok(
        run(
            "keep",
            case,
            "--reason",
            "KB-1234 covers it",
            "--note",
            "Clear the SSO cookie (KB-1234).",
        )
    )
    listed = json.loads(ok(run("list", "--json", "--status", "kept_in_support")).stdout)
    assert [(row["id"], row["status"]) for row in listed] == [(int(case), "kept_in_support")]
    document = ok(run("export", case)).stdout
    assert document.startswith("Kept in support: SSO login loop")
    assert "Clear the SSO cookie (KB-1234)." in document
    assert "ESCALATION" not in document and "[not provided]" not in document
    checked = run("check", case)
    assert "triage the case first" not in checked.output
    assert "no keep criterion holds" in checked.output and checked.exit_code == 1
    stats = json.loads(ok(run("stats", "--json")).stdout)
    assert stats["kept_in_support"] == 1
    refused = run("keep", case, "--reason", "again")
    assert refused.exit_code == 2 and "already kept" in refused.stderr


def test_a_kept_case_escalated_later_keeps_its_history(run: Run) -> None:
    case = new(run)
    ok(run("keep", case, "--reason", "looked like config"))
    ok(run("escalate", case, "--to", "engineering", now=NOW + H))
    shown = json.loads(ok(run("show", case, "--json")).stdout)
    assert shown["status"] == "escalated"
    assert shown["kept"]["reason"] == "looked like config"
    summaries = [entry["summary"] for entry in shown["log"]]
    assert summaries[:2] == [
        "Decision: keep in support",
        "Decision: escalate (was kept in support)",
    ]
    assert ok(run("export", case)).stdout.startswith("# ESCALATION: Checkout fails")


def test_keep_refuses_an_escalated_case(run: Run) -> None:
    case = new(run)
    ok(run("escalate", case, "--to", "engineering"))
    result = run("keep", case, "--reason", "x")
    assert result.exit_code == 2 and "de-escalate it before" in result.stderr


def test_de_escalate_one_destination_then_the_rest(run: Run) -> None:
    case = new(run)
    ok(run("escalate", case, "--to", "engineering"))
    ok(run("escalate", case, "--to", "leadership"))
    ok(run("de-escalate", case, "--to", "leadership", "--reason", "no decision needed"))
    teams = [row["destination"] for row in due_json(run) if row["track"] == "team"]
    assert teams == ["engineering"]
    refused = run("de-escalate", case, "--reason", "workaround")
    assert refused.exit_code == 2 and "tick one of the conditions" in refused.stderr
    ok(run("de-escalate", case, "--reason", "workaround", "--condition", "workaround_found"))
    shown = json.loads(ok(run("show", case, "--json")).stdout)
    assert shown["status"] == "de_escalated"
    assert [e["ended_by"] for e in shown["escalations"]] == ["de_escalated", "de_escalated"]
    assert due_json(run) == []


def test_resolve_closes_every_destination_and_the_export_carries_lessons(run: Run) -> None:
    case = new(run)
    ok(run("escalate", case, "--to", "engineering"))
    ok(run("escalate", case, "--to", "leadership"))
    refused = run("resolve", case, "--lessons", "  ")
    assert refused.exit_code == 2 and "lessons learned are required" in refused.stderr
    ok(run("resolve", case, "--lessons", "Check the CDN cache first", "--customer-confirmed"))
    shown = json.loads(ok(run("show", case, "--json")).stdout)
    assert [e["ended_by"] for e in shown["escalations"]] == ["resolved", "resolved"]
    document = ok(run("export", case)).stdout
    assert "Lessons learned: Check the CDN cache first" in document
    assert "the customer confirmed the resolution" in document
    assert due_json(run) == []


def test_escalate_refuses_unknown_destination_and_bad_time(run: Run) -> None:
    case = new(run)
    result = run("escalate", case, "--to", "marketing")
    assert result.exit_code == 2 and "unknown destination 'marketing'" in result.stderr
    result = run("escalate", case, "--to", "engineering", "--at", "whenever")
    assert result.exit_code == 2 and "--at" in result.stderr
    assert json.loads(ok(run("show", case, "--json")).stdout)["status"] == "draft"


def test_reassess_refuses_the_same_severity(run: Run) -> None:
    case = new(run)
    ok(run("reassess", case, "--severity", "high", "--reason", "blocked"))
    result = run("reassess", case, "--severity", "high", "--reason", "still")
    assert result.exit_code == 2 and "already High" in result.stderr


def test_escalate_at_reads_times_as_the_app_does(run: Run) -> None:
    case = new(run)
    refused = run("escalate", case, "--to", "engineering", "--at", "+1h")
    assert refused.exit_code == 2 and "in the future" in refused.stderr
    ok(run("escalate", case, "--to", "engineering", "--at", "15:00"))  # NOW is 14:00: yesterday
    shown = json.loads(ok(run("show", case, "--json")).stdout)
    assert shown["escalations"][0]["sent_at"] == "2026-11-23T15:00:00Z"


def test_escalate_at_refuses_a_time_before_the_case_was_opened(run: Run) -> None:
    """As the app's Escalate dialog does: a case cannot have been escalated before it existed."""
    case = new(run, opened=NOW)
    refused = run("escalate", case, "--to", "engineering", "--at", "-1h")
    assert refused.exit_code == 2
    assert "before the case was opened" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    ok(run("escalate", case, "--to", "engineering", "--at", "+0m"))
