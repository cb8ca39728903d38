"""The parent side of the crash test: the fork server, the SIGKILLs, and the check of the file.

After every kill, a copy of the database (with its -wal and -shm, as the dead process left them) is
checked: `PRAGMA integrity_check` is ok, no foreign key is broken, the store opens it and reads
every case, and every field holds the value the app last showed as saved, or one the edit under way
when the process died could have written (see `driver.py`). Anything else is a lost edit.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability.driver import get_path

ROOT = Path(__file__).resolve().parents[2]


class ForkServer:
    """`python -m tests.reliability.driver serve`, talked to over its stdin and stdout."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.driver", "serve"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._read() == ["ready"]

    def _read(self) -> list[str]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server died (exit {self.proc.wait()})")
        return line.split()

    def _send(self, line: str) -> list[str]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._read()

    def start(self, kind: str, db: Path, log: Path, seed: int) -> int:
        words = self._send(f"{kind} {db} {log} {seed}")
        assert words[0] == "pid", words
        return int(words[1])

    def wait(self, pid: int) -> int:
        words = self._send(f"wait {pid}")
        assert words[:2] == ["status", str(pid)], words
        return int(words[2])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()
            self.proc.wait()


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _record(line: str) -> dict[str, Any] | None:
    """A ledger line as JSON. A session killed inside the write of a long record (a "try" lists
    every prefix of its text: past a page, one write(2) is not atomic against SIGKILL) leaves the
    record's start, and the next session's record then follows it on the same line. A torn
    record is dropped, which only widens what the check allows: a "try" whose write had not
    returned began no edit, and without a "saved" or "created" the field keeps every value it
    was allowed before."""
    try:
        record: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError:
        start = line.find('{"t": ', 1)
        return _record(line[start:]) if start > 0 else None
    return record


@dataclass
class Ledger:
    """What each field may hold, from the sessions' logs: the last value shown as saved, plus every
    value an edit begun since could have written."""

    allowed: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    created: dict[int, str] = field(default_factory=dict)
    saved: int = 0
    problems: list[str] = field(default_factory=list)
    offset: int = 0

    def read(self, log: Path) -> None:
        data = log.read_bytes() if log.exists() else b""
        fresh, self.offset = data[self.offset :], len(data)
        for line in fresh.decode("utf-8", errors="replace").splitlines():
            record = _record(line)
            if record is None:
                continue
            where = (record.get("case", 0), record.get("path", "title"))
            if record["t"] == "try":
                before = self.allowed.get(where)
                old = _key(record["old"])
                if before is not None and old not in before:
                    self.problems.append(
                        f"case {where[0]} {where[1]}: the app loaded {old}, not one of {before}"
                    )
                self.allowed[where] = (before or set()) | {old} | {_key(v) for v in record["steps"]}
            elif record["t"] == "saved":
                self.allowed[where] = {_key(record["value"])}
                self.saved += 1
            elif record["t"] == "created":
                self.created[record["case"]] = record["title"]
                self.allowed[(record["case"], "title")] = {_key(record["title"])}
                self.saved += 1

    def check(self, db: Path) -> list[str]:
        """Problems with the database as a killed process left it (checked on a copy)."""
        from workbench.playbook import default_playbook
        from workbench.store import Store, StoreError

        problems = list(self.problems)
        copy = db.parent / "check" / db.name
        shutil.rmtree(copy.parent, ignore_errors=True)
        copy.parent.mkdir()
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{db}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{copy}{suffix}")
        conn = sqlite3.connect(copy)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchall()
            if integrity != [("ok",)]:
                problems.append(f"integrity_check: {integrity[:5]}")
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                problems.append(f"foreign_key_check: {broken[:5]}")
        finally:
            conn.close()
        try:
            with Store(copy, default_playbook()) as store:
                cases = {case.id: case for case in store.all_cases()}
        except StoreError as exc:
            return [*problems, f"the store cannot open it: {exc}"]
        for case_id, title in self.created.items():
            if case_id not in cases:
                problems.append(f"case {case_id} ({title!r}) was shown created and is gone")
        for (case_id, path), allowed in self.allowed.items():
            case = cases.get(case_id)
            if case is None:
                continue
            value = get_path(case, path)
            actual = _key(list(value) if isinstance(value, list) else value)
            if actual not in allowed:
                problems.append(f"case {case_id} {path}: holds {actual}, expected one of {allowed}")
        return problems


def seed_database(db: Path, cases: int = 3) -> None:
    from workbench.models import Escalation
    from workbench.playbook import default_playbook
    from workbench.store import Store

    with Store(db, default_playbook()) as store:
        for n in range(cases):
            store.create(Escalation(title=f"case {n}", customer="Acme"))


@dataclass
class KillRun:
    kills: int = 0
    saved: int = 0
    problems: list[str] = field(default_factory=list)


def kill_loop(
    server: ForkServer,
    kind: str,
    db: Path,
    kills: int,
    seed: int,
    delay: tuple[float, float],
    edits: int = 0,
) -> KillRun:
    """Start a session, SIGKILL it at a random moment, check the file; `kills` times.

    With `edits`, the moment is a random delay after the session began its k-th edit (k drawn
    from 0..edits; 0 is anywhere from the start, so opening the file and starting up are hit
    too): a slow start-up must not leave most kills before the first keystroke."""
    import random

    rng = random.Random(seed)
    log = db.parent / f"{kind}.log"
    log.touch(mode=0o600)
    ledger = Ledger()
    run = KillRun()
    for n in range(kills):
        start = log.stat().st_size
        pid = server.start(kind, db, log, seed * 100_003 + n)
        try:
            wanted = rng.randint(0, edits)
            deadline = time.monotonic() + 30
            while wanted and time.monotonic() < deadline:
                with log.open("rb") as handle:
                    handle.seek(start)
                    if handle.read().count(b'{"t": "try"') >= wanted:
                        break
                time.sleep(0.02)
            time.sleep(rng.uniform(*delay))
        finally:  # whatever happens here, the session does not outlive the test
            os.kill(pid, signal.SIGKILL)
        status = server.wait(pid)
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            err = Path(f"{log}.err")
            reason = err.read_text(errors="replace")[-3000:] if err.exists() else ""
            run.problems.append(f"session {n} ended by itself (status {status}):\n{reason}")
            break
        run.kills += 1
        ledger.read(log)
        found = ledger.check(db)
        if found:
            run.problems += [f"after kill {n + 1}: {p}" for p in found]
            break
    run.saved = ledger.saved
    return run


def typing_kill_loop(
    server: ForkServer, db: Path, kills: int, seed: int, typed: tuple[int, int]
) -> KillRun:
    """Type steadily (driver.typing_session), SIGKILL after a random number of keys drawn from
    `typed`, and check that the title holds everything typed more than LOSS_WINDOW s before the
    kill (and nothing that was not typed). `saved` counts the keys so verified."""
    import random

    rng = random.Random(seed)
    log = db.parent / "typing.log"
    log.touch(mode=0o600)
    run = KillRun()
    for n in range(kills):
        start = log.stat().st_size
        pid = server.start("typing", db, log, seed * 100_003 + n)
        wanted = rng.randint(*typed) + 1  # +1: the record of the text before the first key
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with log.open("rb") as handle:
                    handle.seek(start)
                    if handle.read().count(b'{"t": "typed"') >= wanted:
                        break
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.15))
        finally:
            killed_at = time.monotonic()
            os.kill(pid, signal.SIGKILL)
        status = server.wait(pid)
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            err = Path(f"{log}.err")
            reason = err.read_text(errors="replace")[-3000:] if err.exists() else ""
            run.problems.append(f"session {n} ended by itself (status {status}):\n{reason}")
            break
        run.kills += 1
        with log.open("rb") as handle:
            handle.seek(start)
            lines = handle.read().decode("utf-8", errors="replace").splitlines()
        records = [r for r in map(_record, lines) if r is not None and r["t"] == "typed"]
        problem = _check_typed(db, records, killed_at)
        if problem:
            run.problems.append(f"after kill {n + 1}: {problem}")
            break
        run.saved += sum(1 for r in records[1:] if r["mono"] <= killed_at - LOSS_WINDOW)
    return run


LOSS_WINDOW = 1.0  # what was typed longer ago than this before a kill must be in the file


def _check_typed(db: Path, records: list[dict[str, Any]], killed_at: float) -> str:
    if not records:
        return "the session typed nothing before the kill"
    from workbench.playbook import default_playbook
    from workbench.store import Store

    case_id = records[0]["case"]
    with Store(db, default_playbook()) as store:
        stored = store.get(case_id).title
    values = [r["value"] for r in records]
    if stored not in values:
        return f"the title holds {stored!r}, which was never typed (last typed {values[-1]!r})"
    due = [r["value"] for r in records if r["mono"] <= killed_at - LOSS_WINDOW]
    if due and len(stored) < len(due[-1]):
        return (
            f"typed more than {LOSS_WINDOW} s before the kill: {due[-1]!r}; "
            f"the file holds only {stored!r}"
        )
    return ""
