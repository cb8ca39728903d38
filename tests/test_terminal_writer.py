"""The thread writing to the terminal never blocks the app for good (screens/terminal.py): once
the terminal is gone, writes are dropped and the stop at exit returns."""

from __future__ import annotations

import io
import threading

from screens.terminal import SafeWriterThread


class GoneTerminal(io.StringIO):
    """A terminal closed under the app: every write fails as a closed pty's does."""

    def write(self, text: str) -> int:
        raise OSError(5, "Input/output error")


def test_writes_after_the_terminal_went_away_neither_block_nor_raise() -> None:
    writer = SafeWriterThread(GoneTerminal())
    writer.start()
    writer.write("first frame")
    writer.join(5)
    assert not writer.is_alive()  # the write failed: the thread ended quietly
    done = threading.Event()

    def app_goes_on() -> None:
        for number in range(100):  # more than Textual's queue holds (30)
            writer.write(f"frame {number}")
        writer.stop()
        done.set()

    threading.Thread(target=app_goes_on, daemon=True).start()
    assert done.wait(20), "a write or the stop blocked"


def test_a_working_terminal_gets_every_write_in_order() -> None:
    out = io.StringIO()
    writer = SafeWriterThread(out)
    writer.start()
    for number in range(100):
        writer.write(f"{number};")
    writer.stop()
    assert out.getvalue() == "".join(f"{number};" for number in range(100))
