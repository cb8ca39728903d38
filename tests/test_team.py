"""Team mode on a real PostgreSQL server (tests/pg.py): setting a team up, who did what (authors
and owners set by the server), what an agent's role cannot do, and the errors a team database
gives (an unreachable server, no schema, a password never shown)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner, Result
from psycopg import errors as pg_errors

from tests.conftest import NOW, fixed_clock
from tests.pg import as_role, drop_roles
from workbench import cli
from workbench.models import Escalation, Reproduction
from workbench.playbook import Playbook
from workbench.store import (
    SORTS,
    ServerUnavailableError,
    StaleCaseError,
    Store,
    StoreError,
    TeamSchemaError,
    open_store,
    redact_url,
)
from workbench.store.pg.moving_in import MoveReport, move_in, origin_of
from workbench.store.pg.schema import order_by
from workbench.store.pg.search import Match, server_match
from workbench.store.pg.store import PgStore
from workbench.store.pg.team import AGENTS_GROUP, TeamAdmin

Run = Callable[..., Result]


@pytest.fixture
def prefix(pg_admin_url: str) -> Iterator[str]:
    """A prefix for this test's agents' role names (roles belong to the whole server)."""
    name = f"agent_{uuid.uuid4().hex[:8]}_"
    yield name
    drop_roles(pg_admin_url, name)


@pytest.fixture
def team(pg_url: str, prefix: str) -> dict[str, str]:
    """A team database set up by its owner, with three agents: name -> the agent's URL."""
    admin = TeamAdmin(pg_url)
    admin.init()
    agents = {}
    for short in ("alice", "bob", "carol"):
        name = prefix + short
        assert admin.add_agent(name, password=None)
        agents[short] = as_role(pg_url, name)
    return agents


def run(url: str, *args: str, input: str | None = None) -> Result:
    env = {"WORKBENCH_NOW": NOW.isoformat(), "WORKBENCH_DB": None, "COLUMNS": "200"}
    return CliRunner().invoke(cli.main, ["--db", url, *args], env=env, input=input)


def open_as(url: str, playbook: Playbook) -> PgStore:
    store = open_store(url, playbook, clock=fixed_clock)
    assert isinstance(store, PgStore)
    return store


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


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


# -- moving in ----------------------------------------------------------------------------------
def _local_file(path: Path, playbook: Playbook, titles: list[str]) -> Path:
    with Store(path, playbook, clock=fixed_clock) as local:
        for title in titles:
            local.create(Escalation(title=title, customer="Acme", created_at=NOW))
        last = local.get(len(titles))
        last.linked = [1]
        local.save(last)
    return path


def test_import_local_keeps_ids_apart_and_a_second_run_adds_nothing(
    team: dict[str, str], playbook: Playbook, tmp_path: Path, prefix: str
) -> None:
    alice_file = _local_file(tmp_path / "alice.db", playbook, ["A one", "A two", "A three"])
    bob_file = _local_file(tmp_path / "bob.db", playbook, ["B one", "B two"])
    first = run(team["bob"], "team", "import-local", str(bob_file), "--json")
    assert json.loads(first.stdout) | {"origin": ""} == {
        "origin": "",
        "local": 2,
        "added": 2,
        "already": 0,
        "in_team": 2,
    }
    result = run(team["alice"], "team", "import-local", str(alice_file), "--json")
    assert json.loads(result.stdout)["added"] == 3
    again = json.loads(run(team["alice"], "team", "import-local", str(alice_file), "--json").stdout)
    assert (again["added"], again["already"], again["in_team"]) == (0, 3, 3)
    with open_as(team["alice"], playbook) as store:
        rows = store.list_cases(sort="id", descending=False)
        assert [r.title for r in rows] == ["B one", "B two", "A one", "A two", "A three"]
        assert [r.id for r in rows] == [1, 2, 3, 4, 5]  # the team's own ids
        assert store.get(5).linked == [3]  # "A three" links "A one", by its new id
        assert store.get(2).linked == [1]
        assert store.owner(3) == prefix + "alice" and store.owner(1) == prefix + "bob"
        log = store.events(5)  # the local change log came along, after the import's own event
        # imported, the local log (created, the link added), and the link following the new id
        assert [e.field for e in log] == ["imported", "created", "linked.0", "linked.0"]
        assert (log[-1].old_value, log[-1].new_value) == (1, 3)
        assert {e.author for e in log} == {prefix + "alice"}
        assert log[1].at == NOW and log[1].new_value == "A three"


def test_two_agents_importing_at_once_both_land_everything(
    team: dict[str, str], playbook: Playbook, tmp_path: Path
) -> None:
    files = {
        "alice": _local_file(tmp_path / "a.db", playbook, [f"A {i}" for i in range(30)]),
        "bob": _local_file(tmp_path / "b.db", playbook, [f"B {i}" for i in range(30)]),
    }

    def move(agent: str) -> MoveReport:
        with (
            open_as(team[agent], playbook) as store,
            Store(files[agent], playbook, readonly=True) as local,
        ):
            first = next(iter(local.all_cases()))
            return move_in(store, local.all_cases(), origin_of(first))

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(move, ["alice", "bob"]))
    assert [(r.added, r.in_team) for r in reports] == [(30, 30), (30, 30)]
    with open_as(team["carol"], playbook) as store:
        assert store.count_cases() == 60


@pytest.mark.parametrize(("version", "words"), [(5, "older schema"), (7, "newer")])
def test_an_old_or_newer_team_schema_is_one_line(
    team: dict[str, str], pg_url: str, playbook: Playbook, version: int, words: str
) -> None:
    with psycopg.connect(pg_url, autocommit=True) as owner:
        owner.execute(
            "UPDATE workbench.meta SET value = %s WHERE key = 'schema_version'", (str(version),)
        )
    line = one_line_error(run(team["alice"], "list"))
    assert words in line and ("team init" in line or "upgrade the app" in line), line


def test_a_wrong_password_is_one_line_and_never_shown(
    pg_url: str, pg_admin_url: str, prefix: str, playbook: Playbook
) -> None:
    """An agent whose role the server checks by password (a line of pg_hba.conf for that role
    alone, on the fixtures' own server) and a wrong one in the URL."""
    name = prefix + "frank"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        (hba,) = admin.execute("SHOW hba_file").fetchone() or ("",)
        hba_file = Path(hba)
        if not os.access(hba_file, os.W_OK):
            pytest.skip("the server's pg_hba.conf is not ours to change (WORKBENCH_TEST_PG)")
        admin.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD 'right-one'")
        original = hba_file.read_text()
        hba_file.write_text(f"local all {name} scram-sha-256\n{original}")
        try:
            admin.execute("SELECT pg_reload_conf()")
            url = as_role(pg_url, name).replace(f"{name}@", f"{name}:wrong-secret@")
            line = one_line_error(run(url, "list"))
        finally:
            hba_file.write_text(original)
            admin.execute("SELECT pg_reload_conf()")
    assert "refused the login: password authentication failed" in line, line
    assert "wrong-secret" not in line and "right-one" not in line


def test_mine_or_the_team_s(team: dict[str, str], playbook: Playbook, prefix: str) -> None:
    with open_as(team["alice"], playbook) as alice, open_as(team["bob"], playbook) as bob:
        alice.create(Escalation(title="Alice's export case"))
        bob.create(Escalation(title="Bob's export case"))
        assert alice.agent() == prefix + "alice"
        mine = alice.list_cases(owner=alice.agent())
        assert [r.title for r in mine] == ["Alice's export case"]
        assert alice.page(owner=alice.agent(), query="export")[0] == 1
        assert alice.count_cases(owner=bob.agent()) == 1
        assert alice.count_cases() == 2
    listed = json.loads(run(team["bob"], "list", "--mine", "--json").stdout)
    assert [row["title"] for row in listed] == ["Bob's export case"]
    assert len(json.loads(run(team["bob"], "list", "--json").stdout)) == 2


def test_a_huge_case_is_saved_and_found_by_its_first_words(pg_url: str, playbook: Playbook) -> None:
    """A tsvector holds at most 1 MB: a case with megabytes of log text is still saved."""
    words = " ".join(f"word{i}" for i in range(300_000))  # about 3 MB of distinct words
    with open_as(pg_url, playbook) as store:
        case = store.create(Escalation(title="Huge", narrative=f"needle {words}"))
        assert store.get(case.id or 0).narrative.startswith("needle")
        assert [r.id for r in store.list_cases(query="needle")] == [case.id]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exp", Match(None, "exp")),  # three letters typed: the prefix vector's lexeme
        ("export ti", Match("(export) & (ti)", None)),  # shorter: not a prefix yet
        ("Café exp", Match("(cafe)", "exp")),
        ("export tim", Match("(export)", "tim")),  # each chunk on its own: "tim" is a prefix
        ("e-1042", Match("(e <-> 1042:*)", None)),
        ("the", Match("(the)", None)),  # common: not a prefix until asked
        ("", None),
    ],
)
def test_the_server_s_search_query(text: str, expected: Match | None) -> None:
    assert server_match(text) == expected


def test_search_on_the_server_is_accent_insensitive_with_prefixes(
    pg_url: str, playbook: Playbook
) -> None:
    with open_as(pg_url, playbook) as store:
        store.create(Escalation(title="Crème brûlée export fails", customer="Café Olé"))
        store.create(Escalation(title="Expired certificate", customer="Acme"))
        store.create(Escalation(title="Login loop", customer="Hooli"))
        for query, titles in (
            ("creme", ["Crème brûlée export fails"]),
            ("CAFÉ ole", ["Crème brûlée export fails"]),
            ("exp", ["Expired certificate", "Crème brûlée export fails"]),
            ("brû", ["Crème brûlée export fails"]),
            ("lo", ["Login loop"]),  # nothing is the word "lo": a prefix then
            ("zzz", []),
        ):
            found = [r.title for r in store.list_cases(query=query, sort="id", descending=True)]
            assert found == titles, query
            assert store.count_cases(query=query) == len(titles), query


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_reads_an_index_on_the_server(
    pg_url: str, playbook: Playbook, sort: str, descending: bool
) -> None:
    """A page in any order walks an index: no sort of the whole table (the planner is told
    sorting costs the earth, so a missing index shows as a Sort node)."""
    with open_as(pg_url, playbook):
        pass  # the schema
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SET search_path = workbench")
        conn.execute("SET enable_sort = off")
        conn.execute("SET enable_seqscan = off")
        sql = f"SELECT id FROM cases ORDER BY {order_by(sort, descending)} LIMIT 38"
        plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {sql}").fetchall())
    assert "Sort" not in plan and "Index" in plan, plan


def test_without_the_driver_a_team_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, playbook: Playbook
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "workbench.store.pg.store", None)  # import fails
    with pytest.raises(StoreError, match=r"escalation-workbench\[team\]"):
        open_store("postgresql://nobody@localhost/none", playbook)


def test_two_processes_importing_at_once_both_land_everything(
    team: dict[str, str], playbook: Playbook, tmp_path: Path
) -> None:
    """Two agents' `workbench team import-local`, run as two processes at the same time."""
    import subprocess
    import sys

    files = {
        "alice": _local_file(tmp_path / "pa.db", playbook, [f"PA {i}" for i in range(25)]),
        "bob": _local_file(tmp_path / "pb.db", playbook, [f"PB {i}" for i in range(25)]),
    }
    env = {**os.environ, "WORKBENCH_NOW": NOW.isoformat()}
    env.pop("WORKBENCH_DB", None)
    running = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workbench.cli",
                "--db",
                team[agent],
                "team",
                "import-local",
                str(files[agent]),
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for agent in ("alice", "bob")
    ]
    reports = []
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        reports.append(json.loads(out))
    assert [(r["added"], r["in_team"]) for r in reports] == [(25, 25), (25, 25)]
    with open_as(team["carol"], playbook) as store:
        assert store.count_cases() == 50
        assert store.count_cases(owner=store.agent()) == 0
