"""Run the real `workbench` command with Textual's headless driver: `python -m bench.launch ARGS`.

The command's entry point (`screens.start.main`), the playbook, the store and the app all start
exactly as `workbench ARGS` starts them; only the driver differs (no terminal needed), and the
terminal check of the bare command is answered yes. With `WORKBENCH_BENCH_EXIT=1` the list exits
once its first rows are painted; that exit notes the moment (`bench.bare_app.record_frame`), the
cold start.
"""

from __future__ import annotations

import atexit
import sys
from typing import Any

# Textual's App is imported here only to switch its driver: the workbench imports it anyway on
# its way to the first frame, so this moves the cost, it does not add to it.
from textual.app import App

from bench.bare_app import record_frame, write_peak_rss

SIZE = (120, 40)


def _headless_run(run: Any) -> Any:
    def run_headless(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        kwargs["headless"] = True
        kwargs.setdefault("size", SIZE)
        return run(self, *args, **kwargs)

    return run_headless


def _recording_exit(exit: Any) -> Any:
    def exit_after_frame(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        record_frame()  # the list's first rows are painted: it exits right after (home.py)
        # The warm-up every session runs once the list is painted (WorkbenchApp._warm_up) has
        # not started yet: the exit comes first. Run it here, so the peak RSS at exit counts it.
        warm_up = getattr(self, "_load_for_cases", None)
        if warm_up is not None:
            warm_up()
        return exit(self, *args, **kwargs)

    return exit_after_frame


def main(argv: list[str] | None = None) -> None:
    atexit.register(write_peak_rss)
    App.run = _headless_run(App.run)  # type: ignore[method-assign]
    App.exit = _recording_exit(App.exit)  # type: ignore[method-assign]
    import screens.start as start

    start._is_terminal = lambda: True
    start.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
