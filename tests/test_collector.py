"""Full garbage collections in the agent's pauses (screens/collector.py), on a fake clock."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from screens import collector
from screens.collector import CHECK, LONGEST, QUIET, QuietCollector


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _App:
    """What the collector asks of the app: an interval timer."""

    def __init__(self, *, running: bool = True) -> None:
        self.intervals: list[tuple[float, Any]] = []
        self.is_running = running

    def set_interval(self, seconds: float, callback: Any, *, name: str) -> Any:
        self.intervals.append((seconds, callback))
        return _Timer()


class _Timer:
    stopped = False

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def gc_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """gc.freeze, gc.unfreeze and gc.collect recorded, not done (this process runs the whole
    suite, frozen since its collection: tests/conftest.py); the count of young collections since
    the last full one under the test's control."""
    calls: dict[str, Any] = {"freeze": 0, "unfreeze": 0, "collect": 0, "middle": 0, "trim": 0}
    monkeypatch.setattr(gc, "freeze", lambda: calls.__setitem__("freeze", calls["freeze"] + 1))
    monkeypatch.setattr(
        gc, "unfreeze", lambda: calls.__setitem__("unfreeze", calls["unfreeze"] + 1)
    )
    monkeypatch.setattr(
        gc, "collect", lambda *a: calls.__setitem__("collect", calls["collect"] + 1) or 0
    )
    monkeypatch.setattr(collector, "_young_collections", lambda: calls["middle"])
    monkeypatch.setattr(
        collector,
        "give_back_freed_memory",
        lambda: calls.__setitem__("trim", calls["trim"] + 1) or True,
    )
    return calls


def test_started_it_freezes_and_turns_automatic_older_collections_off(
    gc_calls: dict[str, Any],
) -> None:
    before = gc.get_threshold()
    quiet = QuietCollector(_Clock())
    app = _App()
    assert not quiet.tick()  # not started: nothing
    quiet.start(app)  # type: ignore[arg-type]
    try:
        assert gc_calls["freeze"] == 1 and gc_calls["collect"] == 1  # garbage is not frozen
        assert gc.get_threshold()[0] == before[0]  # young collections as they were
        assert min(gc.get_threshold()[1:]) > 10**8  # the middle and oldest: in pauses only
        assert [seconds for seconds, _ in app.intervals] == [CHECK]
        quiet.start(app)  # type: ignore[arg-type]  # once
        assert gc_calls["freeze"] == 1 and len(app.intervals) == 1
    finally:
        quiet.stop()
    assert gc.get_threshold() == before
    assert gc_calls["unfreeze"] == 1  # what it froze can be collected again
    assert not quiet.started and not quiet.tick()


def test_a_full_collection_waits_for_a_pause_in_input(gc_calls: dict[str, Any]) -> None:
    clock = _Clock()
    quiet = QuietCollector(clock)
    quiet.start(_App())  # type: ignore[arg-type]
    gc_calls["collect"] = 0  # the one before the freeze
    try:
        gc_calls["middle"] += 1  # objects may have reached the oldest generation
        for _ in range(10):  # typing: a key every 0.3 s
            clock.now += 0.3
            quiet.note_input()
            assert not quiet.tick()
        clock.now += QUIET - 0.1
        assert not quiet.tick()  # not yet a pause
        clock.now += 0.1
        assert quiet.tick() and gc_calls["collect"] == 1
        clock.now += 5
        assert not quiet.tick()  # still quiet, but nothing new since: no second walk
        gc_calls["middle"] += 1
        assert quiet.tick() and gc_calls["collect"] == 2
        assert quiet.full_collections == 2
    finally:
        quiet.stop()


def test_typing_that_never_pauses_still_gets_one_every_so_often(
    gc_calls: dict[str, Any],
) -> None:
    clock = _Clock()
    quiet = QuietCollector(clock)
    quiet.start(_App())  # type: ignore[arg-type]
    try:
        collected_at: list[float] = []
        start = clock.now
        while clock.now - start < 2.5 * LONGEST:
            clock.now += 0.2
            quiet.note_input()
            gc_calls["middle"] += 1
            if quiet.tick():
                collected_at.append(clock.now - start)
        assert len(collected_at) == 2
        assert collected_at[0] == pytest.approx(LONGEST, abs=0.3)
    finally:
        quiet.stop()


def test_a_start_after_the_stop_or_once_the_app_has_ended_does_nothing(
    gc_calls: dict[str, Any],
) -> None:
    """The warm-up's thread may ask for the start while the app is exiting: the settings stay
    the process's own."""
    before = gc.get_threshold()
    quiet = QuietCollector(_Clock())
    quiet.start(_App(running=False))  # type: ignore[arg-type]
    assert not quiet.started and gc_calls["freeze"] == 0
    quiet.stop()  # the app's unmount, before the warm-up got through
    app = _App()
    quiet.start(app)  # type: ignore[arg-type]
    assert not quiet.started and app.intervals == [] and gc_calls["freeze"] == 0
    assert gc.get_threshold() == before


def test_a_build_ahead_in_the_pause_puts_the_collection_off(gc_calls: dict[str, Any]) -> None:
    """Step screens built ahead in a pause leave garbage: a collection after each walked the
    heap (64-171 ms in tmux) just when the key that opens the case came. It waits for QUIET
    after the last build instead."""
    clock = _Clock()
    quiet = QuietCollector(clock)
    quiet.start(_App())  # type: ignore[arg-type]
    gc_calls["collect"] = 0
    try:
        gc_calls["middle"] += 1
        clock.now += QUIET  # no key for a while ...
        quiet.note_busy()  # ... but a build ahead just ran
        assert not quiet.tick()
        clock.now += QUIET - 0.1
        assert not quiet.tick()
        clock.now += 0.1
        assert quiet.tick() and gc_calls["collect"] == 1
    finally:
        quiet.stop()


def test_young_collections_are_what_may_wait_in_the_middle_generation() -> None:
    """The count the pause's collection looks at: one more with each young collection, none
    once the middle generation (or a full collection) has walked them."""
    was_enabled = gc.isenabled()
    gc.disable()  # no automatic collection between the looks
    try:
        before = collector._young_collections()
        gc.collect(0)
        assert collector._young_collections() == before + 1
        gc.collect(1)
        assert collector._young_collections() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_each_full_collection_gives_the_freed_memory_back(gc_calls: dict[str, Any]) -> None:
    clock = _Clock()
    quiet = QuietCollector(clock)
    quiet.start(_App())  # type: ignore[arg-type]
    try:
        clock.now += QUIET
        assert not quiet.tick() and gc_calls["trim"] == 0  # nothing new: no collection, no trim
        gc_calls["middle"] += 1
        assert quiet.tick() and gc_calls["trim"] == 1
        clock.now += LONGEST
        assert quiet.tick() and gc_calls["trim"] == 2  # the one at least every LONGEST seconds
    finally:
        quiet.stop()


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(collector._malloc_trim() is None, reason="the C library has no malloc_trim")
def test_the_allocator_gives_freed_pages_back_to_the_system() -> None:
    """What a day of cases left: blocks too big for Python's own allocator (case documents,
    rendered text), most of them freed between others still in use. Without the trim the
    process keeps every freed page."""
    blocks = [bytes(600 + (i * 7919) % 20000) for i in range(12000)]  # about 120 MiB
    del blocks[::2]
    del blocks[len(blocks) // 3 :]  # a sixth kept, spread over the heap
    before = _rss_kib()
    assert collector.give_back_freed_memory()
    after = _rss_kib()
    assert before - after > 50 * 1024, (before, after)
    del blocks
