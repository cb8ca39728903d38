"""The wheel: it carries the playbook and the stylesheets, and works installed away from the checkout.

A checkout finds `data/` beside the package; an installed wheel must find `workbench/_data/`. This
builds the wheel with the venv's hatchling (no network: no build isolation, no dependencies),
installs it into a bare target directory, and runs it from another directory with only that target
on the path (the dependencies come from the running venv). One test, so that a parallel run builds
the wheel once; it takes a few seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WORKBENCH_", "PIP_", "PYTHON"))
    }
    env.update(
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def test_wheel_installs_and_runs_elsewhere(tmp_path: Path) -> None:
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "target", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        tmp_path,
        _env(),
    )
    (wheel,) = wheels.glob("escalation_workbench-*.whl")

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "workbench/_data/playbook.toml" in names
    assert "workbench/cli/__init__.py" in names and "screens/__init__.py" in names
    assert "workbench = screens.start:main" in scripts
    for sample in sorted((ROOT / "data" / "samples").glob("*.md")):
        assert f"workbench/_data/samples/{sample.name}" in names
    for sheet in sorted((ROOT / "screens" / "styles").glob("*.tcss")):
        assert f"screens/styles/{sheet.name}" in names
    assert not any(n.startswith(("tests/", ".venv/", "data/")) for n in names)

    _run([*pip, "install", "--no-deps", "--no-compile", "-q", "--target", str(target), str(wheel)],
         tmp_path, _env())  # fmt: skip

    env = _env(PYTHONPATH=str(target))
    python = [sys.executable, "-c"]
    loaded = _run(
        [
            *python,
            "import workbench, workbench.playbook as p\n"
            "from workbench.playbook import default_playbook\n"
            f"assert workbench.__file__.startswith({str(target)!r}), workbench.__file__\n"
            "assert p.default_playbook_path().parent.name == '_data', p.default_playbook_path()\n"
            "book = default_playbook()\n"
            "print(len(book.destinations), book.cadence('critical').team_hours)\n",
        ],
        elsewhere,
        env,
    )
    assert loaded.stdout.split() == ["5", "2.0"]

    help_text = _run([sys.executable, "-m", "workbench.cli", "--help"], elsewhere, env).stdout
    assert "Usage:" in help_text and "export" in help_text

    db = tmp_path / "wheel.db"
    cli = [sys.executable, "-m", "workbench.cli", "--db", str(db)]
    assert _run([*cli, "new", "--title", "From the wheel"], elsewhere, env).stdout == "1\n"
    assert _run([*cli, "playbook", "--check"], elsewhere, env).stdout.startswith("ok: ")
    # The console script pip wrote runs the same entry point.
    listed = _run([str(target / "bin" / "workbench"), "--db", str(db), "list", "--json"],
                  elsewhere, env).stdout  # fmt: skip
    assert '"From the wheel"' in listed
