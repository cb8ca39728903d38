"""The case store, the only package that speaks SQL."""

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
    StaleCaseError,
    StoreError,
    UnstorableTextError,
)
from workbench.store.paths import default_db_path, resolve_db_path
from workbench.store.queries import SORTS, CaseRow, Event
from workbench.store.search import fts_query, lookup_cheap

__all__ = [
    "SORTS",
    "CaseNotFound",
    "CaseRow",
    "CorruptDatabaseError",
    "DatabaseLockedError",
    "Event",
    "MigrationError",
    "NewerSchemaError",
    "ReadOnlyError",
    "StaleCaseError",
    "Store",
    "StoreError",
    "UnstorableTextError",
    "case_json",
    "default_db_path",
    "diff_documents",
    "flatten",
    "fts_query",
    "lookup_cheap",
    "pack_document",
    "resolve_db_path",
    "unpack_document",
]
