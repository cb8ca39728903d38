"""What the terminal sends, read so that it can neither crash the app nor steer it.

Textual 8.2.8's own reading (textual/drivers/linux_driver.py, textual/_xterm_parser.py) had two
holes an agent meets every day:

- one byte that is not UTF-8 (a Latin-1 terminal's "é", a surrogate in a paste) raised
  UnicodeDecodeError in the input thread and ended the app;
- inside a bracketed paste, an escape sequence (a coloured log line) was re-sent as key presses:
  ESC ^Q quit, ESC DEL deleted text, ESC ESC left the case, a tab moved the focus.

`PasteSafeParser` takes bracketed pastes out of the stream before Textual's key parser sees
them: everything between the paste's start and end markers is one `Paste` event, cleaned by
`workbench.sanitize` (CSI, OSC and other escape sequences and control characters removed; tabs and
newlines kept), and never a key. `SafeLinuxDriver` reads stdin with that parser, decodes with
U+FFFD for what is not UTF-8, and takes a terminal that went away (EIO) as a hang-up: SIGHUP,
which the app answers by saving what was typed and exiting (screens/app.py).
"""

from __future__ import annotations

import contextlib
import os
import queue
import selectors
import signal
import time
from codecs import getincrementaldecoder
from collections.abc import Callable, Iterable
from typing import Any

from textual import constants, events
from textual._time import get_time
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.drivers import linux_driver
from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from workbench.sanitize import sanitize

__all__ = ["PasteSafeParser", "SafeLinuxDriver", "clean_paste", "decoder"]

START = BRACKETED_PASTE_START
END = BRACKETED_PASTE_END


def clean_paste(text: str) -> str:
    """A paste as the text it is: escape sequences and control characters removed, CR LF and CR
    as LF, tabs kept."""
    return sanitize(text)


def decoder() -> Callable[..., str]:
    """What the driver decodes the terminal's bytes with: UTF-8, U+FFFD for what is not."""
    return getincrementaldecoder("utf-8")(errors="replace").decode


def _held_prefix(text: str) -> int:
    """How many characters at the end of `text` could be the start of a paste's start marker."""
    for size in range(min(len(START) - 1, len(text)), 0, -1):
        if START.startswith(text[-size:]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    """Textual's parser with bracketed pastes taken out before it: a paste is one `Paste` event
    of clean text, whatever bytes it holds; nothing inside it becomes a key."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._held = ""  # the end of a read that may be the start of a paste marker
        self._held_at = 0.0
        self._paste: str | None = None  # inside a paste: its text so far

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # the end of input
            if self._paste is not None:
                yield events.Paste(clean_paste(self._paste))
                self._paste = None
            if self._held:
                yield from self._pass_on(self._held)
                self._held = ""
            yield from super().feed("")
            return
        text, self._held = self._held + data, ""
        while text:
            if self._paste is not None:
                search_from = max(0, len(self._paste) - len(END) + 1)
                self._paste += text
                end = self._paste.find(END, search_from)
                if end < 0:
                    return
                text = self._paste[end + len(END) :]
                pasted, self._paste = self._paste[:end], None
                yield events.Paste(clean_paste(pasted))
                continue
            start = text.find(START)
            if start >= 0:
                yield from self._pass_on(text[:start])
                yield from self._expire()  # an ESC the parser waits on goes before the paste
                self._paste = ""
                text = text[start + len(START) :]
                continue
            held = _held_prefix(text)
            yield from self._pass_on(text[: len(text) - held])
            if held:
                self._held, self._held_at = text[len(text) - held :], get_time()
            return

    def _pass_on(self, text: str) -> Iterable[Message]:
        if text:
            yield from super().feed(text)

    def _expire(self) -> Iterable[Message]:
        """Let the parser's wait for the rest of an escape sequence end now."""
        if self._timeout_time is not None:
            self._timeout_time = get_time()
            yield from super().tick()

    def tick(self) -> Iterable[Message]:
        if self._held and get_time() - self._held_at >= constants.ESCAPE_DELAY:
            # Nothing followed: it was a key (escape, alt+[), waited for long enough already.
            held, self._held = self._held, ""
            yield from self._pass_on(held)
            yield from self._expire()
        yield from super().tick()


# Seconds a write waits for room in the queue to the terminal before it is dropped.
WRITE_WAIT = 5.0


class SafeWriterThread(WriterThread):
    """Textual's thread writing to the terminal, that never blocks the app for good. When the
    terminal is gone, a write raises in the thread and ends it; the app's next 30 writes then
    filled Textual's queue and the 31st (or the stop at exit) waited forever: the app outlived
    its closed terminal (tmux test, SIGHUP while the app was busy drawing). A write that finds
    the thread ended, or no room for WRITE_WAIT s, is dropped."""

    def write(self, text: str) -> None:
        self._put(text)

    def _put(self, item: str | None) -> None:
        deadline = time.monotonic() + WRITE_WAIT
        while True:
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                if not self.is_alive() or time.monotonic() > deadline:
                    return

    def run(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the terminal is gone (EIO, closed)
            super().run()

    def stop(self) -> None:
        self._put(None)
        self.join(WRITE_WAIT)


# Textual's driver makes its writer by this module-level name (textual is pinned).
setattr(linux_driver, "WriterThread", SafeWriterThread)  # noqa: B010


class SafeLinuxDriver(LinuxDriver):
    """Textual's Linux driver reading through `PasteSafeParser`, decoding what is not UTF-8 as
    U+FFFD, and surviving whatever the parser makes of the bytes."""

    def process_message(self, message: Message) -> None:
        # On the input thread, as soon as the key is read: the app's step screens built ahead
        # wait for a pause before each costly layout (screens/kept.py), and a key on its way
        # through a busy event loop (Textual hands it over with run_coroutine_threadsafe) did
        # not count, so a 110 ms layout began in front of it. Only a float is written.
        if isinstance(message, events.InputEvent | events.Paste):
            note = getattr(self._app, "note_input_read", None)
            if note is not None:
                note()
        super().process_message(message)

    def run_input_thread(self) -> None:  # Textual's own loop, with the changes above
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = PasteSafeParser(self._debug)
        decode = decoder()

        def deliver(messages: Iterable[Message]) -> None:
            nonlocal parser
            try:
                for message in messages:
                    self.process_message(message)
            except Exception:  # the parser's own bug: start it again rather than end the app
                parser = PasteSafeParser(self._debug)

        def process(selector_events: list[tuple[Any, int]], final: bool = False) -> bool:
            for _key, mask in selector_events:
                if mask & selectors.EVENT_READ:
                    try:
                        data = os.read(fileno, 1024 * 4)
                    except OSError:  # the terminal is gone (EIO): as a hang-up
                        return False
                    if not data:  # end of input: the terminal is gone too (a closed pty)
                        return False
                    text = decode(data, final=final)
                    if text:  # "" is the end of input to the parser; half a character is not
                        deliver(parser.feed(text))
            deliver(parser.tick())
            return True

        try:
            while not self.exit_event.is_set():
                if not process(selector.select(0.1)):
                    os.kill(os.getpid(), signal.SIGHUP)
                    self.exit_event.wait()
                    break
            with contextlib.suppress(OSError, ValueError):
                selector.unregister(self.fileno)
        finally:
            selector.close()
            with contextlib.suppress(Exception):
                for _ in parser.feed(""):
                    pass
