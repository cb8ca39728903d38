"""The footer shows the keys of what has focus, composed again only when those keys change
(screens/widgets/footer.py): a tab between two fields with the same keys keeps the same keys."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from screens.widgets.footer import KeysFooter
from tests.conftest import AppFactory, new_case
from workbench.models import Reproduction, ReproStep
from workbench.store import Store


class _Steps(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [("a", "add", "Add")]

    def action_add(self) -> None:
        """Nothing to add: only its key in the footer matters here."""


class _Form(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("ctrl+y", "send", "Send")]
    armed = reactive(False, bindings=True)

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield _Steps("steps", id="steps")
        yield KeysFooter(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send" and not self.armed:
            return None  # shown dimmed (False would hide it)
        return True

    def action_send(self) -> None:
        """Nothing to send."""


def _keys(app: App[None]) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))


def _shown(app: App[None]) -> list[str]:
    return [f"{key.key}:{key.description}" for key in _keys(app)]


async def _settle(pilot: object) -> None:
    for _ in range(3):  # the focus, the bindings' refresh, the composition after the frame
        await pilot.pause()  # type: ignore[attr-defined]


async def test_a_focus_change_that_keeps_the_keys_keeps_the_footer_as_it_is() -> None:
    app = _Form()
    async with app.run_test(size=(80, 10)) as pilot:
        app.query_one("#one").focus()
        await _settle(pilot)
        before = _keys(app)
        assert "ctrl+y:Send" in _shown(app)
        app.query_one("#two").focus()
        await _settle(pilot)
        assert all(now is then for now, then in zip(_keys(app), before, strict=True))
        assert all(key.has_class("-compact") for key in before)


async def test_a_focus_change_that_changes_the_keys_shows_the_new_ones() -> None:
    app = _Form()
    async with app.run_test(size=(80, 10)) as pilot:
        app.query_one("#one").focus()
        await _settle(pilot)
        assert "a:Add" not in _shown(app)
        app.query_one("#steps").focus()
        await _settle(pilot)
        assert "a:Add" in _shown(app)
        assert all(key.has_class("-compact") for key in _keys(app))
        app.query_one("#two").focus()
        await _settle(pilot)
        assert "a:Add" not in _shown(app)


async def test_a_key_enabled_without_a_focus_change_is_shown_enabled() -> None:
    app = _Form()
    async with app.run_test(size=(80, 10)) as pilot:
        app.query_one("#one").focus()
        await _settle(pilot)
        (send,) = [key for key in _keys(app) if key.key == "ctrl+y"]
        assert send.has_class("-disabled")
        app.armed = True
        await _settle(pilot)
        (send,) = [key for key in _keys(app) if key.key == "ctrl+y"]
        assert not send.has_class("-disabled")


async def test_on_reproduction_the_list_s_keys_come_and_go_with_its_focus(
    make_app: AppFactory, store: Store
) -> None:
    steps = [ReproStep(action="Open Reports")]
    case_id = new_case(store, reproduction=Reproduction(steps=steps)).id or 0
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.open_case(case_id, "reproduction")
        await _settle(pilot)
        app.screen.query_one("#steps").focus()
        await _settle(pilot)
        assert {"a:Add", "e:Edit", "d:Delete"} <= set(_shown(app))
        app.screen.focus_next()
        await _settle(pilot)
        assert not {"a:Add", "e:Edit", "d:Delete"} & set(_shown(app))
        assert "escape:Cases" in _shown(app)


async def test_keys_follow_the_focus_after_a_screen_came_and_went_at_once() -> None:
    """A screen pushed and popped before its first frame (F1 twice fast, the terminal dragged
    across its smallest size) may take with it what was queued on it as the top screen's, the
    footer's look at its keys among them: a look lost must not stop the later ones."""
    app = _Form()
    async with app.run_test(size=(80, 10)) as pilot:
        app.query_one("#one").focus()
        await _settle(pilot)
        footer = app.query_one(KeysFooter)
        app.push_screen(Screen())
        for _ in range(1000):  # until the footer's composition is queued on the new screen
            await asyncio.sleep(0)
            if app.screen._callbacks:  # textual is pinned
                break
        assert app.screen._callbacks
        app.screen._callbacks.clear()  # as when the screen is gone before its frame (Textual)
        await app.pop_screen()
        await _settle(pilot)
        assert app.screen.query_one(KeysFooter) is footer
        app.query_one("#steps").focus()
        await _settle(pilot)
        assert "a:Add" in _shown(app)
