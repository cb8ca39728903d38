"""The crash driver: editing sessions that the crash test kills with SIGKILL at random moments.

Run as `python -m tests.reliability.driver serve` (from the repository root). It imports the app
once, then forks a fresh session per request, so each kill costs a fork rather than a cold start:

    parent -> server   "app DB LOG SEED"      a scripted editing session of the real app (headless)
                       "store DB LOG SEED"    saves through the store in a tight loop
    server -> parent   "pid PID"              the session's process; the parent SIGKILLs it
                       "typing DB LOG SEED"   types into a field steadily (a key every ~150 ms)
    parent -> server   "wait PID"
    server -> parent   "status PID RAW"       the raw wait status (a kill, or the session's crash)

A session writes JSON lines to LOG (one `os.write` each, O_APPEND; a kill inside the write of a
record longer than a page can leave its start, which the ledger drops: `crash._record`):
- `{"t": "try", "case": id, "path": p, "old": v, "steps": [v, ...]}` before an edit starts: every
  value the field may hold while the edit is under way (each prefix as typed, after clearing);
- `{"t": "saved", "case": id, "path": p, "value": v}` only once the app shows the edit as saved:
  the saved indicator says "saved", nothing is pending and the screen's case (the one the store
  returned from the save) holds the value;
- `{"t": "created", "case": id, "title": t}` once a new case is open on screen.
- `{"t": "typed", "case": id, "path": p, "value": v, "mono": m}` (typing session) after each key
  is handled: the field's text then, at `time.monotonic()` m (one clock for every process).
Its stderr goes to LOG.err, so a session that dies by itself (a crash) is reported with its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "
SESSION_LIMIT = 120  # seconds a session may live if nobody kills it

# The fields the app session edits: (step, dotted path, kind).
TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("details", "title", "input"),
    ("details", "customer", "input"),
    ("details", "component", "input"),
    ("details", "narrative", "area"),
    ("details", "communication.most_recent_update", "area"),
    ("details", "request.ask", "input"),
    ("details", "references.tickets", "lines"),
    ("reproduction", "reproduction.baseline.account_type", "input"),
    ("reproduction", "reproduction.expected", "area"),
    ("reproduction", "reproduction.environment.browser", "input"),
    ("reproduction", "reproduction.evidence", "area"),
)
NUMBER_FIELDS: tuple[str, ...] = ("customers_affected", "end_users_affected")


def stored_form(kind: str, text: str) -> Any:
    """What the case holds once `text` is in a field of this kind."""
    if kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if kind == "number":
        return int(text.replace(",", "")) if text.strip() else None
    return text


def steps_of(kind: str, text: str) -> list[Any]:
    """Every value the field may be saved with while `text` is typed after clearing it."""
    values: list[Any] = []
    for end in range(len(text) + 1):
        value = stored_form(kind, text[:end])
        if value not in values:
            values.append(value)
    return values


class Log:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.started = time.monotonic()

    def write(self, **record: Any) -> None:
        record["at"] = round(time.monotonic() - self.started, 3)
        os.write(self.fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))


def get_path(case: Any, path: str) -> Any:
    obj = case
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else getattr(obj, part)
    return obj


# -- the app session ----------------------------------------------------------------------------------
async def app_session(db: str, log: Log, rng: random.Random) -> None:
    from textual import events
    from textual.widgets import Input

    from screens.app import WorkbenchApp
    from screens.case_base import CaseScreen
    from screens.widgets import FieldArea, FieldInput
    from workbench.playbook import default_playbook
    from workbench.store import Store

    playbook = default_playbook()
    store = Store(db, playbook)
    app = WorkbenchApp(store, playbook, bell=False)
    async with app.run_test(size=(120, 40)) as pilot:

        async def open_step(case_id: int, step: str) -> CaseScreen:
            screen = app.screen
            if not (isinstance(screen, CaseScreen) and screen.case_id == case_id):
                app.go_home()
                await pilot.pause()
            if not (isinstance(app.screen, CaseScreen) and step == app.screen.STEP):
                app.open_case(case_id, step)
                await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CaseScreen) and step == screen.STEP, screen
            return screen

        async def type_text(text: str) -> None:
            for ch in text:
                await pilot.press("space" if ch == " " else ch)
                if rng.random() < 0.08:  # a pause long enough for the debounced save
                    await asyncio.sleep(0.35)

        async def finish(screen: CaseScreen) -> str:
            """End the edit the way an agent would: wait, leave the field, switch, go back."""
            how = rng.choice(["wait", "tab", "tab", "switch", "home"])
            if how == "wait":
                for _ in range(40):
                    await asyncio.sleep(0.05)
                    if not screen._pending:
                        break
            elif how == "tab":
                await pilot.press("tab")
            elif how == "switch":
                await pilot.press(rng.choice(["f2", "f3", "f4", "f5", "f6", "f7"]))
            else:
                await pilot.press("escape")
            await pilot.pause()
            return how

        def shown_saved(screen: CaseScreen, indicator: Any, path: str, value: Any) -> bool:
            """What the agent sees: "saved", nothing left to write, the value in the case the
            store returned (the screen may be gone: leaving it flushed the edit)."""
            return (
                not screen._pending
                and indicator.state == "saved"
                and _plain(get_path(screen.case, path)) == value
            )

        async def edit_text(case_id: int) -> None:
            step, path, kind = rng.choice(TEXT_FIELDS)
            screen = await open_step(case_id, step)
            widget: Any
            if kind == "input":
                widget = next(w for w in screen.query(FieldInput) if w.path == path)
            else:
                widget = next(w for w in screen.query(FieldArea) if w.path == path)
            words = rng.randint(1, 2)
            text = " ".join(
                "".join(rng.choice(ALPHABET[:-1]) for _ in range(rng.randint(2, 5)))
                for _ in range(words)
            )
            old = _plain(get_path(screen.case, path))
            log.write(t="try", case=case_id, path=path, old=old, steps=steps_of(kind, text))
            widget.focus()
            await pilot.pause()
            if kind == "input":
                widget.value = ""
            else:
                widget.load_text("")
            if rng.random() < 0.4:  # a paste: one change with the whole text
                app.post_message(events.Paste(text))  # as the terminal driver sends it
                await pilot.pause()
            else:
                await type_text(text)
            indicator = screen.saved_indicator
            await finish(screen)
            if shown_saved(screen, indicator, path, stored_form(kind, text)):
                log.write(t="saved", case=case_id, path=path, value=stored_form(kind, text))

        async def edit_number(case_id: int) -> None:
            key = rng.choice(NUMBER_FIELDS)
            path = f"impact.{key}"
            screen = await open_step(case_id, "impact")
            widget = screen.query_one(f"#{key}", Input)
            text = str(rng.randint(1, 9999))
            old = _plain(get_path(screen.case, path))
            log.write(t="try", case=case_id, path=path, old=old, steps=steps_of("number", text))
            widget.focus()
            await pilot.pause()
            widget.value = ""
            await type_text(text)
            indicator = screen.saved_indicator
            await finish(screen)
            if shown_saved(screen, indicator, path, int(text)):
                log.write(t="saved", case=case_id, path=path, value=int(text))

        async def new_case(_case_id: int) -> None:
            app.go_home()
            await pilot.pause()
            title = "new " + "".join(rng.choice(ALPHABET[:-1]) for _ in range(6))
            await pilot.press("n")
            await pilot.pause()
            await type_text(title)
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, CaseScreen) and screen.case.title == title:
                log.write(t="created", case=screen.case_id, title=title)
                cases.append(screen.case_id)

        actions: list[Callable[[int], Awaitable[None]]] = [edit_text] * 6 + [edit_number] * 2
        actions.append(new_case)
        cases = [row.id for row in store.list_cases(limit=None)]
        while True:
            await rng.choice(actions)(rng.choice(cases))


TYPING_INTERVAL = 0.15  # a steady typist: never the pause that saves


async def typing_session(db: str, log: Log, rng: random.Random) -> None:
    """Type at the end of a case's title, a key every TYPING_INTERVAL, until killed."""
    from screens.app import WorkbenchApp
    from screens.case_base import CaseScreen
    from screens.widgets import FieldInput
    from workbench.playbook import default_playbook
    from workbench.store import Store

    playbook = default_playbook()
    store = Store(db, playbook)
    app = WorkbenchApp(store, playbook, bell=False)
    case_id = rng.choice([row.id for row in store.list_cases(limit=None)])
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_case(case_id, "details")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        field = next(w for w in screen.query(FieldInput) if w.path == "title")
        field.focus()
        await pilot.press("end")
        log.write(t="typed", case=case_id, path="title", value=field.value, mono=time.monotonic())
        while True:
            began = time.monotonic()
            key = rng.choice(ALPHABET[:-1])
            # Recorded before the key is pressed: a save can land while the press is handled, and
            # a kill right after it would otherwise leave a stored value the ledger never saw.
            value = field.value + key
            log.write(t="typed", case=case_id, path="title", value=value, mono=time.monotonic())
            await pilot.press(key)
            await asyncio.sleep(max(0.0, TYPING_INTERVAL - (time.monotonic() - began)))


def _plain(value: Any) -> Any:
    """A field's value as JSON would hold it (lists of str, str, int, None)."""
    return list(value) if isinstance(value, list) else value


# -- the store session --------------------------------------------------------------------------------
def store_session(db: str, log: Log, rng: random.Random) -> None:
    """Saves as fast as the store takes them: most of the time is spent inside a transaction."""
    from workbench.playbook import default_playbook
    from workbench.store import Store

    store = Store(db, default_playbook())
    cases = [row.id for row in store.list_cases(limit=None)]
    paths = ("title", "customer", "narrative", "reproduction.evidence", "impact.customers_affected")
    while True:
        case_id = rng.choice(cases)
        path = rng.choice(paths)
        case = store.get(case_id)
        if path == "impact.customers_affected":
            value: Any = rng.randint(0, 10**9)
        else:
            value = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 2000)))
        old = _plain(get_path(case, path))
        log.write(t="try", case=case_id, path=path, old=old, steps=[value])
        *parents, last = path.split(".")
        target = case
        for part in parents:
            target = getattr(target, part)
        setattr(target, last, value)
        store.save(case)
        log.write(t="saved", case=case_id, path=path, value=value)


# -- the fork server ----------------------------------------------------------------------------------
def _child(kind: str, db: str, log_path: str, seed: int) -> None:
    err = os.open(f"{log_path}.err", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(err, 1)
    os.dup2(err, 2)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # A session is meant to be killed within seconds; if its parent never does (it failed), the
    # default action of SIGALRM ends it rather than leave it editing forever.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(SESSION_LIMIT)
    rng = random.Random(seed)
    log = Log(log_path)
    try:
        if kind == "app":
            asyncio.run(app_session(db, log, rng))
        elif kind == "typing":
            asyncio.run(typing_session(db, log, rng))
        else:
            store_session(db, log, rng)
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(3)
    os._exit(4)  # a session never ends by itself


def serve() -> None:
    # Import everything a session needs once, before forking.
    import screens.app
    import screens.details
    import screens.home
    import screens.impact
    import screens.reproduction
    import screens.timeline
    import screens.triage
    import workbench.document.parse
    import workbench.document.render
    import workbench.rules.summary
    import workbench.store.core

    del screens, workbench
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    children: set[int] = set()
    try:
        _serve(out, children)
    finally:  # the test is gone (stdin closed) or failed: no session outlives it
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _serve(out: Any, children: set[int]) -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] in ("app", "store", "typing"):
            kind, db, log_path, seed = words
            pid = os.fork()
            if pid == 0:
                _child(kind, db, log_path, int(seed))
            children.add(pid)
            out.write(f"pid {pid}\n")
        elif words[0] == "wait":
            pid = int(words[1])
            _, status = os.waitpid(pid, 0)
            children.discard(pid)
            out.write(f"status {pid} {status}\n")
        out.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        serve()
    else:  # pragma: no cover
        sys.exit("usage: python -m tests.reliability.driver serve")
