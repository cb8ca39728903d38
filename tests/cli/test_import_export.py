"""The `workbench` command line's import and export: JSON and Markdown round trips, stdin, bad
and unreadable input, what a document it cannot place says, and where an export may be written."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import Run, assert_error, ready_case
from tests.conftest import NOW, seed_cases
from workbench import cli
from workbench.models import Escalation
from workbench.store import Store


# -- import / export ---------------------------------------------------------------------------------
def test_import_json_form_round_trip(run: Run, store: Store, tmp_path: Path) -> None:
    original = seed_cases(store)[-1]
    exported = run("show", str(original.id), "--json").stdout
    path = tmp_path / "case.json"
    path.write_text(exported, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    new_id = int(result.stdout.splitlines()[-1])
    assert new_id != original.id
    copy = json.loads(run("show", str(new_id), "--json").stdout)
    before = json.loads(exported)
    for key in ("id", "revision", "updated_at"):
        copy.pop(key), before.pop(key)
    assert copy == before


def test_import_from_stdin(run: Run) -> None:
    payload = Escalation(title="From a script", customer="Initech").model_dump_json()
    result = run("import", "-", input=payload)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ("{not json", ["stdin: not valid JSON", "line 1"]),
        ("[1, 2]", ["one case object"]),
        ('{"title": 5}', ["invalid case", "title"]),
        ('{"status": "lost"}', ["invalid case", "status"]),
        ('{"bogus": 1}', ["invalid case", "bogus"]),
        (b"\xff\xfe\x00bad", ["not UTF-8"]),
    ],
)
def test_import_bad_input(run: Run, payload: str | bytes, words: list[str]) -> None:
    assert_error(run("import", "-", input=payload), 2, *words)


def test_import_unreadable_files(run: Run, tmp_path: Path) -> None:
    assert_error(run("import", str(tmp_path / "missing.md")), 2, "missing.md", "cannot read")
    assert_error(run("import", str(tmp_path)), 2, "is a directory")
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * (cli.MAX_IMPORT_BYTES + 1))
    assert_error(run("import", str(big)), 2, "larger than")


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda doc, heads: "Just some notes about a customer.\n", ["ESCALATION"]),
        (lambda doc, heads: "", ["ESCALATION"]),
    ],
    ids=["not-a-document", "empty"],
)
def test_import_malformed_document_names_the_section(
    run: Run, tmp_path: Path, mangle: Callable[[str, Any], str], words: list[str]
) -> None:
    from workbench.document import render_markdown
    from workbench.playbook import default_playbook

    playbook = default_playbook()
    document = mangle(render_markdown(ready_case(), playbook, NOW), playbook.document.headings)
    path = tmp_path / "broken.md"
    path.write_text(document, encoding="utf-8")
    assert_error(run("import", str(path)), 2, "broken.md", *words)
    assert json.loads(run("list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda doc, heads: doc.replace(f"## {heads.narrative}", "", 1), ["PROBLEM NARRATIVE"]),
        (lambda doc, heads: f"{doc}\n## {heads.request}\n\nagain\n", ["duplicate", "REQUEST"]),
        (lambda doc, heads: f"{doc}\n## Timeline\n\n09:00 paged on-call\n", ["09:00 paged"]),
    ],
    ids=["missing-section", "duplicate-section", "unknown-section"],
)
def test_import_keeps_what_it_cannot_place_and_says_so(
    run: Run, tmp_path: Path, mangle: Callable[[str, Any], str], words: list[str]
) -> None:
    from workbench.document import render_markdown
    from workbench.playbook import default_playbook

    playbook = default_playbook()
    document = mangle(render_markdown(ready_case(), playbook, NOW), playbook.document.headings)
    path = tmp_path / "odd.md"
    path.write_text(document, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().isdigit()
    assert all(word in result.stderr for word in ["odd.md", *words])


def test_import_explain_says_what_was_read_where_and_how(run: Run) -> None:
    sample = Path(__file__).parent.parent / "corpus" / "documents" / "01-saml-login-loop.md"
    result = run("import", "--explain", str(sample))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "impact.customers_affected = '40'" in out and "about 40 accounts" in out
    assert "(approximate)" in out
    assert "impact.arr_exposed = '1240000.0'" in out
    assert "request.hard_deadline" in out and "zone UTC" in out
    assert "[business_impact, line 8]" in out
    assert out.strip().splitlines()[-1].isdigit()
    data = json.loads(run("import", "--json", str(sample)).stdout)
    fields = {r["field"]: r for r in data["readings"]}
    assert fields["impact.end_users_affected"]["value"] == "2300"
    assert fields["impact.end_users_affected"]["line"] == 8
    assert fields["customers"]["value"] == "Contoso, Fabrikam"
    assert data["unplaced"] == [] and isinstance(data["id"], int)


def test_import_markdown_and_export_round_trip(run: Run, store: Store) -> None:
    case = store.create(ready_case())
    document = run("export", str(case.id)).stdout
    imported = run("import", "-", input=document)
    assert imported.exit_code == 0, imported.stderr
    new_id = imported.stdout.splitlines()[-1]
    assert run("export", new_id).stdout == document
    data = json.loads(run("show", new_id, "--json").stdout)
    # An imported document is stamped with the command's "now".
    assert data["created_at"].startswith("2026-11-24T14:00:00")


def test_export_to_stdout_file_and_refusals(run: Run, store: Store, tmp_path: Path) -> None:
    case = store.create(ready_case())
    stdout = run("export", str(case.id))
    assert stdout.exit_code == 0
    assert case.title in stdout.stdout
    target = tmp_path / "out.md"
    written = run("export", str(case.id), "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert target.read_text(encoding="utf-8") == stdout.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # An existing file is refused, then replaced with --force.
    target.write_text("old", encoding="utf-8")
    assert_error(run("export", str(case.id), "-o", str(target)), 2, "--force")
    assert target.read_text(encoding="utf-8") == "old"
    assert run("export", str(case.id), "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8") == stdout.stdout
    # "-o -" is stdout.
    assert run("export", str(case.id), "-o", "-").stdout == stdout.stdout


def test_export_never_writes_through_a_symlink(run: Run, store: Store, tmp_path: Path) -> None:
    case = store.create(ready_case())
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    assert_error(run("export", str(case.id), "-o", str(link)), 2, "symlink")
    assert_error(run("export", str(case.id), "-o", str(dangling)), 2, "symlink")
    assert not (tmp_path / "nowhere.txt").exists()
    # --force replaces the link itself; the file it pointed to is untouched.
    assert run("export", str(case.id), "-o", str(link), "--force").exit_code == 0
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not link.is_symlink()
    assert stat.S_IMODE(link.stat().st_mode) == 0o600


def test_export_to_a_directory_or_missing_folder(run: Run, store: Store, tmp_path: Path) -> None:
    case = store.create(ready_case())
    assert_error(run("export", str(case.id), "-o", str(tmp_path)), 2, "is a directory")
    assert_error(
        run("export", str(case.id), "-o", str(tmp_path / "no" / "x.md")), 2, "cannot write"
    )


def test_export_copy(run: Run, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench import clipboard

    case = store.create(ready_case())
    copied: list[str] = []

    def fake_copy(text: str, **_: object) -> clipboard.CopyResult:
        copied.append(text)
        return clipboard.CopyResult("xclip", True, None, "Copied to the clipboard with xclip.")

    monkeypatch.setattr(clipboard, "copy_text", fake_copy)
    result = run("export", str(case.id), "--copy")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "Copied to the clipboard with xclip.\n"
    assert copied and case.title in copied[0]

    def no_copy(text: str, **_: object) -> clipboard.CopyResult:
        return clipboard.CopyResult("none", False, None, "No clipboard tool found, and no file")

    monkeypatch.setattr(clipboard, "copy_text", no_copy)
    assert run("export", str(case.id), "--copy").exit_code == 2
