"""Team mode on a real PostgreSQL server (tests/pg.py), moving in: local files imported into a
team database (ids kept apart, two agents at once), an old or newer schema and a wrong password as
one line, mine or the team's, a save in one statement, and search and sorts on the server."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from tests.conftest import NOW, fixed_clock
from tests.pg import as_role
from tests.team.helpers import one_line_error, open_as, run
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import (
    SORTS,
    StaleCaseError,
    Store,
    StoreError,
    open_store,
)
from workbench.store.pg.moving_in import MoveReport, move_in, origin_of
from workbench.store.pg.schema import order_by
from workbench.store.pg.search import Match, server_match


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


def test_a_save_in_one_statement_keeps_the_revision_check_and_the_search(
    pg_url: str, playbook: Playbook
) -> None:
    """A save of a copy this store knows is one statement: a copy saved from another store
    meanwhile is still refused; a tick that changes no words keeps the words findable; new words
    after it are found and the old ones are not; each save leaves its events in order."""
    with open_as(pg_url, playbook) as mine, open_as(pg_url, playbook) as theirs:
        case = mine.create(Escalation(title="Export times out", customer="Acme"))
        case_id = case.id or 0
        case.impact.growing = True  # no search words change
        case = mine.save(case)
        assert [r.id for r in mine.list_cases(query="export")] == [case_id]
        case.title = "Webhook retries pile up"
        case = mine.save(case)
        assert [r.id for r in mine.list_cases(query="webhook")] == [case_id]
        assert mine.list_cases(query="export") == []
        other = theirs.get(case_id)
        other.customer = "Globex"
        theirs.save(other)
        case.narrative = "typed while the other agent saved"
        with pytest.raises(StaleCaseError):
            mine.save(case)
        fresh = mine.get(case_id)
        assert fresh.customer == "Globex" and fresh.narrative == ""
        fresh.narrative = "typed again"
        mine.save(fresh)
        fields = [e.field for e in mine.events(case_id)]
        assert fields[0] == "created" and fields[-2:] == ["customer", "narrative"]
        assert [r.id for r in theirs.list_cases(query="typed")] == [case_id]


def test_a_failing_event_leaves_the_case_unsaved(pg_url: str, playbook: Playbook) -> None:
    """The update and its events are one transaction on the server too."""
    with open_as(pg_url, playbook) as store:
        case = store.create(Escalation(title="Before", customer="Acme"))
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION workbench.boom() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN IF NEW.field = 'title' THEN RAISE EXCEPTION 'boom'; END IF; "
                "RETURN NEW; END $$"
            )
            conn.execute(
                "CREATE TRIGGER boom BEFORE INSERT ON workbench.events "
                "FOR EACH ROW EXECUTE FUNCTION workbench.boom()"
            )
        case.customer = "Globex"
        case.title = "After"
        with pytest.raises(StoreError, match="boom"):
            store.save(case)
        stored = store.get(case.id or 0)
        assert (stored.title, stored.customer, stored.revision) == ("Before", "Acme", 1)
        assert [e.field for e in store.events(case.id or 0)] == ["created"]


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
