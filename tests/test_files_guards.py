"""Files: a damaged database is never written and ends the app in one line; backup and export
never write onto the open database (by identity, not spelling); read-only opens leave no side
files that break a later writable open; paths that are not files are refused without hanging;
JSON that Python's parser cannot take is one plain line."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import NOW
from tests.test_reliability_damaged import PAGE, fingerprint, realistic, start_the_app
from workbench.cli import main
from workbench.playbook import Playbook
from workbench.store import CorruptDatabaseError, Store, StoreError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    monkeypatch = pytest.MonkeyPatch()
    try:
        return realistic(tmp_path_factory.mktemp("healthy"), monkeypatch)
    finally:
        monkeypatch.undo()


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_NOW", NOW.isoformat())


def _quick_check_fails(path: Path) -> bool:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok"
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()


def _list_loads(path: Path, playbook: Playbook) -> bool:
    with Store(path, playbook) as store:
        try:
            store.page(limit=50)
        except CorruptDatabaseError:
            return False
        return True


def _damaged(
    healthy: bytes, folder: Path, playbook: Playbook, *, list_loads: bool, unstamped: bool = False
) -> Path:
    """A copy with one page zeroed that opens, fails SQLite's quick_check, and whose list's
    first page loads (or not). `unstamped`: its due columns need counting again, so a command's
    first act would be a write."""
    folder.mkdir(parents=True, exist_ok=True)
    source = healthy
    if unstamped:
        clean = folder / "clean.db"
        clean.write_bytes(healthy)
        conn = sqlite3.connect(clean)
        conn.execute("DELETE FROM derived_from")
        conn.commit()
        conn.close()
        source = clean.read_bytes()
        clean.unlink()
    path = folder / "damaged.db"
    for page in range(len(source) // PAGE - 1, 1, -1):
        data = source[: page * PAGE] + bytes(PAGE) + source[(page + 1) * PAGE :]
        path.write_bytes(data)
        try:
            if _quick_check_fails(path) and _list_loads(path, playbook) == list_loads:
                path.write_bytes(data)  # as it was before the probe opened it
                return path
        except StoreError:
            pass
    pytest.fail("no page gives such a copy")


# -- damaged databases --------------------------------------------------------------------------
def test_a_command_never_writes_a_damaged_database_whose_dues_need_counting(
    healthy: bytes, tmp_path: Path, playbook: Playbook
) -> None:
    path = _damaged(healthy, tmp_path, playbook, list_loads=True, unstamped=True)
    before = fingerprint(path)
    result = CliRunner().invoke(main, ["--db", str(path), "list"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("workbench: error: the database is damaged")
    assert result.stderr.count("\n") == 1
    assert fingerprint(path) == before


def test_the_store_refuses_every_write_once_the_file_failed_its_check(
    healthy: bytes, tmp_path: Path, playbook: Playbook
) -> None:
    from workbench.models import Escalation

    path = _damaged(healthy, tmp_path, playbook, list_loads=True)
    before = fingerprint(path)
    with Store(path, playbook) as store:
        with pytest.raises(CorruptDatabaseError, match="damaged"):
            store.create(Escalation(title="after the damage"))
        assert store.damage is not None
        with pytest.raises(CorruptDatabaseError):
            store.recount_dues()
    assert fingerprint(path) == before


@pytest.mark.parametrize("list_loads", [False, True], ids=["at-the-list", "in-the-background"])
async def test_the_app_ends_on_a_damaged_database_with_one_line_and_status_2(
    healthy: bytes, tmp_path: Path, playbook: Playbook, list_loads: bool
) -> None:
    path = _damaged(healthy, tmp_path, playbook, list_loads=list_loads)
    before = fingerprint(path)
    status, damage = await start_the_app(path)
    assert status == 2
    assert damage is not None and "damaged" in damage and "\n" not in damage
    assert fingerprint(path) == before


def test_the_bare_command_exits_2_with_the_apps_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    import screens.app
    from screens import start

    class DamagedApp:
        def __init__(self, store: object, playbook: object, **options: object) -> None:
            self.damage: str | None = None

        def run(self) -> None:
            self.damage = "the database is damaged (page 7): somewhere.db"

    monkeypatch.setattr(start, "_is_terminal", lambda: True)
    monkeypatch.setattr(screens.app, "WorkbenchApp", DamagedApp)
    result = CliRunner().invoke(main, ["--db", str(store.path)], obj=_invocation(start))
    assert result.exit_code == 2
    assert result.stderr == "workbench: error: the database is damaged (page 7): somewhere.db\n"


def _invocation(start: object) -> object:
    from workbench.cli import Invocation

    return Invocation(launch_app=start.run_app)  # type: ignore[attr-defined]


# -- backup and export never write onto the open database -----------------------------------------
@pytest.fixture
def live(tmp_path: Path, playbook: Playbook) -> Iterator[Store]:
    """A database in `real/`, reachable as `link/` too, open as the app holds it."""
    from workbench.models import Escalation

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    store = Store(tmp_path / "real" / "w.db", playbook)
    store.create(Escalation(title="Keep me"))
    yield store
    store.close()


@pytest.mark.parametrize(
    "target",
    ["link/w.db", "real/../link/w.db", "hard.db", "link/w.db-wal", "real/w.db-shm"],
)
@pytest.mark.parametrize("command", ["backup", "export"])
def test_backup_and_export_refuse_the_open_database_by_identity(
    live: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, command: str
) -> None:
    from workbench.models import Escalation

    os.link(live.path, tmp_path / "hard.db")
    monkeypatch.chdir(tmp_path)
    if command == "backup":
        args = ["backup", "--force", target]
    else:
        args = ["export", "1", "-o", target, "--force"]
    result = CliRunner().invoke(main, ["--db", "real/w.db", *args])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "database" in result.stderr
    # The open store (the app) still writes to the file everyone reads.
    live.create(Escalation(title="Written after"))
    with Store(tmp_path / "real" / "w.db", live.playbook, readonly=True) as reader:
        titles = [row.title for row in reader.list_cases(limit=None)]
    assert sorted(titles) == ["Keep me", "Written after"]


def test_backup_elsewhere_through_a_symlinked_folder_still_works(
    live: Store, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main, ["--db", str(live.path), "backup", str(tmp_path / "link" / "copy.db")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "real" / "copy.db").stat().st_size > 0


# -- modes of the database's files ------------------------------------------------------------------
def test_a_read_only_open_leaves_no_side_files_and_the_next_writable_open_works(
    tmp_path: Path, playbook: Playbook
) -> None:
    from workbench.models import Escalation

    path = tmp_path / "w.db"
    Store(path, playbook).close()
    path.chmod(0o400)
    result = CliRunner().invoke(main, ["--db", str(path), "list"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.db"]
    path.chmod(0o600)
    with Store(path, playbook) as store:
        assert not store.readonly
        store.create(Escalation(title="writable again"))


def test_side_files_narrower_than_the_database_are_healed_if_ours(tmp_path: Path) -> None:
    """(SQLite 3.40 run as root widens them itself on a writable open; another user's open
    does not, and then every save failed as "read-only".)"""
    from workbench.store.paths import heal_side_files

    path = tmp_path / "w.db"
    path.touch(mode=0o600)
    path.chmod(0o640)
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    for side in (wal, shm):
        side.touch()
        side.chmod(0o400)
    if os.geteuid() == 0:
        os.chown(shm, 4242, -1)  # another user's: left alone
    heal_side_files(path)
    assert stat.S_IMODE(wal.stat().st_mode) == 0o640
    assert stat.S_IMODE(shm.stat().st_mode) == (0o400 if os.geteuid() == 0 else 0o640)


# -- paths that are not files ---------------------------------------------------------------------
def _special(kind: str, tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
        return path, "FIFO"
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
        return path, "socket"
    return Path("/dev/null"), "character device"


def _workbench(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own: a FIFO opened for reading would hang it, not us."""
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        input=stdin,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_a_database_path_that_is_not_a_file_is_refused_before_sqlite_opens_it(
    tmp_path: Path, kind: str
) -> None:
    path, named = _special(kind, tmp_path)
    before = sorted(p.name for p in path.parent.iterdir())
    result = _workbench("--db", str(path), "list")  # a process of its own: a FIFO hung it
    assert result.returncode == 2
    assert named in result.stderr and result.stderr.count("\n") == 1
    assert sorted(p.name for p in path.parent.iterdir()) == before


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_import_of_a_fifo_or_device_is_refused_without_hanging(tmp_path: Path, kind: str) -> None:
    path, named = _special(kind, tmp_path)
    result = _workbench("--db", str(tmp_path / "w.db"), "import", str(path))
    assert result.returncode == 2
    assert named in result.stderr and result.stderr.count("\n") == 1


def test_import_from_stdin_still_works(tmp_path: Path) -> None:
    result = _workbench("--db", str(tmp_path / "w.db"), "import", "-", stdin='{"title": "piped"}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


# -- JSON Python's parser cannot take ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[" * 100_000 + "]" * 100_000, "too deeply nested"),
        ('{"title": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}", "too deeply nested"),
        ('{"title": "x", "impact": {"customers": ' + "9" * 5_001 + "}}", "number too long"),
        ('{"title": "x", "n": -' + "1" * 4_301 + "}", "number too long"),
    ],
    ids=["deep-list", "deep-object", "5001-digits", "4301-digits"],
)
def test_json_python_cannot_parse_is_one_plain_line(tmp_path: Path, text: str, said: str) -> None:
    source = tmp_path / "case.json"
    source.write_text(text)
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "w.db"), "import", str(source)])
    assert result.exit_code == 2
    assert said in result.stderr and "internal error" not in result.stderr
    assert result.stderr.count("\n") == 1
