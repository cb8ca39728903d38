"""copy_text: the right tool per platform, fallbacks in order, a private never-overwriting file."""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from workbench import clipboard
from workbench.clipboard import copy_text, osc52_sequence


@dataclass
class FakeRun:
    """Stands in for subprocess.run: records calls, answers per tool name."""

    answers: dict[str, int | BaseException] = field(default_factory=dict)
    calls: list[tuple[list[str], bytes, dict[str, str]]] = field(default_factory=list)

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        assert kwargs["timeout"] > 0
        assert kwargs["stdout"] is subprocess.DEVNULL
        self.calls.append((list(argv), kwargs["input"], kwargs["env"]))
        answer = self.answers.get(Path(argv[0]).name, 0)
        if isinstance(answer, BaseException):
            raise answer
        return subprocess.CompletedProcess(list(argv), answer)

    @property
    def tools(self) -> list[str]:
        return [Path(argv[0]).name for argv, _, _ in self.calls]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., FakeRun]:
    """Configure a platform: `fake(platform, env, present=[tools], answers={tool: rc|exc})`."""

    def configure(
        platform: str = "linux",
        env: dict[str, str] | None = None,
        present: Sequence[str] = (),
        answers: dict[str, int | BaseException] | None = None,
        wsl: bool = False,
    ) -> FakeRun:
        for name in (
            "WAYLAND_DISPLAY",
            "DISPLAY",
            "WSL_DISTRO_NAME",
            "WSL_INTEROP",
            "TMUX",
            "SSH_TTY",
            "SSH_CONNECTION",
        ):
            monkeypatch.delenv(name, raising=False)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(clipboard, "_platform", lambda: platform)
        monkeypatch.setattr(clipboard, "_is_wsl", lambda: wsl)
        monkeypatch.setattr(
            shutil, "which", lambda name: f"/usr/bin/{name}" if name in present else None
        )
        run = FakeRun(answers or {})
        monkeypatch.setattr(subprocess, "run", run)
        monkeypatch.setattr(
            clipboard, "fallback_dirs", lambda: [tmp_path / "data" / "clipboard", tmp_path / "tmp"]
        )
        return run

    return configure


def test_wayland_uses_wl_copy(fake: Callable[..., FakeRun]) -> None:
    run = fake(env={"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, present=["wl-copy", "xclip"])
    result = copy_text("hello ✓")
    assert (result.method, result.ok, result.path) == ("wl-copy", True, None)
    assert "wl-copy" in result.message
    assert run.calls[0][0] == ["/usr/bin/wl-copy"]
    assert run.calls[0][1] == "hello ✓".encode()


def test_x11_prefers_xclip_then_xsel(fake: Callable[..., FakeRun]) -> None:
    run = fake(env={"DISPLAY": ":0"}, present=["xclip", "xsel"], answers={"xclip": 1})
    result = copy_text("x")
    assert (result.method, result.ok) == ("xsel", True)
    assert run.tools == ["xclip", "xsel"]
    assert run.calls[0][0] == ["/usr/bin/xclip", "-selection", "clipboard"]
    assert run.calls[1][0] == ["/usr/bin/xsel", "--clipboard", "--input"]


def test_x11_skips_a_tool_that_is_not_installed(fake: Callable[..., FakeRun]) -> None:
    run = fake(env={"DISPLAY": ":0"}, present=["xsel"])
    assert copy_text("x").method == "xsel"
    assert run.tools == ["xsel"]


def test_macos_uses_pbcopy_in_utf8(fake: Callable[..., FakeRun]) -> None:
    run = fake(platform="darwin", env={"DISPLAY": ":0"}, present=["pbcopy", "xclip"])
    result = copy_text("café")
    assert (result.method, result.ok) == ("pbcopy", True)
    argv, data, env = run.calls[0]
    assert argv == ["/usr/bin/pbcopy"]
    assert data == "café".encode()
    assert env.get("LC_CTYPE") or env.get("LANG") or env.get("LC_ALL")


@pytest.mark.parametrize(("platform", "wsl"), [("linux", True), ("win32", False)])
def test_windows_and_wsl_use_clip_exe_in_utf16(
    fake: Callable[..., FakeRun], platform: str, wsl: bool
) -> None:
    run = fake(platform=platform, wsl=wsl, present=["clip.exe"])
    result = copy_text("café")
    assert (result.method, result.ok) == ("clip.exe", True)
    assert run.calls[0][1] == b"\xff\xfe" + "café".encode("utf-16-le")


def test_wsl_falls_back_to_wayland(fake: Callable[..., FakeRun]) -> None:
    run = fake(
        wsl=True,
        env={"WAYLAND_DISPLAY": "wayland-0"},
        present=["clip.exe", "wl-copy"],
        answers={"clip.exe": OSError(8, "Exec format error")},
    )
    assert copy_text("x").method == "wl-copy"
    assert run.tools == ["clip.exe", "wl-copy"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_no_tool_writes_a_private_file(fake: Callable[..., FakeRun], tmp_path: Path) -> None:
    run = fake()
    result = copy_text("the document\n")
    assert (result.method, result.ok) == ("file", False)
    assert result.path is not None
    assert result.path.parent == tmp_path / "data" / "clipboard"
    assert result.path.read_text(encoding="utf-8") == "the document\n"
    assert _mode(result.path) == 0o600
    assert str(result.path) in result.message
    assert "No clipboard tool found" in result.message
    assert "\n" not in result.message
    assert run.calls == []


def test_failures_are_named_in_the_message(fake: Callable[..., FakeRun]) -> None:
    fake(
        env={"DISPLAY": ":0"},
        present=["xclip", "xsel"],
        answers={"xclip": subprocess.TimeoutExpired("xclip", 3), "xsel": 1},
    )
    result = copy_text("x")
    assert result.method == "file"
    assert "xclip: no answer in 3 s" in result.message
    assert "xsel: exit status 1" in result.message


def test_never_overwrites(fake: Callable[..., FakeRun]) -> None:
    fake()
    first = copy_text("one")
    second = copy_text("two")
    assert first.path is not None and second.path is not None
    assert first.path != second.path
    assert first.path.read_text(encoding="utf-8") == "one"
    assert second.path.read_text(encoding="utf-8") == "two"


def test_file_names_skip_existing_files_and_symlinks(tmp_path: Path) -> None:
    now = datetime(2026, 11, 26, 17, 0, 0)
    stem = "workbench-clipboard-20261126-170000"
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me", encoding="utf-8")
    (tmp_path / f"{stem}.md").write_text("existing", encoding="utf-8")
    (tmp_path / f"{stem}-2.md").symlink_to(target)
    path = clipboard._write_new_file(tmp_path, "new", now)
    assert path.name == f"{stem}-3.md"
    assert target.read_text(encoding="utf-8") == "keep me"
    assert (tmp_path / f"{stem}.md").read_text(encoding="utf-8") == "existing"


def test_unwritable_data_dir_falls_back_to_temp(
    fake: Callable[..., FakeRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake()
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(clipboard, "fallback_dirs", lambda: [blocker / "sub", tmp_path / "tmp"])
    result = copy_text("x")
    assert result.path is not None and result.path.parent == tmp_path / "tmp"


def test_nothing_works(
    fake: Callable[..., FakeRun], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake()
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(clipboard, "fallback_dirs", lambda: [blocker / "a", blocker / "b"])
    result = copy_text("x")
    assert (result.method, result.ok, result.path) == ("none", False, None)
    assert "no file could be written" in result.message
    assert str(blocker / "b") in result.message


def test_control_sequences_never_reach_the_clipboard(fake: Callable[..., FakeRun]) -> None:
    run = fake(env={"DISPLAY": ":0"}, present=["xclip"])
    copy_text("red \x1b[31mtext\x1b[0m\x07 and \x1b]52;c;AAAA\x07 end\n\tok")
    sent = run.calls[0][1].decode()
    assert "\x1b" not in sent and "\x07" not in sent
    assert sent.endswith("end\n\tok")


def test_osc52_sequence() -> None:
    sequence = osc52_sequence("héllo\x1b[2J")
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\a")
    payload = sequence[len("\x1b]52;c;") : -1]
    assert "\x1b" not in base64.b64decode(payload).decode()
    assert base64.b64decode(payload).decode().startswith("héllo")


def test_fallback_dirs_default_to_user_data_then_temp() -> None:
    first, second = clipboard.fallback_dirs()
    assert first.name == "clipboard" and clipboard.APP_DIR_NAME in str(first)
    assert second.is_dir()
    assert os.access(second, os.W_OK)


# -- tmux and SSH -------------------------------------------------------------------------------------
def test_inside_tmux_the_buffer_and_the_outer_clipboard_come_first(
    fake: Callable[..., FakeRun],
) -> None:
    run = fake(env={"TMUX": "/tmp/tmux-1/default,1,0", "DISPLAY": ":0"}, present=["tmux", "xclip"])
    result = copy_text("doc\n")
    assert run.calls[0][0] == ["/usr/bin/tmux", "load-buffer", "-w", "-"]
    assert run.calls[0][1] == b"doc\n"
    assert run.tools == ["tmux"]  # xclip not needed
    assert (result.method, result.ok) == ("tmux", True)
    assert result.message == "Copied to the tmux buffer and the terminal clipboard."


def test_an_old_tmux_without_w_still_gets_its_buffer(
    fake: Callable[..., FakeRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def answer(argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        calls.append(list(argv))
        return subprocess.CompletedProcess(list(argv), 1 if "-w" in argv else 0)

    fake(env={"TMUX": "x"}, present=["tmux"])
    monkeypatch.setattr(subprocess, "run", answer)
    result = copy_text("doc")
    assert [c[1:] for c in calls] == [["load-buffer", "-w", "-"], ["load-buffer", "-"]]
    assert result.method == "tmux" and "tmux buffer" in result.message


def test_tmux_is_only_used_inside_tmux(fake: Callable[..., FakeRun]) -> None:
    run = fake(env={"DISPLAY": ":0"}, present=["tmux", "xclip"])
    assert copy_text("doc").method == "xclip"
    assert run.tools == ["xclip"]


def test_over_ssh_without_a_tool_the_terminal_gets_osc52(fake: Callable[..., FakeRun]) -> None:
    fake(env={"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"})
    sent: list[str] = []
    result = copy_text("doc \x1b[31m", osc52=sent.append)
    assert sent == [osc52_sequence("doc ")]
    assert (result.method, result.ok, result.path) == ("osc52", True, None)
    assert "SSH" in result.message


def test_osc52_is_not_claimed_locally_or_without_a_writer(
    fake: Callable[..., FakeRun], tmp_path: Path
) -> None:
    fake()
    sent: list[str] = []
    assert copy_text("doc", osc52=sent.append).method == "file"  # not over SSH
    assert sent == []
    fake(env={"SSH_TTY": "/dev/pts/3"})
    assert copy_text("doc").method == "file"  # over SSH, but nobody to write the sequence


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_real_tmux_server_holds_the_whole_text(tmp_path: Path) -> None:
    """copy_text run in a pane of a fresh tmux server (default settings: set-clipboard external)."""
    import shlex
    import sys

    socket = f"wb-clip-{os.getpid()}"
    text = "# ESCALATION: `<SAMLResponse>` *x*\n\nline two; `ticks` \\ end\n"
    source = tmp_path / "doc.md"
    source.write_text(text, encoding="utf-8")
    done = tmp_path / "done"
    script = (
        "import pathlib; from workbench.clipboard import copy_text; "
        f"r = copy_text(pathlib.Path({str(source)!r}).read_text()); "
        f"pathlib.Path({str(done)!r}).write_text(r.method)"
    )
    # The pane signals when it is done; `wait-for` blocks until then (no sleeping, no timing).
    pane = (
        f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}; "
        "tmux wait-for -S clip-done; tmux wait-for clip-never"  # the pane (and server) stay up
    )
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "80", "-y", "24", pane], check=True, env=env, cwd=root
    )
    try:
        subprocess.run([*tmux, "wait-for", "clip-done"], check=True, env=env, timeout=60)
        assert done.read_text() == "tmux"
        shown = subprocess.run(
            [*tmux, "show-buffer"], capture_output=True, check=True, env=env
        ).stdout.decode()
        assert shown == text
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, env=env, capture_output=True)
