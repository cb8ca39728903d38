"""Setting a team up on its database: the schema and a group role for the agents with exactly the
privileges the app needs (`init_team`, run by the database's owner), a login role per agent in
that group (`add_agent`), and what is there (`team_status`). The agents' role can read every
case, create and save cases and append events: it cannot change the schema, rewrite or delete
the log, delete a case, or write another agent's name (the schema's triggers, pg/schema.py).

A password is hashed here (SCRAM, by libpq) before it is sent, so it appears in no server log,
and it is never printed or stored by the workbench."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from workbench.store.errors import StoreError, TeamSchemaError
from workbench.store.pg import schema
from workbench.store.pg.base import CONNECT_TIMEOUT, Connection, driver_errors
from workbench.store.target import redact_url, url_host

AGENTS_GROUP = "workbench_agents"

# What the agents' group may do, table by table (nothing else: no DELETE, no TRUNCATE, no DDL).
_GRANTS = (
    "GRANT USAGE ON SCHEMA workbench TO {group}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA workbench TO {group}",
    "GRANT INSERT, UPDATE ON workbench.cases TO {group}",
    "GRANT INSERT ON workbench.events TO {group}",
    "GRANT INSERT, UPDATE, DELETE ON workbench.derived_from TO {group}",
    "GRANT UPDATE ON workbench.changes TO {group}",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA workbench TO {group}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON workbench.events FROM {group}",
    "REVOKE CREATE ON SCHEMA workbench FROM {group}",
)


@dataclass(frozen=True)
class Agent:
    name: str
    can_login: bool
    cases_owned: int


@dataclass(frozen=True)
class TeamStatus:
    database: str  # the URL without its password
    schema_version: int
    group: str
    agents: tuple[Agent, ...]


class TeamAdmin:
    """The team database's set-up, on connections of its own (no pool, no cases)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.shown_url = redact_url(url)
        self._host = url_host(url)
        self._kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in url:
            self._kwargs["connect_timeout"] = CONNECT_TIMEOUT

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return driver_errors(self._host, self.shown_url)

    def _connect(self) -> Connection:
        conn: Connection = psycopg.connect(self.url, **self._kwargs)
        return conn

    def init(self, group: str = AGENTS_GROUP) -> TeamStatus:
        """Create or upgrade the schema, create the agents' group role if missing, and grant it
        what the app needs. Idempotent: run again after an upgrade of the app."""
        with self._errors(), self._connect() as conn:
            if schema.schema_version(conn) > schema.TEAM_SCHEMA_VERSION:
                raise StoreError(
                    f"the team database was written by a newer Escalation Workbench: upgrade "
                    f"the app ({self.shown_url})"
                )
            schema.migrate(conn)
            with conn.transaction():
                if not _role_exists(conn, group):
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
                for grant in _GRANTS:
                    conn.execute(sql.SQL(grant).format(group=sql.Identifier(group)))
        return self.status(group)

    def add_agent(self, name: str, *, password: str | None, group: str = AGENTS_GROUP) -> bool:
        """A login role `name` in the agents' group (with `password`, hashed before it is
        sent); an existing role is granted the group (its password left as it is). Returns
        whether a role was created."""
        if not name.strip():
            raise StoreError("an agent needs a name")
        with self._errors(), self._connect() as conn:
            if not _role_exists(conn, group):
                raise TeamSchemaError(
                    f"no agents' group {group!r} on the team database: run 'workbench --db URL "
                    f"team init' first ({self.shown_url})"
                )
            created = not _role_exists(conn, name)
            with conn.transaction():
                if created:
                    statement = sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                        sql.Identifier(name), sql.Identifier(group)
                    )
                    if password:
                        hashed = conn.pgconn.encrypt_password(
                            password.encode(), name.encode(), b"scram-sha-256"
                        )
                        statement = sql.SQL("{} PASSWORD {}").format(
                            statement, sql.Literal(hashed.decode())
                        )
                    conn.execute(statement)
                else:
                    conn.execute(
                        sql.SQL("GRANT {} TO {}").format(
                            sql.Identifier(group), sql.Identifier(name)
                        )
                    )
        return created

    def status(self, group: str = AGENTS_GROUP) -> TeamStatus:
        with self._errors(), self._connect() as conn:
            version = schema.schema_version(conn)
            members = conn.execute(
                "SELECT m.rolname, m.rolcanlogin FROM pg_roles AS g "
                "JOIN pg_auth_members AS a ON a.roleid = g.oid "
                "JOIN pg_roles AS m ON m.oid = a.member WHERE g.rolname = %s ORDER BY m.rolname",
                (group,),
            ).fetchall()
            owned: dict[str, int] = {}
            if version > 0:
                owned = {
                    str(name): int(count)
                    for name, count in conn.execute(
                        "SELECT owner, count(*) FROM workbench.cases GROUP BY owner"
                    ).fetchall()
                }
        agents = tuple(Agent(str(n), bool(login), owned.get(str(n), 0)) for n, login in members)
        return TeamStatus(self.shown_url, version, group, agents)


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None
