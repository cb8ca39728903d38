"""What one run of the `workbench` command works with: the paths its options chose, and the
settings, playbook and stores it opens on first use. Shared by the CLI (workbench/cli/) and the
bare command's start (screens/start.py), which must not import click."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.playbook import Playbook
    from workbench.settings import Settings
    from workbench.store import CaseStore

NOW_ENV = "WORKBENCH_NOW"


class SessionError(Exception):
    """A problem with what the command was given (a missing database, a bad WORKBENCH_NOW, no
    terminal for the app): the CLI shows it as one line and exits with status 2."""


@dataclass
class State:
    """What the global options chose; the playbook and the store are opened on first use."""

    db: Path | str | None = None  # a file, or a team database's URL (postgresql://...)
    playbook_path: Path | None = None
    settings_path: Path | None = None
    _playbook: Playbook | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)
    _stores: list[CaseStore] = field(default_factory=list, repr=False)

    def settings(self) -> Settings:
        """The agent's settings, read once; a `timezone` there is also the zone this run shows
        its times in (workbench.settings.show_times_in). Read before any thread starts (the
        app's start and every command read them first): the zone is the process's."""
        if self._settings is None:
            from workbench.settings import load_settings, settings_path, show_times_in

            settings_file, required = settings_path(self.settings_path)
            self._settings = load_settings(settings_file, required=required)
            zone = self._settings.timezone
            if zone and not show_times_in(zone):
                print(
                    f"workbench: times are shown in the machine's zone: this system cannot show "
                    f"them in {zone} (business days are counted in it all the same)",
                    file=sys.stderr,
                )
        return self._settings

    def own_playbook(self) -> Path | None:
        """A team's playbook named by --playbook or WORKBENCH_PLAYBOOK; None: the shipped one."""
        from workbench.settings import playbook_path_from_env

        return self.playbook_path or playbook_path_from_env()

    def playbook(self) -> Playbook:
        if self._playbook is None:
            from workbench.playbook import default_playbook, load_playbook
            from workbench.settings import with_settings

            path = self.own_playbook()
            playbook = load_playbook(path) if path is not None else default_playbook()
            self._playbook = with_settings(playbook, self.settings())
        return self._playbook

    def db_target(self) -> Path | str:
        """The database: a team database's URL (--db or WORKBENCH_DB), else the file's path."""
        from workbench.store.paths import DB_ENV
        from workbench.store.target import is_mangled_url, is_team_url, redact_url

        given = self.db if self.db is not None and str(self.db) != "" else None
        value = given if given is not None else os.environ.get(DB_ENV, "")
        if is_mangled_url(value):  # a typo in a URL must not make a new, empty file
            raise SessionError(
                f"{redact_url(str(value))} is neither a file nor a team database's URL: "
                "a URL starts postgresql:// (postgresql://user@host/database)"
            )
        if is_team_url(value):
            return str(value).strip()
        return self.db_path()

    def is_team(self) -> bool:
        from workbench.store.target import is_team_url

        return is_team_url(self.db_target())

    def db_shown(self) -> str:
        """The database as a message shows it: the file's path, or the URL without password."""
        from workbench.store.target import redact_url

        target = self.db_target()
        return redact_url(target) if isinstance(target, str) else str(target)

    def has_database(self) -> bool:
        """Whether there are cases to read: a team database always (the server says if not),
        a file if it exists."""
        target = self.db_target()
        return isinstance(target, str) or target.exists()

    def db_path(self) -> Path:
        """The local file's path (a team database's URL is `db_target`)."""
        from workbench.store import resolve_db_path
        from workbench.store.target import is_team_url

        return resolve_db_path(None if is_team_url(self.db) else self.db)

    def store(
        self, *, create: bool = True, playbook: Playbook | Callable[[], Playbook] | None = None
    ) -> CaseStore:
        """The store; without `create`, a missing database file is an error, not a new file.
        `playbook` may be a loader (the app's), else the playbook is loaded now."""
        from workbench.store.open import open_store

        target = self.db_target()
        if not create and isinstance(target, Path) and not target.exists():
            raise SessionError(
                f"no database at {target} (create a case with 'workbench new' or "
                "'workbench import')"
            )
        store = open_store(target, playbook or self.playbook(), clock=self.now)
        self._stores.append(store)
        if playbook is None:  # the app's store (a loader) counts them once its playbook is loaded
            from workbench.store import CorruptDatabaseError, StoreError

            # A lock or a full disk: the columns wait for a later open. A damaged file is
            # refused, whatever the command: it is evidence, never written.
            try:
                store.recount_dues()
            except CorruptDatabaseError:
                raise
            except StoreError:
                pass
        return store

    def now(self) -> datetime:
        """The current time; WORKBENCH_NOW (ISO 8601) fixes it for tests and reproducible runs."""
        value = os.environ.get(NOW_ENV, "").strip()
        if not value:
            return datetime.now(UTC)
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise SessionError(f"{NOW_ENV}={value!r} is not an ISO 8601 time") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def close(self) -> None:
        for store in self._stores:
            store.close()
        self._stores.clear()
