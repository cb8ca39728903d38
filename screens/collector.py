"""Full garbage collections in the agent's pauses, not in the middle of a keystroke.

A full collection walks every container object the process holds. With a case open that includes
the similar-case pool (two hundred cases as models, about 150,000 objects): a pause the agent notices. CPython
starts one whenever enough objects have outlived two younger collections, which on a busy screen
is every few seconds, inside whatever key is being handled; in the benchmark they were the slowest
toggles and keystrokes.

So, once the app is warmed up: what start-up built is frozen (it lives as long as the app, and no
collection walks it again), automatic collections of the two older generations are switched off,
and a full one runs when no key or click has come, and no step screen has been built ahead, for
`QUIET` seconds (at most `LONGEST` apart, should the typing never pause). After it, the C
allocator is asked to give the memory it freed back to the system (`malloc_trim`, glibc): it keeps
freed pages for itself, and over a working day of cases opened and closed they were a third of
the process's heap (20 MiB free in a 42 MiB heap by case 50 at 100,000 cases), growing with it.
Only the youngest generation's collections stay automatic: they are quick (0.1-0.6 ms at 100,000
cases) and free most garbage. The middle one's, every tenth of them by default, walked what the
last few keys left (0.7-1.4 ms, one key in three to eight while toggling): the slowest
keystrokes again. Garbage in a cycle that outlived a young collection now waits for the pause;
anything else is freed as it always is, by its reference count. (On a Python whose collector is
incremental, 3.14 on, the older thresholds mean something else: the policy then only adds the
collections in pauses.)
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

QUIET = 1.0  # seconds without input before a full collection
LONGEST = 60.0  # seconds: a full collection at least this often, pause or not
CHECK = 0.5  # seconds between looks
_NEVER = 1 << 30  # a full-collection threshold no count reaches


class QuietCollector:
    """Owns the process's collector settings while started; `stop` puts them back."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_input = clock()
        self.last_busy = clock()  # the app's own work in a pause (a step screen built ahead)
        self.last_full = clock()
        self.full_collections = 0
        self._thresholds: tuple[int, int, int] | None = None
        self._young_seen = 0
        self._timer: Timer | None = None
        self._closed = False  # stopped: a start that comes late (a warm-up racing the exit) is void

    @property
    def started(self) -> bool:
        return self._thresholds is not None

    def start(self, app: App[Any]) -> None:
        """Freeze what exists, switch automatic full collections off, look every CHECK seconds
        (from the app's thread: the timer is the app's)."""
        if self.started or self._closed or not app.is_running:
            return
        gc.collect()  # what is garbage already is not frozen with the rest
        gc.freeze()
        young, _middle, _full = self._thresholds = gc.get_threshold()
        gc.set_threshold(young, _NEVER, _NEVER)
        self._young_seen = _young_collections()
        self.last_full = self.clock()
        self._timer = app.set_interval(CHECK, self.tick, name="quiet-collector")

    def stop(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
            # What start froze is collectable again: an app ended in a process that goes on (a
            # test run) would otherwise keep its screens, frozen, for good.
            gc.unfreeze()

    def note_input(self) -> None:
        self.last_input = self.clock()

    def note_busy(self) -> None:
        """The app is working in the agent's pause (building a step screen ahead): the pause is
        not over, but it is not the moment for a collection either. Each build ahead left
        garbage enough for the next look to walk the heap (64-171 ms on the list in tmux), and
        the next key, the one that opens the case, waited behind it."""
        self.last_busy = self.clock()

    def tick(self) -> bool:
        """A full collection if the agent has paused and something may have become garbage since
        the last one, or if the last one was LONGEST ago. True when one ran."""
        if not self.started:
            return False
        now = self.clock()
        paused = now - max(self.last_input, self.last_busy) >= QUIET
        changed = _young_collections() != self._young_seen
        if not (paused and changed) and now - self.last_full < LONGEST:
            return False
        gc.collect()
        give_back_freed_memory()
        self.full_collections += 1
        self.last_full = self.clock()
        self._young_seen = _young_collections()
        return True


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl). Looked up at
    the first full collection in a pause, not at start-up (ctypes is not otherwise imported)."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back_freed_memory() -> bool:
    """Return the heap's free pages to the system. True when the allocator could; False where it
    cannot be asked or had nothing to give back."""
    trim = _malloc_trim()
    return trim is not None and bool(trim(0))


def _young_collections() -> int:
    """Young collections since the last full one: what outlived one of them waits in the middle
    generation (none is collected automatically), so none means no new garbage cycle to find."""
    return int(gc.get_count()[1])
