"""The timeline screen's full change log and live countdown, the follow-up reminders (notify, ring,
the minute's look), and a case with several destinations or a promised next update. The clock is
injected and moved by the tests; nothing sleeps."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from screens.app import WorkbenchApp
from screens.dialogs import DeEscalateDialog, EscalateDialog, LogUpdateDialog
from screens.reminders import Reminders
from screens.timeline import field_label
from tests.conftest import NOW
from tests.timeline_helpers import Clock, escalated_case, make, open_timeline, text_of, type_text
from workbench.followup import escalate, log_update
from workbench.models import Status
from workbench.playbook import Playbook
from workbench.store import Store, StoreError


# -- change log, countdown ----------------------------------------------------------------------------
async def test_g_toggles_the_full_change_log(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("r", "h")
        await type_text(app, pilot, "Workaround")
        await pilot.press("enter")
        await pilot.press("g")
        table = screen.query_one("#timeline-changes", DataTable)
        assert table.display and screen.showing_changes
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        fields = [row[1] for row in rows]
        assert "Severity override · value" in fields
        change = rows[fields.index("Severity override · value")][2]
        assert change == "critical -> high"
        assert "Severity override · time" in fields
        # The re-assessment's log entry is one row, named as a reader says it.
        entry = next(
            row
            for row in rows
            if row[2] == "— -> + Severity change: Severity Critical -> High (down)"
        )
        assert entry[1].startswith("Log entry ") and entry[1].removeprefix("Log entry ").isdigit()
        # No raw path ("log.5", "severity_override.at") is shown.
        assert not any("." in field or "_" in field for field in fields)
        assert "Full change log" in text_of(screen, "#timeline-title")
        await pilot.press("g")
        assert not screen.showing_changes


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("log.5", "Log entry 6"),
        ("severity_override.at", "Severity override · time"),
        ("reproduction.steps.0.action", "Reproduction · step 1 · action"),
        ("impact.customers_affected", "Impact · customers affected"),
        ("status", "Status"),
    ],
)
def test_change_log_field_labels(path: str, label: str) -> None:
    assert field_label(path) == label


async def test_countdown_follows_the_clock_and_turns_red(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store, "critical", hours_ago=1)  # team due 15:00, customer 15:00-17:00
    clock = Clock()
    app = make(store, playbook, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        team = screen.query_one("#due-team", Static)
        assert "(in 1 h)" in str(team.render()) and not team.has_class("-overdue")
        clock.advance(minutes=48)
        screen.tick()
        assert "(in 12 m)" in str(team.render())
        clock.advance(minutes=32)
        screen.tick()
        assert "(OVERDUE by 20 m)" in str(team.render())
        assert team.has_class("-overdue")
        customer = screen.query_one("#due-customer", Static)
        assert customer.has_class("-due") and "latest in 1 h 40 m" in str(customer.render())


async def test_the_change_log_is_cut_again_at_a_new_width_even_one_made_under_another_screen(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store)
    case.narrative = "Exports of more than ten thousand rows time out for every EU tenant " * 3
    store.save(case)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("g")
        table = screen.query_one("#timeline-changes", DataTable)

        def longest_change() -> int:
            return max(len(str(table.get_row_at(i)[2])) for i in range(table.row_count))

        narrow = longest_change()
        table.move_cursor(row=1)
        await pilot.resize_terminal(150, 30)
        await pilot.pause()
        assert longest_change() > narrow
        assert table.cursor_row == 1  # the reader's place is kept
        await pilot.press("f8")  # Similar, pushed over the timeline
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert longest_change() == narrow


async def test_a_resize_while_the_change_log_cannot_be_read_keeps_its_rows_and_asks_once(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = escalated_case(store)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(90, 30)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("g")
        table = screen.query_one("#timeline-changes", DataTable)
        shown = [table.get_row_at(i) for i in range(table.row_count)]
        asked: list[int] = []

        def away(case_id: int) -> object:
            asked.append(case_id)
            raise StoreError("the team database is not reachable")

        monkeypatch.setattr(store, "events", away)
        for width in (100, 100, 110):  # a drag: two events at one width, then another
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
        assert len(asked) == 2  # once per width
        assert [table.get_row_at(i) for i in range(table.row_count)] == shown
        assert not app._notifications  # a drag is no place for a toast per step
        await pilot.press("g", "g")  # asked for by the agent: said, and no stale rows
        await pilot.pause()
        assert table.row_count == 0 and len(table.columns) == 3
        assert any("not reachable" in str(n.message) for n in app._notifications)


# -- reminders ----------------------------------------------------------------------------------------
async def test_reminders_notify_and_ring_once_per_new_due(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = escalated_case(store, "critical", hours_ago=1)  # team 15:00, customer 15:00-17:00
    resolved = escalated_case(store, "critical", hours_ago=5)
    resolved.status = Status.RESOLVED
    store.save(resolved)
    clock = Clock()
    app = WorkbenchApp(store, playbook, clock=clock, bell=True)
    rings: list[int] = []
    notes: list[tuple[str, str]] = []
    async with app.run_test(size=(100, 30)):
        monkeypatch.setattr(app, "bell", lambda: rings.append(1))
        monkeypatch.setattr(
            app, "notify", lambda message, **kw: notes.append((message, kw.get("severity", "")))
        )
        reminders = Reminders(app)
        assert reminders.check() == []
        clock.advance(hours=1)  # 15:00: both fall due
        alerts = reminders.check()
        assert [(a.case_id, a.track) for a in alerts] == [(case.id, "team"), (case.id, "customer")]
        assert len(rings) == 1 and len(notes) == 2
        assert notes[0][0].startswith(f"#{case.id} Checkout returns 500 for EU customers: Team")
        assert reminders.check() == [] and len(rings) == 1
        clock.advance(hours=2, minutes=1)  # 17:01: the customer window has closed
        late = reminders.check()
        assert [(a.track, a.overdue) for a in late] == [("customer", True)]
        assert notes[-1][1] == "error" and len(rings) == 2
        # Logged: the track moves on, nothing more to say.
        fresh = store.get(case.id or 0)
        log_update(fresh, "customer_update", "Still investigating", now=clock())
        store.save(fresh)
        assert reminders.check() == []

        monkeypatch.setenv("WORKBENCH_BELL", "0")
        clock.advance(hours=2)
        assert reminders.check() and len(rings) == 2


async def test_the_minutes_look_finds_what_check_finds_and_gives_way_between_chunks(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer's look reads the escalated cases a few at a time and pauses between them, so a
    key typed during it is handled after one chunk, not after the whole look (100 ms at 100,000
    cases when it ran in one go). It announces what `check` would."""
    import asyncio
    from itertools import pairwise

    import screens.reminders as reminders_module

    cases = [escalated_case(store, "critical", hours_ago=1) for _ in range(5)]
    clock = Clock()
    app = WorkbenchApp(store, playbook, clock=clock, bell=False)
    notes: list[str] = []
    async with app.run_test(size=(100, 30)):
        monkeypatch.setattr(app, "notify", lambda message, **kw: notes.append(message))
        monkeypatch.setattr(reminders_module, "CHUNK", 2)
        app.collector.last_input -= 60  # the agent is not typing (see the next test)
        reminders, again = Reminders(app), Reminders(app)
        order: list[str] = []
        counted = reminders._alerts

        def chunk(ids: list[int], now: datetime) -> list[object]:
            order.append(f"chunk of {len(ids)}")
            return counted(ids, now)  # type: ignore[return-value]

        monkeypatch.setattr(reminders, "_alerts", chunk)
        clock.advance(hours=1)  # every case's team check-in and customer update fall due
        done = False

        async def other_work() -> None:
            while not done:
                order.append("other")
                await asyncio.sleep(0.001)

        beside = asyncio.create_task(other_work())
        alerts = await reminders.look()
        done = True
        await beside
        assert [(a.case_id, a.track) for a in alerts] == [
            (a.case_id, a.track) for a in again.check()
        ]
        assert {a.case_id for a in alerts} == {c.id for c in cases} and len(alerts) == 10
        assert notes[0] == notes[1] and notes[0].startswith("10 follow-ups due")
        named = ", ".join(f"#{c.id}" for c in cases)
        assert f"(0 overdue) on {named} (the list's" in notes[0]
        # Many cases: the first few named, the rest counted (a toast a screen high, before).
        monkeypatch.setattr(reminders_module, "MAX_NAMED", 2)
        assert again._announce(alerts)
        assert f"on #{cases[0].id}, #{cases[1].id} and 3 more (the list's" in notes[-1]
        chunks = [i for i, step in enumerate(order) if step.startswith("chunk")]
        assert [order[i] for i in chunks] == ["chunk of 2", "chunk of 2", "chunk of 1"]
        # Other work ran between each chunk and the next.
        assert all("other" in order[a:b] for a, b in pairwise(chunks))
        assert reminders.looks == 1 and reminders.seen == again.seen
        assert await reminders.look() == []  # announced once: the next look has nothing new


async def test_the_minutes_look_waits_for_a_pause_in_typing(
    store: Store, playbook: Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk waits until no key has come for INPUT_QUIET seconds, for LONGEST_WAIT at most:
    keys typed in a burst never meet the look."""
    import asyncio

    import screens.reminders as reminders_module

    escalated_case(store, "critical", hours_ago=3)
    app = WorkbenchApp(store, playbook, clock=Clock(), bell=False)
    async with app.run_test(size=(100, 30)):
        typed_at = [1000.0]
        app.collector.clock = lambda: typed_at[0]
        app.collector.note_input()  # a key, just now
        reminders = Reminders(app)
        looking = asyncio.create_task(reminders.look())
        try:
            done, _ = await asyncio.wait({looking}, timeout=0.2)
            assert not done  # still typing: the look waits
            typed_at[0] += reminders_module.INPUT_QUIET + 0.01  # the agent paused
            alerts = await asyncio.wait_for(looking, timeout=5)
        finally:
            looking.cancel()
        assert [a.track for a in alerts] == ["team", "customer"]  # both overdue
        # Typing that never pauses: the look goes ahead once it has waited LONGEST_WAIT.
        app.collector.note_input()
        monkeypatch.setattr(reminders_module, "LONGEST_WAIT", 0.0)
        again = Reminders(app)
        assert await asyncio.wait_for(again.look(), timeout=5) == alerts


async def test_bell_flag_off_silences_the_app(store: Store, playbook: Playbook) -> None:
    app = WorkbenchApp(store, playbook, clock=Clock(), bell=False)
    rang: list[int] = []
    async with app.run_test(size=(100, 30)):
        app._driver.ring_bell = lambda: rang.append(1)  # type: ignore[union-attr,method-assign]
        app.bell()
        assert rang == []


async def test_the_app_starts_its_reminders_once_a_minute(store: Store, playbook: Playbook) -> None:
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 30)):
        reminders = app.reminders
        assert isinstance(reminders, Reminders)
        assert reminders.timer is not None and reminders.interval == 60.0
        assert reminders.looks == 0  # the first look is a minute after start, not during it


# -- several destinations, promises -------------------------------------------------------------------
async def test_a_second_escalation_adds_a_destination_shown_with_its_own_clock(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store, "critical", hours_ago=1)  # Engineering at 13:00: team at 15:00
    app = make(store, playbook, Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, EscalateDialog)
        assert dialog.title_text == "Escalate: add a destination"
        options = dialog.query_one("#escalate-destination", OptionList)
        # The list opens on a destination the case is not with yet.
        assert options.highlighted is not None
        assert dialog.order[options.highlighted] != "engineering"
        steps = dialog.order.index("leadership") - options.highlighted
        await pilot.press(*["down" if steps > 0 else "up"] * abs(steps), "enter")
        await type_text(app, pilot, "VP Support")
        await pilot.press("enter")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert [(r.destination, r.active) for r in stored.escalations] == [
            ("engineering", True),
            ("leadership", True),
        ]
        team = text_of(screen, "#due-team")
        assert "Team check-in · Engineering due 15:00" in team
        assert "Team check-in · Leadership due 16:00" in team
        state = text_of(screen, "#timeline-state")
        assert "Engineering (Payments squad) at 13:00" in state
        assert "Leadership (VP Support) at 14:00" in state


async def test_a_customer_update_with_a_promise_sets_the_next_one(
    store: Store, playbook: Playbook
) -> None:
    case = escalated_case(store, "high", hours_ago=1)  # customer 17:00-21:00 by the cadence
    app = make(store, playbook, Clock())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("l", "c")
        dialog = app.screen
        assert isinstance(dialog, LogUpdateDialog)
        await type_text(app, pilot, "Investigation ongoing")
        dialog.query_one("#log-next", Input).value = "15:30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.log[-1].next_at == NOW.replace(hour=15, minute=30)
        customer = text_of(screen, "#due-customer")
        assert "Customer update due 15:30" in customer
        assert "promised 15:30" in customer


async def test_de_escalate_one_of_two_destinations(store: Store, playbook: Playbook) -> None:
    case = escalated_case(store, "critical", hours_ago=1)
    escalate(case, playbook, "leadership", "VP Support", NOW - timedelta(minutes=30))
    case = store.save(case)
    app = make(store, playbook, Clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_timeline(app, pilot, case.id or 0)
        await pilot.press("D")
        dialog = app.screen
        assert isinstance(dialog, DeEscalateDialog)
        dialog.query_one("#deesc-from", Input).value = "leadership"
        # The first condition; every step of the procedure; outcome and findings.
        await pilot.press("space", "tab", "space", "down", "space", "down", "space", "down")
        await pilot.press("space", "tab")
        await type_text(app, pilot, "No decision needed any more")
        await pilot.press("tab")
        await type_text(app, pilot, "Engineering owns it")
        await pilot.press("ctrl+s")
        await pilot.pause()
        stored = store.get(case.id or 0)
        assert stored.status is Status.ESCALATED
        assert [(r.destination, r.active) for r in stored.escalations] == [
            ("engineering", True),
            ("leadership", False),
        ]
        assert stored.log[-1].summary.startswith("De-escalated from Leadership")
        team = text_of(screen, "#due-team")
        assert "Engineering" not in team or "Leadership" not in team
        assert "Team check-in due 15:00" in team  # one team left: no name needed
