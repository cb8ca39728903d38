"""The one store interface the app, the CLI and the operations use, whichever backend keeps the
cases: the local SQLite file (`core.Store`) or a team's PostgreSQL database (`pg.PgStore`). A
Protocol, so neither backend imports the other and the local start never loads the driver."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:
    from workbench.models import Escalation
    from workbench.playbook import Playbook
    from workbench.store.facts import CaseFacts
    from workbench.store.queries import CaseRow, Event, Filter


class CaseStore(Protocol):
    """What every backend offers (see `core.Store` for each method's contract)."""

    clock: Callable[[], datetime]
    change_poll: float  # seconds between the list's looks at `data_version`
    readonly: bool
    damage: str | None
    on_damage: Callable[[str], object] | None

    @property
    def playbook(self) -> Playbook: ...

    @property
    def location(self) -> str:
        """Where the cases are, fit to show (a file path, or a URL without its password)."""
        ...

    @property
    def schema_version(self) -> int: ...

    def agent(self) -> str | None:
        """Who this store writes as: the connected role on a team database (the list's "mine"
        filter, `owner=`); None for the local file, whose cases are all its agent's."""
        ...

    def people(self, case_id: int) -> dict[str, str] | None:
        """Who holds and wrote the case on a team database (owner, created_by, updated_by, as
        the server recorded them); None for the local file (one agent's)."""
        ...

    def verify(self) -> None: ...
    def data_version(self) -> int: ...
    def owns(self, target: Path | str) -> bool: ...
    def backup(self, dest_path: Path | str, *, overwrite: bool = False) -> Path: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...

    # -- the list ----------------------------------------------------------------------------------
    def list_cases(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        sort: str = "updated_at",
        descending: bool = True,
        limit: int | None = 100,
        offset: int = 0,
        owner: str | None = None,
    ) -> list[CaseRow]: ...

    def page(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        sort: str = "updated_at",
        descending: bool = True,
        limit: int | None = 100,
        offset: int = 0,
        cap: int | None = None,
        owner: str | None = None,
    ) -> tuple[int, list[CaseRow]]: ...

    def count_cases(
        self,
        *,
        status: Filter = None,
        severity: Filter = None,
        query: str | None = None,
        cap: int | None = None,
        owner: str | None = None,
    ) -> int: ...

    def count_overdue(self, now: datetime) -> int: ...
    def all_cases(self) -> Iterator[Escalation]: ...
    def case_facts(self, *, since: datetime | None = None) -> Iterator[CaseFacts]: ...

    # -- the cases ---------------------------------------------------------------------------------
    def create(self, case: Escalation) -> Escalation: ...
    def create_many(self, cases: Iterable[Escalation], *, batch: int = 2000) -> int: ...
    def get(self, case_id: int) -> Escalation: ...
    def save(self, case: Escalation) -> Escalation: ...
    def events(self, case_id: int) -> list[Event]: ...
    def similar_candidates(
        self, terms: Iterable[str], *, exclude_id: int | None = None, limit: int = 200
    ) -> list[Escalation]: ...
    def get_many(self, case_ids: Iterable[int]) -> list[Escalation]: ...
    def recount_dues(self) -> int: ...
