"""A damaged database ends the app: the store says so from whichever thread found it
(`Store.on_damage`), or the damage surfaces as an unhandled error (the list's first load, a worker
reading a case); either way the app leaves at once with status 2, and the `workbench` command
prints the one line (`damage`) as the CLI does (screens/start.py). Nothing is flushed on the way
out: the file is evidence, never written."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual.app import App
from textual.message import Message

if TYPE_CHECKING:
    from workbench.store import CaseStore

log = logging.getLogger(__name__)

EXIT_DAMAGED = 2  # the CLI's status for an error


def find_error(error: BaseException, kind: type[Exception]) -> Exception | None:
    """`error` or what it wraps (a worker's WorkerFailed, a cause, a context) of type `kind`."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return item
        wrapped = getattr(item, "error", None)
        todo += [wrapped if isinstance(wrapped, BaseException) else None]
        todo += [item.__cause__, item.__context__]
    return None


class Damaged(Message):
    """The store found its file damaged (posted from any thread)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ExitOnDamage(App[None]):
    """The App's part: `watch_store(store)` at construction, `verified()` before any write."""

    damage: str | None = None  # the one line the app exited with

    def watch_store(self, store: CaseStore) -> None:
        store.on_damage = self._store_damaged

    def verified(self, store: CaseStore) -> bool:
        """Check the file whole once (Store.verify), off the list's thread, before anything
        writes; False if it is damaged (and the app is on its way out). Other errors (a lock)
        are left to the first save, which checks it again."""
        from workbench.store import CorruptDatabaseError, StoreError

        try:
            store.verify()
        except CorruptDatabaseError:
            return False
        except StoreError:
            log.exception("the database could not be checked")
        return True

    def _store_damaged(self, text: str) -> None:
        self.post_message(Damaged(text))  # thread-safe

    def on_damaged(self, message: Damaged) -> None:
        self.exit_damaged(message.text)

    def exit_damaged(self, text: str) -> None:
        if self.damage is None:
            self.damage = text
            self.exit(return_code=EXIT_DAMAGED)

    def _handle_exception(self, error: Exception) -> None:
        from workbench.store import CorruptDatabaseError

        damage = find_error(error, CorruptDatabaseError)
        if damage is None:
            super()._handle_exception(error)
            return
        # As Textual ends the app on an unhandled error, without its traceback: whatever raised
        # it (a screen that could not mount) may never finish, so the app does not wait for it.
        if self.damage is None:
            self.damage = str(damage)
        self._return_code = EXIT_DAMAGED
        self._exception_event.set()  # a test's Pilot waiting for the screen stops waiting
        self._close_messages_no_wait()
