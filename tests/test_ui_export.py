"""Export (F7): the rendered document, raw toggle, copy (OSC 52 and the platform tool), save with
no silent overwrite and no silent write through a link, readiness and lint beside it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.widgets import ContentSwitcher, Input, OptionList, Static

import screens.export as export_screen
from screens.dialogs import ConfirmDialog, TextPrompt
from screens.export import ExportScreen, write_document
from screens.widgets import BulletList, HangingOptionList
from tests.conftest import NOW, new_case
from workbench.clipboard import CopyResult
from workbench.document import render_markdown
from workbench.models import Reproduction, ReproStep, TriageAnswer

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from screens.app import WorkbenchApp
    from tests.conftest import AppFactory
    from workbench.models import Escalation
    from workbench.store import Store


def _case(store: Store) -> Escalation:
    return new_case(
        store,
        "CSV export fails for reports over 10,000 rows",
        customer="Acme Corp",
        triage={"esc.technical.code_fix": TriageAnswer(checked=True)},
        reproduction=Reproduction(steps=[ReproStep(action="try exporting")]),
    )


async def _open(pilot: Pilot[None], case_id: int) -> ExportScreen:
    app: WorkbenchApp = pilot.app  # type: ignore[assignment]
    assert app.open_case(case_id, "export")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    return screen


def _notes(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The platform clipboard tool, replaced: never run a real tool or write a fallback file."""
    texts: list[str] = []

    def fake_copy(text: str, **_: object) -> CopyResult:
        texts.append(text)
        return CopyResult("xclip", True, None, "Copied to the clipboard with xclip.")

    monkeypatch.setattr(export_screen, "copy_text", fake_copy)
    return texts


# -- writing ------------------------------------------------------------------------------------------
def test_write_document_creates_private_files_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    write_document(path, "one\n", overwrite=False, follow_symlink=False)
    assert path.read_text() == "one\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_document(path, "two\n", overwrite=False, follow_symlink=False)
    write_document(path, "two\n", overwrite=True, follow_symlink=False)
    assert path.read_text() == "two\n"


def test_write_document_refuses_links_unless_told(tmp_path: Path) -> None:
    target = tmp_path / "target.md"
    target.write_text("keep\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    with pytest.raises(OSError):
        write_document(link, "new\n", overwrite=True, follow_symlink=False)
    with pytest.raises(FileExistsError):
        write_document(link, "new\n", overwrite=False, follow_symlink=False)
    assert target.read_text() == "keep\n"
    write_document(link, "new\n", overwrite=True, follow_symlink=True)
    assert target.read_text() == "new\n"


# -- the screen ---------------------------------------------------------------------------------------
async def test_shows_document_readiness_and_lint(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        expected = render_markdown(store.get(case.id or 0), store.playbook, NOW)
        assert screen.document == expected
        assert screen.query_one("#doc-view", ContentSwitcher).current == "rendered"
        readiness = screen.query_one("#readiness", BulletList).plain
        assert "Engineering" in readiness
        assert "✗ Complete reproduction procedure" in readiness
        findings = screen.query_one("#findings", OptionList)
        prompts = [
            str(findings.get_option_at_index(i).prompt) for i in range(findings.option_count)
        ]
        assert any("Step 1 is vague" in p for p in prompts)
        assert screen.has_class("-narrow")


async def test_raw_toggle(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        await pilot.press("r")
        assert screen.query_one("#doc-view", ContentSwitcher).current == "raw"
        raw = str(screen.query_one("#doc-raw", Static).render())
        assert raw.startswith("# ESCALATION: CSV export fails")
        await pilot.press("r")
        assert screen.query_one("#doc-view", ContentSwitcher).current == "rendered"


async def test_copy_uses_osc52_and_the_platform_tool(
    make_app: AppFactory, store: Store, copied: list[str]
) -> None:
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == screen.document
        assert copied == [screen.document]
        note = next(n for n in _notes(app) if n.startswith("Copied"))
        assert note.startswith("Copied to the clipboard with xclip.")
        assert "required package items still missing" in note  # warnings inform, never block


async def test_copy_says_when_no_tool_worked(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    long_dir = tmp_path / "a-rather-long-data-directory" / "escalation-workbench" / "clipboard"
    path = long_dir / "workbench-clipboard-20261206-042406.md"

    def no_tool(text: str, **_: object) -> CopyResult:
        return CopyResult("file", False, path, f"No clipboard tool found; the text is in {path}")

    monkeypatch.setattr(export_screen, "copy_text", no_tool)
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, case.id or 0)
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        # The path whole, on its own line: nothing wraps it mid-path at 80x24.
        detail = dialog.query_one(".dialog-detail", Static)
        lines = [line.rstrip() for line in str(detail.render()).split("\n")]
        assert str(path) in lines or "".join(lines) == str(path)
        await pilot.press("escape")


async def test_f_toggles_markdown_and_plain_text(
    make_app: AppFactory, store: Store, copied: list[str]
) -> None:
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        assert screen.document.startswith("# ESCALATION: ")
        await pilot.press("f")
        assert screen.fmt == "plain"
        assert screen.document.startswith("ESCALATION: ")
        assert "\nBUSINESS IMPACT\n- " in screen.document and "## " not in screen.document
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert copied == [screen.document]
        await pilot.press("f")
        assert screen.document.startswith("# ESCALATION: ")


async def test_save_writes_0600_and_refuses_to_overwrite_without_confirm(
    make_app: AppFactory, store: Store, home: Path
) -> None:
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        await pilot.press("s")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        assert prompt.query_one(Input).value == str(home / f"escalation-{case.id}.md")
        await pilot.press("enter")
        await pilot.pause()
        path = home / f"escalation-{case.id}.md"
        assert path.read_text(encoding="utf-8") == screen.document
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

        path.write_text("hand edits\n")
        await pilot.press("s", "enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert "exists" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert path.read_text() == "hand edits\n"
        assert any("unchanged" in n for n in _notes(app))

        await pilot.press("s", "enter", "y")
        await pilot.pause()
        assert path.read_text(encoding="utf-8") == screen.document


async def test_save_asks_before_writing_through_a_link(
    make_app: AppFactory, store: Store, home: Path
) -> None:
    case = _case(store)
    target = home / "elsewhere.md"
    target.write_text("keep\n")
    link = home / "doc.md"
    link.symlink_to(target)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        await pilot.press("s")
        app.screen.query_one(Input).value = str(link)
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert "symbolic link" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert target.read_text() == "keep\n"

        await pilot.press("s")
        app.screen.query_one(Input).value = str(link)
        await pilot.press("enter", "y")  # write through the link
        assert isinstance(app.screen, ConfirmDialog)  # ... and the file it points to exists
        await pilot.press("y")
        await pilot.pause()
        assert link.is_symlink()
        assert target.read_text(encoding="utf-8") == screen.document


async def test_save_into_a_missing_folder_reports_the_error(
    make_app: AppFactory, store: Store, home: Path
) -> None:
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, case.id or 0)
        await pilot.press("s")
        app.screen.query_one(Input).value = str(home / "no" / "such" / "doc.md")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert any("No such file or directory" in n for n in _notes(app))
        assert not os.path.exists(home / "no")


async def test_enter_on_a_finding_opens_its_screen(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        findings = screen.query_one("#findings", OptionList)
        findings.focus()
        index = next(
            i
            for i in range(findings.option_count)
            if "Step 1 is vague" in str(findings.get_option_at_index(i).prompt)
        )
        findings.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        from screens.reproduction import ReproductionScreen

        assert isinstance(app.screen, ReproductionScreen)


async def test_wide_layout_puts_the_panel_beside(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(160, 48)) as pilot:
        screen = await _open(pilot, case.id or 0)
        await pilot.pause()  # the breakpoint class lands with the first resize; layout follows
        assert screen.has_class("-wide")
        doc = screen.query_one("#doc-view").region
        side = screen.query_one("#export-side").region
        assert side.x >= doc.right and side.y == doc.y


async def test_a_long_lint_finding_wraps_under_its_first_word(
    make_app: AppFactory, store: Store
) -> None:
    """In the narrow side panel of a wide screen, and again when the width changes."""
    case = _case(store)
    async with make_app().run_test(size=(160, 48)) as pilot:
        screen = await _open(pilot, case.id or 0)
        findings = screen.query_one("#findings", HangingOptionList)
        for width in (160, 130):
            await pilot.resize_terminal(width, 48)
            await pilot.pause()
            room = findings.scrollable_content_region.width
            prompts = [
                str(findings.get_option_at_index(i).prompt).split("\n")
                for i in range(findings.option_count)
            ]
            wrapped = [lines for lines in prompts if len(lines) > 1]
            assert wrapped, prompts  # the panel is narrow enough for some to wrap
            for lines in prompts:
                assert lines[0].startswith("⚠ ")
                assert all(line.startswith("  ") and len(line) < room for line in lines[1:])


async def test_a_kept_case_whose_note_holds_a_lone_kbd_tag_shows_it(
    make_app: AppFactory, store: Store
) -> None:
    """The kept case's note is written as typed (no escaping: it is a note, not the
    document); Rich's Markdown took a lone </kbd> for a style to leave and ended the app."""
    from screens.widgets import DocumentPreview
    from workbench.models import KeptRecord, Status

    case = _case(store)
    case.status = Status.KEPT_IN_SUPPORT
    case.kept = KeptRecord(
        reason="known", note="Close the panel with Esc, not </kbd>.", kept_at=NOW
    )
    case = store.save(case)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        await pilot.pause()
        assert "</kbd>" in screen.document
        preview = screen.query_one(DocumentPreview)
        shown = [preview.render_line(y).text for y in range(preview.size.height)]
        assert any("Close the panel with Esc, not </kbd>." in line for line in shown)
