"""Times that cannot be: an impact that started in the future, an escalation sent before the case
was opened. Pure functions of the case, the moment typed and now; the screens show the message and
keep the field as typed, unsaved, until it is fixed."""

from __future__ import annotations

from datetime import datetime

from workbench import timetext
from workbench.models import Escalation
from workbench.rules._common import aware_utc


def future_start(started_at: datetime | None, now: datetime) -> str | None:
    """Why an impact start time cannot be kept, or None: it is in the future."""
    if started_at is None or aware_utc(started_at) <= aware_utc(now):
        return None
    ahead = timetext.span(aware_utc(started_at) - aware_utc(now))
    return f"That is {ahead} from now: the problem cannot have started in the future."


def sent_before_opened(case: Escalation, sent_at: datetime) -> str | None:
    """Why an escalation's sent time cannot be kept, or None: it is before the case was opened."""
    opened = aware_utc(case.created_at)
    if aware_utc(sent_at) >= opened:
        return None
    early = timetext.span(opened - aware_utc(sent_at))
    return f"That is {early} before the case was opened: it cannot have been escalated then."
