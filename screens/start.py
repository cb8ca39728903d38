"""The `workbench` command's entry point, and the app's start.

Run bare, with at most the app's own options (`--db`, `--playbook`, `--settings`, `--no-bell`),
the command is the app: what an agent starts dozens of times a day. That start imports neither
click nor the CLI's command definitions (`workbench.cli`), a noticeable part of a cold start.
Anything else (a subcommand, `--help`, an option given twice, a value click would refuse) is
the CLI's to parse and report: this module only recognises the plain case, and hands the CLI
`run_app` to open the app with when the CLI's own parsing ends in the bare command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from workbench.session import SessionError, State
from workbench.store.target import is_team_url

# The app's options that take a value, and the State field each sets (as the CLI's group does,
# workbench/cli/group.py).
VALUED = {"--db": "db", "--playbook": "playbook_path", "--settings": "settings_path"}
NO_BELL = "--no-bell"
COMPLETE_ENV = "_WORKBENCH_COMPLETE"  # click's shell completion for the `workbench` command


class AppOptions(NamedTuple):
    db: Path | str | None = None  # a file, or a team database's URL
    playbook_path: Path | None = None
    settings_path: Path | None = None
    bell: bool = True


def app_options(args: Sequence[str]) -> AppOptions | None:
    """The app's options if `args` hold nothing else, each valued option at most once and with
    a plain path (not empty, printable, not an option, not a directory); None otherwise, and the
    CLI parses them (it also answers the cases left to it: repeats, directories, odd values)."""
    paths: dict[str, Path | str] = {}
    bell = True
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == NO_BELL:
            bell = False
            continue
        name, equals, value = arg.partition("=")
        field = VALUED.get(name)
        if field is None or field in paths:
            return None
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if field == "db" and is_team_url(value):
            if not value.isprintable():
                return None
            paths[field] = value.strip()  # a URL, not a path: its `//` stays
            continue
        if not _plain_path(value):
            return None
        paths[field] = Path(value)
    return AppOptions(**paths, bell=bell)  # type: ignore[arg-type]


def _plain_path(value: str) -> bool:
    """A path click would take as it is: an existing one must be a readable file (click's
    `Path(dir_okay=False)` refuses a directory or a file it cannot read, in its own words)."""
    if not value.isprintable() or not value.strip() or value.startswith("-"):
        return False
    if not os.path.lexists(value):
        return True
    return not os.path.isdir(value) and os.access(value, os.R_OK)


def _cli_only() -> bool:
    """Cases the CLI keeps whatever the arguments: shell completion (click answers it from the
    environment), and Windows, where click expands `~`, variables and wildcards in arguments."""
    return os.name == "nt" or COMPLETE_ENV in os.environ


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_app(state: State, *, bell: bool = True) -> None:
    """Open the app on what `state` names; the bare command, from here or from the CLI."""
    if not _is_terminal():
        raise SessionError("the app needs a terminal; for scripts see 'workbench --help'")
    # The agent's settings and a team's own playbook are read now, so a mistake in either is one
    # line here rather than an error inside the app. The shipped playbook is known to be good:
    # the app loads it after the list is painted (the list needs none of it).
    state.settings()
    from workbench.once import once

    # One loader for the app and the store: loaded once, whichever asks first.
    playbook = state.playbook() if state.own_playbook() is not None else once(state.playbook)
    store = state.store(playbook=playbook)
    from screens.app import WorkbenchApp

    app = WorkbenchApp(store, playbook, bell=bell)
    app.run()
    if app.damage is not None:  # the app ended on a damaged file: one line, status 2
        from workbench.store import CorruptDatabaseError

        raise CorruptDatabaseError(app.damage)
    code = getattr(app, "return_code", None)
    if code:  # ended by a signal (after saving what was typed): say so to the shell
        sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """`workbench ARGS`: the app started here when ARGS are only its own options and there is a
    terminal; everything else, the CLI's (which also says, in its words, why there is no app),
    handed `run_app` for the bare command."""
    args = list(sys.argv[1:] if argv is None else argv)
    options = None if _cli_only() else app_options(args)
    if options is None or not _is_terminal():
        from workbench.cli import Invocation
        from workbench.cli import main as cli

        # None: click reads (and, on Windows, expands) the arguments.
        cli.main(None if argv is None else args, obj=Invocation(launch_app=run_app))
        return
    state = State(options.db, options.playbook_path, options.settings_path)
    try:
        run_app(state, bell=options.bell)
    except SystemExit:
        raise
    except BaseException as exc:
        from workbench.cli import report

        report(exc)  # one line and the exit status, as the CLI reports a failed command
    finally:
        state.close()


if __name__ == "__main__":  # pragma: no cover
    main()
