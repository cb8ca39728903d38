"""Switch keys fired back to back (a fast agent, keys pasted into tmux): every F-key switches, in
order, and every key typed between them lands on the screen it was typed at, in the widget that
screen had focused; the screen on top is the one painted last.

The step screens are kept and built ahead (screens/kept.py), which twice went wrong in a real
terminal: a screen shown while another screen's Markdown was mounting stayed unpainted (F2 after
F7 "never arrived"), and a build ahead slowed a dialog past the type-ahead's limit. The bursts
below go through every ordered pair of steps (an Euler circuit of the six steps: 30 switches),
with a key typed after each, and once more while steps are built ahead between the keys.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from textual import events
from textual._wait import wait_for_idle  # textual is pinned
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from screens.app import WorkbenchApp
from screens.case_base import CaseScreen
from screens.home import HomeScreen
from screens.similar import SimilarScreen
from screens.steps import STEPS
from tests.conftest import AppFactory, fixed_clock
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import Store

KEY_OF = {info.name: info.key for info in STEPS}
# What each step has focused when it opens, and a key typed there that it takes. Impact and
# Details get text (their first field); the lists and the scrolling panes an arrow.
TYPED = {
    "triage": "down",
    "impact": "digit",
    "reproduction": "down",
    "details": "letter",
    "timeline": "down",
    "export": "down",
}


def every_ordered_pair(steps: list[str]) -> list[str]:
    """A walk from steps[0] back to it that goes from every step to every other once (an Euler
    circuit of the complete directed graph, Hierholzer's)."""
    exits = {step: [other for other in steps if other != step] for step in steps}
    stack, circuit = [steps[0]], []
    while stack:
        here = stack[-1]
        if exits[here]:
            stack.append(exits[here].pop())
        else:
            circuit.append(stack.pop())
    return circuit[::-1]


def test_the_walk_covers_every_ordered_pair() -> None:
    steps = [info.name for info in STEPS]
    walk = every_ordered_pair(steps)
    pairs = list(itertools.pairwise(walk))
    assert len(pairs) == len(set(pairs)) == len(steps) * (len(steps) - 1)


class Landing:
    """Where each key went: F-keys as the steps opened, other keys as the widget (or screen)
    Textual forwarded them to; and the last screen drawn."""

    def __init__(self, app: WorkbenchApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[str] = []
        self.keys: list[tuple[str, Widget]] = []
        self.painted: Screen[Any] | None = None
        open_case = app.open_case

        def opening(case_id: int, step: str = "triage") -> bool:
            self.opened.append(step)
            return open_case(case_id, step)

        monkeypatch.setattr(app, "open_case", opening)
        for cls in (Widget, Screen):
            forward = cls._forward_event

            def forwarding(node: Widget, event: events.Event, forward: Any = forward) -> None:
                if isinstance(event, events.Key) and not event.is_forwarded:
                    self.keys.append((event.key, node))
                forward(node, event)

            monkeypatch.setattr(cls, "_forward_event", forwarding)
        display = app._display

        def drawing(screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                self.painted = screen
            display(screen, renderable)

        monkeypatch.setattr(app, "_display", drawing)


def burst_for(walk: list[str]) -> tuple[list[tuple[str, str | None]], list[tuple[str, str]]]:
    """The keys (name, character) of the walk, entered from the list, with a key typed after
    each switch; and what each typed key should reach: (step, key)."""
    keys: list[tuple[str, str | None]] = [("enter", "\r")]
    expected: list[tuple[str, str]] = []
    digits = iter("1234567")
    letters = iter("abcdefg")
    for index, step in enumerate(walk):
        if index:
            keys.append((KEY_OF[step], None))
        kind = TYPED[step]
        if kind == "digit":
            char = next(digits)
            keys.append((char, char))
            expected.append((step, char))
        elif kind == "letter":
            char = next(letters)
            keys.append((char, char))
            expected.append((step, char))
        else:
            keys.append((kind, None))
            expected.append((step, kind))
    return keys, expected


async def turn(pilot: Pilot[None]) -> None:
    """Let the app run until it is idle, as `pilot.pause()` does but without its forced repaint
    of the top screen (which would hide a screen the app itself never repaints)."""
    await wait_for_idle(0)


async def settle_until(pilot: Pilot[None], done: Any, landing: Landing, turns: int = 20000) -> None:
    for _ in range(turns):
        if done():
            return
        await turn(pilot)
    raise AssertionError(f"the burst was not handled: {landing.opened} {landing.keys}")


async def fire_the_walk(
    app: WorkbenchApp, pilot: Pilot[None], landing: Landing, store: Store, case: Escalation
) -> None:
    steps = [info.name for info in STEPS]
    walk = every_ordered_pair(steps)
    keys, expected = burst_for(walk)
    for name, char in keys:
        app.post_message(events.Key(name, char))
    await settle_until(
        pilot,
        lambda: (
            len(landing.keys) == len(expected) + 1  # the enter, on the list
            and not app._held_keys
            and app._key_in_flight is None
            and app.kept.building is None
        ),
        landing,
    )
    for _ in range(5):
        await turn(pilot)
    # Every F-key switched, in order (the enter opened Triage).
    assert landing.opened == walk
    # Every typed key reached the step it was typed at, in the widget that step had focused.
    enter, node = landing.keys.pop(0)
    assert enter == "enter" and isinstance(node.screen, HomeScreen)
    landed = [
        (node.screen if isinstance(node, Widget) and not isinstance(node, Screen) else node, key)
        for key, node in landing.keys
    ]
    kept = app.kept.screens
    assert landed == [(kept[step], key) for step, key in expected]
    focused_first = {
        "triage": "checklist",
        "impact": "customers_affected",
        "reproduction": "steps",
        "timeline": "timeline-log",
        "export": "rendered",
    }
    for (step, _key), (_name, node) in zip(expected, landing.keys, strict=True):
        if step in focused_first:
            assert node.id == focused_first[step], (step, node)
    # The text reached its fields, whole and in order, and the store.
    impact = kept["impact"].query_one("#customers_affected", Input)
    typed_digits = "".join(key for step, key in expected if step == "impact")
    assert impact.value == typed_digits
    details_typed = "".join(key for step, key in expected if step == "details")
    details_field = next(
        node
        for (step, _k), (_n, node) in zip(expected, landing.keys, strict=True)
        if step == "details"
    )
    assert isinstance(details_field, Input)
    assert details_field.value.endswith(details_typed)
    assert app.screen is kept["triage"]
    kept["triage"].flush_edits()
    kept["details"].flush_edits()
    stored = store.get(case.id or 0)
    assert stored.impact.customers_affected == int(typed_digits)
    # What is on top is what was drawn last.
    assert landing.painted is app.screen


def _app(store: Store, playbook: Playbook, *, ahead: bool) -> WorkbenchApp:
    return WorkbenchApp(store, playbook, clock=fixed_clock, bell=False, build_ahead=ahead)


async def test_switch_keys_in_every_order_with_typing_between(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(store, playbook, ahead=False)
    async with app.run_test(size=(80, 24)) as pilot:
        landing = Landing(app, monkeypatch)
        await pilot.pause()
        await fire_the_walk(app, pilot, landing, store, case)


async def test_switch_keys_while_steps_are_built_ahead(
    store: Store, playbook: Playbook, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds ahead start whenever their timer looks (not only in pauses), so they run between
    and under the keys of the burst: the worst case of an agent typing as a build starts."""
    from screens.kept import KeptSteps

    monkeypatch.setattr(KeptSteps, "_pause", lambda self, quiet=0: self.building is None)
    app = _app(store, playbook, ahead=True)
    async with app.run_test(size=(80, 24)) as pilot:
        landing = Landing(app, monkeypatch)
        await pilot.pause()
        # The case opens, and the first build ahead starts before the rest of the keys arrive.
        await fire_the_walk(app, pilot, landing, store, case)
        assert set(app.kept.screens) == set(KEY_OF)


async def test_similar_and_escapes_in_one_burst(
    make_app: AppFactory, store: Store, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F8 over a step, F3 from Similar, escape to the list, enter again: each at its place."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        landing = Landing(app, monkeypatch)
        await pilot.pause()
        names = ["enter", "f3", "f8", "f4", "f8", "escape", "f2", "escape", "enter", "f3", "5"]
        for name in names:
            app.post_message(events.Key(name, {"enter": "\r", "5": "5"}.get(name)))
        expected = ["triage", "impact", "reproduction", "triage", "triage", "impact"]
        # Until every screen the keys open has opened (the last F3's may come after the last
        # key has landed, on a loaded machine), and nothing is held or on its way.
        await settle_until(
            pilot,
            lambda: (
                len(landing.opened) >= len(expected)
                and not app._held_keys
                and app._key_in_flight is None
            ),
            landing,
        )
        for _ in range(5):
            await turn(pilot)
        assert landing.opened == expected
        assert [type(s) for s in app.screen_stack[1:]] == [type(app.kept.screens["impact"])]
        assert isinstance(app.screen_stack[0], HomeScreen)
        assert not any(isinstance(s, SimilarScreen) for s in app.screen_stack)
        assert app.screen.query_one("#customers_affected", Input).value == "5"
        assert isinstance(app.screen, CaseScreen)
        assert landing.painted is app.screen


async def test_a_step_shown_during_a_batch_update_is_painted_when_it_ends(
    make_app: AppFactory, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in tmux: F2 right after F7. The Export preview mounts its blocks inside a batch
    update, which holds every repaint; the kept Triage shown meanwhile was not painted when the
    batch ended (Textual wakes the app then, not the screen), and with nothing else happening on
    it the terminal showed Export for 30 s. The batch is held here by hand, for certain."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        landing = Landing(app, monkeypatch)
        assert app.open_case(case.id or 0, "triage")
        await pilot.pause()
        assert app.open_case(case.id or 0, "export")
        await pilot.pause()
        with app.batch_update():  # as Markdown.update does while it mounts
            assert app.open_case(case.id or 0, "triage")
            for _ in range(5):
                await turn(pilot)
            assert landing.painted is not app.screen
        for _ in range(5):
            await turn(pilot)
        assert landing.painted is app.screen is app.kept.screens["triage"]
