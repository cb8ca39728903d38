"""The cases: creating and saving them (each its own transaction, with one event per changed
field), reading them back, their change log, and keeping the follow-up columns counted with the
playbook's calendar."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from workbench.store.base import StoreBase
from workbench.store.codec import case_json, diff_documents, iso, pack_document, unpack_document
from workbench.store.columns import DERIVED, RECOUNTED
from workbench.store.errors import (
    CaseNotFound,
    CorruptDatabaseError,
    DatabaseLockedError,
    StaleCaseError,
)
from workbench.store.queries import Event
from workbench.store.search import any_word_query
from workbench.vocab import Status

if TYPE_CHECKING:
    from workbench.models import Escalation


# A save's look at the stored row: its revision and its list columns as they are (its document
# only when the store does not hold it already, `_last_saved_document`).
_READ_FOR_SAVE = f"SELECT revision, {', '.join(DERIVED)} FROM cases WHERE id = ?"


class CaseWrites(StoreBase):
    """Cases in and out, one at a time or many, and their event log."""

    def create(self, case: Escalation) -> Escalation:
        """Store a new case under a new id, revision 1; its created_at is kept (an import keeps
        the original), updated_at is now."""
        with self._guard(), self._write() as conn:
            now = self._now()
            new_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
            data = case.model_copy(update={"id": new_id, "revision": 1, "updated_at": now})
            data_json = case_json(data)
            stored = type(case).model_validate_json(data_json)
            values = self._derive(stored, now)
            values.update(id=new_id, revision=1, data=pack_document(data_json))
            names = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            conn.execute(f"INSERT INTO cases ({names}) VALUES ({marks})", values)
            conn.execute(
                "INSERT INTO events (case_id, at, field, old, new) VALUES (?, ?, 'created', NULL, ?)",
                (new_id, iso(now), json.dumps(stored.title, ensure_ascii=False)),
            )
            self._keep_stamp_true(conn)
            return stored

    def create_many(self, cases: Iterable[Escalation], *, batch: int = 2000) -> int:
        """Store many new cases at once (a history brought over from elsewhere, a benchmark's
        generated cases): new ids in order, revision 1, each with its "created" event, one
        transaction per `batch` cases. Unlike `create`, each case keeps its own `updated_at` and
        is trusted as validated (no JSON round trip): it is a bulk load of a history, about ten
        times faster per case than `create` in a loop. Returns how many were stored."""
        stored = 0
        pending = iter(cases)
        while chunk := [case for _, case in zip(range(batch), pending, strict=False)]:
            with self._guard(), self._write() as conn:
                now = self._now()
                first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM cases").fetchone()[0]
                rows: list[dict[str, object]] = []
                created: list[tuple[int, str | None, str]] = []
                for new_id, case in enumerate(chunk, start=first):
                    data = case.model_copy(update={"id": new_id, "revision": 1})
                    values = self._derive(data, now)
                    values.update(id=new_id, revision=1, data=pack_document(case_json(data)))
                    rows.append(values)
                    title = json.dumps(data.title, ensure_ascii=False)
                    created.append((new_id, iso(data.created_at), title))
                names = ", ".join(rows[0])
                marks = ", ".join(f":{name}" for name in rows[0])
                conn.executemany(f"INSERT INTO cases ({names}) VALUES ({marks})", rows)
                conn.executemany(
                    "INSERT INTO events (case_id, at, field, old, new) "
                    "VALUES (?, ?, 'created', NULL, ?)",
                    created,
                )
                self._keep_stamp_true(conn)
            stored += len(chunk)
        return stored

    def get(self, case_id: int) -> Escalation:
        with self._guard() as conn:
            return self._load(case_id, self._stored_data(conn, case_id))

    def save(self, case: Escalation) -> Escalation:
        """Write the case if its revision is the stored one; one event per changed leaf field.

        Returns the stored case (revision + 1, updated_at = now). When nothing changed, nothing is
        written and the stored case is returned as it is.
        """
        if case.id is None:
            raise ValueError("save() needs a case that was created first (its id is None)")
        with self._guard(), self._write() as conn:
            row = conn.execute(_READ_FOR_SAVE, (case.id,)).fetchone()
            if row is None:
                raise CaseNotFound(f"no case with id {case.id}")
            revision, *old_columns = row
            if case.revision != revision:
                raise StaleCaseError(
                    f"case {case.id} was changed in another window or process (revision "
                    f"{revision}, this copy has {case.revision}); reload it and redo the change"
                )
            was = dict(zip(DERIVED, old_columns, strict=True))
            now = self._now()
            data = case.model_copy(update={"revision": revision + 1, "updated_at": now})
            data_json = case_json(data)
            stored_doc = self._last_saved_document(case.id, revision, was["updated_at"])
            if stored_doc is None:
                stored_doc = self._stored_document(conn, case.id)
            new_doc = json.loads(data_json)
            changes = diff_documents(stored_doc, new_doc)
            if not changes:
                return self._load(case.id, self._stored_data(conn, case.id))
            stored = type(case).model_validate_json(data_json)
            # Only the list columns that changed: each is in an index or two (sixteen in all),
            # and SQLite rewrites an index's entry for every column set, to the same value or
            # not (a tick's commit: 0.28 -> 0.09 ms with the columns it does not change left out).
            values = {
                name: value
                for name, value in self._derive(stored, now).items()
                if name not in was or value != was[name]
            }
            assignments = "".join(f", {name} = :{name}" for name in values)
            values.update(
                id=case.id,
                revision=revision + 1,
                old_revision=revision,
                data=pack_document(data_json),
            )
            conn.execute(
                f"UPDATE cases SET revision = :revision, data = :data{assignments} "
                "WHERE id = :id AND revision = :old_revision",
                values,
            )
            at = iso(now)
            conn.executemany(
                "INSERT INTO events (case_id, at, field, old, new) VALUES (?, ?, ?, ?, ?)",
                [(case.id, at, path, old, new) for path, old, new in changes],
            )
            self._keep_stamp_true(conn)
        # Committed: the next save of this case diffs against this without reading it back.
        self._last_saved = (case.id, revision + 1, at, new_doc)
        return stored

    def _last_saved_document(
        self, case_id: int, revision: int, updated_at: object
    ) -> dict[str, object] | None:
        """The document this store last saved, if it is this case's stored one still: the same
        revision, saved at the same moment (a revision's document never changes, and the time
        tells a case saved elsewhere at the same revision apart). Saves a read of the row's
        document, its unpacking and its parse on every keystroke's save."""
        last = self._last_saved
        if last is None or last[:3] != (case_id, revision, updated_at):
            return None
        return last[3]

    def _stored_data(self, conn: sqlite3.Connection, case_id: int) -> object:
        row = conn.execute("SELECT data FROM cases WHERE id = ?", (case_id,)).fetchone()
        if row is None:
            raise CaseNotFound(f"no case with id {case_id}")
        return row[0]

    def _stored_document(self, conn: sqlite3.Connection, case_id: int) -> dict[str, object]:
        with self._decoding():
            document: dict[str, object] = json.loads(
                unpack_document(self._stored_data(conn, case_id))
            )
        return document

    def events(self, case_id: int) -> list[Event]:
        """The case's change log, oldest first."""
        with self._guard() as conn:
            if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
                raise CaseNotFound(f"no case with id {case_id}")
            rows = conn.execute(
                "SELECT id, case_id, at, field, old, new FROM events WHERE case_id = ? ORDER BY id",
                (case_id,),
            ).fetchall()
        with self._decoding():
            return [
                Event(
                    id=r[0],
                    case_id=r[1],
                    at=datetime.fromisoformat(r[2]),
                    field=r[3],
                    old=r[4],
                    new=r[5],
                )
                for r in rows
            ]

    # -- history and patterns (workbench.history, workbench.signals, workbench.stats) ----------------
    def similar_candidates(
        self, terms: Iterable[str], *, exclude_id: int | None = None, limit: int = 200
    ) -> list[Escalation]:
        """The pool the similar-case ranking reads: cases holding any of `terms` as a word, best
        bm25 first (title weighs most), at most `limit` of them, so finding similar cases never
        scans the whole history. Exact words, not prefixes: prefix queries are several times
        slower on a large history (the caller passes the inflections it wants)."""
        match = any_word_query(terms)
        if match is None or limit <= 0:
            return []
        sql = (
            "SELECT c.id, c.data FROM (SELECT rowid AS id, bm25(cases_fts, 3.0, 0.5, 1.0) AS score "
            "FROM cases_fts WHERE cases_fts MATCH ? ORDER BY score LIMIT ?) AS hit "
            "JOIN cases AS c ON c.id = hit.id WHERE c.id != ? ORDER BY hit.score"
        )
        with self._reading() as conn:
            rows = conn.execute(sql, (match, limit + 1, exclude_id or 0)).fetchall()
        return [self._load(case_id, data) for case_id, data in rows[:limit]]

    def get_many(self, case_ids: Iterable[int]) -> list[Escalation]:
        """The cases with these ids that exist, in the order asked (linked cases, evidence)."""
        wanted = list(dict.fromkeys(int(i) for i in case_ids))
        if not wanted:
            return []
        found: dict[int, Escalation] = {}
        with self._guard() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for case_id, data in conn.execute(
                    f"SELECT id, data FROM cases WHERE id IN ({marks})", chunk
                ).fetchall():
                    found[case_id] = self._load(case_id, data)
        return [found[i] for i in wanted if i in found]

    # -- the calendar the follow-up columns were counted with ---------------------------------------
    def recount_dues(self) -> int:
        """Count the open cases' follow-up columns (`next_due`, `due_latest`) again when the
        playbook's calendar is not the one they were counted with: the agent's zone or holidays
        changed, or the database was last written by an older version. The list, its overdue
        count and the dashboard read those columns; the timeline and `workbench due` count
        live. Returns how many cases' columns changed.

        A database another process is writing to is left as it is (0): the command or the app
        that opened it goes on, and a later open counts them."""
        if self.readonly:
            return 0
        stamp = self._calendar_stamp()
        with self._guard() as conn:
            if self._stamp(conn) == stamp:
                return 0
        with self._guard() as conn:
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                return self._recount_dues(stamp)
            except DatabaseLockedError:
                return 0
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def _recount_dues(self, stamp: str) -> int:
        with self._guard(), self._write() as conn:
            if self._stamp(conn) == stamp:  # another process got here first
                return 0
            now = self._now()
            columns = ", ".join(RECOUNTED)
            rows = conn.execute(
                f"SELECT id, data, {columns} FROM cases WHERE status = ? "
                "OR next_due IS NOT NULL OR due_latest IS NOT NULL",
                (Status.ESCALATED.value,),
            ).fetchall()
            changed = 0
            assignments = ", ".join(f"{name} = :{name}" for name in RECOUNTED)
            for case_id, data, *stored in rows:
                try:
                    values = self._derive(self._load(case_id, data), now)
                except CorruptDatabaseError:  # that case says so when it is opened
                    continue
                # The due times as of now, and the columns they go with (severity can rise
                # with time, and its cadence with it), so a row is never half one moment.
                fresh = {name: values[name] for name in RECOUNTED}
                if tuple(fresh.values()) != tuple(stored):
                    conn.execute(
                        f"UPDATE cases SET {assignments} WHERE id = :id", {**fresh, "id": case_id}
                    )
                    changed += 1
            conn.execute(
                "INSERT OR REPLACE INTO derived_from (key, value) VALUES ('calendar', ?)", (stamp,)
            )
        return changed

    def _keep_stamp_true(self, conn: sqlite3.Connection) -> None:
        """A save derives its row with this store's calendar: if the columns were stamped as
        counted with another (another process, another zone), they no longer all are, and the
        next open counts them again."""
        stamp = self._stamp(conn)
        if stamp is not None and stamp != self._calendar_stamp():
            conn.execute("DELETE FROM derived_from WHERE key = 'calendar'")

    def _calendar_stamp(self) -> str:
        calendar = self.playbook.calendar
        cached = self._stamp_of
        if cached is None or cached[0] is not calendar:
            cached = self._stamp_of = (
                calendar,
                json.dumps(calendar.model_dump(mode="json"), sort_keys=True),
            )
        return cached[1]

    @staticmethod
    def _stamp(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT value FROM derived_from WHERE key = 'calendar'").fetchone()
        return None if row is None else str(row[0])
