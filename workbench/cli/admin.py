"""`workbench playbook` (validate and summarize a playbook) and `workbench backup` (a consistent
copy of the database)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.cli.errors import CheckFailed, shown
from workbench.cli.group import FilePath, pass_state
from workbench.cli.output import cell
from workbench.session import State

if TYPE_CHECKING:
    from workbench.playbook import Playbook


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


@click.command("playbook")
@click.option("--check", "check_only", is_flag=True, help="Validate; exit 1 if it is broken.")
@click.argument("file", required=False, type=FilePath(dir_okay=False, path_type=Path))
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
        click.echo(shown(file))
        click.echo(f"{cell(playbook.name)} (version {playbook.version})")
        click.echo(_playbook_counts(playbook))


@click.command()
@click.argument("file", type=FilePath(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing FILE.")
@pass_state
def backup(state: State, file: Path, force: bool) -> None:
    """A consistent copy of the database (safe while the app is running), created 0600."""
    written = state.store(create=False).backup(file, overwrite=force)
    click.echo(f"Backed up {shown(state.db_shown())} to {shown(written)}", err=True)
