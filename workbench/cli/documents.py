"""`workbench import`, `export` and `check`: the escalation document in and out (the playbook's
Markdown structure, or the case's JSON form), and the last look before sending it."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.cli.cases import get_case
from workbench.cli.errors import (
    EXIT_ERROR,
    EXIT_FOUND,
    CliError,
    one_line,
    shown,
    validation_message,
)
from workbench.cli.group import FilePath, pass_state
from workbench.cli.output import cell, echo_json, echo_text, sanitize
from workbench.session import State

if TYPE_CHECKING:
    from workbench.document.report import Report
    from workbench.models import Escalation
    from workbench.playbook import Playbook

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _read_input(source: str) -> tuple[str, str]:
    """(text, name) of FILE or stdin ("-"): UTF-8, not too large, never a traceback."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = (
            stream.read(MAX_IMPORT_BYTES + 1)
            if stream is not None
            else sys.stdin.read(MAX_IMPORT_BYTES + 1).encode("utf-8")
        )
        name = "stdin"
    else:
        path = Path(source)
        name = str(path)
        if path.is_dir():
            raise CliError(f"{name}: is a directory")
        try:
            data = _read_regular_file(path, name)
        except OSError as exc:
            raise CliError(f"{name}: cannot read ({exc.strerror or exc})") from exc
        except ValueError as exc:  # a name no file system accepts (an embedded NUL)
            raise CliError(f"{shown(path)}: not a usable path ({exc})") from exc
    if len(data) > MAX_IMPORT_BYTES:
        raise CliError(f"{name}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise CliError(f"{name}: not UTF-8 text (byte {exc.start})") from exc


def _read_regular_file(path: Path, name: str) -> bytes:
    """At most MAX_IMPORT_BYTES + 1 bytes of `path`, which must be a regular file: opened
    without blocking and looked at before reading, so a FIFO (which would wait forever for a
    writer), a device or a socket is refused in one line."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            from workbench.store import not_a_file

            kind = not_a_file(path) or "not a regular file"
            raise CliError(f"{shown(name)}: {kind}, not a file (use - to read stdin)")
        return handle.read(MAX_IMPORT_BYTES + 1)


def _load_json(text: str, name: str) -> object:
    """The JSON form, with what Python's parser cannot take said in one line: nesting deeper
    than its recursion limit, an integer longer than its int-str limit (4,300 digits)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{name}: not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise CliError(f"{name}: not a case: the JSON is too deeply nested") from exc
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise CliError(
            f"{name}: not a case: number too long (over 4,300 digits) in the JSON"
        ) from exc


def _parse_document(
    text: str, name: str, playbook: Playbook, now: datetime
) -> tuple[Escalation, Report | None]:
    from pydantic import ValidationError

    from workbench.models import Escalation

    if text.lstrip().startswith(("{", "[")):
        raw = _load_json(text, name)
        if not isinstance(raw, dict):
            raise CliError(f"{name}: the JSON form is one case object, not {type(raw).__name__}")
        try:
            return Escalation.model_validate(raw), None
        except ValidationError as exc:
            raise CliError(f"{name}: invalid case: {validation_message(exc)}") from exc
        except RecursionError as exc:
            raise CliError(f"{name}: not a case: the JSON is too deeply nested") from exc
    from workbench.document import DocumentError
    from workbench.document.parse import read_document

    try:
        return read_document(text, playbook, now=now)
    except DocumentError as exc:
        raise CliError(f"{name}: {exc}") from exc
    except ValidationError as exc:
        raise CliError(f"{name}: invalid case: {validation_message(exc)}") from exc


@click.command("import")
@click.argument("source", metavar="FILE")
@click.option("--explain", is_flag=True, help="List each value read, where from and how.")
@click.option("--json", "as_json", is_flag=True, help="The id and the same report as JSON.")
@pass_state
def import_(state: State, source: str, explain: bool, as_json: bool) -> None:
    """Read a case from an escalation document (as people write it, or in the playbook's
    structure) or its JSON form; FILE "-" reads stdin. Prints the new case id alone on the last
    line; what could not be placed is kept in the case and named on stderr. --explain lists each
    value read, its section and line, how each number and deadline was read, and each line not
    placed."""
    playbook = state.playbook()
    text, name = _read_input(source)
    case, report = _parse_document(text, name, playbook, state.now())
    # A new case: the id and revision are the store's to give.
    case = case.model_copy(update={"id": None, "revision": 0})
    stored = state.store().create(case)
    if as_json:
        data = report.as_dict() if report else {"readings": [], "unplaced": [], "warnings": []}
        echo_json({"id": stored.id, **data})
        return
    if report is not None:
        if explain:
            for line in report.lines():
                echo_text(line)
        else:
            for warning in report.warnings:
                click.echo(f"{name}: {sanitize(warning)}", err=True)
    click.echo(str(stored.id))


def _write_private(path: Path, text: str, *, force: bool) -> None:
    """Create `path` 0600. Without `force`, an existing file or symlink is refused; with it, the
    path is replaced (a symlink itself, never the file it points to)."""
    import tempfile

    if path.is_dir():
        raise CliError(f"{path}: is a directory")
    exists = path.exists() or path.is_symlink()
    if exists and not force:
        kind = "a symlink" if path.is_symlink() else "a file"
        raise CliError(f"{path}: {kind} is already there (use --force to replace it)")
    data = text.encode("utf-8")
    try:
        if not exists:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(path, flags, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            return
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except FileExistsError as exc:
        raise CliError(f"{path}: a file appeared there (use --force to replace it)") from exc
    except OSError as exc:
        raise CliError(f"{path}: cannot write ({exc.strerror or exc})") from exc


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("-o", "--output", type=FilePath(path_type=Path), help="Write to FILE (created 0600).")
@click.option("--force", is_flag=True, help="Replace an existing FILE.")
@click.option("--copy", is_flag=True, help="Copy to the clipboard instead of printing.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "plain"]),
    default="markdown",
    show_default=True,
    help="Markdown, or the template as plain text (for e-mail and ticket fields).",
)
@pass_state
def export(
    state: State, case_id: str, output: Path | None, force: bool, copy: bool, fmt: str
) -> None:
    """The case's escalation document in the playbook's structure (stdout by default)."""
    from workbench.document import render_export

    case, playbook = get_case(state, case_id)
    document = sanitize(render_export(case, playbook, state.now(), fmt=fmt))
    if output is not None and str(output) != "-":
        if state.store(create=False).owns(output):
            raise CliError(f"{shown(output)}: that is the database itself (or its -wal/-shm)")
        _write_private(output, document, force=force)
        click.echo(f"Wrote {shown(output)}", err=True)
    elif output is not None or not copy:
        echo_text(document)
    if copy:
        from workbench.clipboard import copy_text

        result = copy_text(document, osc52=_to_terminal)
        click.echo(one_line(result.message), err=True)
        if result.method == "none":
            raise click.exceptions.Exit(EXIT_ERROR)


def _to_terminal(sequence: str) -> None:
    """Write an OSC 52 sequence to the controlling terminal (not stdout: it may be a pipe)."""
    with open("/dev/tty", "w", encoding="ascii") as tty:
        tty.write(sequence)


# -- check ----------------------------------------------------------------------------------------
def _check_kept(case: Escalation, playbook: Playbook, as_json: bool) -> None:
    """A case kept in support is judged by the keep criteria and its note, not a package."""
    from workbench.rules.keep import keep_check

    result = keep_check(case, playbook)
    if as_json:
        echo_json(
            {
                "id": case.id,
                "status": "kept_in_support",
                "ready": result.ready,
                "keep_criteria": list(result.criteria),
                "note": result.note_present,
                "missing": list(result.missing),
            }
        )
    else:
        click.echo(f"#{case.id} {cell(case.title) or '(untitled)'}: kept in support")
        click.echo("Keep criteria that hold:" + ("" if result.criteria else " none"))
        for text in result.criteria:
            click.echo(f"  [x] {cell(text)}")
        click.echo(
            f"Note for the customer or ticket: {'written' if result.note_present else 'empty'}"
        )
        for item in result.missing:
            click.echo(f"  missing: {item}")
    if not result.ready:
        raise click.exceptions.Exit(EXIT_FOUND)


@click.command()
@click.argument("case_id", metavar="ID")
@click.option("--destination", help="Check the package for this destination id instead.")
@click.option("--json", "as_json", is_flag=True, help="Findings and package as JSON.")
@pass_state
def check(state: State, case_id: str, destination: str | None, as_json: bool) -> None:
    """Lint findings and package readiness: the last look before sending. Exit 1 when a required
    package item is missing."""
    from dataclasses import asdict

    from workbench.rules.lint import lint_case
    from workbench.rules.package import missing_required, package_readiness

    case, playbook = get_case(state, case_id)
    if case.status == "kept_in_support" and destination is None:
        _check_kept(case, playbook, as_json)
        return
    known = [d.id for d in playbook.destinations]
    if destination is not None and destination not in known:
        raise CliError(f"--destination: {destination!r} is not one of: {', '.join(known)}")
    now = state.now()
    findings = lint_case(case, playbook, now)
    package = package_readiness(case, playbook, now, destination)
    missing = missing_required(package)
    destinations = list(dict.fromkeys(status.destination_id for status in package))
    if as_json:
        echo_json(
            {
                "id": case.id,
                "destinations": destinations,
                "ready": bool(destinations) and not missing,
                "missing_required": len(missing),
                "findings": [asdict(f) for f in findings],
                "package": [asdict(p) for p in package],
            }
        )
    else:
        click.echo(f"#{case.id} {cell(case.title) or '(untitled)'}")
        click.echo(f"Findings: {len(findings) or 'none'}")
        for finding in findings:
            click.echo(f"  {finding.field}: {cell(finding.message)}")
            if finding.advice:
                click.echo(f"      {cell(finding.advice)}")
        if not destinations:
            click.echo("Package: no destination chosen or suggested yet (triage the case first).")
        for dest_id in destinations:
            items = [p for p in package if p.destination_id == dest_id]
            ready = sum(1 for p in items if p.present)
            name = playbook.destination(dest_id).name
            click.echo(f"Package for {cell(name)}: {ready}/{len(items)} present")
            for item in items:
                mark = "x" if item.present else " "
                need = "" if item.required else " (optional)"
                detail = f" — {cell(item.detail)}" if item.detail else ""
                click.echo(f"  [{mark}] {cell(item.text)}{need}{detail}")
    if missing:
        raise click.exceptions.Exit(EXIT_FOUND)
