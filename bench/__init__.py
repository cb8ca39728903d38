"""The performance benchmark suite: `make bench` (or `python -m bench`).

Every figure is a ratio or a median measured in the same run, never a single absolute time: the
machine is shared and absolute times move by a third from one minute to the next. The modules:

- `generate`: realistic cases (field lengths, status/severity/destination mixes, years of history)
  and a database of N of them built through the store's bulk method.
- `bare_app`: the baseline, a bare Textual app that shows one label.
- `launch`: runs the real `workbench` command headless (for cold-start timing).
- `startup`: cold start and peak memory, alternating the bare app and the workbench.
- `interact`: in-process keystroke, search, filter and sort latencies (Pilot, headless).
- `documents`: export render, import parse, bytes per case on disk.
- `report`: the table and the JSON.

Only the standard library and the project's own dependencies are used.
"""
