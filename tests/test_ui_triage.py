"""Triage: the checklist from the keyboard, the live panel, tier, override, accept, and saving."""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from screens.app import WorkbenchApp
from screens.dialogs import OverrideDialog, TextPrompt
from screens.home import HomeScreen
from screens.impact import ImpactScreen
from screens.similar import SimilarStrip, strip_content
from screens.triage import Checklist, TriageScreen
from screens.widgets import CaseLine, SidePanel
from tests.conftest import AppFactory
from workbench.models import Escalation, TriageAnswer
from workbench.store import Store, StoreError


def _text(screen: TriageScreen, selector: str) -> str:
    section = selector.removeprefix("#triage-")
    if section in ("recommendation", "destinations", "conflicts"):
        return screen.query_one("#triage-panel", SidePanel).plain(section)
    widget = screen.query_one(selector)
    assert isinstance(widget, Static)
    return str(widget.render())


async def _open(app: WorkbenchApp, pilot: Pilot[None], case: Escalation) -> TriageScreen:
    assert case.id is not None
    assert app.open_case(case.id, "triage")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, TriageScreen)
    return screen


async def test_keys_move_toggle_and_save(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        checklist = screen.query_one(Checklist)
        assert checklist.has_focus
        assert checklist.highlighted_option is not None
        assert checklist.highlighted_option.id == "keep.documented_fix"
        assert "Not enough information" in _text(screen, "#triage-recommendation")
        await pilot.press("space")
        assert store.get(case.id or 0).checked("keep.documented_fix")
        assert "Keep in support" in _text(screen, "#triage-recommendation")
        assert screen.saved_indicator.state == "saved"
        # j/k move; the cursor skips the group headings.
        await pilot.press("j", "j", "j", "j", "j")
        assert checklist.highlighted_option.id == "esc.technical.code_fix"
        await pilot.press("enter")  # enter toggles too
        await pilot.press("k", "space")
        stored = store.get(case.id or 0)
        assert stored.checked("esc.technical.code_fix")
        assert stored.checked("keep.historical_support")
        recommendation = _text(screen, "#triage-recommendation")
        assert "Escalate" in recommendation
        assert "Technical barrier: A confirmed defect needs a code-level fix" in recommendation
        conflicts = _text(screen, "#triage-conflicts")
        assert "conflicts with escalate" in conflicts
        assert "→ Engineering" in _text(screen, "#triage-destinations")


async def test_the_panel_shows_what_a_tick_changed_with_its_sections_apart_when_wide(
    make_app: AppFactory, case: Escalation
) -> None:
    """The panel's sections are a line apart on a wide screen and touch on a narrow one (its
    stylesheet); what a tick changes is drawn where it was shown, on the screen itself."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, case)
        panel = screen.query_one("#triage-panel", SidePanel)
        assert panel.lines[1].startswith("• Not enough information: no keep criterion")
        gap = panel.lines.index("")
        assert panel.lines[gap + 1].startswith("Destinations for tier")
        await pilot.press("space")
        await pilot.pause()
        assert panel.lines[0].startswith("Recommendation: Keep in support")
        shown = [panel.render_line(y).text.rstrip() for y in range(len(panel.lines))]
        assert shown == panel.lines
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert "" not in panel.lines
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert "" in panel.lines


def _painted(checklist: Checklist) -> list[str]:
    """The checklist's lines as painted (through its render cache), not its options' prompts."""
    return [checklist.render_line(y).text for y in range(checklist.size.height)]


async def test_painted_item_follows_each_toggle_and_note(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    """A toggle re-renders only its own item (the others keep their cached lines): what is
    painted must still follow every change, and a note that adds lines moves the items below."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        checklist = screen.query_one(Checklist)
        first = _painted(checklist)
        item = next(i for i, line in enumerate(first) if "[ ]" in line)
        below = first[item + 1 :]
        for expected in ("[x]", "[ ]", "[x]"):
            await pilot.press("space")
            await pilot.pause()
            painted = _painted(checklist)
            assert expected in painted[item], painted[item]
            assert painted[item + 1 :] == below  # nothing else moved or changed
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "KB-1234"
        await pilot.press("enter")
        await pilot.pause()
        painted = _painted(checklist)
        assert "[x]" in painted[item] and "✎ KB-1234" in painted[item + 1]
        assert painted[item + 2 :] == below[: len(painted) - item - 2]


async def test_a_wide_note_is_painted_whole(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    """A note in CJK is wrapped by characters but twice as wide in cells: the list wraps it
    again, and the item must get its new height, not keep the old one and cut the note."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        checklist = screen.query_one(Checklist)
        await pilot.press("n")
        app.screen.query_one(Input).value = "KB-1"
        await pilot.press("enter")
        await pilot.pause()
        note = "服务器宕机" * 12  # 60 characters, 120 cells
        await pilot.press("n")
        app.screen.query_one(Input).value = note
        await pilot.press("enter")
        await pilot.pause()
        painted = "".join(line.strip() for line in _painted(checklist))
        assert note in painted.replace(" ", "")


async def test_note_tier_and_accept(make_app: AppFactory, store: Store, case: Escalation) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        await pilot.press("n")
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "KB-1234"
        await pilot.press("enter")
        assert store.get(case.id or 0).triage["keep.documented_fix"].note == "KB-1234"
        option = screen.query_one(Checklist).get_option("keep.documented_fix")
        assert "✎ KB-1234" in str(option.prompt)
        # Tier: L2 -> manager -> L1; from L1, Engineering goes via Support L2.
        screen.toggle("esc.technical.code_fix")
        await pilot.press("t", "t")
        assert store.get(case.id or 0).tier == "L1"
        destinations = _text(screen, "#triage-destinations")
        assert "Destinations for tier L1" in destinations
        assert "via Support L2" in destinations
        await pilot.press("a")
        assert store.get(case.id or 0).routed_to == ["l2"]
        assert "Routed to: Support L2" in _text(screen, "#triage-destinations")


async def test_the_header_tells_a_suggested_route_from_a_chosen_one(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await _open(app, pilot, case)
        line = screen.query_one(CaseLine)
        assert "not routed" in line.facts.plain
        screen.toggle("esc.technical.code_fix")
        await pilot.pause()
        assert "Engineering (suggested)" in line.facts.plain  # Triage: "Not routed yet"
        await pilot.press("a")
        await pilot.pause()
        shown = str(line.render())
        assert "Engineering" in shown and "suggested" not in shown


async def test_security_banner(make_app: AppFactory, store: Store, case: Escalation) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        await app.workers.wait_for_complete()  # the strip's first look
        strip = screen.query_one(SimilarStrip)
        review = strip.review
        assert review is not None and strip.headline is None
        calm = strip.styles.background
        screen.toggle("esc.widespread.security_threat")
        await pilot.pause()
        # In the similar-cases strip's place, one line for one line, in the error colour.
        text = str(strip.render())
        assert "SECURITY — route to Security immediately, regardless of tier" in text
        assert strip.has_class("-headline") and strip.styles.background != calm
        assert "skip tier progression entirely" in _text(screen, "#triage-recommendation")
        assert _text(screen, "#triage-destinations").splitlines()[1] == "→ Security  direct"
        strip._show(review)  # a later look of the similar cases does not hide the banner
        assert "SECURITY" in str(strip.render())
        screen.toggle("esc.widespread.security_threat")
        await pilot.pause()
        assert strip.headline is None and not strip.has_class("-headline")
        assert str(strip.render()) == str(strip_content(review))
        assert strip.styles.background == calm


async def test_the_banner_keeps_the_checklist_measured_and_a_new_width_wraps_it_again(
    make_app: AppFactory, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The banner takes the similar strip's line: the checklist keeps its size, and what it
    measured and rendered (a new height alone would keep it too; OptionList would drop it all and
    measure every item again). A new width wraps every prompt to it."""
    from screens.triage import Checklist

    cleared: list[int] = []
    clear = Checklist._clear_caches

    def spy(self: Checklist) -> None:
        cleared.append(1)
        clear(self)

    monkeypatch.setattr(Checklist, "_clear_caches", spy)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot, case)
        checklist = screen.query_one(Checklist)
        height, width = checklist.size.height, checklist._width
        cleared.clear()
        screen.toggle("esc.widespread.security_threat")
        await pilot.pause()
        assert screen.query_one(SimilarStrip).has_class("-headline")
        assert checklist.size.height == height and checklist._width == width
        await pilot.resize_terminal(120, 30)  # a new height alone
        await pilot.pause()
        assert checklist.size.height < height and checklist._width == width
        assert cleared == []
        index = checklist.get_option_index("esc.widespread.security_threat")
        assert checklist.get_option_at_index(index).prompt.plain.lstrip().startswith("[x]")
        longest = max(checklist.rows, key=lambda row: len(row.text))
        lines = len(checklist.get_option(longest.key).prompt.plain.splitlines())
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert checklist._width > width and cleared
        assert len(checklist.get_option(longest.key).prompt.plain.splitlines()) < lines


async def test_override_with_reason_is_logged(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        screen.toggle("esc.technical.code_fix")
        await pilot.press("o")
        dialog = app.screen
        assert isinstance(dialog, OverrideDialog)
        await pilot.press("up")  # from "Escalate" (the rules' answer) to "Keep in support"
        assert dialog.query_one(OptionList).highlighted == 0
        await pilot.press("enter", "enter")  # choose, then an empty reason is refused
        assert isinstance(app.screen, OverrideDialog)
        app.screen.query_one("#override-reason", Input).value = "Fixed in 4.2"
        await pilot.press("enter")
        stored = store.get(case.id or 0)
        assert stored.recommendation_override is not None
        assert (stored.recommendation_override.value, stored.recommendation_override.reason) == (
            "keep",
            "Fixed in 4.2",
        )
        assert any(
            e.field.startswith("recommendation_override") for e in store.events(case.id or 0)
        )
        text = _text(screen, "#triage-recommendation")
        assert "Keep in support" in text and "Overridden (rules say: Escalate)" in text
        screen.set_override(("", ""))
        assert store.get(case.id or 0).recommendation_override is None


async def test_override_typed_in_one_burst(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    """Enter, a reason and enter queued before any is handled: the reason is whole. (Arrow
    keys inside a burst are not covered: Textual resolves a queued key's binding against the
    focus when it is handled, so an arrow still queued for the list once enter has moved on
    is lost.)"""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        screen.toggle("esc.technical.code_fix")
        await pilot.press("o")
        assert isinstance(app.screen, OverrideDialog)
        await pilot.press("up")  # from "Escalate" (the rules' answer) to "Keep in support"
        keys = [("enter", "\r"), *((c, c) for c in "Fixed"), ("enter", "\r")]
        for key, char in keys:
            app.post_message(events.Key(key, char))
        for _ in range(6):
            await pilot.pause()
        assert app.screen is screen
        override = store.get(case.id or 0).recommendation_override
        assert override is not None and (override.value, override.reason) == ("keep", "Fixed")


async def test_step_keys_and_escape(make_app: AppFactory, case: Escalation) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, case)
        await pilot.press("f3")
        assert isinstance(app.screen, ImpactScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        assert app.screen_stack == [app.screen]  # step keys switch: nothing left below the list


@pytest.mark.parametrize("answer", ["m", "t"])
async def test_stale_case_asks_keep_mine_or_take_theirs(
    make_app: AppFactory, store: Store, case: Escalation, answer: str
) -> None:
    from screens.dialogs import ConflictDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        other = store.get(case.id or 0)
        other.triage["keep.coaching"] = TriageAnswer(checked=True)
        store.save(other)  # another window saves first
        assert not screen.toggle("keep.documented_fix")
        assert screen.saved_indicator.state == "error"
        assert not store.get(case.id or 0).checked("keep.documented_fix")
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press(answer)
        await pilot.pause()
        assert app.screen is screen
        stored = store.get(case.id or 0)
        assert stored.checked("keep.coaching") and screen.case.checked("keep.coaching")
        mine = answer == "m"
        assert stored.checked("keep.documented_fix") is mine
        assert screen.case.checked("keep.documented_fix") is mine
        assert screen.saved_indicator.state == ("saved" if mine else "error")


async def test_store_error_keeps_screen_and_marks_not_saved(
    make_app: AppFactory, store: Store, case: Escalation, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)

        def refuse(_case: Escalation) -> Escalation:
            raise StoreError("the database is read-only")

        monkeypatch.setattr(store, "save", refuse)
        assert not screen.toggle("keep.documented_fix")
        assert screen.saved_indicator.state == "error"
        assert not screen.case.checked("keep.documented_fix")


async def test_help_lists_this_screen_first(make_app: AppFactory, case: Escalation) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(app, pilot, case)
        await pilot.press("question_mark")
        keys = str(app.screen.query_one("#help-keys", Static).render())
        assert keys.index("Triage (F2) — this screen") < keys.index("Case list")
        assert "Override the recommendation, with a reason" in keys
        principles = str(app.screen.query_one("#help-principles", Static).render())
        assert "Quantify impact with numbers, not adjectives" in principles
        await pilot.press("escape")
        assert isinstance(app.screen, TriageScreen)
        # `?` typed in a text field is text, not help.
        await pilot.press("n", "question_mark")
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == "?"


async def test_a_burst_from_the_list_lands_in_the_case_it_opens(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    """Found in tmux: enter, down, down, n, a note, enter, down, space typed at once. The first
    arrow went to the list (the case opens once the list's Selected has reached the screen) or
    to a checklist not focused yet, so the note and the tick landed one item early."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        names = {"\n": "enter", " ": "space", "v": "down"}
        for char in "\nvvnSaw it twice\nv ":
            app.post_message(events.Key(names.get(char, char), "\r" if char == "\n" else char))
        for _ in range(300):  # held keys wait for each screen to settle: a few timer ticks
            stored = store.get(case.id or 0)
            if stored.checked_ids():
                break
            await pilot.pause()
        rows = [r.key for r in app.screen.query_one(Checklist).rows if r.criterion is not None]
        assert stored.triage[rows[2]].note == "Saw it twice"
        assert stored.checked_ids() == {rows[3]}


async def test_keep_in_support_records_the_decision_and_the_note(
    make_app: AppFactory, store: Store, case: Escalation
) -> None:
    from textual.widgets import TextArea

    from screens.dialogs import KeepDialog
    from workbench.models import LogKind, Status

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, case)
        await pilot.press("space", "n")  # the first item: a documented fix
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(Input).value = "KB-1234"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("a")  # accept says where the keep decision is recorded
        await pilot.pause()
        assert "press K" in " ".join(str(n.message) for n in app._notifications)
        await pilot.press("K")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, KeepDialog)
        assert "KB-1234" in dialog.query_one("#keep-note", TextArea).text
        await pilot.press("enter")  # no reason yet: refused in the dialog
        await pilot.pause()
        assert app.screen is dialog
        dialog.query_one("#keep-reason", Input).value = "documented fix applies"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
    stored = store.get(case.id or 0)
    assert stored.status is Status.KEPT_IN_SUPPORT
    assert stored.kept is not None and stored.kept.criteria == ["keep.documented_fix"]
    assert stored.kept.reason == "documented fix applies"
    assert stored.log[-1].kind is LogKind.TRIAGE
    assert stored.log[-1].summary == "Decision: keep in support"
