"""`workbench due` on a database built with the follow-through operations: cases due, overdue,
resolved, de-escalated and never escalated; its text, its JSON and its exit status.

NOW is Tuesday 24 Nov 2026 14:00 UTC (tests.conftest); the CLI reads it from WORKBENCH_NOW.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from screens import start
from tests.conftest import NOW, new_case
from workbench import cli
from workbench.followup import de_escalate, escalate, log_update, resolve
from workbench.models import Escalation, Override
from workbench.rules.cadence import follow_up_schedule
from workbench.store import Store

Run = Callable[..., Result]
H = timedelta(hours=1)
STEPS = (
    "deesc.notify_team",
    "deesc.record_status",
    "deesc.tell_customer",
    "deesc.document_findings",
)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """The CLI on the test store's database (conftest's `store` lives at tmp_path/workbench.db)."""
    for name in ("WORKBENCH_DB", "WORKBENCH_PLAYBOOK", "WORKBENCH_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "workbench.db"

    def invoke(*args: str, now: datetime = NOW) -> Result:
        env = {"WORKBENCH_NOW": now.isoformat()}
        handed = cli.Invocation(launch_app=start.run_app)  # as the `workbench` command does
        return CliRunner().invoke(cli.main, ["--db", str(db), *args], env=env, obj=handed)

    return invoke


def escalated(store: Store, title: str, severity: str, sent: datetime) -> Escalation:
    case = new_case(store, title, customer="Globex", created_at=sent - H)
    case.severity_override = Override(value=severity, reason="assessed", at=sent)
    escalate(case, store.playbook, "engineering", "Payments squad", sent)
    return case


@pytest.fixture
def cases(store: Store) -> dict[str, int]:
    """One case of each kind the command must tell apart."""
    pb = store.playbook
    # Critical, sent at 09:00, nothing since: team due 11:00, customer 11:00-13:00; both overdue.
    overdue = store.save(escalated(store, "Checkout 500s", "critical", NOW - 5 * H))
    # High, sent at 09:00, team checked at 13:00 (next 17:00); customer 13:00-17:00: due, not late.
    due = escalated(store, "Slow reports", "high", NOW - 5 * H)
    log_update(due, "team_checkin", "Squad on it", now=NOW - H)
    due = store.save(due)
    # Medium, sent Fri 20 Nov 16:00, team checked today 10:00: the customer window of 1-2 business
    # days skips the weekend, Mon 16:00 to Tue 16:00: due, not overdue (it would be, counting Sat/Sun).
    friday = datetime(2026, 11, 20, 16, 0, tzinfo=NOW.tzinfo)
    weekend = escalated(store, "Export CSV header", "medium", friday)
    log_update(weekend, "team_checkin", "No news yet", now=NOW - 4 * H)
    weekend = store.save(weekend)
    # Critical but resolved, and critical but de-escalated: their clocks are stopped.
    done = escalated(store, "Login loop", "critical", NOW - 10 * H)
    resolve(
        done,
        pb,
        customer_confirmed=True,
        tracking_closed=True,
        lessons_learned="L",
        now=NOW - 2 * H,
    )
    done = store.save(done)
    back = escalated(store, "Webhook retries", "critical", NOW - 10 * H)
    de_escalate(
        back,
        pb,
        conditions={"deesc.workaround_found": True},
        steps_done=dict.fromkeys(STEPS, True),
        skipped_reasons={},
        now=NOW - 3 * H,
        outcome="Workaround: retry manually",
        findings="Timeouts at 30 s",
    )
    back = store.save(back)
    draft = new_case(store, "Not escalated yet")
    ids = {
        "overdue": overdue.id,
        "due": due.id,
        "weekend": weekend.id,
        "resolved": done.id,
        "de_escalated": back.id,
        "draft": draft.id,
    }
    return {key: value for key, value in ids.items() if value is not None}


def test_due_json_lists_due_and_overdue_tracks_in_order_and_exits_1(
    run: Run, store: Store, cases: dict[str, int]
) -> None:
    result = run("due", "--json")
    assert result.exit_code == 1, result.stderr
    items = json.loads(result.stdout)
    listed = [(item["id"], item["track"], item["due"], item["overdue"]) for item in items]
    assert listed == [
        (cases["overdue"], "team", True, True),  # latest 11:00
        (cases["overdue"], "customer", True, True),  # latest 13:00
        (cases["weekend"], "customer", True, False),  # latest Tue 16:00
        (cases["due"], "customer", True, False),  # latest 17:00
    ]
    first = items[0]
    assert first["title"] == "Checkout 500s" and first["customer"] == "Globex"
    assert first["severity"] == "critical" and first["label"] == "Team check-in"
    assert first["earliest"] == first["latest"] == "2026-11-24T11:00:00+00:00"
    assert first["last_at"] == "2026-11-24T09:00:00+00:00"
    weekend = items[2]
    assert weekend["earliest"] == "2026-11-23T16:00:00+00:00"
    assert weekend["latest"] == "2026-11-24T16:00:00+00:00"
    # The JSON agrees with the schedule the app shows.
    schedule = follow_up_schedule(store.get(cases["due"]), store.playbook, NOW)
    assert schedule is not None
    assert items[3]["latest"] == schedule.customer.latest.isoformat()


def test_holidays_from_the_agents_settings_are_skipped_too(
    run: Run, cases: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A holiday on Monday 23 Nov in the agent's settings: the Medium case's customer window
    (1-2 business days from Friday 16:00) moves to Tue 16:00 - Wed 16:00, so it is not due yet;
    with --settings, with WORKBENCH_SETTINGS, and from the user config directory alike."""
    settings = tmp_path / "settings.toml"
    settings.write_text("holidays = [2026-11-23]\n", encoding="utf-8")

    def weekend_window(result: Result) -> list[object]:
        return [i for i in json.loads(result.stdout) if i["id"] == cases["weekend"]]

    assert weekend_window(run("due", "--json"))  # without settings: due now
    assert weekend_window(run("--settings", str(settings), "due", "--json")) == []
    monkeypatch.setenv("WORKBENCH_SETTINGS", str(settings))
    assert weekend_window(run("due", "--json")) == []
    monkeypatch.delenv("WORKBENCH_SETTINGS")
    config = tmp_path / "config" / "escalation-workbench"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text('holidays = ["2026-11-23"]\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert weekend_window(run("due", "--json")) == []
    broken = tmp_path / "broken.toml"
    broken.write_text("# mine\nholidays = [2026-11-23, 'Boxing day']\n", encoding="utf-8")
    result = run("--settings", str(broken), "due")
    assert result.exit_code == 2
    assert f"{broken}:2: holidays[1]: 'Boxing day' is not a date (YYYY-MM-DD)" in result.stderr


def test_due_text_names_each_case_and_how_late(run: Run, cases: dict[str, int]) -> None:
    result = run("due")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"#{cases['overdue']} Checkout 500s: Team check-in due 11:00 (OVERDUE by 3 h)",
        f"#{cases['overdue']} Checkout 500s: Customer update due 11:00–13:00 (OVERDUE by 1 h) · cadence",
        f"#{cases['weekend']} Export CSV header: Customer update due "
        "Mon 23 Nov 16:00–Tue 24 Nov 16:00 (due now, latest in 2 h) · cadence",
        f"#{cases['due']} Slow reports: Customer update due 13:00–17:00 (due now, latest in 3 h) · cadence",
    ]


def test_due_exits_0_once_the_overdue_updates_are_logged(
    run: Run, store: Store, cases: dict[str, int]
) -> None:
    case = store.get(cases["overdue"])
    log_update(case, "team_checkin", "Rollback running", now=NOW)
    log_update(case, "customer_update", "Told Globex: rollback running", now=NOW)
    store.save(case)
    result = run("due", "--json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert cases["overdue"] not in {item["id"] for item in items}
    assert not any(item["overdue"] for item in items)
    # Two hours later the critical team check-in is due again (a point in time, so overdue just
    # after), and the customer window 16:00-18:00 is open.
    later = json.loads(run("due", "--json", now=NOW + 2 * H + timedelta(minutes=1)).stdout)
    mine = {(item["track"], item["overdue"]) for item in later if item["id"] == cases["overdue"]}
    assert mine == {("team", True), ("customer", False)}


def test_resolved_de_escalated_and_draft_cases_are_never_due(
    run: Run, cases: dict[str, int]
) -> None:
    a_week_later = NOW + timedelta(days=7)
    items = json.loads(run("due", "--json", "--all", now=a_week_later).stdout)
    ids = {item["id"] for item in items}
    assert ids == {cases["overdue"], cases["due"], cases["weekend"]}


def test_due_on_an_empty_or_missing_database(run: Run, tmp_path: Path) -> None:
    result = run("due")
    assert result.exit_code == 0
    assert result.stdout == "" and "Nothing due." in result.stderr
    assert not (tmp_path / "workbench.db").exists()  # `due` never creates a database
    as_json = run("due", "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []


@pytest.mark.parametrize(("args", "bell"), [((), True), (("--no-bell",), False)])
def test_no_bell_reaches_the_app(
    run: Run, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], bell: bool
) -> None:
    from screens.app import WorkbenchApp

    seen: list[bool] = []
    monkeypatch.setattr(start, "_is_terminal", lambda: True)
    monkeypatch.setattr(WorkbenchApp, "run", lambda self: seen.append(self._bell_enabled))
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert seen == [bell]
