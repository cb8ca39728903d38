"""Similar cases and signals in the app: the strip on Triage/Details, F8, accepting a signal (A),
opening a similar case (enter), linking (L) and counting customers from links (C)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, OptionList

from screens.details import DetailsScreen
from screens.similar import SimilarScreen, SimilarStrip
from screens.triage import Checklist, TriageScreen
from tests.conftest import AppFactory, new_case
from workbench.document import render_markdown
from workbench.models import LogKind, Reproduction
from workbench.store import Store

THREE_REPORTS = "esc.recurring.three_reports"
OBSERVED = Reproduction(observed='Error "Export failed (E-1042)" after 30 s')


def seed(store: Store) -> int:
    """Two earlier reports of the CSV export timeout from other customers, an unrelated case, and
    the case being written (returned)."""
    new_case(store, "CSV export times out on big reports", customer="Globex",
             component="Reports", reproduction=OBSERVED)  # fmt: skip
    new_case(store, "Large CSV exports time out", customer="Initech", component="Reports",
             reproduction=OBSERVED)  # fmt: skip
    new_case(store, "SSO login redirects in a loop", customer="Hooli")
    case = new_case(store, "CSV export of the sales report times out", customer="Acme Corp",
                    component="Reports", reproduction=OBSERVED)  # fmt: skip
    assert case.id is not None
    return case.id


def strip_text(app: object) -> str:
    return str(app.screen.query_one(SimilarStrip).render())  # type: ignore[attr-defined]


async def test_triage_strip_lists_similar_cases_and_signals(
    make_app: AppFactory, store: Store
) -> None:
    case_id = seed(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await app.workers.wait_for_complete()  # the first look runs in a worker too
        await pilot.pause()
        text = strip_text(app)
        assert "≈ Similar: #1 Globex (draft), #2 Initech (draft)" in text
        assert "⚑ 1 signal" in text and "F8 review" in text
        assert "#3" not in text


async def test_the_screen_opens_before_the_first_ranking(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step screen shows at once, the strip says it is looking, and fills in after: the
    ranking (half a second at 100,000 cases) is held here until the screen has been checked."""
    import threading

    from screens import similar

    case_id = seed(store)
    release = threading.Event()
    review = similar._review

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=10)
        return review(*args, **kwargs)

    monkeypatch.setattr(similar, "_review", held)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case_id, "triage")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)  # open, while the ranking waits
        assert "looking" in strip_text(app)
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "≈ Similar:" in strip_text(app)


async def test_details_strip_follows_the_case_as_it_is_written(
    make_app: AppFactory, store: Store
) -> None:
    case = new_case(store, "Untitled problem", customer="Acme Corp")
    new_case(store, "SSO login redirects in a loop", customer="Hooli")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert case.id is not None
        app.open_case(case.id, "details")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "No similar past cases" in strip_text(app)
        app.screen.edit(lambda c: setattr(c, "title", "SSO login loops after the IdP change"))
        strip = app.screen.query_one(SimilarStrip)
        assert strip.poll_timer is not None
        strip.poll_timer.pause()  # the test plays its part, look by look
        strip._poll()  # what the half-second timer does: the case changed, wait for a pause
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "No similar past cases" in strip_text(app)  # not ranked while still changing
        strip._poll()  # half a second later, nothing typed since: rank
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "≈ Similar: #2 Hooli (draft)" in strip_text(app)
        app.screen.edit(lambda c: setattr(c, "title", "Untitled again"))
        strip._poll()
        app.screen.edit(lambda c: setattr(c, "title", "Untitled again, still typing"))
        strip._poll()  # changed again since the last look: still waiting
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "≈ Similar: #2 Hooli (draft)" in strip_text(app)


async def test_accepting_a_signal_ticks_the_item_and_logs_the_evidence(
    make_app: AppFactory, store: Store
) -> None:
    case_id = seed(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await pilot.press("f8")
        screen = app.screen
        assert isinstance(screen, SimilarScreen)
        assert screen.query_one("#signals", OptionList).option_count == 1
        await pilot.press("A")
        stored = store.get(case_id)
        assert stored.checked(THREE_REPORTS)
        assert stored.triage[THREE_REPORTS].note == "see #1, #2"
        entry = stored.log[-1]
        assert entry.kind is LogKind.SIGNAL
        assert entry.summary == "Accepted: Three or more independent reports of the same symptom"
        assert entry.detail.endswith("Evidence: #1, #2")
        # nothing left to suggest; back on Triage the item shows ticked and edits still save
        assert screen.query_one("#signals", OptionList).option_count == 0
        await pilot.press("escape")
        triage = app.screen
        assert isinstance(triage, TriageScreen)
        assert triage.case.revision == stored.revision
        assert triage.query_one(Checklist).answers[THREE_REPORTS].checked
        assert triage.toggle("keep.coaching")
        assert store.get(case_id).checked("keep.coaching")


async def test_enter_opens_the_highlighted_similar_case(make_app: AppFactory, store: Store) -> None:
    case_id = seed(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await pilot.press("f8")
        screen = app.screen
        assert isinstance(screen, SimilarScreen)
        table = screen.query_one("#similar", DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["#1", "#2"]
        table.focus()
        await pilot.press("down", "enter")
        opened = app.screen
        assert isinstance(opened, TriageScreen) and opened.case_id == 2
        await pilot.press("escape")
        back = app.screen
        assert isinstance(back, TriageScreen) and back.case_id == case_id


async def test_link_both_ways_then_count_customers(make_app: AppFactory, store: Store) -> None:
    case_id = seed(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await pilot.press("f8")
        screen = app.screen
        assert isinstance(screen, SimilarScreen)
        screen.query_one("#similar", DataTable).focus()
        await pilot.press("C")  # nothing linked yet: nothing changes
        assert store.get(case_id).impact.customers_affected is None
        await pilot.press("L")
        assert store.get(case_id).linked == [1]
        assert store.get(1).linked == [case_id]
        await pilot.press("down", "L")
        assert store.get(case_id).linked == [1, 2]
        await pilot.press("C")
        assert store.get(case_id).impact.customers_affected == 3  # Acme Corp, Globex, Initech
        document = render_markdown(store.get(case_id), store.playbook, app.now())
        assert "- Linked cases: #1, #2" in document
        assert "- Affected customers: 3 customers: Acme Corp" in document
        await pilot.press("L")  # the highlighted case (#2) again: unlinked on both sides
        assert store.get(case_id).linked == [1]
        assert store.get(2).linked == []


async def test_count_customers_keeps_a_linked_case_without_a_customer_name(
    make_app: AppFactory, store: Store
) -> None:
    """An imported case often has no customer name: linking it and pressing C counts its
    customers too, and says so, instead of "1 customer (Acme Corp)"."""
    new_case(store, "CSV export times out on big reports", component="Reports",
             reproduction=OBSERVED)  # fmt: skip
    case = new_case(store, "CSV export of the sales report times out", customer="Acme Corp",
                    component="Reports", reproduction=OBSERVED)  # fmt: skip
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case.id or 0, "triage")
        await pilot.pause()
        await pilot.press("f8")
        screen = app.screen
        assert isinstance(screen, SimilarScreen)
        screen.query_one("#similar", DataTable).focus()
        await pilot.press("L", "C")
        await pilot.pause()
        assert store.get(case.id or 0).impact.customers_affected == 2
        notes = [n.message for n in app._notifications]
        assert "Affected customers: 2 (Acme Corp, 1 customer not named on #1)" in notes


async def test_step_keys_from_f8_go_to_that_step_of_the_case(
    make_app: AppFactory, store: Store
) -> None:
    from screens.home import HomeScreen
    from screens.impact import ImpactScreen

    case_id = seed(store)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_case(case_id, "triage")
        await pilot.pause()
        await pilot.press("f8")
        assert isinstance(app.screen, SimilarScreen)
        await pilot.press("f3")
        assert isinstance(app.screen, ImpactScreen) and app.screen.case_id == case_id
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
