"""A value made on first use, once, however many threads ask for it at the same moment.

The app gets the shipped playbook this way: the list is painted without it, and the app, the
store, the warm-up thread and a dashboard worker may all ask first; it is loaded and validated
once. `once` of a `Once` is that same `Once`, so callers that each wrap a shared loader still
share its one value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """`load()` on the first call, its value on every call."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self.loaded = False

    def __call__(self) -> T:
        if not self.loaded:
            with self._lock:
                if not self.loaded:
                    self._value = self._load()
                    self.loaded = True
        # Set once loaded is True (T itself may admit None, so no narrowing is possible here).
        return self._value  # type: ignore[return-value]


def once(load: Callable[[], T]) -> Once[T]:
    return load if isinstance(load, Once) else Once(load)
