"""What the store refuses or cannot do: every failure is a `StoreError` whose message fits on one
line of the CLI, so the app and the commands catch one class and show its text."""

from __future__ import annotations


class StoreError(Exception):
    """Anything the store refuses or cannot do; `str(err)` is one line fit for the CLI."""


class NewerSchemaError(StoreError):
    """The file was written by a newer version of the app; it is left untouched."""


class CorruptDatabaseError(StoreError):
    """The file is not SQLite, is damaged or truncated, or is not a workbench database."""


class DatabaseLockedError(StoreError):
    """Another process held the write lock for longer than the busy timeout."""


class ReadOnlyError(StoreError):
    """A write was asked of a store opened read-only (or the file cannot be written)."""


class CaseNotFound(StoreError):
    pass


class UnstorableTextError(StoreError):
    """A field holds text UTF-8 cannot encode (a lone surrogate): that value can never be saved,
    unlike a full disk or a lock, so a caller does not try it again as it is."""


class StaleCaseError(StoreError):
    """The case changed since this copy was loaded; the caller reloads it."""


class MigrationError(StoreError):
    """An upgrade step failed and was rolled back; the file is as it was."""


def brief(text: str, limit: int = 160) -> str:
    """An error's own text on one short line (SQLite quotes a damaged schema over many lines)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class ServerUnavailableError(StoreError):
    """The team database's server cannot be reached (or refused the login): nothing was
    written, and the same change can be tried again once it is back."""


class TeamSchemaError(StoreError):
    """The team database has no workbench schema yet, or an older one, and the connected role
    cannot create or upgrade it: the database's owner runs `workbench --db URL team init`."""
