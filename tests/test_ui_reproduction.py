"""Reproduction builder (F4): steps edited from the keyboard, fields saved as typed, lint beside
the step it is about. Keys are pressed where the keys are what is tested; values are set directly
elsewhere to keep the suite fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input, Static

from screens.reproduction import ReproductionScreen
from screens.widgets import FieldArea, FieldInput, FindingsLine, PairEditor, PairList
from tests.conftest import new_case
from workbench.models import Environment, Reproduction, ReproStep

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from screens.app import WorkbenchApp
    from tests.conftest import AppFactory
    from workbench.models import Escalation
    from workbench.store import Store

STEPS = [
    ReproStep(action="Open Reports and select report 4471", literal_input="report 4471"),
    ReproStep(action="Select Export CSV in the upper-right corner", literal_input=""),
    ReproStep(action="Wait 30 seconds", literal_input=""),
]


def _case(store: Store) -> Escalation:
    return new_case(
        store,
        "CSV export fails for reports over 10,000 rows",
        reproduction=Reproduction(steps=list(STEPS), environment=Environment(browser="Chrome 122")),
    )


async def _open(pilot: Pilot[None], case_id: int) -> ReproductionScreen:
    app: WorkbenchApp = pilot.app  # type: ignore[assignment]
    assert app.open_case(case_id, "reproduction")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReproductionScreen)
    return screen


def _actions(store: Store, case_id: int) -> list[str]:
    return [step.action for step in store.get(case_id).reproduction.steps]


def _keys(text: str) -> list[str]:
    return ["space" if char == " " else char for char in text]


def _notes(app: WorkbenchApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_shows_stored_values_and_focuses_steps(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        assert steps.has_focus
        assert steps.option_count == 3
        assert "report 4471" in str(steps.get_option_at_index(0).prompt)
        browser = next(
            w for w in screen.query(FieldInput) if w.path == "reproduction.environment.browser"
        )
        assert browser.value == "Chrome 122"


async def test_add_step_with_keys(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        screen.query_one("#steps", PairList).highlighted = 0
        await pilot.press("a")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        editor.query_one("#pair-first", Input).value = "Type the row limit into Rows"
        await pilot.press("enter")  # to the literal input
        assert editor.query_one("#pair-second", Input).has_focus
        editor.query_one("#pair-second", Input).value = "10001"
        await pilot.press("enter")  # saves
        await pilot.pause()
        assert pilot.app.screen is screen
        stored = store.get(case.id or 0).reproduction.steps
        assert [s.action for s in stored][1] == "Type the row limit into Rows"
        assert stored[1].literal_input == "10001"
        assert len(stored) == 4
        steps = screen.query_one("#steps", PairList)
        assert steps.highlighted == 1
        assert steps.option_count == 4


async def test_add_to_an_empty_list(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "No steps yet")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        assert "press a" in str(steps.get_option_at_index(0).prompt)
        await pilot.press("a")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        editor.query_one("#pair-first", Input).value = "Sign in as admin@acme.test"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _actions(store, case.id or 0) == ["Sign in as admin@acme.test"]


async def test_cancelled_or_empty_add_changes_nothing(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        await _open(pilot, case.id or 0)
        await pilot.press("a")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        editor.query_one("#pair-first", Input).value = "Half-written step"
        await pilot.press("escape")
        await pilot.press("a", "ctrl+s")  # nothing typed
        await pilot.pause()
        assert _actions(store, case.id or 0) == [s.action for s in STEPS]
        assert store.get(case.id or 0).revision == case.revision


async def test_edit_step_with_enter_and_e(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        screen.query_one("#steps", PairList).highlighted = 1
        await pilot.press("enter")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        assert editor.query_one("#pair-first", Input).value == STEPS[1].action
        editor.query_one("#pair-first", Input).value = "Select Export CSV (top right)"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _actions(store, case.id or 0)[1] == "Select Export CSV (top right)"

        await pilot.press("e")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        editor.query_one("#pair-second", Input).value = "`--rows=10001`"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.get(case.id or 0).reproduction.steps[1].literal_input == "`--rows=10001`"


async def test_move_steps_with_ctrl_arrows_and_shift_jk(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    a, b, c = (s.action for s in STEPS)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        steps.highlighted = 0
        await pilot.press("ctrl+down")
        assert _actions(store, case.id or 0) == [b, a, c]
        assert steps.highlighted == 1  # the highlight follows the moved step
        await pilot.press("J")
        assert _actions(store, case.id or 0) == [b, c, a]
        await pilot.press("J")  # already last: nothing moves
        assert _actions(store, case.id or 0) == [b, c, a]
        await pilot.press("K", "ctrl+up")
        assert _actions(store, case.id or 0) == [a, b, c]
        assert steps.highlighted == 0
        assert "Step 2 moved to 1 — u to undo" in _notes(pilot.app)  # type: ignore[arg-type]


async def test_undo_puts_a_moved_step_back(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    a, b, c = (s.action for s in STEPS)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        steps.highlighted = 0
        await pilot.press("J", "J")
        assert _actions(store, case.id or 0) == [b, c, a]
        await pilot.press("d")  # the moved step, now third
        assert _actions(store, case.id or 0) == [b, c]
        await pilot.press("u")
        assert _actions(store, case.id or 0) == [b, c, a]
        await pilot.press("u")
        assert _actions(store, case.id or 0) == [b, a, c]
        assert steps.highlighted == 2 - 1  # back where it was before that move
        assert "Step 3 moved back to 2" in _notes(pilot.app)  # type: ignore[arg-type]
        await pilot.press("u")
        assert _actions(store, case.id or 0) == [a, b, c]
        await pilot.press("u")
        assert _actions(store, case.id or 0) == [a, b, c]
        assert "Nothing to undo" in _notes(pilot.app)  # type: ignore[arg-type]


async def test_enter_in_the_step_editor_saves_and_a_adds_the_next(
    make_app: AppFactory, store: Store
) -> None:
    """Seen at 80x24: `e` on step 3, retype, enter, then `a` and the next step. Enter saves the
    edit (it does not move to the literal input), so `a` adds step 4 and types into its editor."""
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        screen.query_one("#steps", PairList).highlighted = 2
        await pilot.press("e")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        assert "enter saves" in str(editor.query_one(".pair-keys", Static).render())
        await pilot.press("ctrl+u", *_keys("Wait 45 seconds"), "enter")
        await pilot.press("a", *_keys("Open the downloaded file"), "enter", *_keys("report.csv"))
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is screen
        stored = store.get(case.id or 0).reproduction.steps
        assert [(s.action, s.literal_input) for s in stored] == [
            (STEPS[0].action, STEPS[0].literal_input),
            (STEPS[1].action, STEPS[1].literal_input),
            ("Wait 45 seconds", STEPS[2].literal_input),
            ("Open the downloaded file", "report.csv"),
        ]


async def test_delete_and_undo(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    a, b, c = (s.action for s in STEPS)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        steps.highlighted = 2
        await pilot.press("d")
        assert _actions(store, case.id or 0) == [a, b]
        assert "Step 3 deleted — u to undo" in _notes(pilot.app)  # type: ignore[arg-type]
        steps.highlighted = 0
        await pilot.press("d")
        assert _actions(store, case.id or 0) == [b]
        await pilot.press("u")
        assert _actions(store, case.id or 0) == [a, b]
        await pilot.press("u")
        assert _actions(store, case.id or 0) == [a, b, c]
        assert store.get(case.id or 0).reproduction.steps[0].literal_input == "report 4471"
        await pilot.press("u")  # nothing left to undo
        assert "Nothing to undo" in _notes(pilot.app)  # type: ignore[arg-type]
        assert _actions(store, case.id or 0) == [a, b, c]


async def test_vague_step_lint_beside_the_step(make_app: AppFactory, store: Store) -> None:
    case = new_case(
        store,
        "Export broken",
        reproduction=Reproduction(
            steps=[
                ReproStep(action="Open report 4471"),
                ReproStep(action="try exporting"),
                ReproStep(action="Enter a value in Rows", literal_input="a value"),
            ]
        ),
    )
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        first, second, third = (str(steps.get_option_at_index(i).prompt) for i in range(3))
        assert "⚠" not in first
        assert "Step 2 is vague" in second
        assert 'Use exact actions: "Select the Export CSV button' in second
        assert 'not "try exporting."' in second
        assert "literal value" in third and "Specify literal inputs" in third
        assert third.count("Step 3 uses") == 1  # the same finding on two parts is shown once

        # Fixing the step clears its warning.
        steps.highlighted = 1
        await pilot.press("e")
        editor = pilot.app.screen
        assert isinstance(editor, PairEditor)
        findings = editor.query_one("#pair-findings")
        assert findings.display
        editor.query_one("#pair-first", Input).value = "Select Export CSV in the Reports view"
        await pilot.pause()
        assert not findings.display  # the live check in the editor
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "⚠" not in str(steps.get_option_at_index(1).prompt)


async def test_section_findings_and_advice_placeholders(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, "Import crashes", reproduction=Reproduction())  # a defect word
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        text = " ".join(w.plain for w in screen.query("FindingsLine.-shown").results(FindingsLine))
        assert "no reproduction steps" in text
        assert "No environment" in text
        playbook = pilot.app.playbook  # type: ignore[attr-defined]
        frequency = next(a for a in screen.query(FieldArea) if a.path == "reproduction.frequency")
        assert str(frequency.placeholder) == playbook.reproduction.advice.frequency


async def test_typing_saves_on_leaving_the_field(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        os_input = next(
            w for w in screen.query(FieldInput) if w.path == "reproduction.environment.os"
        )
        os_input.focus()
        await pilot.press(*"macOS 14")
        await pilot.press("tab")
        assert store.get(case.id or 0).reproduction.environment.os == "macOS 14"
        assert screen.saved_indicator.state == "saved"


async def test_typing_is_not_lost_on_screen_switch_or_escape(
    make_app: AppFactory, store: Store
) -> None:
    case = _case(store)
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        observed = next(a for a in screen.query(FieldArea) if a.path == "reproduction.observed")
        observed.focus()
        await pilot.press(*"E-1042")
        await pilot.press("f5")  # straight to Details, before the pause elapses
        await pilot.pause()
        assert store.get(case.id or 0).reproduction.observed == "E-1042"

        screen = await _open(pilot, case.id or 0)
        flags = next(
            w
            for w in screen.query(FieldInput)
            if w.path == "reproduction.environment.feature_flags"
        )
        flags.focus()
        await pilot.press(*"new-export")
        await pilot.press("escape")
        await pilot.pause()
        assert store.get(case.id or 0).reproduction.environment.feature_flags == "new-export"


async def test_typing_is_not_lost_on_quit(make_app: AppFactory, store: Store) -> None:
    case = _case(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        expected = next(a for a in screen.query(FieldArea) if a.path == "reproduction.expected")
        expected.focus()
        await pilot.press(*"CSV file")
        await pilot.press("ctrl+q")
    assert store.get(case.id or 0).reproduction.expected == "CSV file"


async def test_a_steps_findings_wrap_under_their_first_word_at_any_width(
    make_app: AppFactory, store: Store
) -> None:
    """A long finding under a step wraps with a hanging indent (the list itself would wrap it to
    the margin), and again when the terminal's width changes."""
    case = new_case(
        store,
        "Export fails",
        reproduction=Reproduction(
            steps=[ReproStep(action="Open Reports"), ReproStep(action="try exporting")]
        ),
    )
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        for width in (80, 56):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            room = steps.scrollable_content_region.width
            lines = str(steps.get_option_at_index(1).prompt).split("\n")
            assert lines[0] == "2. try exporting"
            assert lines[1].startswith('⚠ Step 2 is vague ("try")')
            advice = lines[2:]
            assert len(advice) >= 2  # long enough to wrap at either width
            assert all(line.startswith("  ") and len(line) < room for line in advice)
            assert all(len(line) < room for line in lines[1:])


async def test_step_findings_fit_when_the_list_gains_a_scrollbar(
    make_app: AppFactory, store: Store
) -> None:
    """Narrower, the findings take more lines and the list scrolls: they are wrapped to the width
    left beside the scrollbar, so the list never wraps them again to the margin."""
    steps = [ReproStep(action=f"try exporting {index}") for index in range(3)]
    case = new_case(store, "Export fails", reproduction=Reproduction(steps=steps))
    async with make_app().run_test(size=(120, 50)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps_list = screen.query_one("#steps", PairList)
        scrolled = False
        for width in range(76, 58, -1):
            await pilot.resize_terminal(width, 50)
            await pilot.pause()
            scrolled = scrolled or steps_list.show_vertical_scrollbar
            room = steps_list.scrollable_content_region.width
            lines = [
                line
                for index in range(steps_list.option_count)
                for line in str(steps_list.get_option_at_index(index).prompt).split("\n")
            ]
            assert max(map(len, lines)) < room, width
        assert scrolled  # the widths tried include ones where the list scrolls


async def test_a_long_step_wraps_under_its_first_word(make_app: AppFactory, store: Store) -> None:
    long = "Select Retry failed deliveries in Settings, Webhooks, for the EU tenant's endpoint"
    case = new_case(
        store,
        "Webhook retries stop",
        reproduction=Reproduction(steps=[ReproStep(action=long, literal_input="endpoint 7781")]),
    )
    async with make_app().run_test(size=(60, 24)) as pilot:
        screen = await _open(pilot, case.id or 0)
        steps = screen.query_one("#steps", PairList)
        room = steps.scrollable_content_region.width
        lines = str(steps.get_option_at_index(0).prompt).split("\n")
        assert len(lines) >= 2 and lines[0].startswith("1. Select Retry")
        assert all(line.startswith("   ") and len(line) < room for line in lines[1:])
        assert " ".join(line.strip() for line in lines).endswith("— input: endpoint 7781")
