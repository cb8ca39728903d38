"""Follow-up reminders while the app is open: a notification (and the terminal bell) when a follow-up
falls due, and again when a customer update's window closes.

"Follow up before being asked." Once a minute the app reads the escalated cases, asks
`workbench.followup.follow_up_alerts` what has fallen due since the last look (the schedule itself
is `workbench.rules.cadence`), and tells the agent. The first look, a minute after start, sums up
what was already due so a backlog does not arrive as a storm of toasts. The look goes a few
cases at a time, in the agent's pauses (`Reminders.look`), so it never holds a key for long. The
time is the app's injectable clock, so tests move the clock and call `check()` instead of waiting.

The bell rings once per look that found something, unless it is off: `workbench --no-bell` (the
app's `bell=False`) or `WORKBENCH_BELL=0` in the environment.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING

from workbench.vocab import Status

if TYPE_CHECKING:
    from datetime import datetime

    from textual.timer import Timer

    from screens.app import WorkbenchApp
    from workbench.followup import FollowUpAlert

CHECK_SECONDS = 60.0
BELL_ENV = "WORKBENCH_BELL"
# More alerts than this in one look become one summary notification.
MAX_SEPARATE = 3
# Cases a summary names; the rest are counted ("and 440 more"): at 100,000 cases a summary of
# every overdue case's id filled the screen with a toast whose first line was off it.
MAX_NAMED = 8
# Escalated cases read per look; a team with more open escalations than this has other problems.
MAX_CASES = 1000
# Cases read and counted per turn of the minute's look (about 1.5 ms of work at 100,000 cases:
# what a key typed in that turn waits for), and the pause after each, in which the keys typed
# meanwhile are handled.
CHUNK = 6
CHUNK_PAUSE = 0.008
# And it waits for a pause in the agent's typing before each chunk (no key or click for
# INPUT_QUIET seconds), for LONGEST_WAIT seconds at most: a reminder a few seconds late is still
# on time, a key that waits for a chunk is not.
INPUT_QUIET = 0.3
LONGEST_WAIT = 10.0


def bell_allowed() -> bool:
    """False when the environment turns the bell off (`WORKBENCH_BELL=0`, `off`, `no`, `false`)."""
    value = os.environ.get(BELL_ENV, "").strip().lower()
    return value not in ("0", "off", "no", "false")


class Reminders:
    """The app's follow-up watcher: `start()` once on mount; a look every minute (`look`, in
    turns), or `check()` at once."""

    def __init__(self, app: WorkbenchApp, *, interval: float = CHECK_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self.seen: frozenset[tuple[int, str, str, bool]] = frozenset()
        self.timer: Timer | None = None
        self.looks = 0

    def start(self) -> None:
        self.timer = self.app.set_interval(self.interval, self.look, name="follow-up-reminders")

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def check(self) -> list[FollowUpAlert]:
        """Look once, all at once: notify what has fallen due or gone overdue since the last
        look (tests move the clock and call this)."""
        now = self.app.now()
        alerts: list[FollowUpAlert] = []
        for chunk in self._chunks():
            alerts += self._alerts(chunk, now)
        return self._announce(alerts)

    async def look(self) -> list[FollowUpAlert]:
        """The minute's look, `CHUNK` cases at a time with a pause between them, each chunk when
        the agent's typing pauses. In one go, the look at 100,000 cases (569 of them escalated)
        held the event loop once a minute, and a key typed then waited for all of it;
        now a key waits for one chunk at most, and only past LONGEST_WAIT of typing. (Run by the
        timer in its own task, as `check` was: the next look waits for this one.)"""
        began = time.monotonic()
        await self._typing_paused(began)  # the query for the ids is a chunk's worth too
        now = self.app.now()
        alerts: list[FollowUpAlert] = []
        for index, chunk in enumerate(self._chunks()):
            if index:
                await asyncio.sleep(CHUNK_PAUSE)
                await self._typing_paused(began)
            alerts += self._alerts(chunk, now)
        return self._announce(alerts)

    async def _typing_paused(self, began: float) -> None:
        """Until no key or click has come for INPUT_QUIET seconds (the app notes each one), or
        the look began LONGEST_WAIT seconds ago."""
        collector = self.app.collector
        while (
            collector.clock() - collector.last_input < INPUT_QUIET
            and time.monotonic() - began < LONGEST_WAIT
        ):
            await asyncio.sleep(INPUT_QUIET / 3)

    def _chunks(self) -> list[list[int]]:
        """The escalated cases' ids (one query on the list's columns), in chunks."""
        from workbench.store import StoreError

        self.looks += 1
        store = self.app.store
        try:
            rows = store.list_cases(
                status=Status.ESCALATED.value, limit=MAX_CASES, sort="updated_at"
            )
        except StoreError:
            return []  # the database is busy or gone: the next look tries again
        ids = [row.id for row in rows]
        return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]

    def _alerts(self, ids: list[int], now: datetime) -> list[FollowUpAlert]:
        """What these cases owe now and was not announced yet. A case that cannot be read (gone
        since, or damaged) is left out; the others are still looked at."""
        # Imported at the first look, a minute after start: the rules are not on the start-up path.
        from workbench.followup import follow_up_alerts

        store = self.app.store
        try:
            cases = store.get_many(ids)
        except Exception:
            cases = []
            for case_id in ids:
                try:
                    cases.append(store.get(case_id))
                except Exception:
                    continue
        return follow_up_alerts(cases, self.app.playbook, now, self.seen)

    def _announce(self, alerts: list[FollowUpAlert]) -> list[FollowUpAlert]:
        self.seen = self.seen | {alert.key for alert in alerts}
        if not alerts:
            return alerts
        if len(alerts) > MAX_SEPARATE:
            overdue = sum(alert.overdue for alert in alerts)
            cases = sorted({alert.case_id for alert in alerts})
            ids = ", ".join(f"#{i}" for i in cases[:MAX_NAMED])
            more = f" and {len(cases) - MAX_NAMED} more" if len(cases) > MAX_NAMED else ""
            self.app.notify(
                f"{len(alerts)} follow-ups due ({overdue} overdue) on {ids}{more}"
                " (the list's Next due column has them all).",
                title="Follow-ups",
                severity="error" if overdue else "warning",
                timeout=15,
            )
        else:
            for alert in alerts:
                self.app.notify(
                    alert.message,
                    title="Follow-up overdue" if alert.overdue else "Follow-up due",
                    severity="error" if alert.overdue else "warning",
                    timeout=15,
                )
        if bell_allowed():
            self.app.bell()
        return alerts


def start_reminders(app: WorkbenchApp) -> Reminders:
    """Create the app's reminders and start the once-a-minute look."""
    reminders = Reminders(app)
    reminders.start()
    return reminders
