"""The `workbench` command's CLI: headless subcommands on the same core as the app, and the app
when run bare. The command's entry point is `workbench/start.py`, which opens the app itself when
given only the app's own options, without importing this module (or click); all else comes here.

Scripts and shell users get the same cases, rules and document as the app: `new`, `list`, `show`,
`import`, `export`, `check`, `due`, `playbook --check`, `backup`, with `--json` wherever a script
would want it. Exit statuses are part of the interface: 0 done, 1 a check found something (`check`:
a required package item is missing; `due`: something is overdue; `playbook --check`: the playbook
is broken), 2 an error. Every error is one line on stderr, never a traceback.

Start-up stays fast: only click and the session's state are imported at module level; the store,
pydantic, the rules and the app are imported inside the commands that need them (`workbench list`
never imports Textual).
Everything printed from a case goes through `export.sanitize`, so a field cannot put terminal control
sequences on the screen; JSON output escapes them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from workbench.session import SessionError, State

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook

DEBUG_ENV = "WORKBENCH_DEBUG"
MAX_IMPORT_BYTES = 5 * 1024 * 1024

EXIT_FOUND = 1
EXIT_ERROR = 2


# -- errors -----------------------------------------------------------------------------------------
class CliError(click.ClickException):
    """An error the user can act on: one line on stderr, exit status 2."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))

    def show(self, file: Any = None) -> None:
        click.echo(f"workbench: error: {self.message}", err=True)


class CheckFailed(CliError):
    """A check's negative answer (a broken playbook): one line on stderr, exit status 1."""

    exit_code = EXIT_FOUND


def _one_line(text: str) -> str:
    """Messages quote user input and file names: keep them to one printable line."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())


def _shown(path: object) -> str:
    """A path as typed, for a message: printable characters as they are, anything else (ESC,
    BEL, a lone surrogate from undecodable bytes) escaped, so a file name cannot drive the
    terminal and can still be found."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(path))


def _validation_message(exc: Any) -> str:
    """The first problem of a pydantic ValidationError, with where it is and how many more."""
    errors = exc.errors()
    if not errors:
        return "invalid data"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def _translate(exc: Exception) -> CliError | None:
    """The one-line error for an exception of the core, or None if it is not one we expect."""
    from pydantic import ValidationError

    from workbench.playbook import PlaybookError
    from workbench.settings import SettingsError
    from workbench.store import StoreError

    if isinstance(exc, StoreError | PlaybookError | SettingsError | SessionError):
        return CliError(str(exc))
    if isinstance(exc, ValidationError):
        return CliError(f"invalid case: {_validation_message(exc)}")
    from workbench.export import DocumentError

    if isinstance(exc, DocumentError):
        return CliError(str(exc))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return CliError(f"{where}{exc.strerror or exc}")
    if isinstance(exc, UnicodeError):
        # A name or text that is not valid Unicode (a lone surrogate): a file name cannot hold it.
        return CliError(f"not valid Unicode text: {_shown(getattr(exc, 'object', ''))[:200]}")
    return None


def _cli_error(exc: Exception) -> CliError:
    """The one line for an exception a command did not handle; with WORKBENCH_DEBUG set, an
    unexpected one is raised again, traceback and all."""
    translated = _translate(exc)
    if translated is not None:
        return translated
    if os.environ.get(DEBUG_ENV):
        raise exc
    return CliError(
        f"internal error: {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 for the traceback)"
    )


def _aborted() -> NoReturn:
    click.echo("workbench: aborted", err=True)
    sys.exit(130)


def report(exc: BaseException) -> NoReturn:
    """Exit as `workbench` exits when a command fails with `exc`. For the bare command, whose
    start (workbench/start.py) runs the app without click's group around it."""
    if isinstance(exc, KeyboardInterrupt):
        click.echo(err=True)  # as click does on ctrl+c, before its Abort
        _aborted()
    if not isinstance(exc, Exception):
        raise exc
    error = _cli_error(exc)
    error.show()
    sys.exit(error.exit_code)


class _Group(click.Group):
    """Click's group with one-line usage errors and core exceptions turned into CliError."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            raise
        except Exception as exc:
            raise _cli_error(exc) from exc

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "workbench"
            message = _one_line(exc.format_message())
            click.echo(f"{command}: error: {message} (see '{command} --help')", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            _aborted()
        except BrokenPipeError:
            # `workbench list | head`: the reader left; say nothing more to it.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_FOUND)
        sys.exit(result if isinstance(result, int) else 0)


# -- shared state ------------------------------------------------------------------------------------
pass_state = click.make_pass_decorator(State)


# -- output ------------------------------------------------------------------------------------------
def _sanitize(text: str) -> str:
    from workbench.sanitize import sanitize

    return sanitize(text)


def _cell(text: object) -> str:
    """A table cell: sanitized, on one line."""
    return " ".join(_sanitize("" if text is None else str(text)).split())


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def _dumps(value: object) -> str:
    """JSON as UTF-8 text; C1 control characters (which JSON leaves raw) are escaped too."""
    text = json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _echo_json(value: object) -> None:
    click.echo(_dumps(value))


def _echo_text(text: str) -> None:
    clean = _sanitize(text)
    click.echo(clean, nl=not clean.endswith("\n"))


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    from workbench import timetext

    return timetext.moment(moment, now)


def _display_width(text: str) -> int:
    """Columns a string takes in a terminal: wide East Asian characters 2, combining marks 0."""
    import unicodedata

    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _fit(text: str, width: int) -> str:
    """`text` padded to `width` columns, or cut with "…" to fit them."""
    used = _display_width(text)
    if used <= width:
        return text + " " * (width - used)
    kept: list[str] = []
    used = 0
    for ch in text:
        size = _display_width(ch)
        if used + size > width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept) + "…" + " " * max(width - 1 - used, 0)


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shrink: Sequence[tuple[int, int]],
    optional: Sequence[int] = (),
    last_resort: Sequence[tuple[int, int]] = (),
) -> Iterator[str]:
    """Plain aligned columns that fit the terminal. Too wide, the columns in `shrink` are cut to
    their minimum widths in that order; still too wide, the `optional` columns are left out one
    by one; then `last_resort` cuts further. Cut cells end in "…"."""
    shown = list(range(len(headers)))
    natural = [
        max([_display_width(h), *(_display_width(r[i]) for r in rows)])
        for i, h in enumerate(headers)
    ]
    width = _terminal_width()

    def fit(steps: Sequence[tuple[int, int]]) -> tuple[dict[int, int], int]:
        widths = {i: natural[i] for i in shown}
        overflow = sum(widths.values()) + 2 * (len(shown) - 1) - width
        for column, minimum in steps:
            if overflow <= 0:
                break
            if column in widths:
                floor = max(minimum, _display_width(headers[column]))
                cut = min(overflow, max(widths[column] - floor, 0))
                widths[column] -= cut
                overflow -= cut
        return widths, overflow

    widths, overflow = fit(shrink)
    for column in optional:
        if overflow <= 0:
            break
        shown.remove(column)
        widths, overflow = fit(shrink)
    if overflow > 0:
        widths, overflow = fit([*shrink, *last_resort])
    for row in [headers, *rows]:
        yield "  ".join(_fit(row[i], widths[i]) for i in shown).rstrip()


def _terminal_width() -> int:
    import shutil

    return max(shutil.get_terminal_size((120, 24)).columns, 60)


# -- the group ---------------------------------------------------------------------------------------
def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("escalation-workbench")
    except PackageNotFoundError:
        number = "(not installed)"
    click.echo(f"workbench {number}")
    ctx.exit()


class _FilePath(click.Path):
    """click.Path that answers a path no file system accepts (an embedded NUL: `os.stat` raises
    ValueError) with a usage error instead of an internal one."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except ValueError as exc:
            self.fail(f"not a usable path ({exc})", param, ctx)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    type=_FilePath(dir_okay=False, path_type=Path),
    help="The database file (default: $WORKBENCH_DB, else a file in your user data directory).",
)
@click.option(
    "--playbook",
    "playbook_path",
    type=_FilePath(dir_okay=False, path_type=Path),
    help="A team's own playbook TOML (default: $WORKBENCH_PLAYBOOK, else the shipped one).",
)
@click.option(
    "--settings",
    "settings_path",
    type=_FilePath(dir_okay=False, path_type=Path),
    help="Your own settings TOML: local holidays, your time zone (default: "
    "$WORKBENCH_SETTINGS, else settings.toml in your user config directory, if there is one).",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="Show the version and exit.",
)
@click.option(
    "--no-bell",
    is_flag=True,
    help="Follow-up reminders without the terminal bell (also WORKBENCH_BELL=0).",
)
@click.pass_context
def main(
    ctx: click.Context,
    db: Path | None,
    playbook_path: Path | None,
    settings_path: Path | None,
    no_bell: bool,
) -> None:
    """Escalation Workbench: triage, build, send and follow up support escalations.

    Without a command, opens the full-screen app. Exit status: 0 done, 1 a check found something
    (check, due, playbook --check), 2 an error.
    """
    state = ctx.ensure_object(State)
    state.db = db if db is not None else state.db
    state.playbook_path = playbook_path if playbook_path is not None else state.playbook_path
    state.settings_path = settings_path if settings_path is not None else state.settings_path
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        from workbench.start import run_app

        run_app(state, bell=not no_bell)


# -- new / list / show -------------------------------------------------------------------------------
@main.command()
@click.option("--title", required=True, help="A one-line summary of the problem.")
@click.option("--customer", default="", help="The customer's name.")
@click.option("--component", default="", help="The product area affected.")
@click.option("--json", "as_json", is_flag=True, help="Print the new case as JSON.")
@pass_state
def new(state: State, title: str, customer: str, component: str, as_json: bool) -> None:
    """Create a draft case; prints its id."""
    from workbench.models import Escalation

    if not title.strip():
        raise CliError("--title must not be empty")
    now = state.now()
    case = Escalation(
        title=title.strip(),
        customer=customer.strip(),
        component=component.strip(),
        created_at=now,
        updated_at=now,
    )
    stored = state.store().create(case)
    if as_json:
        _echo_json(stored.model_dump(mode="json"))
    else:
        click.echo(str(stored.id))


_STATUSES = ("draft", "kept_in_support", "escalated", "de_escalated", "resolved")
_SEVERITIES = ("critical", "high", "medium")


def _row_json(row: Any, now: datetime) -> dict[str, object]:
    return {
        "id": row.id,
        "title": row.title,
        "customer": row.customer,
        "status": str(row.status),
        "severity": None if row.severity is None else str(row.severity),
        "routed_to": row.routed_to,
        "next_due": row.next_due,
        "due_latest": row.due_latest,
        "overdue": row.overdue(now),
        "sla": row.sla,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


@main.command("list")
@click.option("--status", type=click.Choice(_STATUSES), multiple=True, help="Only these statuses.")
@click.option("--severity", type=click.Choice(_SEVERITIES), multiple=True, help="Only these.")
@click.option("--search", "query", help="Full-text search in the cases.")
@click.option("--sort", default="updated_at", show_default=True, help="Column to sort on.")
@click.option("--asc", is_flag=True, help="Ascending order (default: descending).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many cases.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of objects.")
@pass_state
def list_(
    state: State,
    status: tuple[str, ...],
    severity: tuple[str, ...],
    query: str | None,
    sort: str,
    asc: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """The cases, most recently updated first."""
    from workbench.store import SORTS

    if sort not in SORTS:
        raise CliError(f"--sort: {sort!r} is not one of: {', '.join(SORTS)}")
    now = state.now()
    rows: list[Any] = []
    if state.db_path().exists():
        rows = state.store(create=False).list_cases(
            status=status or None,
            severity=severity or None,
            query=query,
            sort=sort,
            descending=not asc,
            limit=limit,
        )
    if as_json:
        _echo_json([_row_json(row, now) for row in rows])
        return
    if not rows:
        click.echo("No cases.", err=True)
        return
    table = [
        [
            str(row.id),
            row.status.label,
            row.severity.label if row.severity else "",
            _cell(row.title),
            _cell(row.customer),
            _cell(row.routed_to),
            _due_cell(row, now),
        ]
        for row in rows
    ]
    headers = ["ID", "STATUS", "SEVERITY", "TITLE", "CUSTOMER", "ROUTED TO", "NEXT FOLLOW-UP"]
    # A narrow terminal keeps the title readable: customer and routing are cut, then left out.
    lines = _table(
        headers,
        table,
        shrink=[(3, 30), (4, 12), (5, 12), (3, 20)],
        optional=[5, 4],
        last_resort=[(3, 8)],
    )
    for line, row in zip(lines, [None, *rows], strict=True):
        overdue = row is not None and row.overdue(now)
        click.echo(click.style(line, fg="red") if overdue else line)


def _due_cell(row: Any, now: datetime) -> str:
    """The list's follow-up column, relative: "in 3 h", "due now", "OVERDUE by 20 m"."""
    from workbench import timetext

    if row.next_due is None:
        return ""
    return timetext.countdown(row.next_due, now, latest=row.due_latest)


MAX_CASE_ID = 2**63 - 1  # SQLite's largest integer


def _case_id(value: str) -> int:
    # ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and other scripts.
    text = value.strip().lstrip("#")
    if not re.fullmatch(r"[0-9]{1,19}", text) or not 1 <= int(text) <= MAX_CASE_ID:
        raise CliError(f"{value!r} is not a case id (a positive number)")
    return int(text)


def _get(state: State, case_id: str) -> tuple[Escalation, Playbook]:
    playbook = state.playbook()
    return state.store(create=False).get(_case_id(case_id)), playbook


@main.command()
@click.argument("case_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The whole case as JSON.")
@pass_state
def show(state: State, case_id: str, as_json: bool) -> None:
    """One whole case: status, follow-ups, the document and the running log."""
    case, playbook = _get(state, case_id)
    if as_json:
        _echo_json(case.model_dump(mode="json"))
        return
    from workbench.export import render_markdown
    from workbench.followup import due_lines, timeline
    from workbench.rules.summary import summarize

    now = state.now()
    summary = summarize(case, playbook, now)
    lines = [
        f"#{case.id} {_cell(case.title) or '(untitled)'}",
        f"Status: {case.status.label}    Severity: "
        f"{summary.severity.capitalize() if summary.severity else '-'}    "
        f"Routed to: {_cell(summary.routed_to) or '-'}",
        f"Customer: {_cell(case.customer) or '-'}    Component: {_cell(case.component) or '-'}"
        f"    Tier: {case.tier}",
        f"Created: {_when(case.created_at, now)}    Updated: {_when(case.updated_at, now)}",
    ]
    from workbench.rules.cadence import follow_up_schedule

    due = due_lines(follow_up_schedule(case, playbook, now), now)
    if due:
        lines.append("Follow-ups:")
        lines += [f"  {line.text}" for line in due]
    lines.append("")
    for line in lines:
        click.echo(line)
    _echo_text(render_markdown(case, playbook, now))
    click.echo("")
    click.echo("Log:")
    for item in timeline(case):
        detail = f" — {_cell(item.detail)}" if item.detail.strip() else ""
        click.echo(f"  {_when(item.at, now)}  {item.label}: {_cell(item.summary)}{detail}")


# -- import / export ---------------------------------------------------------------------------------
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
            with path.open("rb") as handle:
                data = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise CliError(f"{name}: cannot read ({exc.strerror or exc})") from exc
        except ValueError as exc:  # a name no file system accepts (an embedded NUL)
            raise CliError(f"{_shown(path)}: not a usable path ({exc})") from exc
    if len(data) > MAX_IMPORT_BYTES:
        raise CliError(f"{name}: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise CliError(f"{name}: not UTF-8 text (byte {exc.start})") from exc


def _parse_document(text: str, name: str, playbook: Playbook, now: datetime) -> Escalation:
    from pydantic import ValidationError

    from workbench.models import Escalation

    if text.lstrip().startswith(("{", "[")):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CliError(
                f"{name}: not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
            ) from exc
        if not isinstance(raw, dict):
            raise CliError(f"{name}: the JSON form is one case object, not {type(raw).__name__}")
        try:
            return Escalation.model_validate(raw)
        except ValidationError as exc:
            raise CliError(f"{name}: invalid case: {_validation_message(exc)}") from exc
    from workbench.export import DocumentError, parse_markdown

    try:
        return parse_markdown(text, playbook, now=now)
    except DocumentError as exc:
        raise CliError(f"{name}: {exc}") from exc
    except ValidationError as exc:
        raise CliError(f"{name}: invalid case: {_validation_message(exc)}") from exc


@main.command("import")
@click.argument("source", metavar="FILE")
@pass_state
def import_(state: State, source: str) -> None:
    """Read a case from an escalation document (the playbook's Markdown structure) or its JSON
    form; FILE "-" reads stdin. Prints the new case id alone on the last line."""
    playbook = state.playbook()
    text, name = _read_input(source)
    case = _parse_document(text, name, playbook, state.now())
    # A new case: the id and revision are the store's to give.
    case = case.model_copy(update={"id": None, "revision": 0})
    stored = state.store().create(case)
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


@main.command()
@click.argument("case_id", metavar="ID")
@click.option(
    "-o", "--output", type=_FilePath(path_type=Path), help="Write to FILE (created 0600)."
)
@click.option("--force", is_flag=True, help="Replace an existing FILE.")
@click.option("--copy", is_flag=True, help="Copy to the clipboard instead of printing.")
@pass_state
def export(state: State, case_id: str, output: Path | None, force: bool, copy: bool) -> None:
    """The case's escalation document in the playbook's Markdown structure (stdout by default)."""
    from workbench.export import render_markdown

    case, playbook = _get(state, case_id)
    document = _sanitize(render_markdown(case, playbook, state.now()))
    if output is not None and str(output) != "-":
        _write_private(output, document, force=force)
        click.echo(f"Wrote {_shown(output)}", err=True)
    elif output is not None or not copy:
        _echo_text(document)
    if copy:
        from workbench.clipboard import copy_text

        result = copy_text(document)
        click.echo(_one_line(result.message), err=True)
        if result.method == "none":
            raise click.exceptions.Exit(EXIT_ERROR)


# -- check / due -------------------------------------------------------------------------------------
@main.command()
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

    case, playbook = _get(state, case_id)
    known = [d.id for d in playbook.destinations]
    if destination is not None and destination not in known:
        raise CliError(f"--destination: {destination!r} is not one of: {', '.join(known)}")
    now = state.now()
    findings = lint_case(case, playbook, now)
    package = package_readiness(case, playbook, now, destination)
    missing = missing_required(package)
    destinations = list(dict.fromkeys(status.destination_id for status in package))
    if as_json:
        _echo_json(
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
        click.echo(f"#{case.id} {_cell(case.title) or '(untitled)'}")
        click.echo(f"Findings: {len(findings) or 'none'}")
        for finding in findings:
            click.echo(f"  {finding.field}: {_cell(finding.message)}")
            if finding.advice:
                click.echo(f"      {_cell(finding.advice)}")
        if not destinations:
            click.echo("Package: no destination chosen or suggested yet (triage the case first).")
        for dest_id in destinations:
            items = [p for p in package if p.destination_id == dest_id]
            ready = sum(1 for p in items if p.present)
            name = playbook.destination(dest_id).name
            click.echo(f"Package for {_cell(name)}: {ready}/{len(items)} present")
            for item in items:
                mark = "x" if item.present else " "
                need = "" if item.required else " (optional)"
                detail = f" — {_cell(item.detail)}" if item.detail else ""
                click.echo(f"  [{mark}] {_cell(item.text)}{need}{detail}")
    if missing:
        raise click.exceptions.Exit(EXIT_FOUND)


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also follow-ups not yet due.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of follow-ups.")
@pass_state
def due(state: State, show_all: bool, as_json: bool) -> None:
    """Follow-ups due or overdue across escalated cases. Exit 1 when anything is overdue."""
    from workbench.followup import describe_due
    from workbench.rules.cadence import follow_up_schedule

    now = state.now()
    found: list[tuple[Escalation, Any, Any]] = []
    if state.db_path().exists():
        playbook = state.playbook()
        for case in state.store(create=False).all_cases():
            schedule = follow_up_schedule(case, playbook, now)
            if schedule is None:
                continue
            for track in (schedule.team, schedule.customer):
                if show_all or track.due or track.overdue:
                    found.append((case, track, schedule))
    found.sort(key=lambda item: (item[1].latest, item[0].id or 0, item[1].track))
    if as_json:
        _echo_json(
            [
                {
                    "id": case.id,
                    "title": case.title,
                    "customer": case.customer,
                    "severity": str(schedule.severity),
                    "track": track.track,
                    "label": describe_due(track, now).label,
                    "last_at": track.last_at,
                    "earliest": track.earliest,
                    "latest": track.latest,
                    "due": track.due,
                    "overdue": track.overdue,
                }
                for case, track, schedule in found
            ]
        )
    elif not found:
        click.echo("Nothing due.", err=True)
    for case, track, _schedule in [] if as_json else found:
        line = describe_due(track, now)
        text = f"#{case.id} {_cell(case.title) or '(untitled)'}: {line.text}"
        click.echo(click.style(text, fg="red") if track.overdue else text)
    if any(track.overdue for _case, track, _schedule in found):
        raise click.exceptions.Exit(EXIT_FOUND)


# -- playbook / backup -------------------------------------------------------------------------------
def _playbook_counts(playbook: Playbook) -> str:
    parts: Mapping[str, int] = {
        "keep criteria": len(playbook.keep_criteria),
        "triggers": len(playbook.triggers),
        "sub-triggers": len(playbook.trigger_items()),
        "destinations": len(playbook.destinations),
        "package items": sum(len(d.package) for d in playbook.destinations),
        "severities": len(playbook.severities),
        "impact dimensions": len(playbook.impact.dimensions),
        "principles": len(playbook.principles),
    }
    return ", ".join(f"{count} {name}" for name, count in parts.items())


@main.command("playbook")
@click.option("--check", "check_only", is_flag=True, help="Validate; exit 1 if it is broken.")
@click.argument("file", required=False, type=_FilePath(dir_okay=False, path_type=Path))
@pass_state
def playbook_cmd(state: State, check_only: bool, file: Path | None) -> None:
    """Validate a playbook (FILE, else the one in use) and summarize it."""
    from workbench.playbook import PlaybookError, default_playbook_path, load_playbook

    if file is None:
        file = state.own_playbook() or default_playbook_path()
    try:
        playbook = load_playbook(file)
    except PlaybookError as exc:
        raise CheckFailed(str(exc)) from exc
    if check_only:
        click.echo(f"ok: {_playbook_counts(playbook)}")
    else:
        click.echo(_shown(file))
        click.echo(f"{_cell(playbook.name)} (version {playbook.version})")
        click.echo(_playbook_counts(playbook))


@main.command()
@click.argument("file", type=_FilePath(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing FILE.")
@pass_state
def backup(state: State, file: Path, force: bool) -> None:
    """A consistent copy of the database (safe while the app is running), created 0600."""
    written = state.store(create=False).backup(file, overwrite=force)
    click.echo(f"Backed up {_shown(state.db_path())} to {_shown(written)}", err=True)


# History and patterns: `similar ID` and `stats` live in workbench/cli_history.py.
from workbench.cli_history import register as _register_history  # noqa: E402

_register_history(main)

if __name__ == "__main__":  # pragma: no cover
    # `python -m workbench.cli`: run the imported module's group, so that commands registered from
    # other modules (which import `workbench.cli`) share its State class.
    from workbench.cli import main as _main

    _main()
