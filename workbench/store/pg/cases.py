"""The team database's cases: create and save (each its own transaction, one event per changed
field, the same optimistic revision check as locally), reading them back with their authors, the
similar-case pool from the server's full-text index, handing a case over, and the follow-up
columns counted again with the playbook's calendar."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from workbench.store.codec import case_json, diff_documents, iso, pack_document, unpack_document
from workbench.store.columns import RECOUNTED
from workbench.store.errors import CaseNotFound, CorruptDatabaseError, StaleCaseError, StoreError
from workbench.store.pg.base import (
    PREFIX_VECTOR,
    SEARCH_VECTOR,
    Connection,
    PgStoreBase,
    assignments,
)
from workbench.store.pg.search import RANK_WEIGHTS, any_word_ts_query
from workbench.store.queries import Event
from workbench.vocab import Status

if TYPE_CHECKING:
    from workbench.models import Escalation

_NEXT_ID = (
    "SELECT nextval(pg_get_serial_sequence('workbench.cases', 'id')) FROM generate_series(1, %s)"
)


def _insert_sql(values: dict[str, object]) -> str:
    names = [name for name in values if not name.startswith("fts_")]
    marks = [f"%({name})s" for name in names]
    return (
        f"INSERT INTO cases ({', '.join(names)}, search_vector, search_prefixes) "
        f"VALUES ({', '.join(marks)}, {SEARCH_VECTOR}, {PREFIX_VECTOR})"
    )


class PgCaseWrites(PgStoreBase):
    """Cases in and out, one at a time or many, and their event log with its authors."""

    def create(
        self,
        case: Escalation,
        *,
        source: str | None = None,
        history: Sequence[Event] = (),
    ) -> Escalation:
        """Store a new case under a new id, revision 1 (see `Store.create`). Its owner and
        creator are the connected role, whatever the case says. `source`: where it was copied
        from (`team import-local`), unique, so the same case is never copied twice; its first
        event is then "imported" (from the source), followed by the copied case's own change
        log, `history`, with the times it was written (their author: whoever copies them)."""
        with self._write() as conn:
            now = self._now()
            new_id = int(conn.execute(_NEXT_ID, (1,)).fetchone()[0])  # type: ignore[index]
            data = case.model_copy(update={"id": new_id, "revision": 1, "updated_at": now})
            data_json = case_json(data)
            stored = type(case).model_validate_json(data_json)
            values = self._columns(stored, now)
            values.update(id=new_id, revision=1, data=pack_document(data_json), source=source)
            conn.execute(_insert_sql(values), values)
            first = ("imported", json.dumps(source)) if source is not None else None
            first = first or ("created", json.dumps(stored.title, ensure_ascii=False))
            conn.execute(
                "INSERT INTO events (case_id, at, field, old, new) VALUES (%s, %s, %s, NULL, %s)",
                (new_id, iso(now), *first),
            )
            if history:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO events (case_id, at, field, old, new) "
                        "VALUES (%s, %s, %s, %s, %s)",
                        [(new_id, iso(e.at), e.field, e.old, e.new) for e in history],
                    )
            self._keep_stamp_true(conn)
            return stored

    def create_many(self, cases: Iterable[Escalation], *, batch: int = 2000) -> int:
        """Many new cases at once, each keeping its own `updated_at` (see `Store.create_many`)."""
        stored = 0
        pending = iter(cases)
        while chunk := [case for _, case in zip(range(batch), pending, strict=False)]:
            with self._write() as conn:
                now = self._now()
                new_ids = [int(r[0]) for r in conn.execute(_NEXT_ID, (len(chunk),)).fetchall()]
                rows: list[dict[str, object]] = []
                created: list[tuple[int, str | None, str]] = []
                for new_id, case in zip(new_ids, chunk, strict=True):
                    data = case.model_copy(update={"id": new_id, "revision": 1})
                    values = self._columns(data, now)
                    values.update(
                        id=new_id, revision=1, data=pack_document(case_json(data)), source=None
                    )
                    rows.append(values)
                    title = json.dumps(data.title, ensure_ascii=False)
                    created.append((new_id, iso(data.created_at), title))
                with conn.cursor() as cur:
                    cur.executemany(_insert_sql(rows[0]), rows)
                    cur.executemany(
                        "INSERT INTO events (case_id, at, field, old, new) "
                        "VALUES (%s, %s, 'created', NULL, %s)",
                        created,
                    )
                self._keep_stamp_true(conn)
            stored += len(chunk)
        if stored:
            self._tidy_after_load()
        return stored

    def _tidy_after_load(self) -> None:
        """After a bulk load, what autovacuum would do later: the planner's statistics and the
        visibility map (a search's count reads the index, not every matching row's page: 180 ms
        -> 13 ms for 'export' at 100,000 cases). Only the tables' owner may; for an agent the
        server says so in a warning and does nothing."""
        with self._guard() as conn:
            conn.execute("VACUUM (ANALYZE) cases")

    def get(self, case_id: int) -> Escalation:
        with self._guard() as conn:
            row = conn.execute("SELECT data FROM cases WHERE id = %s", (case_id,)).fetchone()
        if row is None:
            raise CaseNotFound(f"no case with id {case_id}")
        return self._load(case_id, row[0])

    def save(self, case: Escalation) -> Escalation:
        """Write the case if its revision is the stored one (the row is locked while checked);
        one event per changed leaf field, each with the connected role as its author."""
        if case.id is None:
            raise ValueError("save() needs a case that was created first (its id is None)")
        with self._write() as conn:
            row = conn.execute(
                "SELECT revision, data FROM cases WHERE id = %s FOR UPDATE", (case.id,)
            ).fetchone()
            if row is None:
                raise CaseNotFound(f"no case with id {case.id}")
            revision, old_data = row
            if case.revision != revision:
                raise StaleCaseError(
                    f"case {case.id} was changed in another window or process (revision "
                    f"{revision}, this copy has {case.revision}); reload it and redo the change"
                )
            now = self._now()
            data = case.model_copy(update={"revision": revision + 1, "updated_at": now})
            data_json = case_json(data)
            try:
                stored_doc = json.loads(unpack_document(old_data))
            except ValueError as exc:
                raise CorruptDatabaseError(f"case {case.id} cannot be read ({exc})") from exc
            changes = diff_documents(stored_doc, json.loads(data_json))
            if not changes:
                return self._load(case.id, old_data)
            stored = type(case).model_validate_json(data_json)
            values = self._columns(stored, now)
            sets = assignments(values)
            values.update(id=case.id, revision=revision + 1, data=pack_document(data_json))
            conn.execute(
                f"UPDATE cases SET revision = %(revision)s, data = %(data)s, {sets} "
                "WHERE id = %(id)s",
                values,
            )
            at = iso(now)
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO events (case_id, at, field, old, new) VALUES (%s, %s, %s, %s, %s)",
                    [(case.id, at, path, old, new) for path, old, new in changes],
                )
            self._keep_stamp_true(conn)
            return stored

    def events(self, case_id: int) -> list[Event]:
        """The case's change log, oldest first, each event with its author (a role name)."""
        with self._guard() as conn:
            if conn.execute("SELECT 1 FROM cases WHERE id = %s", (case_id,)).fetchone() is None:
                raise CaseNotFound(f"no case with id {case_id}")
            rows = conn.execute(
                "SELECT id, case_id, at, field, old, new, author FROM events "
                "WHERE case_id = %s ORDER BY id",
                (case_id,),
            ).fetchall()
        try:
            return [
                Event(
                    id=r[0],
                    case_id=r[1],
                    at=datetime.fromisoformat(r[2]),
                    field=r[3],
                    old=r[4],
                    new=r[5],
                    author=r[6],
                )
                for r in rows
            ]
        except ValueError as exc:
            raise CorruptDatabaseError(f"case {case_id}'s log cannot be read ({exc})") from exc

    def sources(self, prefix: str) -> dict[str, int]:
        """The copied cases whose source key starts with `prefix` (`team import-local`): source
        -> team id."""
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT source, id FROM cases WHERE starts_with(source, %s)", (prefix,)
            ).fetchall()
        return {str(source): int(case_id) for source, case_id in rows}

    # -- who holds a case ---------------------------------------------------------------------------
    def owner(self, case_id: int) -> str:
        with self._guard() as conn:
            row = conn.execute("SELECT owner FROM cases WHERE id = %s", (case_id,)).fetchone()
        if row is None:
            raise CaseNotFound(f"no case with id {case_id}")
        return str(row[0])

    def people(self, case_id: int) -> dict[str, str] | None:
        """The case's owner, creator and last writer, as the server recorded them."""
        with self._guard() as conn:
            row = conn.execute(
                "SELECT owner, created_by, updated_by FROM cases WHERE id = %s", (case_id,)
            ).fetchone()
        if row is None:
            raise CaseNotFound(f"no case with id {case_id}")
        return {"owner": row[0], "created_by": row[1], "updated_by": row[2]}

    def hand_over(self, case_id: int, agent: str) -> None:
        """Give the case to another agent (a role): the server logs the change of owner with
        its author. Escalation does not transfer the customer relationship; a handover does."""
        with self._write() as conn:
            found = conn.execute(
                "UPDATE cases SET owner = %s WHERE id = %s RETURNING id", (agent, case_id)
            ).fetchone()
            if found is None:
                raise CaseNotFound(f"no case with id {case_id}")

    def agent(self) -> str | None:
        """The connected role: the owner of the cases this store creates."""
        if self._agent is None:
            with self._guard() as conn:
                row = conn.execute("SELECT current_user").fetchone()
            self._agent = str(row[0]) if row else ""
        return self._agent

    # -- history and patterns -----------------------------------------------------------------------
    def similar_candidates(
        self, terms: Iterable[str], *, exclude_id: int | None = None, limit: int = 200
    ) -> list[Escalation]:
        """The similar-case pool over the whole team's history: cases holding any of `terms` as
        a word, best ranked first (title weighs most), at most `limit` (see `Store`)."""
        query = any_word_ts_query(terms)
        if query is None or limit <= 0:
            return []
        sql = (
            "SELECT id, data FROM cases, to_tsquery('simple', %(q)s) AS q "
            "WHERE search_vector @@ q AND id <> %(exclude)s "
            f"ORDER BY ts_rank('{RANK_WEIGHTS}', search_vector, q) DESC, id DESC LIMIT %(limit)s"
        )
        with self._guard() as conn:
            rows = conn.execute(sql, {"q": query, "exclude": exclude_id or 0, "limit": limit})
            found = rows.fetchall()
        return [self._load(case_id, data) for case_id, data in found]

    def get_many(self, case_ids: Iterable[int]) -> list[Escalation]:
        wanted = list(dict.fromkeys(int(i) for i in case_ids))
        if not wanted:
            return []
        with self._guard() as conn:
            rows = conn.execute(
                "SELECT id, data FROM cases WHERE id = ANY(%s)", (wanted,)
            ).fetchall()
        found = {case_id: self._load(case_id, data) for case_id, data in rows}
        return [found[i] for i in wanted if i in found]

    # -- the calendar the follow-up columns were counted with ---------------------------------------
    def recount_dues(self) -> int:
        """As `Store.recount_dues`; one agent at a time (an advisory lock: another agent already
        counting means this one goes on without waiting, and returns 0)."""
        if self.readonly:
            return 0
        stamp = self._calendar_stamp()
        with self._guard() as conn:
            if self._stamp(conn) == stamp:
                return 0
        try:
            return self._recount_dues(stamp)
        except StoreError:
            return 0

    def _recount_dues(self, stamp: str) -> int:
        with self._write() as conn:
            got = conn.execute(
                "SELECT pg_try_advisory_xact_lock(hashtext('workbench recount'))"
            ).fetchone()
            if not got or not got[0] or self._stamp(conn) == stamp:
                return 0
            now = self._now()
            columns = ", ".join(RECOUNTED)
            rows = conn.execute(
                f"SELECT id, data, {columns} FROM cases WHERE status = %s "
                "OR next_due IS NOT NULL OR due_latest IS NOT NULL",
                (Status.ESCALATED.value,),
            ).fetchall()
            changed = 0
            sets = ", ".join(f"{name} = %({name})s" for name in RECOUNTED)
            for case_id, data, *stored in rows:
                try:
                    values = self._columns(self._load(case_id, data), now)
                except CorruptDatabaseError:
                    continue
                fresh = {name: values[name] for name in RECOUNTED}
                if tuple(fresh.values()) != tuple(stored):
                    conn.execute(
                        f"UPDATE cases SET {sets} WHERE id = %(id)s", {**fresh, "id": case_id}
                    )
                    changed += 1
            conn.execute(
                "INSERT INTO derived_from (key, value) VALUES ('calendar', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (stamp,),
            )
        return changed

    def _keep_stamp_true(self, conn: Connection) -> None:
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
    def _stamp(conn: Connection) -> str | None:
        row = conn.execute("SELECT value FROM derived_from WHERE key = 'calendar'").fetchone()
        return None if row is None else str(row[0])
