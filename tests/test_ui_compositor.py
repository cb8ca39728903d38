"""The cropping compositor (screens/compositor.py): a partial update draws only the widgets it
touches, and the terminal still shows, after every frame, exactly what a full redraw shows.

Each frame the app hands to its display is played onto a grid of cells, as a terminal would
(cursor moves, then the segments' characters and styles); after each step of a walk through the
screens that draw most (typing, ticking, searching, scrolling, a dialog over a step), the grid is
compared with the screen drawn whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console
from rich.segment import ControlType, Segment
from rich.style import Style
from textual._compositor import CompositorUpdate, LayoutUpdate

from screens.compositor import CroppedCompositor
from tests.conftest import new_case, settle_until
from workbench.models import TriageAnswer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.pilot import Pilot

    from screens.app import WorkbenchApp
    from tests.conftest import AppFactory
    from workbench.store import Store

Cell = tuple[str, Style | None]


class Terminal:
    """A grid of cells that frames are played onto, as a terminal plays them."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells: list[list[Cell]] = [[(" ", None)] * width for _ in range(height)]
        self.frames = {"full": 0, "partial": 0}

    def play(self, segments: Iterable[Segment]) -> None:
        x = y = 0
        for segment in segments:
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]  # type: ignore[misc]
                continue
            if segment.text == "\n":
                continue
            style = segment.style.clear_meta_and_links() if segment.style else None
            for char in segment.text:
                width = cell_len(char)
                if width == 0 and x > 0:  # a combining mark joins the cell before
                    text, cell_style = self.cells[y][x - 1]
                    self.cells[y][x - 1] = (text + char, cell_style)
                    continue
                if 0 <= y < self.height and x < self.width:
                    self.cells[y][x] = (char, style)
                    if width == 2 and x + 1 < self.width:
                        self.cells[y][x + 1] = ("", style)
                x += width

    def frame(self, update: CompositorUpdate) -> None:
        console = Console(width=self.width, height=self.height, legacy_windows=False)
        self.frames["full" if isinstance(update, LayoutUpdate) else "partial"] += 1
        self.play(update.__rich_console__(console, console.options))  # type: ignore[arg-type]


def _whole(app: WorkbenchApp) -> Terminal:
    """The screen drawn whole, now (without touching what the next frame will draw)."""
    width, height = app.size
    drawn = Terminal(width, height)
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        drawn.play([Segment("", None, [(ControlType.CURSOR_MOVE_TO, 0, y)]), *strip])
    return drawn


def _watch(app: WorkbenchApp) -> Terminal:
    """A terminal that every frame the app displays from now on is played onto."""
    width, height = app.size
    terminal = Terminal(width, height)
    shown = app._display

    def display(screen: Any, renderable: Any) -> None:
        if isinstance(renderable, CompositorUpdate):
            terminal.frame(renderable)
        shown(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    return terminal


async def _same_as_whole(pilot: Pilot[None], terminal: Terminal) -> None:
    """Once what the last step changed is drawn, the terminal shows the screen drawn whole. A
    timer (a cursor's blink, the saved mark) may have changed the screen just before the look,
    its frame still to come: the look is taken again after a pause, a few times. A frame that
    left something out stays wrong until the screen is drawn whole again."""
    app: WorkbenchApp = pilot.app  # type: ignore[assignment]
    differs: list[int] = []
    for _ in range(4):
        await pilot.pause()
        await pilot.pause()
        whole = _whole(app)
        differs = [y for y in range(terminal.height) if terminal.cells[y] != whole.cells[y]]
        if not differs:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"lines {differs} differ from the screen drawn whole")


async def _full_frame(pilot: Pilot[None], terminal: Terminal) -> None:
    """Start the terminal from a whole frame of the current screen."""
    app: WorkbenchApp = pilot.app  # type: ignore[assignment]
    app.screen.refresh()
    await pilot.pause()
    await pilot.pause()
    assert terminal.frames["full"]


async def _step_watched(pilot: Pilot[None], case_id: int | None, step: str) -> Terminal:
    """Open the case's step, then watch its frames from a whole one."""
    app: WorkbenchApp = pilot.app  # type: ignore[assignment]
    assert case_id is not None and app.open_case(case_id, step)
    await settle_until(pilot, lambda: app.screen.id != "home")
    terminal = _watch(app)
    await _full_frame(pilot, terminal)
    return terminal


async def test_the_step_screens_and_the_list_use_it(make_app: AppFactory, store: Store) -> None:
    case = new_case(store, customer="Acme")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen._compositor, CroppedCompositor)
        assert app.open_case(case.id, "triage")  # type: ignore[arg-type]
        await settle_until(pilot, lambda: app.screen.id != "home")
        assert isinstance(app.screen._compositor, CroppedCompositor)


async def test_typing_in_the_narrative_draws_what_a_full_redraw_draws(
    make_app: AppFactory, store: Store
) -> None:
    case = new_case(store, customer="Acme", narrative="Exports fail. " * 30)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        terminal = await _step_watched(pilot, case.id, "details")
        area = app.screen.query_one("#narrative")
        area.focus()
        await pilot.press("end", "ctrl+end")
        for key in [*"Seen <again> on *EU* 2.4", "enter", *"日本語 wide", "backspace", "tab"]:
            await pilot.press(key)
            await _same_as_whole(pilot, terminal)
        await pilot.press("pagedown", "pageup")
        await _same_as_whole(pilot, terminal)
        assert terminal.frames["partial"] > 10


async def test_ticking_on_triage_draws_what_a_full_redraw_draws(
    make_app: AppFactory, store: Store
) -> None:
    case = new_case(
        store,
        customer="Acme",
        triage={"esc.widespread.production_down": TriageAnswer(checked=True)},
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        terminal = await _step_watched(pilot, case.id, "triage")
        for key in ["space", "down", "space", "down", "down", "space", "up", "space", "space"]:
            await pilot.press(key)
            await _same_as_whole(pilot, terminal)
        assert terminal.frames["partial"] > 5


async def test_the_list_searching_and_a_dialog_draw_what_a_full_redraw_draws(
    make_app: AppFactory, store: Store
) -> None:
    for n in range(30):
        new_case(store, f"Webhook {n} drops <payload> events", customer=f"Customer {n % 7}")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        terminal = _watch(app)
        await _full_frame(pilot, terminal)
        for key in ["down", "down", "slash", *"webhook 1", "backspace", "escape", "down"]:
            await pilot.press(key)
            await _same_as_whole(pilot, terminal)
        await pilot.press("n")  # the new-case dialog over the list
        await settle_until(pilot, lambda: len(app.screen_stack) > 1)
        assert len(app.screen_stack) > 1
        for key in [*"Sync <stalls>", "tab", *"Acme"]:
            await pilot.press(key)
            await _same_as_whole(pilot, terminal)
        await pilot.press("escape")
        await _same_as_whole(pilot, terminal)
