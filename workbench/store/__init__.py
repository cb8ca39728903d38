"""The case store, the only package that speaks SQL: `Store` and what its callers need.

The names load lazily (module `__getattr__`, as `textual.widgets` does): catching a `StoreError`
or resolving the database path must not import the store's connection code, and nothing here
imports the case model, pydantic or sqlite-utils before a case is read or written; the list's
first frame is painted without them (tests/test_lazy_start.py)."""

from __future__ import annotations

import typing

from workbench.lazy import lazy_getattr

if typing.TYPE_CHECKING:
    from workbench.store.codec import (
        case_json,
        diff_documents,
        flatten,
        pack_document,
        unpack_document,
    )
    from workbench.store.core import Store
    from workbench.store.errors import (
        CaseNotFound,
        CorruptDatabaseError,
        DatabaseLockedError,
        MigrationError,
        NewerSchemaError,
        ReadOnlyError,
        ServerUnavailableError,
        StaleCaseError,
        StoreError,
        TeamSchemaError,
        UnstorableTextError,
    )
    from workbench.store.facts import CaseFacts
    from workbench.store.interface import CaseStore
    from workbench.store.open import open_store
    from workbench.store.paths import default_db_path, not_a_file, resolve_db_path
    from workbench.store.queries import SORTS, CaseRow, Event
    from workbench.store.search import fts_query, lookup_cheap
    from workbench.store.target import is_team_url, redact_url

# Each public name -> the module that defines it.
_HOMES = {
    "Store": "core",
    "CaseStore": "interface",
    "open_store": "open",
    "is_team_url": "target",
    "redact_url": "target",
    "ServerUnavailableError": "errors",
    "TeamSchemaError": "errors",
    "StoreError": "errors",
    "NewerSchemaError": "errors",
    "CorruptDatabaseError": "errors",
    "DatabaseLockedError": "errors",
    "ReadOnlyError": "errors",
    "CaseNotFound": "errors",
    "UnstorableTextError": "errors",
    "StaleCaseError": "errors",
    "MigrationError": "errors",
    "CaseRow": "queries",
    "Event": "queries",
    "SORTS": "queries",
    "CaseFacts": "facts",
    "default_db_path": "paths",
    "resolve_db_path": "paths",
    "not_a_file": "paths",
    "case_json": "codec",
    "flatten": "codec",
    "diff_documents": "codec",
    "pack_document": "codec",
    "unpack_document": "codec",
    "fts_query": "search",
    "lookup_cheap": "search",
}

__all__ = [
    "SORTS",
    "CaseFacts",
    "CaseNotFound",
    "CaseRow",
    "CaseStore",
    "CorruptDatabaseError",
    "DatabaseLockedError",
    "Event",
    "MigrationError",
    "NewerSchemaError",
    "ReadOnlyError",
    "ServerUnavailableError",
    "StaleCaseError",
    "Store",
    "StoreError",
    "TeamSchemaError",
    "UnstorableTextError",
    "case_json",
    "default_db_path",
    "diff_documents",
    "flatten",
    "fts_query",
    "is_team_url",
    "lookup_cheap",
    "not_a_file",
    "open_store",
    "pack_document",
    "redact_url",
    "resolve_db_path",
    "unpack_document",
]


__getattr__ = lazy_getattr(__name__, _HOMES, globals())
