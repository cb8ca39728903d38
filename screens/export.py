"""Export (F7): the escalation document as it will be sent, and the last look before sending.

The document (rendered Markdown, or the raw text with `r`) beside the package-readiness checklist
for the routed destination(s) and the lint findings; at narrow widths the checklist sits below.
`f` switches between Markdown and the template's plain text (for e-mail and ticket fields).
`c` copies (tmux's buffer inside tmux, the platform's clipboard tool, OSC 52 over SSH, or a file
whose path is shown whole in a dialog), `s` saves to a file
(never overwriting, and never writing through a symbolic link, without asking; new files are 0600).
Warnings inform; nothing here blocks a copy or a save.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import ContentSwitcher, OptionList, Static

from screens.case_base import CaseScreen
from screens.dialogs import ConfirmDialog, TextPrompt
from screens.steps import STEPS
from screens.widgets import Bullet, BulletList, DocumentPreview, Hanging, HangingOptionList
from workbench.clipboard import CopyResult, copy_text
from workbench.rules.lint import Finding, lint_case
from workbench.rules.package import PackageStatus, package_readiness

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook

NEW_FILE_MODE = 0o600


# -- writing the file ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """What is at a path the agent chose: decides which questions to ask before writing."""

    path: Path
    exists: bool
    is_symlink: bool
    is_dir: bool
    link_target: str = ""


def inspect_target(path: Path) -> Target:
    is_link = path.is_symlink()
    link = os.readlink(path) if is_link else ""
    return Target(path, path.exists() or is_link, is_link, path.is_dir(), link)


def default_export_path(case_id: int | None, fmt: str = "markdown") -> Path:
    suffix = "txt" if fmt == "plain" else "md"
    return Path("~").expanduser() / f"escalation-{case_id}.{suffix}"


def write_document(path: Path, text: str, *, overwrite: bool, follow_symlink: bool) -> None:
    """Write `text` to `path`. A new file is created 0600. Without `overwrite` an existing file
    (or any link) is refused with FileExistsError; without `follow_symlink` a link is refused with
    OSError, even if one appears between the question and the write."""
    flags = os.O_WRONLY | os.O_CREAT
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    if not follow_symlink:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, NEW_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


# -- rendering the side panel -------------------------------------------------------------------------
def kept_items(case: Escalation, playbook: Playbook) -> list[Bullet | Content]:
    """A case kept in support is judged by the keep criteria and its note, not a package."""
    from workbench.rules.keep import keep_check

    result = keep_check(case, playbook)
    items: list[Bullet | Content] = [
        Content.styled("Kept in support: the export is its note", "bold")
    ]
    items += [Bullet(text, marker="✓ ", marker_style="$success") for text in result.criteria]
    items += [Bullet(text, marker="✗ ", marker_style="$error") for text in result.missing]
    return items


def readiness_items(
    statuses: Sequence[PackageStatus], names: dict[str, str]
) -> list[Bullet | Content]:
    """The package checklist per destination: ✓ present, ✗ missing (required), – if available;
    each item wrapped under its own first word."""
    if not statuses:
        return [
            Content.from_markup(
                "[dim]Not routed yet: accept or choose a destination on Triage (F2) to see what "
                "its package needs.[/]"
            )
        ]
    items: list[Bullet | Content] = []
    current = ""
    for status in statuses:
        if status.destination_id != current:
            current = status.destination_id
            mine = [s for s in statuses if s.destination_id == current]
            ready = sum(1 for s in mine if s.present)
            if items:
                items.append(Content(""))
            items.append(
                Content.from_markup(
                    "[b]$name[/b] [dim]package: $ready/$total present[/]",
                    name=names.get(current, current),
                    ready=ready,
                    total=len(mine),
                )
            )
        if status.present:
            marker, marker_style = "✓ ", "$success"
        elif status.required:
            marker, marker_style = "✗ ", "bold $error"
        else:
            marker, marker_style = "– ", "$text-muted"
        text = Content(status.text)
        if not status.required:
            text += Content.styled(" (if available)", "dim")
        if status.detail:
            text += Content.styled(f": {status.detail}", "dim" if status.present else "")
        items.append(Bullet(text, marker=marker, marker_style=marker_style))
    return items


def finding_option(finding: Finding, step_labels: dict[str, str]) -> Content:
    where = step_labels.get(finding.screen, finding.screen)
    return Content.from_markup(
        "[$warning]⚠[/] [dim]$where:[/] $message", where=where, message=finding.message
    )


def copy_message(result: CopyResult) -> tuple[str, SeverityLevel]:
    """The notification after a copy: where the text went, and how sure that is."""
    if result.ok:
        return result.message, "information"
    return result.message, "warning"


class ExportScreen(CaseScreen):
    """Preview, copy and save the document; readiness and lint beside it."""

    STEP = "export"
    AUTO_FOCUS = "#rendered"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy", id="export.copy"),
        Binding("s", "save", "Save", id="export.save"),
        Binding("r", "toggle_raw", "Raw/rendered", id="export.raw"),
        Binding(
            "f",
            "toggle_format",
            "Markdown/plain",
            id="export.format",
            tooltip="Switch the document between Markdown and the template's plain text",
        ),
    ]

    def __init__(self, case_id: int, *, name: str | None = None) -> None:
        super().__init__(case_id, name=name)
        self.document = ""
        self._shown: tuple[str, str] | None = None  # the format and text the preview shows
        self.fmt = "markdown"  # or "plain": what is shown, copied and saved
        self._findings: list[Finding] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="export-body"):
            with ContentSwitcher(initial="rendered", id="doc-view"):
                with VerticalScroll(id="rendered", classes="doc-pane"):
                    yield DocumentPreview(id="doc-markdown")
                with VerticalScroll(id="raw", classes="doc-pane"):
                    yield Static("", id="doc-raw", markup=False)
            with VerticalScroll(id="export-side"):
                yield Static("Package readiness", classes="panel-title")
                yield BulletList(id="readiness")
                yield Static("Lint", classes="panel-title", id="lint-title")
                yield HangingOptionList(id="findings")

    # -- rendering ----------------------------------------------------------------------------------
    def render_document(self) -> str:
        from workbench.document import render_export

        return render_export(self.case, self.workbench.playbook, self.now(), fmt=self.fmt)

    def refresh_case(self) -> None:
        self.document = self.render_document()
        self._show_document()
        playbook = self.workbench.playbook
        statuses = package_readiness(self.case, playbook, self.now())
        names = {d.id: d.name for d in playbook.destinations}
        items = readiness_items(statuses, names)
        if self.case.status == "kept_in_support":
            items = kept_items(self.case, playbook)
        self.query_one("#readiness", BulletList).set_items(items)
        # One line per problem: a finding about two parts of a step reads the same twice.
        unique: dict[tuple[str, str], Finding] = {}
        # A case kept in support exports a note, not an escalation: nothing to lint.
        kept = self.case.status == "kept_in_support"
        for finding in [] if kept else lint_case(self.case, playbook, self.now()):
            unique.setdefault((finding.screen, finding.message), finding)
        self._findings = list(unique.values())
        labels = {info.name: info.label for info in STEPS}
        options = self.query_one("#findings", HangingOptionList)
        options.set_prompts(
            Hanging(finding_option(f, labels), 2, f"finding-{i}")
            for i, f in enumerate(self._findings)
        )
        title = f"Lint: {len(self._findings)}" if self._findings else "Lint: nothing to fix"
        self.query_one("#lint-title", Static).update(title)
        options.display = bool(self._findings)

    def _show_document(self) -> None:
        shown = (self.fmt, self.document)
        if shown == self._shown:
            return
        self._shown = shown
        preview = self.query_one("#doc-markdown", DocumentPreview)
        preview.show(self.document, markdown=self.fmt == "markdown")
        self.query_one("#doc-raw", Static).update(self.document)

    @property
    def raw(self) -> bool:
        return self.query_one("#doc-view", ContentSwitcher).current == "raw"

    # -- actions ------------------------------------------------------------------------------------
    def action_toggle_raw(self) -> None:
        switcher = self.query_one("#doc-view", ContentSwitcher)
        switcher.current = "rendered" if self.raw else "raw"
        self.query_one(f"#{switcher.current}").focus()

    def action_toggle_format(self) -> None:
        self.fmt = "plain" if self.fmt == "markdown" else "markdown"
        self.document = self.render_document()
        self._show_document()
        name = "plain text" if self.fmt == "plain" else "Markdown"
        self.notify(f"The document is now {name} (copy and save use it).", title="Format")

    def action_copy(self) -> None:
        text = self.document
        self.app.copy_to_clipboard(text)  # headless tests read app.clipboard
        self._copy_with_tool(text, self._warning_suffix())

    @work(thread=True, exclusive=True, group="copy")
    def _copy_with_tool(self, text: str, suffix: str) -> None:
        """The tool may take a moment (or time out): off the event loop. Over SSH, the App's own
        OSC 52 write (above) is the way; the result says so."""
        result = copy_text(text, osc52=lambda _sequence: None)
        self.app.call_from_thread(self._copied, result, suffix)

    def _copied(self, result: CopyResult, suffix: str) -> None:
        if result.path is not None:
            # A path wrapped by a toast is unusable: a dialog shows it whole, on its own line.
            self.app.push_screen(
                ConfirmDialog(
                    "No clipboard reached. The document is in this file:",
                    detail=str(result.path),
                    yes="OK",
                    no="Close",
                )
            )
            return
        message, severity = copy_message(result)
        self.notify(message + suffix, title="Copy", severity=severity)

    def action_save(self) -> None:
        self._save()

    @work(exclusive=True, group="save")
    async def _save(self) -> None:
        default = str(default_export_path(self.case_id, self.fmt))
        answer = await self.app.push_screen_wait(
            TextPrompt("Save the document", "File", value=default)
        )
        if not answer:
            return
        path = Path(answer).expanduser()
        if self.workbench.store.owns(path):
            self.notify(
                f"{path} is the database itself (or its -wal/-shm): name another file.",
                title="Not saved",
                severity="error",
            )
            return
        target = inspect_target(path)
        if target.is_dir:
            self.notify(f"{path} is a folder: name a file.", title="Not saved", severity="error")
            return
        follow = False
        if target.is_symlink:
            follow = await self.app.push_screen_wait(
                ConfirmDialog(
                    f"{path.name} is a symbolic link. Write through it?",
                    detail=f"{path} -> {target.link_target}",
                    yes="Write through",
                    no="Cancel",
                )
            )
            if not follow:
                self.notify("Not saved.", title="Save", severity="warning")
                return
        # Through a confirmed link the link itself exists, so the write cannot be exclusive.
        overwrite = follow
        if path.exists():
            overwrite = await self.app.push_screen_wait(
                ConfirmDialog(f"{path} exists. Overwrite it?", yes="Overwrite", no="Cancel")
            )
            if not overwrite:
                self.notify("Not saved; the file is unchanged.", title="Save", severity="warning")
                return
        try:
            write_document(path, self.document, overwrite=overwrite, follow_symlink=follow)
        except FileExistsError:
            self.notify(
                f"{path} appeared meanwhile; not overwritten.", title="Not saved", severity="error"
            )
            return
        except OSError as exc:
            self.notify(f"{path}: {exc.strerror or exc}", title="Not saved", severity="error")
            return
        self.notify(f"Saved to {path}{self._warning_suffix()}", title="Save")

    def _warning_suffix(self) -> str:
        """Warnings inform: after a copy or a save, say what is still missing."""
        from workbench.rules.package import missing_required

        missing = missing_required(
            package_readiness(self.case, self.workbench.playbook, self.now())
        )
        if not missing:
            return ""
        plural = "item" if len(missing) == 1 else "items"
        return f" ({len(missing)} required package {plural} still missing)"

    @on(OptionList.OptionSelected, "#findings")
    def _go_to_finding(self, event: OptionList.OptionSelected) -> None:
        finding = self._findings[event.option_index]
        self.action_step(finding.screen)
