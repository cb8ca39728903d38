"""Getting the escalation document onto the clipboard, or somewhere the agent can find it.

Agents work inside tmux, over SSH, and on their own desktops, and each needs its own way:

- inside tmux (`$TMUX` set): `tmux load-buffer -w -` puts the text in tmux's paste buffer and, with
  `-w`, sends it on to the outer terminal's clipboard. tmux 3.3 starts with `set-clipboard
  external`, which drops an application's own OSC 52, so this is the way that works by default;
- on the desktop: the platform's own tool (wl-copy, xclip, xsel, pbcopy, clip.exe);
- over SSH with no tool (`SSH_TTY` or `SSH_CONNECTION` set): the OSC 52 sequence, written by the
  caller (the App, or the command line to its terminal), which the agent's terminal turns into a
  clipboard write;
- otherwise: a new private file, and the message says where.

`copy_text` never overwrites a file and never raises: the caller shows `CopyResult.message` (and
`CopyResult.path`, whole, when there is one). Text is sanitized first: terminal control sequences
never reach the clipboard.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = [
    "APP_DIR_NAME",
    "CopyResult",
    "copy_text",
    "fallback_dirs",
    "osc52_sequence",
    "over_ssh",
]

APP_DIR_NAME = "escalation-workbench"
TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class CopyResult:
    """What happened: `method` is the tool's name, "file" or "none"; `ok` means on the clipboard."""

    method: str
    ok: bool
    path: Path | None
    message: str


@dataclass(frozen=True)
class _Tool:
    name: str
    argv: tuple[str, ...]
    encoding: str = "utf-8"
    bom: bytes = b""


def _sanitize(text: str) -> str:
    from workbench.sanitize import sanitize

    return sanitize(text)


def osc52_sequence(text: str) -> str:
    """The OSC 52 "set clipboard" sequence for `text` (what App.copy_to_clipboard writes)."""
    payload = base64.b64encode(_sanitize(text).encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\a"


def _platform() -> str:
    return sys.platform


def _is_wsl() -> bool:
    if os.environ.get("WSL_DISTRO_NAME") or os.environ.get("WSL_INTEROP"):
        return True
    try:
        with open("/proc/version", encoding="utf-8", errors="replace") as handle:
            return "microsoft" in handle.read().lower()
    except OSError:
        return False


def _tools() -> list[_Tool]:
    """The clipboard tools worth trying here, best first."""
    platform = _platform()
    windows_clip = _Tool("clip.exe", ("clip.exe",), "utf-16-le", b"\xff\xfe")
    if platform == "darwin":
        return [_Tool("pbcopy", ("pbcopy",))]
    if platform == "win32":
        return [windows_clip]
    tools: list[_Tool] = []
    if _is_wsl():
        tools.append(windows_clip)
    if os.environ.get("WAYLAND_DISPLAY"):
        tools.append(_Tool("wl-copy", ("wl-copy",)))
    if os.environ.get("DISPLAY"):
        tools.append(_Tool("xclip", ("xclip", "-selection", "clipboard")))
        tools.append(_Tool("xsel", ("xsel", "--clipboard", "--input")))
    return tools


def _run(tool: _Tool, executable: str, text: str) -> str | None:
    """Run one tool; None on success, else why it failed (a few words)."""
    env = dict(os.environ)
    if tool.name == "pbcopy":
        env.setdefault("LC_CTYPE", "UTF-8")  # pbcopy reads stdin in the locale's encoding
    try:
        # Output goes to /dev/null: wl-copy and xclip stay in the background to serve the
        # selection, and a captured pipe would keep us waiting for them until the timeout.
        completed = subprocess.run(
            [executable, *tool.argv[1:]],
            input=tool.bom + text.encode(tool.encoding),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"no answer in {TIMEOUT_SECONDS:g} s"
    except OSError as exc:
        return exc.strerror or str(exc)
    if completed.returncode != 0:
        return f"exit status {completed.returncode}"
    return None


def fallback_dirs() -> list[Path]:
    """Where the text goes when no tool works: the user's data directory, then the temp dir."""
    from platformdirs import user_data_path

    return [
        user_data_path(APP_DIR_NAME, appauthor=False) / "clipboard",
        Path(tempfile.gettempdir()),
    ]


def _write_new_file(directory: Path, text: str, now: datetime) -> Path:
    """A new file (never an existing one, never through a symlink), readable by its owner only."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"workbench-clipboard-{now:%Y%m%d-%H%M%S}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for attempt in range(1, 1000):
        path = directory / (f"{stem}.md" if attempt == 1 else f"{stem}-{attempt}.md")
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        return path
    raise FileExistsError(f"{directory}: no free file name for {stem}")


def _tmux(text: str) -> CopyResult | None:
    """Inside tmux: its paste buffer and, through it, the outer terminal's clipboard."""
    if not os.environ.get("TMUX"):
        return None
    executable = shutil.which("tmux")
    if executable is None:
        return None
    if _run(_Tool("tmux", ("tmux", "load-buffer", "-w", "-")), executable, text) is None:
        return CopyResult(
            "tmux", True, None, "Copied to the tmux buffer and the terminal clipboard."
        )
    # tmux before 3.2 has no -w: the paste buffer still works.
    if _run(_Tool("tmux", ("tmux", "load-buffer", "-")), executable, text) is None:
        return CopyResult("tmux", True, None, "Copied to the tmux buffer (prefix ] pastes it).")
    return None


def over_ssh() -> bool:
    return bool(os.environ.get("SSH_TTY") or os.environ.get("SSH_CONNECTION"))


def copy_text(text: str, *, osc52: Callable[[str], object] | None = None) -> CopyResult:
    """Put `text` on the clipboard: tmux's buffer inside tmux, else the platform's tool, else over
    SSH the OSC 52 sequence through `osc52` (a writer of the sequence; None: not available), else
    a new file. Never raises."""
    clean = _sanitize(text)
    inside_tmux = _tmux(clean)
    if inside_tmux is not None:
        return inside_tmux
    failures: list[str] = []
    for tool in _tools():
        executable = shutil.which(tool.argv[0])
        if executable is None:
            continue
        problem = _run(tool, executable, clean)
        if problem is None:
            return CopyResult(tool.name, True, None, f"Copied to the clipboard with {tool.name}.")
        failures.append(f"{tool.name}: {problem}")
    if osc52 is not None and over_ssh():
        try:
            osc52(osc52_sequence(clean))
        except OSError:
            pass
        else:
            return CopyResult(
                "osc52", True, None, "Sent to your terminal's clipboard over SSH (OSC 52)."
            )
    why = (
        f"No clipboard tool worked ({'; '.join(failures)})"
        if failures
        else "No clipboard tool found (wl-copy, xclip, xsel, pbcopy or clip.exe)"
    )
    errors: list[str] = []
    for directory in fallback_dirs():
        try:
            path = _write_new_file(directory, clean, datetime.now())
        except OSError as exc:
            errors.append(f"{directory}: {exc.strerror or exc}")
            continue
        return CopyResult("file", False, path, f"{why}; the text is in {path}")
    detail = f" ({errors[-1]})" if errors else ""
    return CopyResult("none", False, None, f"{why}, and no file could be written{detail}")
