"""The `workbench` command's CLI: headless subcommands on the same core as the app.

Scripts and shell users get the same cases, rules and document as the app: `new`, `list`, `show`,
`import`, `export`, `check`, `due`, `similar`, `stats`, `playbook --check`, `backup`, with `--json`
wherever a script would want it. Exit statuses are part of the interface: 0 done, 1 a check found
something (`check`: a required package item is missing; `due`: something is overdue;
`playbook --check`: the playbook is broken), 2 an error. Every error is one line on stderr, never a
traceback.

One module per command group, and the helpers they share:

- `group`: the click group `main`, its global options, the state the commands share, and the
  `Invocation` its caller hands it (with `launch_app`, how to open the app; the CLI never imports
  it);
- `errors`: CliError, CheckFailed, the core's exceptions as one line, `report`;
- `output`: sanitized text, table cells, JSON, tables that fit the terminal;
- `cases` (new, list, show), `documents` (import, export, check), `followup` (due),
  `followthrough` (escalate, keep, log, reassess, de-escalate, resolve),
  `history` (similar, stats), `admin` (playbook, backup), `team` (a team's PostgreSQL
  database: init, add-agent, status, hand-over).

Start-up stays fast: only click and the session's state are imported at module level; the store,
pydantic and the rules are imported inside the commands that need them. Nothing here imports
Textual.
"""

from __future__ import annotations

from workbench.cli import admin, cases, documents, followthrough, followup, history, team
from workbench.cli.documents import MAX_IMPORT_BYTES
from workbench.cli.errors import CheckFailed, CliError, report
from workbench.cli.group import AppLauncher, Invocation, main

COMMANDS = (
    cases.new,
    cases.list_,
    cases.show,
    documents.import_,
    documents.export,
    documents.check,
    followup.due,
    followthrough.escalate,
    followthrough.keep,
    followthrough.log,
    followthrough.reassess,
    followthrough.de_escalate,
    followthrough.resolve,
    history.similar,
    history.stats,
    admin.playbook_cmd,
    admin.backup,
    team.team,
)
for _command in COMMANDS:
    main.add_command(_command)

__all__ = [
    "COMMANDS",
    "MAX_IMPORT_BYTES",
    "AppLauncher",
    "CheckFailed",
    "CliError",
    "Invocation",
    "main",
    "report",
]
