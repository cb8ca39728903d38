"""The `workbench` command's entry point: the bare command starts the app without click, and does
exactly what the CLI's start does; anything else is the CLI's, word for word."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screens import start
from screens.start import AppOptions, app_options
from workbench import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], AppOptions()),
        (["--db", "cases.db"], AppOptions(db=Path("cases.db"))),
        (["--db=cases.db", "--no-bell"], AppOptions(db=Path("cases.db"), bell=False)),
        (
            ["--settings", "me.toml", "--playbook=team.toml", "--db", "my cases.db"],
            AppOptions(Path("my cases.db"), Path("team.toml"), Path("me.toml")),
        ),
        (["--no-bell", "--no-bell"], AppOptions(bell=False)),
    ],
)
def test_the_app_s_own_options_are_read_here(args: list[str], expected: AppOptions) -> None:
    assert app_options(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["--db", "cases.db", "list"],
        ["--help"],
        ["-h"],
        ["--version"],
        ["--db"],  # no value
        ["--db", "a.db", "--db", "b.db"],  # click takes the last; left to it
        ["--db", "--no-bell"],
        ["--db="],
        ["--db", " "],
        ["--db", "cases\x00.db"],
        ["--db", "cases\x1b.db"],
        ["--db", "."],  # a directory: click's "is a directory"
        ["--dbx", "cases.db"],
        ["--", "--db", "cases.db"],
        ["--no-bell=1"],
    ],
)
def test_anything_else_is_left_to_the_cli(args: list[str]) -> None:
    assert app_options(args) is None


def _fake_app(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import screens.app

    started: list[dict[str, Any]] = []

    class FakeApp:
        damage = None  # as the app's when it did not end on a damaged file

        def __init__(self, store: Any, playbook: Any, **options: Any) -> None:
            started.append({"db": store.path, "loader": callable(playbook), **options})

        def run(self) -> None:
            started[-1]["ran"] = True

    monkeypatch.setattr(start, "_is_terminal", lambda: True)
    monkeypatch.setattr(screens.app, "WorkbenchApp", FakeApp)
    return started


@pytest.mark.parametrize(
    "extra", [[], ["--no-bell"], ["--settings", "{settings}"], ["--playbook={playbook}"]]
)
def test_the_bare_command_starts_the_app_as_the_cli_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str]
) -> None:
    from workbench.playbook import default_playbook_path

    monkeypatch.delenv("WORKBENCH_PLAYBOOK", raising=False)
    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    team = tmp_path / "team.toml"
    team.write_bytes(default_playbook_path().read_bytes())
    args = ["--db", str(tmp_path / "cases.db")]
    args += [arg.format(settings=settings, playbook=team) for arg in extra]
    started = _fake_app(monkeypatch)
    the_cli = cli.main
    monkeypatch.setattr(cli, "main", None)  # started here, not by the CLI
    start.main(args)
    result = CliRunner().invoke(the_cli, args, obj=cli.Invocation(launch_app=start.run_app))
    assert result.exit_code == 0, result.output
    assert len(started) == 2
    bare, via_cli = started
    assert bare == via_cli and bare["ran"]
    assert bare["loader"] is ("--playbook" not in " ".join(extra))  # a team's is read first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--playbook", "{broken}"], "team.toml"),
        (["--settings", "{missing}"], "missing.toml"),
    ],
)
def test_a_start_that_fails_says_so_as_the_cli_does(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    broken = tmp_path / "team.toml"
    broken.write_text("[document\n", encoding="utf-8")
    names = {"broken": broken, "missing": tmp_path / "missing.toml"}
    args = ["--db", str(tmp_path / "cases.db"), *(a.format(**names) for a in args)]
    started = _fake_app(monkeypatch)
    the_cli = cli.main
    monkeypatch.setattr(cli, "main", None)  # the bare command's own start says it, not the CLI
    with pytest.raises(SystemExit) as bare:
        start.main(args)
    said = capsys.readouterr().err
    result = CliRunner().invoke(the_cli, args, obj=cli.Invocation(launch_app=start.run_app))
    assert bare.value.code == result.exit_code == 2 and started == []
    assert said == result.output and message in said and said.count("\n") == 1


def test_without_a_terminal_the_cli_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as bare:
        start.main(["--db", str(tmp_path / "cases.db")])  # pytest's stdin is no terminal
    assert bare.value.code == 2
    assert "needs a terminal" in capsys.readouterr().err


def test_the_bare_command_never_imports_click(tmp_path: Path) -> None:
    """In a fresh process, the real entry point with the app's run replaced, on a database that
    exists (creating one uses sqlite-utils, which imports click)."""
    from workbench.playbook import default_playbook
    from workbench.store import Store

    Store(tmp_path / "cases.db", default_playbook()).close()
    code = (
        "import sys\n"
        "import screens.start as start\n"
        "import screens.app as app\n"
        "start._is_terminal = lambda: True\n"
        "app.WorkbenchApp.run = lambda self: print('ran')\n"
        f"start.main(['--db', {str(tmp_path / 'cases.db')!r}, '--no-bell'])\n"
        "print(sorted(m for m in ('click', 'workbench.cli') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ran", "[]"]


def test_a_file_click_cannot_read_is_left_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    assert app_options(["--settings", str(settings)]) is not None
    monkeypatch.setattr(start.os, "access", lambda path, mode: False)
    assert app_options(["--settings", str(settings)]) is None  # click: "is not readable"
    assert app_options(["--db", str(tmp_path / "new.db")]) is not None  # not there yet: fine


def test_shell_completion_and_windows_are_the_cli_s(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not start._cli_only()
    monkeypatch.setenv(start.COMPLETE_ENV, "bash_source")
    assert start._cli_only()
    monkeypatch.delenv(start.COMPLETE_ENV)
    monkeypatch.setattr(start.os, "name", "nt")  # click expands ~, $VAR and * there
    assert start._cli_only()


# -- the hand-off: the CLI opens the app only with the launcher its caller gives it ----------------
def test_the_entry_point_hands_the_cli_its_launcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arguments the start leaves to the CLI (an option given twice) still open the app: the CLI
    parses them and calls the `run_app` it was handed."""
    started = _fake_app(monkeypatch)
    with pytest.raises(SystemExit) as done:
        start.main(["--db", str(tmp_path / "a.db"), "--db", str(tmp_path / "b.db"), "--no-bell"])
    assert done.value.code == 0
    assert [(s["db"].name, s["bell"], s["ran"]) for s in started] == [("b.db", False, True)]


def test_the_cli_calls_the_launcher_it_is_handed(tmp_path: Path) -> None:
    seen: list[tuple[Path | None, bool]] = []

    def launch(state: Any, *, bell: bool = True) -> None:
        seen.append((state.db, bell))

    handed = cli.Invocation(launch_app=launch)
    result = CliRunner().invoke(cli.main, ["--db", str(tmp_path / "c.db"), "--no-bell"], obj=handed)
    assert result.exit_code == 0, result.output
    assert seen == [(tmp_path / "c.db", False)]
    assert CliRunner().invoke(cli.main, ["list"], obj=handed).exit_code == 0
    assert len(seen) == 1  # a command is not the app


def test_the_cli_alone_says_the_app_is_the_workbench_command_s(tmp_path: Path) -> None:
    """Run as a library (`python -m workbench.cli`), with no launcher, the bare command is one
    line and exit status 2; neither the UI nor Textual is imported."""
    code = (
        "import sys\n"
        "from workbench.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(tmp_path / 'cases.db')!r}])\n"
        "except SystemExit as exc:\n"
        "    ui = sorted(m for m in sys.modules if m.startswith(('screens', 'textual')))\n"
        "    print(exc.code, ui)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.stdout.split() == ["2", "[]"], done.stderr
    assert done.stderr.count("\n") == 1
    assert "started by the 'workbench' command" in done.stderr
    assert not (tmp_path / "cases.db").exists()


def test_the_core_never_imports_the_ui() -> None:
    """One arrow between the packages: `screens` imports `workbench`, never the other way, not
    even inside a function or for the type checker."""
    import ast

    found = []
    for path in sorted((ROOT / "workbench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0] in ("screens", "textual")
            ]
    assert found == []
