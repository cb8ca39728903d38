"""The app shell: start, too-small terminal, help, command palette, quit saves what was typed."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import pytest
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import CommandList
from textual.widgets import Input, Static

import screens.type_ahead as type_ahead
from screens.app import theme_for
from screens.case_list import CaseList
from screens.commands import WorkbenchCommands
from screens.dialogs import Dialog, TextPrompt, TooSmallScreen
from screens.help import HelpScreen
from screens.home import HomeScreen
from screens.impact import ImpactScreen
from screens.triage import Checklist, TriageScreen
from tests.conftest import AppFactory, seed_cases
from workbench.models import Escalation, ReproStep
from workbench.store import Store


async def test_too_small_then_restored_with_state(make_app: AppFactory, case: Escalation) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id or 0, "triage")
        await pilot.pause()
        await pilot.press("j", "j")
        highlighted = app.screen.query_one(Checklist).highlighted
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        message = str(app.screen.query_one("#too-small-message", Static).render())
        assert "Terminal too small (need 60x20, have 50x15)" in message
        await pilot.press("space")  # keys do not reach the screen beneath
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.query_one(Checklist).highlighted == highlighted
        assert not app.screen.case.checked_ids()


async def test_keys_clicks_and_pastes_are_noted_as_input(make_app: AppFactory) -> None:
    """Full collections and the reminders' look wait for a pause in the agent's input: every key,
    click and paste counts (Textual's Paste is not an InputEvent)."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for send in (
            lambda: pilot.press("down"),
            lambda: pilot.click(offset=(5, 5)),
            lambda: app._post_message(events.Paste("export timeout")),
        ):
            app.collector.last_input = -1.0
            sent = send()
            if sent is not None:
                await sent
            await pilot.pause()
            assert app.collector.last_input > 0


async def test_help_from_the_list(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        assert keys.index("Case list — this screen") < keys.index("Triage (F2)")
        assert "Impact (F3)" in keys and "ctrl+q" in keys
        await pilot.press("f1")
        assert isinstance(app.screen, HomeScreen)


async def test_help_has_keys_under_every_screen(make_app: AppFactory) -> None:
    """Seen: the Reproduction and Details sections were empty (their keys are the step list's)."""
    from screens.help import SCREENS

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        keys = str(app.screen.query_one("#help-keys", Static).render())
        sections = {part.split("\n")[0]: part.split("\n")[1:] for part in keys.split("\n\n")}
        for title, _, _ in SCREENS:
            heading = next(h for h in sections if h.startswith(title))
            assert sections[heading], title
        reproduction = "\n".join(sections["Reproduction (F4)"])
        for what in ("Add", "Edit", "Move up", "Delete", "Undo", "enter (editor)"):
            assert what in reproduction


async def test_palette_lists_screen_actions_steps_and_cases(
    make_app: AppFactory, store: Store
) -> None:
    seed_cases(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(2, "triage")
        await pilot.pause()
        provider = WorkbenchCommands(app.screen)
        names = [command.name for command in provider.commands()]
        for expected in (
            "Triage: Toggle",
            "Triage: Note",
            "Triage: Tier",
            "Triage: Override",
            "Triage: Accept",
            "Case #2: Impact",
            "Case #2: Export",
            "Case list",
            "New case",
            "Search cases",
            "Help",
        ):
            assert expected in names
        assert "Case #2: Triage" not in names
        hits = [hit async for hit in provider.search("sso")]
        assert any(str(hit.text) == "Open case #2: SSO login loops for one tenant" for hit in hits)
        # Through the real palette: ctrl+p, type, enter.
        await pilot.press("ctrl+p")
        app.screen.query_one(Input).value = "Case #2: Impact"
        commands = app.screen.query_one(CommandList)
        for _ in range(100):  # results arrive from the palette's worker, in batches
            if commands.option_count:
                break
            await pilot.pause(0.01)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ImpactScreen)


async def test_palette_new_case_from_a_case(make_app: AppFactory, case: Escalation) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id or 0, "impact")
        await pilot.pause()
        provider = WorkbenchCommands(app.screen)
        command = next(c for c in provider.commands() if c.name == "New case")
        command.run()
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        assert isinstance(app.screen_stack[-2], HomeScreen)


async def test_palette_search_from_a_case_opens_the_search_box(
    make_app: AppFactory, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id or 0, "impact")
        await pilot.pause()
        provider = WorkbenchCommands(app.screen)
        command = next(c for c in provider.commands() if c.name == "Search cases")
        command.run()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.focused is app.screen.query_one("#search", Input)


async def test_quit_saves_what_was_typed(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id or 0, "impact")
        await pilot.pause()
        await pilot.press(*"42")
        assert app.screen.query_one("#customers_affected", Input).value == "42"
        await pilot.press("ctrl+q")
    assert store.get(case.id or 0).impact.customers_affected == 42


def test_sixteen_colour_terminals_get_the_ansi_theme() -> None:
    assert theme_for("standard") == "ansi-dark"
    assert theme_for("windows") == "ansi-dark"
    assert theme_for("256") is None
    assert theme_for("truecolor") is None


async def test_a_pasted_lone_surrogate_is_refused_in_the_store_s_words(
    make_app: AppFactory, store: Store
) -> None:
    """The save writes the case as JSON: a character UTF-8 cannot hold is caught there, before
    anything is written, and the agent reads which field and why, with nothing saved."""
    case = seed_cases(store)[0]
    assert case.id is not None
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id, "details")
        await pilot.pause()
        screen = app.screen
        assert not screen.edit(lambda c: setattr(c, "title", "broken \ud800 paste"))  # type: ignore[attr-defined]
        assert screen.saved_indicator.state == "error"  # type: ignore[attr-defined]
        tooltip = str(screen.saved_indicator.tooltip)  # type: ignore[attr-defined]
        assert "title holds a character that cannot be stored" in tooltip
        assert store.get(case.id).title == case.title


async def test_a_nested_edit_the_model_refuses_is_not_saved_and_says_why(
    make_app: AppFactory, store: Store
) -> None:
    """Setting a field is checked as it is set; an item put into a list is not. The save checks
    the whole case from its JSON before it writes anything: nothing is stored, and the agent
    reads which field and why."""
    case = seed_cases(store)[0]
    assert case.id is not None
    revision = store.get(case.id).revision
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id, "reproduction")
        await pilot.pause()
        screen = app.screen
        bad = ReproStep.model_construct(action=5, literal_input="")  # not text
        with warnings.catch_warnings():  # the serializer's note about the odd value
            warnings.simplefilter("ignore")
            assert not screen.edit(lambda c: c.reproduction.steps.append(bad))  # type: ignore[attr-defined]
        assert screen.saved_indicator.state == "error"  # type: ignore[attr-defined]
        assert "reproduction.steps" in str(screen.saved_indicator.tooltip)  # type: ignore[attr-defined]
        stored = store.get(case.id)
        assert stored.revision == revision
        assert stored.reproduction.steps == case.reproduction.steps


class _NeverSettles(Dialog[None]):
    """A dialog that never says it takes keys (a bug, or a dialog with nothing to focus yet)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("z", "got", "Got it")]

    def __init__(self) -> None:
        super().__init__()
        self.got: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("nothing to focus")

    def takes_keys(self) -> bool:
        return False

    def action_got(self) -> None:
        self.got.append("z")


async def test_keys_held_for_a_dialog_that_never_settles_are_handed_on_after_the_limit(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held keys wait for a dialog to focus its first field, but never for ever: past HOLD_LIMIT
    they go on as Textual would have sent them (here at once: the limit is 0)."""
    monkeypatch.setattr(type_ahead, "HOLD_LIMIT", 0.0)
    app = make_app()
    async with app.run_test() as pilot:
        dialog = _NeverSettles()
        await app.push_screen(dialog)
        await pilot.pause()
        app.post_message(events.Key("z", "z"))
        for _ in range(200):  # a timer's tick or two
            if dialog.got:
                break
            await pilot.pause()
        assert dialog.got == ["z"]
        assert not app._held_keys


async def test_the_list_under_an_open_case_is_laid_out_when_it_shows_again(
    make_app: AppFactory, case: Escalation
) -> None:
    """Under an opaque step nothing of the list shows: it is not laid out with the step (Textual
    counted it as shown, two whole layouts of it on each step's first show), and catches up with
    the terminal's size when it is shown again. Under a dialog, the step still shows."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        layouts: list[object] = []
        lay_out = home._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            lay_out(*args, **kwargs)

        home._refresh_layout = counted  # type: ignore[method-assign]
        assert app.open_case(case.id or 0, "triage")
        await pilot.pause()
        await pilot.press("f3")
        for _ in range(3):
            await pilot.pause()
        assert isinstance(app.screen, ImpactScreen)
        assert layouts == []
        assert app._background_screens == [] and not home.is_current
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert layouts == []
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, Dialog)
        assert [type(screen) for screen in app._background_screens] == [ImpactScreen]
        await pilot.press("escape")
        await pilot.pause()
        widths: list[int] = []  # the list's width at each load: the new one from the first
        load = home.reload

        def measured(**kwargs: Any) -> None:
            widths.append(home.query_one(CaseList).size.width)
            load(**kwargs)

        home.reload = measured  # type: ignore[method-assign]
        assert app.go_home()
        for _ in range(3):
            await pilot.pause()
        assert app.screen is home and layouts
        assert home.size == (120, 36)
        assert home.query_one(CaseList).size.width == 120
        assert widths and set(widths) == {120}
