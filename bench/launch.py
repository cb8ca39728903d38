"""Run the real `workbench` command with Textual's headless driver: `python -m bench.launch ARGS`.

The command line, the CLI module, the playbook, the store and the app all start exactly as
`workbench ARGS` starts them; only the driver differs (no terminal needed), and the terminal check
of the bare command is answered yes. With `WORKBENCH_BENCH_EXIT=1` the list exits once its first
rows are painted, so the process's run time is the cold start.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Any

# Textual's App is imported here only to switch its driver: the workbench imports it anyway on
# its way to the first frame, so this moves the cost, it does not add to it.
from textual.app import App

SIZE = (120, 40)


def _peak_rss() -> None:
    """At exit, this process's own peak RSS (KiB) to the file `WORKBENCH_BENCH_RSS` names (see
    bench.startup; kept here so the process imports nothing more for it)."""
    target = os.environ.get("WORKBENCH_BENCH_RSS")
    if target:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    with open(target, "w", encoding="ascii") as out:
                        out.write(line.split()[1])


def _headless_run(run: Any) -> Any:
    def run_headless(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        kwargs["headless"] = True
        kwargs.setdefault("size", SIZE)
        return run(self, *args, **kwargs)

    return run_headless


def main(argv: list[str] | None = None) -> None:
    atexit.register(_peak_rss)
    App.run = _headless_run(App.run)  # type: ignore[method-assign]
    import workbench.cli as cli

    cli._is_terminal = lambda: True
    cli.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
