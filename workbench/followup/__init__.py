"""Follow-through on an escalated case, in three parts:

- `operations`: escalate, log an update, re-assess, de-escalate, resolve, reopen (pure changes to a
  case that raise `FollowUpError` when a step cannot be taken as asked);
- `timeline_view`: what the timeline shows in the app and the CLI (history, change rows, due
  lines); not `timeline.py`, which the `timeline` function re-exported here would shadow;
- `reminders`: which follow-ups have just fallen due or gone overdue.

The public names of all three are re-exported here: `from workbench.followup import escalate`.
"""

from __future__ import annotations

from workbench.followup.base import find_destination
from workbench.followup.keep import keep_in_support
from workbench.followup.operations import (
    DOCUMENT_FINDINGS,
    LOGGABLE_KINDS,
    NOTIFY_TEAM,
    RECORD_STATUS,
    TELL_CUSTOMER,
    FollowUpError,
    de_escalate,
    de_escalation_missing,
    escalate,
    log_update,
    reassess_severity,
    reopen,
    resolve,
    withdraw,
)
from workbench.followup.reminders import FollowUpAlert, follow_up_alerts
from workbench.followup.timeline_view import (
    ChangeRow,
    DueLine,
    TimelineItem,
    change_rows,
    describe_due,
    due_lines,
    log_authors,
    suggested_log_kind,
    timeline,
)

__all__ = [
    "DOCUMENT_FINDINGS",
    "LOGGABLE_KINDS",
    "NOTIFY_TEAM",
    "RECORD_STATUS",
    "TELL_CUSTOMER",
    "ChangeRow",
    "DueLine",
    "FollowUpAlert",
    "FollowUpError",
    "TimelineItem",
    "change_rows",
    "de_escalate",
    "de_escalation_missing",
    "describe_due",
    "due_lines",
    "escalate",
    "find_destination",
    "follow_up_alerts",
    "keep_in_support",
    "log_authors",
    "log_update",
    "reassess_severity",
    "reopen",
    "resolve",
    "suggested_log_kind",
    "timeline",
    "withdraw",
]
