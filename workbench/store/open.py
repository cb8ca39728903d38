"""Opening the store a `--db` value names: a PostgreSQL URL opens the team database (and only
then imports the driver), anything else is the local SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.clock import utcnow
from workbench.store.target import is_mangled_url, is_team_url, redact_url

if TYPE_CHECKING:
    from workbench.playbook import Playbook
    from workbench.store.interface import CaseStore


def open_store(
    target: Path | str,
    playbook: Playbook | Callable[[], Playbook],
    *,
    readonly: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> CaseStore:
    """The store at `target`: `postgresql://...` or `postgres://...` -> the team database,
    else the SQLite file at that path."""
    if is_team_url(target):
        try:
            from workbench.store.pg.store import PgStore
        except ImportError as exc:  # the driver is an extra
            from workbench.store.errors import StoreError

            raise StoreError(
                "a team database needs the PostgreSQL driver: "
                "pip install 'escalation-workbench[team]'"
            ) from exc

        return PgStore(str(target).strip(), playbook, readonly=readonly, clock=clock)
    if is_mangled_url(target):
        from workbench.store.errors import StoreError

        raise StoreError(
            f"{redact_url(str(target))} is neither a file nor a team database's URL: "
            "a URL starts postgresql:// (postgresql://user@host/database)"
        )
    from workbench.store.core import Store

    return Store(target, playbook, readonly=readonly, clock=clock)
