"""One of several processes saving the same case at once (the lost-update test).

    python -m tests.reliability.writer DB CASE_ID NAME ROUNDS GO_FILE

Waits for GO_FILE to appear (so every writer starts together), then ROUNDS times: load the case,
add one to `impact.customers_affected` and append `NAME-i` to `references.tickets`, save. A save
from an older revision is refused by the store (StaleCaseError): reload and redo, as the app does.
A locked database (DatabaseLockedError after the busy timeout) is retried too. Prints one JSON line
with what happened.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(db: str, case_id: int, name: str, rounds: int, go_file: str) -> None:
    from workbench.playbook import default_playbook
    from workbench.store import DatabaseLockedError, StaleCaseError, Store

    stale = locked = 0
    store = Store(db, default_playbook())
    deadline = time.monotonic() + 60
    while not Path(go_file).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    for i in range(rounds):
        while True:
            case = store.get(case_id)
            case.impact.customers_affected = (case.impact.customers_affected or 0) + 1
            case.references.tickets = [*case.references.tickets, f"{name}-{i}"]
            try:
                store.save(case)
                break
            except StaleCaseError:
                stale += 1
            except DatabaseLockedError:
                locked += 1
    store.close()
    print(json.dumps({"name": name, "saved": rounds, "stale": stale, "locked": locked}))


if __name__ == "__main__":
    db, case_id, name, rounds, go_file = sys.argv[1:]
    main(db, int(case_id), name, int(rounds), go_file)
