"""The `workbench` click group: its global options (`--db`, `--playbook`, `--settings`,
`--no-bell`, `--version`), the session state its commands share, one-line usage errors and the
core's exceptions turned into CliError. The commands are added in `workbench/cli/__init__.py`.

The CLI never imports the app. Its caller hands it, as click's context object, an `Invocation`
with a `launch_app`: the `workbench` command's entry point (screens/start.py) gives its `run_app`,
which the group calls when it is run without a command. Without one (the CLI run on its own:
`python -m workbench.cli`, a script, a test), the bare command says in one line that the app is
started by the `workbench` command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import update_wrapper
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import click

from workbench.cli.errors import EXIT_ERROR, EXIT_FOUND, CliError, aborted, cli_error, one_line
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


# -- what the caller hands the CLI, and the state the commands share -----------------------------
class AppLauncher(Protocol):
    """Opens the full-screen app on what `state` names (screens/start.py: `run_app`)."""

    def __call__(self, state: State, *, bell: bool = ...) -> None: ...


NO_APP = (
    "the full-screen app is started by the 'workbench' command; "
    "see --help for the commands run here"
)


@dataclass
class Invocation:
    """Click's context object for one run of the CLI: the session state its commands share, and
    how to open the app when run without a command (None: the CLI alone, which says NO_APP)."""

    state: State = field(default_factory=State)
    launch_app: AppLauncher | None = None


P = ParamSpec("P")
R = TypeVar("R")


def pass_state(command: Callable[Concatenate[State, P], R]) -> Callable[P, R]:
    """Pass the run's State to a command as its first argument."""

    def with_state(*args: P.args, **kwargs: P.kwargs) -> R:
        ctx = click.get_current_context()
        return ctx.invoke(command, ctx.ensure_object(Invocation).state, *args, **kwargs)

    return update_wrapper(with_state, command)


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


class DatabaseTarget(FilePath):
    """`--db`: a team database's URL (postgresql://... or postgres://..., kept as text: a
    path would fold its `//`), else a file path as FilePath takes it."""

    name = "path|url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from workbench.store.target import is_team_url

        if is_team_url(value):
            return str(value).strip()
        return super().convert(value, param, ctx)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    type=DatabaseTarget(dir_okay=False, path_type=Path),
    help="The database file, or a team database's URL (postgresql://...) (default: "
    "$WORKBENCH_DB, else a file in your user data directory).",
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
    db: Path | str | None,
    playbook_path: Path | None,
    settings_path: Path | None,
    no_bell: bool,
) -> None:
    """Escalation Workbench: triage, build, send and follow up support escalations.

    Without a command, opens the full-screen app. Exit status: 0 done, 1 a check found something
    (check, due, playbook --check), 2 an error.
    """
    invocation = ctx.ensure_object(Invocation)
    state = invocation.state
    state.db = db if db is not None else state.db
    state.playbook_path = playbook_path if playbook_path is not None else state.playbook_path
    state.settings_path = settings_path if settings_path is not None else state.settings_path
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        if invocation.launch_app is None:
            raise CliError(NO_APP)
        invocation.launch_app(state, bell=not no_bell)
