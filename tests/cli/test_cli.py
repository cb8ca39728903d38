"""The `workbench` command line: every command, its exit statuses and JSON shapes, one-line errors
(import and export: test_import_export.py)."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screens import start
from tests.cli.helpers import Run, assert_error, ready_case
from tests.conftest import NOW, new_case, seed_cases
from workbench import cli
from workbench.cli.output import display_width
from workbench.models import (
    Escalation,
    EscalationRecord,
    LogEntry,
    LogKind,
    Override,
    Status,
)
from workbench.session import State
from workbench.store import Store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The local file (a test that asks for it runs on the file alone, tests/conftest.py)."""
    return tmp_path / "workbench.db"


def escalated_case(hours_ago: float, severity: str = "critical") -> Escalation:
    sent = NOW - timedelta(hours=hours_ago)
    return Escalation(
        title=f"Escalated {hours_ago} h ago",
        customer="Globex",
        status=Status.ESCALATED,
        routed_to=["engineering"],
        severity_override=Override(value=severity, reason="as agreed", at=sent),
        escalation=EscalationRecord(destination="engineering", sent_at=sent),
        created_at=sent,
        updated_at=sent,
    )


# -- new / list / show -------------------------------------------------------------------------------
def test_new_prints_the_id_and_creates_a_private_database(run: Run, db: Path) -> None:
    first = run("new", "--title", "Export fails", "--customer", "Acme")
    second = run("new", "--title", "Second")
    assert (first.exit_code, first.stdout) == (0, "1\n")
    assert second.stdout == "2\n"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    shown = json.loads(run("show", "1", "--json").stdout)
    assert (shown["title"], shown["customer"], shown["status"]) == ("Export fails", "Acme", "draft")


def test_new_json_and_empty_title(run: Run) -> None:
    result = run("new", "--title", "X", "--json")
    assert json.loads(result.stdout)["id"] == 1
    assert_error(run("new", "--title", "  "), 2, "--title")
    assert_error(run("new"), 2, "--title")


def test_list_json_shape(run: Run, store: Store) -> None:
    cases = seed_cases(store)
    result = run("list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {row["id"] for row in rows} == {c.id for c in cases}
    keys = {"id", "title", "status", "severity", "routed_to", "customer", "next_due", "overdue"}
    assert all(keys <= set(row) for row in rows)
    escalated = next(row for row in rows if row["status"] == "escalated")
    assert escalated["overdue"] is True
    assert escalated["next_due"].endswith("+00:00")
    assert escalated["severity"] == "high"


def test_list_filters_and_table(run: Run, store: Store) -> None:
    seed_cases(store)
    only = json.loads(run("list", "--status", "escalated", "--json").stdout)
    assert [row["title"] for row in only] == ["Bulk import drops rows over 10k"]
    two = json.loads(run("list", "--status", "draft", "--limit", "2", "--json").stdout)
    assert len(two) == 2
    found = json.loads(run("list", "--search", "checkout", "--json").stdout)
    assert [row["customer"] for row in found] == ["Globex"]
    table = run("list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "STATUS", "SEVERITY"]
    assert len(lines) == 6
    assert any("OVERDUE" in line and "Bulk import" in line for line in lines)
    by_id = json.loads(run("list", "--sort", "id", "--asc", "--json").stdout)
    assert [row["id"] for row in by_id] == sorted(row["id"] for row in by_id)
    assert_error(run("list", "--sort", "nope"), 2, "--sort")
    assert_error(run("list", "--status", "nope"), 2, "--status")


@pytest.mark.parametrize("columns", [60, 80, 100])
def test_list_table_fits_narrow_terminals(run: Run, store: Store, columns: int) -> None:
    seed_cases(store)
    new_case(store, "导出失败：大文件 CSV 导出超时，客户无法完成月末对账", customer="株式会社")
    lines = run("list", COLUMNS=str(columns)).stdout.splitlines()
    assert len(lines) == 7
    assert max(display_width(line) for line in lines) <= columns
    assert lines[0].split()[:4] == ["ID", "STATUS", "SEVERITY", "TITLE"]
    assert "导出失败：大" in lines[1]  # newest first
    assert "OVERDUE by 2 h" in lines[2] and "Bulk import" in lines[2]
    assert ("CUSTOMER" in lines[0]) == (columns >= 100)


def test_list_without_a_database(run: Run, db: Path) -> None:
    assert json.loads(run("list", "--json").stdout) == []
    assert run("list").exit_code == 0
    assert not db.exists()


def test_show(run: Run, store: Store) -> None:
    cases = seed_cases(store)
    escalated = cases[-1]
    data = json.loads(run("show", str(escalated.id), "--json").stdout)
    assert data == escalated.model_copy().model_dump(mode="json") | {
        "revision": data["revision"],
        "updated_at": data["updated_at"],
    }
    assert Escalation.model_validate(data).title == escalated.title
    text = run("show", f"#{escalated.id}")
    assert text.exit_code == 0
    assert text.stdout.startswith(f"#{escalated.id} Bulk import drops rows over 10k\n")
    assert "Status: Escalated" in text.stdout
    assert "Team check-in due" in text.stdout and "OVERDUE" in text.stdout
    assert "Log:" in text.stdout and "Escalated to Engineering" in text.stdout
    # Each entry's kind said once: not "Escalated: Escalated to…", "De-escalated: De-escalated:".
    log = text.stdout.split("Log:")[1]
    assert "Escalated: Escalated" not in log
    assert "Opened: Bulk import drops rows over 10k" in log


@pytest.mark.parametrize("command", ["show", "export", "check"])
def test_unknown_and_bad_ids(run: Run, store: Store, command: str) -> None:
    new_case(store)
    assert_error(run(command, "99"), 2, "no case with id 99")
    assert_error(run(command, "abc"), 2, "'abc' is not a case id")
    assert_error(run(command), 2, "Missing argument")


@pytest.mark.parametrize("command", ["show", "export", "check", "backup"])
def test_commands_that_read_need_a_database(run: Run, db: Path, command: str) -> None:
    assert_error(run(command, "1"), 2, "no database at")
    assert not db.exists()


# -- control sequences --------------------------------------------------------------------------------
EVIL = "Title \x1b[2J\x1b]0;pwned\x07 end\x9b31m"


def test_no_control_sequences_reach_the_terminal(run: Run, store: Store) -> None:
    case = new_case(store, EVIL, customer="\x1b[31mred", narrative="Line \x1b[1mbold")
    for args in (
        ["list"],
        ["show", str(case.id)],
        ["export", str(case.id)],
        ["check", str(case.id)],
        ["list", "--json"],
        ["show", str(case.id), "--json"],
        ["check", str(case.id), "--json"],
    ):
        result = run(*args)
        assert result.exit_code in (0, 1), args
        for bad in ("\x1b", "\x07", "\x9b"):
            assert bad not in result.stdout, (args, bad)
    # JSON keeps the text, escaped.
    data = json.loads(run("show", str(case.id), "--json").stdout)
    assert data["title"] == EVIL


def test_error_messages_are_one_clean_line(run: Run, tmp_path: Path) -> None:
    evil = tmp_path / "a\x1b[2Jb\nc.md"
    assert_error(run("import", str(evil)), 2, "cannot read")
    result = run("import", str(evil))
    assert "\x1b" not in result.stderr


# -- check / due -------------------------------------------------------------------------------------
def test_check_ready_case(run: Run, store: Store) -> None:
    case = store.create(ready_case())
    result = run("check", str(case.id))
    assert result.exit_code == 0, result.stdout
    assert "Package for Support L2" in result.stdout or "Package for" in result.stdout
    data = json.loads(run("check", str(case.id), "--json").stdout)
    assert data["ready"] is True and data["missing_required"] == 0
    assert data["destinations"] == ["l2"]
    assert {"rule", "field", "message", "advice", "screen"} <= set(data["findings"][0])
    assert {"destination_id", "text", "required", "present", "detail"} <= set(data["package"][0])


def test_check_missing_required_exits_1(run: Run, store: Store) -> None:
    case = store.create(escalated_case(1))
    result = run("check", str(case.id))
    assert result.exit_code == 1
    assert "[ ]" in result.stdout
    data = run("check", str(case.id), "--json")
    assert data.exit_code == 1
    parsed = json.loads(data.stdout)
    assert parsed["ready"] is False and parsed["missing_required"] > 0
    # Another destination's package can be asked for by id; an unknown id is an error.
    other = json.loads(run("check", str(case.id), "--destination", "l2", "--json").stdout)
    assert other["destinations"] == ["l2"]
    assert_error(run("check", str(case.id), "--destination", "moon"), 2, "moon")


def test_check_without_destination(run: Run, store: Store) -> None:
    case = new_case(store, "Nothing triaged")
    result = run("check", str(case.id))
    assert result.exit_code == 0
    assert "no destination" in result.stdout


def test_due_reports_overdue_and_exits_1(run: Run, store: Store) -> None:
    overdue = store.create(escalated_case(5))  # critical: team every 2 h
    fresh = store.create(escalated_case(0.5))
    store.create(ready_case())
    result = run("due", "--json")
    assert result.exit_code == 1
    items = json.loads(result.stdout)
    assert {item["id"] for item in items} == {overdue.id}
    assert {item["track"] for item in items} == {"team", "customer"}
    assert all(item["overdue"] for item in items)
    keys = {"id", "title", "track", "label", "earliest", "latest", "due", "overdue", "severity"}
    assert all(keys <= set(item) for item in items)
    text = run("due")
    assert text.exit_code == 1
    assert f"#{overdue.id} " in text.stdout and "OVERDUE" in text.stdout
    everything = json.loads(run("due", "--all", "--json").stdout)
    assert {item["id"] for item in everything} == {overdue.id, fresh.id}


def test_due_nothing(run: Run, store: Store) -> None:
    store.create(escalated_case(0.5))
    result = run("due")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(run("due", "--json").stdout) == []
    # Due (inside its window) but not overdue: listed, exit 0. High: customer update every 4-8 h,
    # team check-in every 4 h (logged an hour ago).
    case = escalated_case(5, "high")
    case.log.append(LogEntry(at=NOW - timedelta(hours=1), kind=LogKind.TEAM_CHECKIN, summary="ok"))
    store.create(case)
    items = json.loads(run("due", "--json").stdout)
    assert items and not any(item["overdue"] for item in items)
    assert run("due").exit_code == 0


def test_due_follows_now(run: Run, store: Store) -> None:
    store.create(escalated_case(0.5))
    later = (NOW + timedelta(hours=3)).isoformat()
    assert run("due", WORKBENCH_NOW=later).exit_code == 1
    assert_error(run("due", WORKBENCH_NOW="yesterday-ish"), 2, "WORKBENCH_NOW")


# -- playbook / backup / globals ----------------------------------------------------------------------
def test_playbook_check(run: Run, tmp_path: Path) -> None:
    ok = run("playbook", "--check")
    assert ok.exit_code == 0
    assert ok.stdout.startswith("ok: 5 keep criteria, 6 triggers")
    summary = run("playbook")
    assert summary.exit_code == 0 and "playbook.toml" in summary.stdout.splitlines()[0]
    from workbench.playbook import default_playbook_path

    broken = tmp_path / "broken.toml"
    text = default_playbook_path().read_text(encoding="utf-8")
    broken.write_text(text.replace("team_hours = 2\n", 'team_hours = "two"\n', 1), encoding="utf-8")
    result = run("playbook", "--check", str(broken))
    assert_error(result, 1, "broken.toml:", "team_hours")
    not_toml = tmp_path / "x.toml"
    not_toml.write_text("[[[", encoding="utf-8")
    assert_error(run("playbook", "--check", str(not_toml)), 1, "not valid TOML")
    assert_error(run("playbook", "--check", str(tmp_path / "none.toml")), 1, "cannot read")


def test_playbook_option_and_env(run: Run, store: Store, tmp_path: Path) -> None:
    new_case(store)
    broken = tmp_path / "broken.toml"
    broken.write_text("name = 1", encoding="utf-8")
    assert_error(run("--playbook", str(broken), "list"), 2, "broken.toml")
    assert_error(run("show", "1", WORKBENCH_PLAYBOOK=str(broken)), 2, "broken.toml")
    # `playbook --check` checks the playbook in use when no FILE is given.
    assert_error(run("--playbook", str(broken), "playbook", "--check"), 1, "broken.toml")


def test_db_env_var(run: Run, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    runner = CliRunner()
    env = {"WORKBENCH_DB": str(other), "WORKBENCH_NOW": NOW.isoformat()}
    result = runner.invoke(cli.main, ["new", "--title", "Via env"], env=env)
    assert result.exit_code == 0 and other.exists()
    listed = runner.invoke(cli.main, ["list", "--json"], env=env)
    assert [row["title"] for row in json.loads(listed.stdout)] == ["Via env"]


@pytest.mark.sqlite_only  # a team database is backed up with pg_dump (tests/team/test_team.py)
def test_backup(run: Run, store: Store, tmp_path: Path) -> None:
    new_case(store)
    target = tmp_path / "backup.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = Store(target, store.playbook, readonly=True)
    assert [c.title for c in copy.all_cases()] == ["CSV export times out"]
    copy.close()
    assert_error(run("backup", str(target)), 2, "already exists")
    assert run("backup", str(target), "--force").exit_code == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is not sqlite at all" * 10, ["not an SQLite database"]),
        (b"SQLite format 3\x00" + b"\x00" * 84 + b"\x01" * 30, ["damaged"]),
    ],
)
def test_corrupt_database(run: Run, db: Path, content: bytes, words: list[str]) -> None:
    db.write_bytes(content)
    for args in (["list"], ["show", "1"], ["new", "--title", "x"], ["due"]):
        assert_error(run(*args), 2, *words)


def test_newer_database_is_refused(run: Run, store: Store, db: Path) -> None:
    import sqlite3

    new_case(store)
    store.close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    assert_error(run("list"), 2)


def test_locked_database(run: Run, store: Store, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    new_case(store)
    # Wait 50 ms for the lock instead of the default seconds.
    defaults = Store.__init__.__kwdefaults__
    assert defaults is not None and "busy_timeout" in defaults
    monkeypatch.setitem(defaults, "busy_timeout", 0.05)
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert_error(run("new", "--title", "blocked"), 2)
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_usage_errors_are_one_line(run: Run) -> None:
    assert_error(run("bogus"), 2, "No such command 'bogus'", "--help")
    assert_error(run("list", "--limit", "0"), 2, "--limit")
    assert_error(run("show", "1", "2"), 2, "unexpected extra argument")


def test_internal_errors_are_one_line(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: Any) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(State, "playbook", boom)
    assert_error(run("show", "1"), 2, "internal error", "kaboom", "WORKBENCH_DEBUG")


def test_help_and_version(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("new", "list", "show", "import", "export", "check", "due", "playbook"):
        assert command in result.stdout
    assert run("--version").stdout.startswith("workbench ")


def test_bare_command_needs_a_terminal(run: Run) -> None:
    assert_error(run(), 2, "needs a terminal")


def test_bare_command_runs_the_app(
    run: Run, store: Store, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.app

    started: list[tuple[Any, Any]] = []

    class FakeApp:
        damage = None  # as the app's when it did not end on a damaged file

        def __init__(self, store: Any, playbook: Any, **options: Any) -> None:
            started.append((store, playbook))
            started.append(("options", options))

        def run(self) -> None:
            started.append(("ran", None))

    monkeypatch.setattr(start, "_is_terminal", lambda: True)
    monkeypatch.setattr(screens.app, "WorkbenchApp", FakeApp)
    result = run()
    assert result.exit_code == 0, result.stderr
    assert started[0][0].path == db.resolve()
    assert started[-1] == ("ran", None)
    started.clear()
    assert run("--no-bell").exit_code == 0
    assert ("options", {"bell": False}) in started


def test_list_does_not_import_textual(db: Path) -> None:
    import subprocess

    code = (
        "import sys\n"
        "from workbench.cli import main\n"
        f"for args in (['new', '--title', 'T'], ['list'], ['list', '--json'], ['show', '1']):\n"
        "    try:\n"
        f"        main(['--db', {str(db)!r}, *args])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["playbook", "--check", "play\x00book.toml"],
        ["--db", "cases\x00.db", "list"],
        ["--playbook", "p\x00.toml", "list"],
    ],
)
def test_a_path_with_a_nul_is_a_usage_error_not_an_internal_one(argv: list[str]) -> None:
    from click.testing import CliRunner

    from workbench.cli import main

    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert "not a usable path" in result.output
    assert "internal error" not in result.output and "\x00" not in result.output


def test_import_of_a_path_no_file_system_accepts_is_one_line(run: Run, tmp_path: Path) -> None:
    """Found by the hostile soak: a NUL in the file name was an "internal error"."""
    result = run("import", str(tmp_path / "out" / "doc\x00.md"))
    assert_error(result, 2, "not a usable path", "\\x00")


@pytest.mark.parametrize("value", ["postgresql:/team/cases", "postgres:alice@db/cases"])
@pytest.mark.parametrize("how", ["--db", "WORKBENCH_DB"])
def test_a_url_missing_its_slashes_is_one_line_and_makes_no_file(
    value: str, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    runner = CliRunner()
    env = {"WORKBENCH_NOW": NOW.isoformat()}
    if how == "--db":
        args = ["--db", value, "new", "--title", "Lost"]
    else:
        args, env["WORKBENCH_DB"] = ["new", "--title", "Lost"], value
    result = runner.invoke(cli.main, args, env=env)
    assert_error(result, 2, "neither a file nor a team database's URL", "postgresql://")
    assert list(tmp_path.iterdir()) == []
