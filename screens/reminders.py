"""Follow-up reminders while the app is open: a notification (and the terminal bell) when a follow-up
falls due, and again when a customer update's window closes.

"Follow up before being asked." Once a minute the app reads the escalated cases, asks
`workbench.followup.follow_up_alerts` what has fallen due since the last look (the schedule itself
is `workbench.rules.cadence`), and tells the agent. The first look, a minute after start, sums up
what was already due so a backlog does not arrive as a storm of toasts. The time is the app's
injectable clock, so tests move the clock and call `check()` instead of waiting.

The bell rings once per look that found something, unless it is off: `workbench --no-bell` (the
app's `bell=False`) or `WORKBENCH_BELL=0` in the environment.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from workbench.vocab import Status

if TYPE_CHECKING:
    from textual.timer import Timer

    from workbench.app import WorkbenchApp
    from workbench.followup import FollowUpAlert
    from workbench.models import Escalation

CHECK_SECONDS = 60.0
BELL_ENV = "WORKBENCH_BELL"
# More alerts than this in one look become one summary notification.
MAX_SEPARATE = 3
# Escalated cases read per look; a team with more open escalations than this has other problems.
MAX_CASES = 1000


def bell_allowed() -> bool:
    """False when the environment turns the bell off (`WORKBENCH_BELL=0`, `off`, `no`, `false`)."""
    value = os.environ.get(BELL_ENV, "").strip().lower()
    return value not in ("0", "off", "no", "false")


class Reminders:
    """The app's follow-up watcher: `start()` once on mount; `check()` runs every minute."""

    def __init__(self, app: WorkbenchApp, *, interval: float = CHECK_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self.seen: frozenset[tuple[int, str, str, bool]] = frozenset()
        self.timer: Timer | None = None
        self.looks = 0

    def start(self) -> None:
        self.timer = self.app.set_interval(self.interval, self.check, name="follow-up-reminders")

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def _escalated(self) -> list[Escalation]:
        store = self.app.store
        rows = store.list_cases(status=Status.ESCALATED.value, limit=MAX_CASES, sort="updated_at")
        cases: list[Escalation] = []
        for row in rows:
            try:
                cases.append(store.get(row.id))
            except Exception:
                continue
        return cases

    def check(self) -> list[FollowUpAlert]:
        """Look once: notify what has fallen due or gone overdue since the last look."""
        # Imported at the first look, a minute after start: the rules are not on the start-up path.
        from workbench.followup import follow_up_alerts
        from workbench.store import StoreError

        self.looks += 1
        try:
            cases = self._escalated()
        except StoreError:
            return []  # the database is busy or gone: the next look tries again
        alerts = follow_up_alerts(cases, self.app.playbook, self.app.now(), self.seen)
        self.seen = self.seen | {alert.key for alert in alerts}
        if not alerts:
            return alerts
        if len(alerts) > MAX_SEPARATE:
            overdue = sum(alert.overdue for alert in alerts)
            ids = ", ".join(f"#{i}" for i in sorted({alert.case_id for alert in alerts}))
            self.app.notify(
                f"{len(alerts)} follow-ups due ({overdue} overdue) on {ids}.",
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
