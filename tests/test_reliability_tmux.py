"""The real terminal (tmux): a byte that is not UTF-8 and a pasted coloured log neither end nor
steer the app, and SIGTERM / a closed terminal save what was typed before the app exits."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reliability.crash import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None or sys.platform == "win32", reason="needs tmux"
)
WORKBENCH = str(Path(sys.executable).parent / "workbench")


class Tmux:
    def __init__(self, tmp_path: Path) -> None:
        self.socket = f"w20a-{os.getpid()}-{tmp_path.name}"
        self.db = tmp_path / "t.db"
        self.exit_file = tmp_path / "exit"
        env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "NO_COLOR")}
        self.env = env
        subprocess.run(
            [WORKBENCH, "--db", str(self.db), "new", "--title", "Export stalls"],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
        )

    def tmux(self, *args: str, input: bytes | None = None) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            input=input,
            capture_output=True,
            env=self.env,
            check=False,
        )
        return done.stdout.decode("utf-8", errors="replace")

    def start(self) -> None:
        command = f"{WORKBENCH} --db {self.db}; echo $? > {self.exit_file}; sleep 60"
        self.tmux("new-session", "-d", "-x", "120", "-y", "40", command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def until(self, what: Callable[[], bool], why: str) -> None:
        deadline = time.monotonic() + 15
        while not what():
            if time.monotonic() > deadline:
                raise AssertionError(f"{why}; the screen:\n{self.screen()}")
            time.sleep(0.05)

    def settle(self) -> None:
        """Wait until the screen stops changing (two looks 0.2 s apart agree)."""
        last = ""
        for _ in range(75):
            now = self.screen()
            if now == last:
                return
            last = now
            time.sleep(0.2)

    def app_pid(self) -> int:
        shell = int(self.tmux("list-panes", "-F", "#{pane_pid}").split()[0])
        found = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True)
        return int(found.stdout.split()[0])

    def title(self) -> str:
        from workbench.playbook import default_playbook
        from workbench.store import Store

        with Store(self.db, default_playbook()) as store:
            return store.get(1).title

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Tmux]:
    term = Tmux(tmp_path)
    yield term
    term.close()


def _open_title(term: Tmux) -> None:
    term.start()
    term.until(lambda: "Export stalls" in term.screen(), "the list did not show")
    term.tmux("send-keys", "Enter")
    term.until(lambda: "F2 Triage" in term.screen(), "the case did not open")
    term.tmux("send-keys", "F5")
    term.until(lambda: "Problem narrative" in term.screen(), "Details did not open")
    term.settle()  # the title field takes the focus once the screen has settled
    term.tmux("send-keys", "End")


def test_bytes_and_a_pasted_log_are_text_and_sigterm_saves_them(term: Tmux) -> None:
    _open_title(term)
    term.tmux("send-keys", "-H", "e9")  # a Latin-1 terminal's "é"
    term.tmux("send-keys", "-l", " ok")
    term.until(lambda: "\ufffd ok" in term.screen(), "the byte was not shown as U+FFFD")
    # ESC ^Q quit, ESC DEL deleted, ESC ESC left the case, the tab moved the focus: as keys.
    # In a one-line field the pasted tab is a space.
    log = "\x1b[31mERROR\x1b[0m\x1b\x11\x1b\x7f\x7f\x1b\x1b\x1b\x1b\tcode=500 end"
    term.tmux("load-buffer", "-", input=log.encode())
    term.tmux("paste-buffer", "-p")
    term.until(lambda: "code=500 end" in term.screen(), "the paste did not land")
    assert not term.exit_file.exists(), "the app ended"
    assert "Title" in term.screen(), "the paste left the case"
    os.kill(term.app_pid(), signal.SIGTERM)  # within the pause: nothing saved yet, maybe
    term.until(term.exit_file.exists, "the app did not exit on SIGTERM")
    code = term.exit_file.read_text().strip()
    # Status 1 is an exception while ending (Textual's own status for it): its traceback is on
    # the pane, which the message carries.
    assert code == str(128 + signal.SIGTERM), term.tmux("capture-pane", "-p", "-S", "-100")
    assert term.title() == "Export stalls\ufffd okERROR code=500 end"


def test_closing_the_terminal_saves_what_was_typed(term: Tmux) -> None:
    _open_title(term)
    pid = term.app_pid()
    term.tmux("send-keys", "-l", " zz")
    term.until(lambda: "stalls zz" in term.screen(), "the keys did not land")
    term.tmux("kill-server")  # the terminal goes away: SIGHUP
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:  # still running: an app left behind by its terminal (it used to spin on EOF)
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the app did not end when its terminal went away")
    assert term.title() == "Export stalls zz"
