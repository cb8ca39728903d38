"""The shipped sample documents through the command line: import, list, show, check, export, re-import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import NOW
from workbench import cli
from workbench.playbook import default_playbook

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "data" / "samples").glob("*.md"))


def _run(db: Path, *args: str, input: str | None = None) -> Result:
    env = {"WORKBENCH_NOW": NOW.isoformat(), "WORKBENCH_DB": None, "WORKBENCH_PLAYBOOK": None}
    return CliRunner().invoke(cli.main, ["--db", str(db), *args], input=input, env=env)


def _ok(result: Result, *codes: int) -> Result:
    assert result.exit_code in (codes or (0,)), (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def test_there_are_samples() -> None:
    assert len(SAMPLES) >= 2, "data/samples/*.md: the README's walkthrough imports them"


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_sample_round_trip(sample: Path, tmp_path: Path) -> None:
    db = tmp_path / "samples.db"
    imported = _ok(_run(db, "import", str(sample)))
    case_id = imported.stdout.splitlines()[-1]
    assert case_id == "1"

    rows = json.loads(_ok(_run(db, "list", "--json")).stdout)
    assert [row["id"] for row in rows] == [1]
    assert rows[0]["title"]

    shown = json.loads(_ok(_run(db, "show", case_id, "--json")).stdout)
    assert shown["title"] == rows[0]["title"]
    text = _ok(_run(db, "show", case_id)).stdout
    assert text.startswith(f"#1 {shown['title']}")

    _ok(_run(db, "check", case_id), 0, 1)
    check = json.loads(_ok(_run(db, "check", case_id, "--json"), 0, 1).stdout)
    assert check["id"] == 1

    exported = _ok(_run(db, "export", case_id)).stdout
    headings = default_playbook().document.headings
    for heading in headings.model_dump().values():
        assert heading in exported

    # export(import(doc)) keeps every value: importing the export gives the same case again.
    again = _ok(_run(db, "import", "-", input=exported)).stdout.splitlines()[-1]
    assert again == "2"
    second = json.loads(_ok(_run(db, "show", again, "--json")).stdout)
    for data in (shown, second):
        for key in ("id", "revision", "created_at", "updated_at"):
            data.pop(key)
    assert second == shown
    assert _ok(_run(db, "export", again)).stdout == exported
