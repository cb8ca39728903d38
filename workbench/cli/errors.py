"""The CLI's errors: every error is one line on stderr, never a traceback, and the exit status
says what happened (0 done, 1 a check found something, 2 an error).

`report` is how the bare `workbench` command, which starts the app without the CLI's group around
it, fails in the CLI's words.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from workbench.session import SessionError

DEBUG_ENV = "WORKBENCH_DEBUG"

EXIT_FOUND = 1
EXIT_ERROR = 2


class CliError(click.ClickException):
    """An error the user can act on: one line on stderr, exit status 2."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))

    def show(self, file: Any = None) -> None:
        click.echo(f"workbench: error: {self.message}", err=True)


class CheckFailed(CliError):
    """A check's negative answer (a broken playbook): one line on stderr, exit status 1."""

    exit_code = EXIT_FOUND


def one_line(text: str) -> str:
    """Messages quote user input and file names: keep them to one printable line."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return " ".join(cleaned.split())


def shown(path: object) -> str:
    """A path as typed, for a message: printable characters as they are, anything else (ESC,
    BEL, a lone surrogate from undecodable bytes) escaped, so a file name cannot drive the
    terminal and can still be found."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(path))


def validation_message(exc: Any) -> str:
    """The first problem of a pydantic ValidationError, with where it is and how many more."""
    errors = exc.errors()
    if not errors:
        return "invalid data"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def translate(exc: Exception) -> CliError | None:
    """The one-line error for an exception of the core, or None if it is not one we expect."""
    from pydantic import ValidationError

    from workbench.playbook import PlaybookError
    from workbench.settings import SettingsError
    from workbench.store import StoreError

    if isinstance(exc, StoreError | PlaybookError | SettingsError | SessionError):
        return CliError(str(exc))
    if isinstance(exc, ValidationError):
        return CliError(f"invalid case: {validation_message(exc)}")
    from workbench.document import DocumentError

    if isinstance(exc, DocumentError):
        return CliError(str(exc))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return CliError(f"{where}{exc.strerror or exc}")
    if isinstance(exc, UnicodeError):
        # A name or text that is not valid Unicode (a lone surrogate): a file name cannot hold it.
        return CliError(f"not valid Unicode text: {shown(getattr(exc, 'object', ''))[:200]}")
    return None


def cli_error(exc: Exception) -> CliError:
    """The one line for an exception a command did not handle; with WORKBENCH_DEBUG set, an
    unexpected one is raised again, traceback and all."""
    translated = translate(exc)
    if translated is not None:
        return translated
    if os.environ.get(DEBUG_ENV):
        raise exc
    return CliError(
        f"internal error: {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 for the traceback)"
    )


def aborted() -> NoReturn:
    click.echo("workbench: aborted", err=True)
    sys.exit(130)


def report(exc: BaseException) -> NoReturn:
    """Exit as `workbench` exits when a command fails with `exc`. For the bare command, whose
    start (screens/start.py) runs the app without click's group around it."""
    if isinstance(exc, KeyboardInterrupt):
        click.echo(err=True)  # as click does on ctrl+c, before its Abort
        aborted()
    if not isinstance(exc, Exception):
        raise exc
    error = cli_error(exc)
    error.show()
    sys.exit(error.exit_code)
