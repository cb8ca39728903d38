"""The file over time: a v1 database upgraded in place with FTS intact, and files the store must
refuse without writing a byte (newer schema, not SQLite, damaged, truncated, someone else's)."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from workbench.models import Escalation, EscalationRecord, Override, Status, TriageAnswer
from workbench.playbook import Playbook, default_playbook
from workbench.store import (
    CorruptDatabaseError,
    MigrationError,
    NewerSchemaError,
    ReadOnlyError,
    Store,
    migrations,
)
from workbench.store.migrations import APPLICATION_ID, SCHEMA_VERSION, MigrationContext

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def playbook() -> Playbook:
    return default_playbook()


def clock() -> datetime:
    return T0


def _no_derive(data: str) -> Mapping[str, object]:
    raise AssertionError("v1 never derives")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def build_v1(
    path: Path, cases: list[Escalation], *, raw_data: dict[int, str] | None = None
) -> None:
    """A database as version 1 of the app left it: the v1 schema step, then rows as v1's store
    wrote them (search_text = component and narrative; no due_latest or sla)."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn, execute_plugins=False)
    migrations.migrate(MigrationContext(db=db, derive=_no_derive), target=1)
    assert migrations.user_version(conn) == 1
    for case in cases:
        assert case.id is not None
        conn.execute(
            "INSERT INTO cases (id, revision, title, customer, status, severity, routed_to, "
            "next_due, created_at, updated_at, search_text, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case.id,
                case.revision,
                case.title,
                case.customer,
                case.status.value,
                None,
                "",
                None,
                _iso(case.created_at),
                _iso(case.updated_at),
                "\n".join(p for p in (case.component, case.narrative) if p),
                (raw_data or {}).get(case.id, case.model_dump_json()),
            ),
        )
        conn.execute(
            "INSERT INTO events (case_id, at, field, old, new) VALUES (?, ?, 'created', NULL, ?)",
            (case.id, _iso(case.created_at), json.dumps(case.title)),
        )
    conn.close()


def v1_cases() -> list[Escalation]:
    first = Escalation(
        id=1,
        revision=3,
        title="Invoices duplicated",
        customer="Acme",
        component="billing",
        narrative="Every invoice is sent twice.",
        created_at=T0 - timedelta(days=2),
        updated_at=T0 - timedelta(days=1),
    )
    first.reproduction.observed = "two identical emails arrive"
    second = Escalation(
        id=2,
        revision=1,
        title="Dashboard outage",
        customer="Globex",
        status=Status.ESCALATED,
        severity_override=Override(value="high", reason="board demo tomorrow", at=T0),
        escalation=EscalationRecord(destination="engineering", sent_at=T0),
        routed_to=["engineering"],
        created_at=T0 - timedelta(hours=3),
        updated_at=T0 - timedelta(hours=2),
    )
    second.impact.sla = "at_risk"
    return [first, second]


def columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute("PRAGMA table_info(cases)")]
    finally:
        conn.close()


def test_new_file_is_current_and_marked(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "new.db"
    with Store(path, playbook, clock=clock) as store:
        assert store.schema_version == SCHEMA_VERSION == len(migrations.MIGRATIONS)
    conn = sqlite3.connect(path)
    assert migrations.application_id(conn) == APPLICATION_ID
    conn.close()


def test_empty_file_becomes_a_database(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Store(path, playbook, clock=clock) as store:
        assert store.create(Escalation(title="first")).id == 1


def test_v1_file_is_upgraded_keeping_data_and_search(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "v1.db"
    originals = v1_cases()
    build_v1(path, originals)
    assert "due_latest" not in columns(path)

    with Store(path, playbook, clock=clock) as store:
        assert store.schema_version == 6
        assert [store.get(1), store.get(2)] == originals
        assert [e.field for e in store.events(1)] == ["created"]
        # the new columns sit before the JSON, and were filled from each case
        expected = ["due_latest", "sla", "created_at", "updated_at"]
        expected += ["escalated_at", "resolved_at", "search_text", "data"]
        assert columns(path)[-8:] == expected
        facts = {f.id: f for f in store.case_facts()}
        assert facts[2].escalated_at == originals[1].escalation.sent_at  # type: ignore[union-attr]
        assert facts[1].escalated_at is None
        outage = store.list_cases(status="escalated")[0]
        assert outage.severity == "high" and outage.routed_to == "Engineering"
        assert outage.due_latest is not None and outage.sla
        assert store.list_cases(sort="due_latest", descending=False)[0].id == 2
        # old rows: found by what v1 indexed and by what v2 adds (the observed outcome)
        assert [r.id for r in store.list_cases(query="invoice")] == [1]
        assert [r.id for r in store.list_cases(query="identical emails")] == [1]
        # the FTS triggers survived the transform: new and changed rows are found
        created = store.create(Escalation(title="Webhooks silently dropped", customer="Initech"))
        assert [r.id for r in store.list_cases(query="webhook")] == [created.id]
        case = store.get(1)
        case.title = "Credit notes duplicated"
        case.reproduction.observed = "three emails"
        store.save(case)
        assert [r.id for r in store.list_cases(query="credit notes")] == [1]
        assert store.list_cases(query="invoices duplicated") == []
        assert store.list_cases(query="identical") == []
        assert store.count_cases(query="dup") == 1
    # v1's plain JSON is read as it is; a case is packed when it is next saved
    conn = sqlite3.connect(path)
    kinds = dict(conn.execute("SELECT id, typeof(data) FROM cases WHERE id IN (1, 2)").fetchall())
    assert kinds == {1: "blob", 2: "text"}
    conn.close()
    assert migrations.fts_intact(Database(sqlite3.connect(path), execute_plugins=False))
    assert "prefix='3'" in fts_sql(path)  # v4
    assert " WHEN old.rowid IS NOT new.rowid" in fts_sql(path, "cases_au")  # v5
    assert fts_checked(path)


def fts_sql(path: Path, name: str = "cases_fts") -> str:
    conn = sqlite3.connect(path)
    try:
        return str(
            conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
        )
    finally:
        conn.close()


def fts_checked(path: Path) -> bool:
    """FTS5's own integrity check, the index against the cases table: raises if they differ."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO cases_fts (cases_fts, rank) VALUES ('integrity-check', 1)")
        return True
    finally:
        conn.close()


def fts_pages(path: Path) -> list[tuple[int, bytes]]:
    """Every block of the FTS index, as stored."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, block FROM cases_fts_data ORDER BY id").fetchall()
    finally:
        conn.close()


def test_saves_reindex_a_case_only_when_its_searched_text_changed(
    tmp_path: Path, playbook: Playbook
) -> None:
    path = tmp_path / "w.db"
    with Store(path, playbook, clock=clock) as store:
        case = store.create(Escalation(title="Export stalls at 99%", customer="Initech"))
        before = fts_pages(path)
        case.triage["esc.technical.code_fix"] = TriageAnswer(checked=True)
        case.impact.customers_affected = 12
        case = store.save(case)
        assert fts_pages(path) == before  # no indexed column changed: the index was not touched
        assert [r.id for r in store.list_cases(query="stalls")] == [1]
        assert fts_checked(path)
        for change in (
            lambda c: setattr(c, "title", "Exports time out behind the proxy"),
            lambda c: setattr(c, "customer", "INITECH"),  # only the case differs: still indexed
            lambda c: setattr(c, "customer", "Globex"),
            lambda c: setattr(c, "narrative", "Seen since the gateway upgrade"),
        ):
            before = fts_pages(path)
            change(case)
            case = store.save(case)
            assert fts_pages(path) != before
            assert fts_checked(path)
        assert store.list_cases(query="stalls") == []
        assert store.list_cases(query="initech") == []
        for words in ("proxy", "globex", "gateway upgrade"):
            assert [r.id for r in store.list_cases(query=words)] == [1]
    # No write path changes a case's id; were one to, the index would follow the row.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cases SET id = 1001 WHERE id = 1")
    conn.commit()
    conn.close()
    assert fts_checked(path)
    with Store(path, playbook, clock=clock) as store:
        assert [r.id for r in store.list_cases(query="gateway")] == [1001]


def test_a_lost_search_trigger_is_repaired_at_open(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "repair.db"
    with Store(path, playbook, clock=clock) as store:
        store.create(Escalation(title="Export stalls at 99%", customer="Initech"))
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER cases_au")
    conn.commit()
    conn.close()
    with Store(path, playbook, clock=clock) as store:
        case = store.get(1)
        case.title = "Exports time out behind the proxy"
        store.save(case)
        assert [r.id for r in store.list_cases(query="proxy")] == [1]
        assert [r.id for r in store.list_cases(query="exp")] == [1]  # the prefix index
        assert store.list_cases(query="stalls") == []
    assert migrations.fts_intact(Database(sqlite3.connect(path), execute_plugins=False))
    assert "prefix='3'" in fts_sql(path)
    fresh = tmp_path / "fresh.db"
    Store(fresh, playbook, clock=clock).close()
    assert fts_sql(path, "cases_au") == fts_sql(fresh, "cases_au")  # as schema 5 has it
    assert fts_checked(path)
    found = Database(sqlite3.connect(path), execute_plugins=False)["cases"].detect_fts()
    assert found == "cases_fts"  # sqlite-utils still knows it (its own FTS helpers work)


def test_failed_migration_changes_nothing(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "bad-row.db"
    cases = v1_cases()
    build_v1(path, cases, raw_data={2: '{"status": "no-such-status"}'})
    with pytest.raises(MigrationError, match="nothing was changed") as info:
        Store(path, playbook, clock=clock)
    assert "\n" not in str(info.value)
    conn = sqlite3.connect(path)
    assert migrations.user_version(conn) == 1
    assert "due_latest" not in columns(path)
    assert conn.execute("SELECT data FROM cases WHERE id = 2").fetchone()[0].startswith('{"status')
    conn.close()


def test_old_file_opened_readonly_is_not_upgraded(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "v1.db"
    build_v1(path, v1_cases())
    before = path.read_bytes()
    with pytest.raises(ReadOnlyError, match="needs an upgrade"):
        Store(path, playbook, readonly=True)
    assert path.read_bytes() == before


def test_lost_fts_triggers_are_rebuilt_on_open(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "w.db"
    with Store(path, playbook, clock=clock) as store:
        case = store.create(Escalation(title="alpha"))
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER cases_au")
    conn.commit()
    conn.close()
    with Store(path, playbook, clock=clock) as store:
        case.title = "omega"
        store.save(case)
        assert [r.id for r in store.list_cases(query="omega")] == [1]
        assert store.list_cases(query="alpha") == []


# -- files that are refused, untouched ----------------------------------------------------------------
@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A closed, checkpointed database of 40 cases over many pages, built once."""
    path = tmp_path_factory.mktemp("healthy") / "w.db"
    with Store(path, default_playbook(), clock=clock) as store:
        for n in range(40):
            store.create(Escalation(title=f"case {n}", narrative="words " * 60))
    return path.read_bytes()


def test_newer_schema_is_refused_and_untouched(
    tmp_path: Path, playbook: Playbook, healthy: bytes
) -> None:
    path = tmp_path / "future.db"
    path.write_bytes(healthy)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(NewerSchemaError, match="newer Escalation Workbench") as info:
            Store(path, playbook, readonly=readonly)
        assert "schema 99" in str(info.value) and "\n" not in str(info.value)
        assert path.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == ["future.db"]  # no -wal/-shm left


def _truncated_at_page(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 // 4096 * 4096])


def _truncated_mid_page(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 1000])


def _zeroed_schema_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = bytes(3996)
    path.write_bytes(bytes(data))


def _garbage_after_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(7)
    data[16:] = rng.randbytes(len(data) - 16)
    path.write_bytes(bytes(data))


def _text_file(path: Path) -> None:
    path.write_text("# Escalation\nnot a database at all\n" * 20)


def _random_bytes(path: Path) -> None:
    rng = random.Random(3)
    path.write_bytes(rng.randbytes(8192))


def _tiny(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00\x10")


@pytest.mark.parametrize(
    "damage",
    [
        _truncated_at_page,
        _truncated_mid_page,
        _zeroed_schema_page,
        _garbage_after_header,
        _text_file,
        _random_bytes,
        _tiny,
    ],
)
def test_damaged_files_are_refused_and_untouched(
    tmp_path: Path, playbook: Playbook, healthy: bytes, damage: Callable[[Path], None]
) -> None:
    path = tmp_path / "damaged.db"
    path.write_bytes(healthy)
    damage(path)
    before = path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(CorruptDatabaseError) as info:
            Store(path, playbook, readonly=readonly)
        assert "\n" not in str(info.value) and str(path) in str(info.value)
        assert path.read_bytes() == before


def test_damaged_data_page_fails_on_read_not_silently(
    tmp_path: Path, playbook: Playbook, healthy: bytes
) -> None:
    path = tmp_path / "damaged.db"
    path.write_bytes(healthy)
    data = bytearray(path.read_bytes())
    data[len(data) - 4096 * 3 : len(data) - 4096 * 2] = bytes(4096)
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError), Store(path, playbook, readonly=True) as store:
        list(store.all_cases())
        for case_id in range(1, 41):
            store.events(case_id)
        store.list_cases(query="words")
    assert path.read_bytes() == before


def test_someone_elses_sqlite_file_is_refused(tmp_path: Path, playbook: Playbook) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError, match="not an Escalation Workbench"):
        Store(path, playbook)
    assert path.read_bytes() == before
