"""Getting the escalation document onto the clipboard, or somewhere the agent can find it.

Terminals differ: over SSH or in macOS Terminal the OSC 52 sequence the App sends may go nowhere, so
`copy_text` tries the platform's own tool (wl-copy, xclip, xsel, pbcopy, clip.exe) and, when none
works, writes the text to a new private file and says where. It never overwrites a file and never
raises: the caller shows `CopyResult.message` and is done. Text is sanitized first: terminal control
sequences never reach the clipboard.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["APP_DIR_NAME", "CopyResult", "copy_text", "fallback_dirs", "osc52_sequence"]

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


def copy_text(text: str) -> CopyResult:
    """Put `text` on the clipboard with the platform's tool, or in a new file; never raises."""
    clean = _sanitize(text)
    failures: list[str] = []
    for tool in _tools():
        executable = shutil.which(tool.argv[0])
        if executable is None:
            continue
        problem = _run(tool, executable, clean)
        if problem is None:
            return CopyResult(tool.name, True, None, f"Copied to the clipboard with {tool.name}.")
        failures.append(f"{tool.name}: {problem}")
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
