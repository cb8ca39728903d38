"""Team mode on a real PostgreSQL server (tests/pg.py): setting a team up, who did what (authors
and owners set by the server), what an agent's role cannot do, the errors a team database gives
(an unreachable server, no schema, a password never shown), and the patterns over the whole
team's history (moving in: test_moving_in.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import errors as pg_errors

from tests.conftest import NOW
from tests.pg import as_role
from tests.team.helpers import one_line_error, open_as, run
from workbench import cli
from workbench.models import Escalation, Reproduction
from workbench.playbook import Playbook
from workbench.store import (
    ServerUnavailableError,
    StaleCaseError,
    StoreError,
    TeamSchemaError,
    open_store,
    redact_url,
)
from workbench.store.pg.team import AGENTS_GROUP
from workbench.vocab import OPEN_STATUSES, Status


# -- setting a team up --------------------------------------------------------------------------
def test_init_add_agent_and_status_from_the_shell(pg_url: str, prefix: str) -> None:
    assert run(pg_url, "team", "init").exit_code == 0
    assert run(pg_url, "team", "init").exit_code == 0  # again: nothing to do, no error
    name = prefix + "dana"
    added = run(pg_url, "team", "add-agent", name, "--password-stdin", input="s3cret-pw\n")
    assert added.exit_code == 0, added.stderr
    assert "s3cret-pw" not in added.output + added.stderr
    again = run(pg_url, "team", "add-agent", name, "--no-password")
    assert again.exit_code == 0 and "granted" in again.stderr
    status = json.loads(run(pg_url, "team", "status", "--json").stdout)
    assert status["schema_version"] == 6
    assert status["group"] == AGENTS_GROUP
    assert [a["name"] for a in status["agents"] if a["name"].startswith(prefix)] == [name]
    with psycopg.connect(pg_url) as conn:  # the password reached the server hashed
        (stored,) = conn.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (name,)
        ).fetchone() or (None,)
    assert stored is not None and stored.startswith("SCRAM-SHA-256$")


def test_team_commands_need_a_team_database(tmp_path: object) -> None:
    result = CliRunner().invoke(cli.main, ["--db", "local.db", "team", "status"])
    assert "team database" in one_line_error(result)


# -- who did what -------------------------------------------------------------------------------
def test_authors_and_owners_come_from_the_connected_role(
    team: dict[str, str], playbook: Playbook, prefix: str
) -> None:
    with open_as(team["alice"], playbook) as alice, open_as(team["bob"], playbook) as bob:
        created = alice.create(Escalation(title="Export times out", customer="Acme"))
        assert created.id is not None
        case = bob.get(created.id)
        case.narrative = "Bob added the narrative."
        bob.save(case)
        assert alice.owner(created.id) == prefix + "alice"
        authors = [(e.field, e.author) for e in alice.events(created.id)]
        assert authors == [("created", prefix + "alice"), ("narrative", prefix + "bob")]
        alice.hand_over(created.id, prefix + "carol")
        assert bob.owner(created.id) == prefix + "carol"
        handover = bob.events(created.id)[-1]
        assert handover.field == "owner" and handover.author == prefix + "alice"
        assert (handover.old_value, handover.new_value) == (prefix + "alice", prefix + "carol")
        with pytest.raises(StoreError, match="no agent named"):
            alice.hand_over(created.id, prefix + "nobody")
    shown = run(team["bob"], "show", str(created.id))
    assert (
        f"Owner: {prefix}carol    Created by: {prefix}alice    Last change by: {prefix}alice"
        in (shown.stdout)
    )


def test_two_agents_saving_one_case_never_lose_an_update(
    team: dict[str, str], playbook: Playbook
) -> None:
    with open_as(team["alice"], playbook) as alice, open_as(team["bob"], playbook) as bob:
        case_id = alice.create(Escalation(title="Original")).id or 0
        mine, theirs = alice.get(case_id), bob.get(case_id)
        mine.title = "Alice's title"
        alice.save(mine)
        theirs.title = "Bob's title"
        with pytest.raises(StaleCaseError):
            bob.save(theirs)
        assert bob.get(case_id).title == "Alice's title"


def test_another_agent_s_change_moves_data_version_and_one_s_own_does_not(
    team: dict[str, str], playbook: Playbook
) -> None:
    with open_as(team["alice"], playbook) as alice, open_as(team["bob"], playbook) as bob:
        seen = alice.data_version()
        alice.create(Escalation(title="Alice's own"))
        assert alice.data_version() == seen
        bob.create(Escalation(title="Bob's"))
        alice.wait_for_change(5)  # a notification is delivered just after the commit
        assert alice.data_version() != seen


def test_another_agent_s_change_is_notified_and_one_s_own_is_not(
    team: dict[str, str], playbook: Playbook
) -> None:
    """LISTEN/NOTIFY: the list learns of another agent's change without querying the table."""
    with open_as(team["alice"], playbook) as alice, open_as(team["bob"], playbook) as bob:
        assert alice.wait_for_change(0) is False
        alice.create(Escalation(title="Alice's own"))
        assert alice.wait_for_change(0) is False
        bob.create(Escalation(title="Bob's"))
        assert alice.wait_for_change(5) is True  # already sent: returns as soon as it is read
        assert alice.wait_for_change(0) is False
        assert alice.change_poll <= 1.0


def test_counts_are_read_again_after_any_change(pg_url: str, playbook: Playbook) -> None:
    """The list's counts are kept while nothing changed: one's own save, or another agent's
    once notified, makes them read again."""
    with open_as(pg_url, playbook) as mine, open_as(pg_url, playbook) as theirs:
        mine.create(Escalation(title="One", status=Status.ESCALATED))
        assert mine.count_cases(status=OPEN_STATUSES) == 1
        assert mine.page(status=OPEN_STATUSES)[0] == 1
        mine.create(Escalation(title="Two", status=Status.ESCALATED))
        assert mine.count_cases(status=OPEN_STATUSES) == 2
        assert mine.page()[0] == 2
        theirs.create(Escalation(title="Three", status=Status.ESCALATED))
        mine.wait_for_change(5)  # the notification, delivered just after the commit
        assert mine.count_cases(status=OPEN_STATUSES) == 3
        assert sorted(r.title for r in mine.page(offset=0)[1]) == ["One", "Three", "Two"]
        assert mine.page(offset=5) == (3, [])


def test_a_bulk_load_is_one_notification_per_transaction(pg_url: str, playbook: Playbook) -> None:
    """One notification per statement, folded per transaction: a listener is told that cases
    changed, not each case (100,000 of them held a listener that was not reading, and its
    snapshot kept VACUUM from marking the loaded pages all-visible)."""
    with psycopg.connect(pg_url, autocommit=True) as listener, open_as(pg_url, playbook) as store:
        listener.execute("LISTEN workbench_cases")
        store.create_many(Escalation(title=f"Loaded {i}") for i in range(300))
        # Every notification already sent is read; the wait only ends the stream.
        assert len(list(listener.notifies(timeout=0.2))) == 1


# -- what an agent's role cannot do -------------------------------------------------------------
@pytest.fixture
def agent_conn(team: dict[str, str], playbook: Playbook) -> Iterator[psycopg.Connection]:
    """Alice's own connection, outside the app: what her role may do, whatever the client."""
    with open_as(team["alice"], playbook) as alice:
        alice.create(Escalation(title="A case"))
    with psycopg.connect(team["alice"], autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE workbench.cases ADD COLUMN sneaky text",
        "ALTER TABLE workbench.events DISABLE TRIGGER events_author",
        "DROP TABLE workbench.events",
        "DROP SCHEMA workbench CASCADE",
        "CREATE TABLE workbench.extra (id int)",
        "DROP TRIGGER events_append_only ON workbench.events",
        "UPDATE workbench.meta SET value = '99' WHERE key = 'schema_version'",
        "UPDATE workbench.events SET new = '\"rewritten\"'",
        "DELETE FROM workbench.events",
        "TRUNCATE workbench.events",
        "DELETE FROM workbench.cases",
    ],
)
def test_an_agent_cannot_change_the_schema_or_rewrite_the_log(
    agent_conn: psycopg.Connection, statement: str
) -> None:
    with pytest.raises(pg_errors.InsufficientPrivilege):
        agent_conn.execute(statement)


def test_even_the_owner_cannot_rewrite_the_log(team: dict[str, str], pg_url: str) -> None:
    with psycopg.connect(team["alice"], autocommit=True) as conn:
        conn.execute(
            "INSERT INTO workbench.cases (revision, status, created_at, updated_at, "
            "search_vector, data) VALUES (1, 'draft', '', '', '', '')"
        )
        case_id = conn.execute("SELECT max(id) FROM workbench.cases").fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO workbench.events (case_id, at, field) VALUES (%s, '', 'x')", (case_id,)
        )
    with psycopg.connect(pg_url, autocommit=True) as owner:
        for statement in (
            "UPDATE workbench.events SET field = 'y'",
            "DELETE FROM workbench.events",
        ):
            with pytest.raises(pg_errors.InsufficientPrivilege, match="append-only"):
                owner.execute(statement)


def test_an_agent_cannot_write_another_agent_s_name(
    agent_conn: psycopg.Connection, prefix: str
) -> None:
    case_id = agent_conn.execute("SELECT max(id) FROM workbench.cases").fetchone()[0]  # type: ignore[index]
    agent_conn.execute(
        "INSERT INTO workbench.events (case_id, at, field, author) VALUES (%s, '', 'x', %s)",
        (case_id, prefix + "bob"),
    )
    agent_conn.execute(
        "UPDATE workbench.cases SET created_by = %s, updated_by = %s WHERE id = %s",
        (prefix + "bob", prefix + "bob", case_id),
    )
    author = agent_conn.execute("SELECT author FROM workbench.events ORDER BY id DESC LIMIT 1")
    assert author.fetchone() == (prefix + "alice",)
    row = agent_conn.execute(
        "SELECT created_by, updated_by, owner FROM workbench.cases WHERE id = %s", (case_id,)
    ).fetchone()
    assert row == (prefix + "alice",) * 3


# -- errors: one line, never a password ---------------------------------------------------------
def test_an_unreachable_server_is_one_line_without_the_password(playbook: Playbook) -> None:
    url = "postgresql://agent:hunter2-secret@127.0.0.1:1/team?connect_timeout=2"
    with pytest.raises(ServerUnavailableError) as info:
        open_store(url, playbook)
    assert "hunter2" not in str(info.value) and "127.0.0.1/team" in str(info.value)
    line = one_line_error(run(url, "list"))
    assert "not reachable" in line and "hunter2" not in line


def test_an_agent_on_a_database_without_the_schema_is_told_to_run_init(
    pg_url: str, pg_admin_url: str, prefix: str, playbook: Playbook
) -> None:
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{prefix}eve" LOGIN')
    with psycopg.connect(pg_url, autocommit=True) as conn:  # PG 15+: no CREATE in public either
        database = urlsplit(pg_url).path.lstrip("/")
        conn.execute(f'REVOKE CREATE ON DATABASE "{database}" FROM PUBLIC')
    with pytest.raises(TeamSchemaError, match="team init"):
        open_store(as_role(pg_url, prefix + "eve"), playbook)
    assert "team init" in one_line_error(run(as_role(pg_url, prefix + "eve"), "list"))


def test_backup_of_a_team_database_is_one_line_pointing_to_pg_dump(
    team: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    line = one_line_error(run(team["alice"], "backup", str(target)))
    assert "pg_dump" in line and "backed up on its server" in line
    assert not target.exists()


def test_redact_url() -> None:
    assert redact_url("postgresql://a:pw@h:5432/db?sslmode=require") == (
        "postgresql://a:***@h:5432/db?sslmode=require"
    )
    assert "pw" not in redact_url("postgres://h/db?user=a&password=pw")
    assert redact_url("postgresql://h/db") == "postgresql://h/db"


# -- the patterns over the whole team's history -------------------------------------------------
def test_three_agents_reports_raise_the_recurring_pattern_for_a_fourth(
    team: dict[str, str], playbook: Playbook, pg_url: str
) -> None:
    """Three agents each take one report of the same symptom from their own customers; a
    fourth report's `similar --json` ranks the three first and raises the recurring pattern."""
    observed = Reproduction(observed='Error "Export failed (E-1042)" after 30 s')
    reports = []
    for short, customer in (("alice", "Globex"), ("bob", "Initech"), ("carol", "Umbrella")):
        with open_as(team[short], playbook) as store:
            store.create(Escalation(title="Unrelated login loop", customer="Hooli"))
            case = store.create(
                Escalation(
                    title="CSV export times out on large reports",
                    customer=customer,
                    component="Reports",
                    reproduction=observed,
                    created_at=NOW - timedelta(days=3),
                )
            )
            reports.append(case.id)
    with open_as(team["alice"], playbook) as store:
        fourth = store.create(
            Escalation(
                title="CSV export of the sales report times out",
                customer="Acme Corp",
                component="Reports",
                reproduction=observed,
            )
        )
    result = run(team["alice"], "similar", str(fourth.id), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert sorted(row["id"] for row in data["similar"][:3]) == sorted(reports)
    assert any("independent reports" in json.dumps(s) for s in data["signals"]), data["signals"]
