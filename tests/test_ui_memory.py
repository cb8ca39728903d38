"""A long session keeps no widget it has taken down (bench/workday.py measures the memory).

Each case opened builds its step screens and lets the previous case's go (screens/kept.py). What
was let go must be freed: checked by looking for the widgets themselves (gc), not at the RSS.
Textual keeps a widget that watched a longer-lived object (a TextArea watching the app's theme, a
footer key bound to its footer's `compact`) in that object's watcher list until the watched value
changes, which it never does (textual#6666): screens/watchers.py forgets them.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import pytest
from textual.message_pump import MessagePump
from textual.widgets import Footer, TextArea
from textual.widgets._footer import FooterKey

from screens.case_base import CaseScreen
from screens.home import HomeScreen
from tests.conftest import AppFactory, new_case
from workbench.store import Store

CASES = 3
STEPS = ("triage", "details", "reproduction")


def _alive(kind: type, app: Any) -> list[Any]:
    """This app's widgets of `kind` still alive. Not `obj.app is app` alone: `app` on a widget
    of an app gone (kept by an earlier test's frozen garbage, say) answers the app running now."""
    gc.collect()
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, kind) and obj.app is app and id(obj) not in _BEFORE.get(kind, set())
    ]


_BEFORE: dict[type, set[int]] = {}


@pytest.fixture(autouse=True)
def _objects_before() -> None:
    """What is alive before the test's app: an earlier test's, not this one's to answer for."""
    gc.collect()
    for kind in (CaseScreen, TextArea, FooterKey):
        _BEFORE[kind] = {id(obj) for obj in gc.get_objects() if isinstance(obj, kind)}


async def _settled(pilot: Any, done: Callable[[], bool]) -> None:
    """Let the app finish what it does after a switch (removing screens, forgetting watchers:
    both run after the screen's own messages and timers): on a loaded machine one pause is not
    enough. At most 5 s; the assertions after it say what is still there."""
    for _ in range(100):
        if done():
            return
        await pilot.pause(0.05)


def _closed_watchers(watched: object) -> list[object]:
    lists: dict[str, list[tuple[MessagePump, object]]] = getattr(watched, "__watchers", {})
    return [
        node for entries in lists.values() for node, _ in entries if node._closing or node._closed
    ]


async def test_cases_opened_and_left_leave_no_screen_or_field_behind(
    make_app: AppFactory, store: Store
) -> None:
    ids = [new_case(store, title=f"Export times out, report {n}").id or 0 for n in range(CASES)]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for case_id in ids:
            for step in STEPS:
                assert app.open_case(case_id, step)
                await pilot.pause()
            app.go_home()
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
        await _settled(
            pilot,
            lambda: (
                {screen.case_id for screen in _alive(CaseScreen, app)} == {ids[-1]}
                and not _closed_watchers(app)
            ),
        )
        # Only the last case's screens are alive: kept, for when the agent comes back to it.
        assert {screen.case_id for screen in _alive(CaseScreen, app)} == {ids[-1]}
        assert len(_alive(CaseScreen, app)) == len(STEPS)
        # The earlier cases' text fields are gone with their screens (they watched the app).
        assert [area for area in _alive(TextArea, app) if not area.is_attached] == []
        assert _closed_watchers(app) == []


async def test_a_footer_keeps_only_the_keys_it_shows(make_app: AppFactory, store: Store) -> None:
    case_id = new_case(store).id or 0
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.open_case(case_id, "details")
        await pilot.pause()
        for _ in range(6):  # to the list of actions and away: the footer is composed again
            app.screen.focus_next()
            await pilot.pause()
        footer = app.screen.query_one(Footer)
        await _settled(
            pilot,
            lambda: (
                not _closed_watchers(footer)
                and not [key for key in _alive(FooterKey, app) if not key.is_attached]
            ),
        )
        assert _closed_watchers(footer) == []
        assert [key for key in _alive(FooterKey, app) if not key.is_attached] == []
