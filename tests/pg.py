"""A real PostgreSQL server for the tests, started by the fixtures themselves: the one
WORKBENCH_TEST_PG names if set; else a throwaway cluster from the `pgserver` wheel (a dev
dependency, so `make test` needs no server installed); else the server binaries on the machine
(initdb, pg_ctl) in a temporary directory on a unix socket. One server per pytest process (each
xdist worker starts its own); each test gets a fresh database of its own."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TEST_PG_ENV = "WORKBENCH_TEST_PG"


def with_database(url: str, database: str, *, user: str | None = None) -> str:
    """`url` pointing at another database (and, with `user`, logging in as another role)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rpartition("@")[2]
        netloc = f"{user}@{host}"
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.pop("dbname", None)
    return urlunsplit((parts.scheme, netloc, f"/{database}", urlencode(query, safe="/"), ""))


@contextlib.contextmanager
def _binaries_server(base: Path) -> Iterator[str]:
    """A cluster from the machine's own initdb and pg_ctl (which refuse to run as root)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None or os.geteuid() == 0:
        raise RuntimeError(
            "no PostgreSQL for the tests: set WORKBENCH_TEST_PG=URL, install the dev extras "
            "(pgserver), or put initdb and pg_ctl on the PATH (as a user other than root)"
        )
    data = base / "data"
    subprocess.run(
        [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-k {base} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        [pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(base / "log"), "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@/postgres?host={base}"
    finally:
        subprocess.run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)


def _pgserver_user_once() -> None:
    """Run as root, pgserver runs the server as a system user it adds on first use. Every xdist
    worker starts a server at once, and on a fresh machine their `useradd`s raced: one worker's
    initdb ran as a user id another's had replaced ("could not look up effective user ID").
    The first worker adds the user under a lock; the others find it there."""
    if os.geteuid() != 0:
        return
    from pgserver.utils import ensure_user_exists

    lock = Path(tempfile.gettempdir()) / "workbench-pgserver-user.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        ensure_user_exists("pgserver")


@contextlib.contextmanager
def pg_test_server() -> Iterator[str]:
    """The admin URL of a server for this test run (see the module's docstring). Its files are
    in a directory of their own, not pytest's: run as root, pgserver runs the server as another
    user, and pytest's temporary directories are its owner's alone."""
    given = os.environ.get(TEST_PG_ENV, "").strip()
    if given:
        yield given
        return
    base = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
    try:
        try:
            import pgserver
        except ImportError:
            with _binaries_server(base) as url:
                yield url
            return
        _pgserver_user_once()
        server = pgserver.get_server(base / "pgdata", cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def create_database(admin_url: str) -> tuple[str, str]:
    """A new, empty database on the server: (its name, its URL)."""
    import psycopg

    name = f"wb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def as_role(url: str, role: str) -> str:
    """`url` logging in as `role` (the test server trusts its unix socket: no password)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, ""))


def drop_roles(admin_url: str, prefix: str) -> None:
    """The login roles a test made (their privileges went with its database)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        names = conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (prefix + "%",)
        ).fetchall()
        for (name,) in names:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
