"""The app's side of reliability: the saved mark tells the truth, the app saves before it ends,
every way out of a case honours a refused save, and a paste goes in whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events

from screens.app import WorkbenchApp
from screens.case_base import CaseScreen
from screens.widgets import FieldArea, FieldInput
from tests.conftest import fixed_clock, new_case
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.store import Store


def _field(screen: CaseScreen, path: str) -> FieldInput:
    return next(w for w in screen.query(FieldInput) if w.path == path)


def _area(screen: CaseScreen, path: str) -> FieldArea:
    return next(w for w in screen.query(FieldArea) if w.path == path)


async def _open(app: WorkbenchApp, pilot: object, case_id: int, step: str) -> CaseScreen:
    assert app.open_case(case_id, step)
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, CaseScreen)
    return screen


async def _until_found(pilot, command: str) -> None:  # type: ignore[no-untyped-def]
    """The palette searches in a worker: let it run until the command is its first hit."""
    from textual.command import CommandList

    for _ in range(200):
        await pilot.pause()
        hits = pilot.app.screen.query(CommandList)
        if (
            hits
            and hits.first().option_count
            and command in str(hits.first().get_option_at_index(0).prompt)
        ):
            return
    raise AssertionError(f"the palette did not find {command!r}")


@pytest.fixture
def slow_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pause-driven save during the test, however slow the machine: what is asserted is what
    happens before it (the timers are what the steady-typing kill test checks)."""
    import screens.case_base

    monkeypatch.setattr(screens.case_base, "EDIT_DELAY", 60.0)
    monkeypatch.setattr(screens.case_base, "EDIT_MAX_WAIT", 60.0)


@pytest.mark.usefixtures("slow_saves")
async def test_the_mark_says_saving_until_the_commit(store: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(store, "Export stalls").id or 0
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, case_id, "details")
        title = _field(screen, "title")
        title.focus()
        await pilot.press("end", "X")
        assert store.get(case_id).title == "Export stalls"
        assert screen.saved_indicator.state == "saving", "nothing is written yet"
        for _ in range(500):  # shown once it has waited PENDING_SHOWN_AFTER
            if "saving" in str(screen.saved_indicator.render()):
                break
            await pilot.pause()
        assert "saving" in str(screen.saved_indicator.render())
        assert screen.flush_edits()
        assert screen.saved_indicator.state == "saved"
        assert store.get(case_id).title == "Export stallsX"


async def _details_saved(app: Any, pilot: Any, store: Store) -> tuple[Any, Any, str]:
    """A new case's Details, its mark saying "✓ saved": the screen, the mark, what it shows."""
    case_id = new_case(store, "Export stalls").id or 0
    screen = await _open(app, pilot, case_id, "details")
    mark = screen.saved_indicator
    mark.mark_saved()
    await pilot.pause()
    return screen, mark, str(mark.render())


async def test_a_save_sooner_than_the_mark_leaves_it_as_it_was(store: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    """A key saved within PENDING_SHOWN_AFTER (a field saved as it is left, or with every key)
    does not flash "saving…": that was a frame more for every key, too short to be seen."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        _screen, mark, shown = await _details_saved(app, pilot, store)
        updates: list[object] = []
        original = mark.update
        mark.update = lambda *args, **kwargs: (updates.append(args), original(*args, **kwargs))  # type: ignore[method-assign]
        mark.mark_pending()
        assert mark.state == "saving"
        mark.mark_saved()
        assert mark.state == "saved" and mark._pending_shown is None  # its timer stopped
        assert updates == [] and str(mark.render()) == shown


async def test_an_edit_dropped_before_its_save_puts_the_mark_back(store: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    """Typed back to what is stored, or made invalid, a field's edit is dropped: the mark went on
    saying "saving…" with nothing to save, until the next save (seen by a review)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen, mark, shown = await _details_saved(app, pilot, store)
        screen.edit_later("title", lambda case: None)
        assert mark.state == "saving"
        mark._show_pending()  # as its timer would, a tenth of a second on
        assert "saving" in str(mark.render())
        screen.cancel_edit("title")
        assert mark.state == "saved" and str(mark.render()) == shown
        assert mark._pending_shown is None


@pytest.mark.usefixtures("slow_saves")
async def test_a_signal_saves_what_was_typed_and_exits_non_zero(store: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    case_id = new_case(store, "Export stalls").id or 0
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, case_id, "details")
        _field(screen, "title").focus()
        await pilot.press("end", "Y")
        assert screen._pending, "typed within the pause: not saved yet"
        app.exit_on_signal(15)  # what the SIGTERM handler calls, on the app's loop
        await pilot.pause()
    assert app.return_code == 128 + 15
    assert store.get(case_id).title == "Export stallsY"


async def test_leaving_through_the_palette_keeps_a_refused_paste(
    tmp_path: Path, playbook: Playbook
) -> None:
    """A full disk: "Case list" from the command palette stays once, like escape and F-keys."""
    store = Store(tmp_path / "full.db", playbook, clock=fixed_clock)
    case_id = store.create(Escalation(title="Disk fills up")).id or 0
    app = WorkbenchApp(store, playbook, clock=fixed_clock, bell=False)
    pasted = "ERROR 507 Insufficient Storage\n" * 2800  # about 84 KB
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(app, pilot, case_id, "reproduction")
        conn = store._conn
        assert conn is not None
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        evidence = _area(screen, "reproduction.evidence")
        evidence.focus()
        await pilot.pause()
        evidence.load_text(pasted)
        await pilot.pause()
        for command in ("Case list", "Impact"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*command)
            await _until_found(pilot, command)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen, f"the palette's {command!r} left with the text unsaved"
            assert evidence.text == pasted
            screen._leave_warned = False
        assert store.get(case_id).reproduction.evidence == ""
        conn.execute("PRAGMA max_page_count = 1073741823")
    store.close()


async def test_a_paste_goes_in_whole(store: Store, make_app) -> None:  # type: ignore[no-untyped-def]
    """A one-line field takes a pasted log's lines joined, its tabs as spaces; a text area keeps
    tabs and lines."""
    case_id = new_case(store, "Export stalls").id or 0
    log = "ERROR\tcode=500\nat export.run\n\nretry 3"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, case_id, "details")
        field = _field(screen, "component")
        field.focus()
        await pilot.pause()
        app.post_message(events.Paste(log))
        await pilot.pause()
        assert field.value == "ERROR code=500 at export.run retry 3"
        area = _area(screen, "narrative")
        area.focus()
        await pilot.pause()
        app.post_message(events.Paste(log))
        await pilot.pause()
        assert area.text == log
        assert screen.flush_edits()
    stored = store.get(case_id)
    assert (stored.component, stored.narrative) == ("ERROR code=500 at export.run retry 3", log)
