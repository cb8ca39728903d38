"""The `workbench` click group: its global options (`--db`, `--playbook`, `--settings`,
`--no-bell`, `--version`), the session state its commands share, one-line usage errors and the
core's exceptions turned into CliError. The commands are added in `workbench/cli/__init__.py`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from workbench.cli.errors import EXIT_ERROR, EXIT_FOUND, aborted, cli_error, one_line
from workbench.session import State


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
            raise cli_error(exc) from exc

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
            message = one_line(exc.format_message())
            click.echo(f"{command}: error: {message} (see '{command} --help')", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            aborted()
        except BrokenPipeError:
            # `workbench list | head`: the reader left; say nothing more to it.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_FOUND)
        sys.exit(result if isinstance(result, int) else 0)


# -- shared state ------------------------------------------------------------------------------------
pass_state = click.make_pass_decorator(State)


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


class FilePath(click.Path):
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
    type=FilePath(dir_okay=False, path_type=Path),
    help="The database file (default: $WORKBENCH_DB, else a file in your user data directory).",
)
@click.option(
    "--playbook",
    "playbook_path",
    type=FilePath(dir_okay=False, path_type=Path),
    help="A team's own playbook TOML (default: $WORKBENCH_PLAYBOOK, else the shipped one).",
)
@click.option(
    "--settings",
    "settings_path",
    type=FilePath(dir_okay=False, path_type=Path),
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
