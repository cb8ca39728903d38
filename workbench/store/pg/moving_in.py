"""`team import-local`: an agent's local history copied into the team database. Each case gets a
team id of its own (ids are kept apart: the local id is kept in the case's `source` key, with
the file's origin), each case's change log comes along (its first event in the team database
says "imported"), links between the copied cases follow the new ids, and a second run adds
nothing (a source already in the team database is skipped). The counts are checked at the end."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psycopg import errors as pg_errors

from workbench.store.errors import StoreError
from workbench.store.pg.store import PgStore
from workbench.store.queries import Event

if TYPE_CHECKING:
    from workbench.models import Escalation


@dataclass(frozen=True)
class MoveReport:
    origin: str
    local: int  # cases in the local file
    added: int  # copied by this run
    already: int  # copied by an earlier run (or another process meanwhile)
    in_team: int  # the team database's cases from this origin, counted after the copy


def origin_of(first: Escalation | None) -> str:
    """A file's origin key: from its first case (id, creation time, title, customer), the same
    for every run on the same file and different for two agents' files."""
    if first is None:
        return "empty"
    text = f"{first.id}|{first.created_at.isoformat()}|{first.title}|{first.customer}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def move_in(
    team: PgStore,
    cases: Iterable[Escalation],
    origin: str,
    history: Callable[[int], Sequence[Event]] | None = None,
) -> MoveReport:
    """Copy `cases` (a local store's, in id order) into `team` under `origin` (see module),
    each with its change log (`history(local id)`, the local store's `events`)."""
    prefix = f"{origin}:"
    known = team.sources(prefix)  # source -> team id
    local = added = already = 0
    new_ids: dict[int, int] = {}
    linked: list[int] = []
    for case in cases:
        local += 1
        if case.id is None:
            continue
        source = f"{prefix}{case.id}"
        if source in known:
            already += 1
            new_ids[case.id] = known[source]
            continue
        try:
            log = history(case.id) if history is not None else ()
            stored = team.create(case.model_copy(update={"id": None}), source=source, history=log)
        except StoreError as exc:
            if isinstance(exc.__cause__, pg_errors.UniqueViolation):  # another run got it
                already += 1
                continue
            raise
        added += 1
        assert stored.id is not None
        new_ids[case.id] = stored.id
        if stored.linked:
            linked.append(stored.id)
    for team_id in linked:  # links between local cases follow their new ids
        case = team.get(team_id)
        case.linked = [new_ids.get(i, i) for i in case.linked]
        team.save(case)
    in_team = len(team.sources(prefix))
    if in_team != local:
        raise StoreError(
            f"the copy does not add up: {local} local case(s), {in_team} in the team database "
            f"from this file (origin {origin}); nothing is lost, run the import again"
        )
    return MoveReport(origin, local, added, already, in_team)
