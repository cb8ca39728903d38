"""Which sections of the escalation document apply to a case.

The playbook heads the reproduction section "(for defects)": "For defects, reproduction steps are
non-negotiable". A case that is not a defect (a security report, a product gap, a leadership
decision) carries no reproduction, and the document says so in one line instead of a page of
placeholders."""

from __future__ import annotations

from datetime import datetime

from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.rules.triage import routed_destinations

__all__ = ["DEFECT_DESTINATIONS", "reproduction_not_applicable"]

# The destinations that receive defects: "Support L2 to Engineering ... Trigger: Confirmed defect".
DEFECT_DESTINATIONS = frozenset({"engineering"})
# L1 -> L2 is "deeper investigation ... advanced debugging": a defect may still be found there.
_MAY_BE_DEFECT = frozenset({"l2"})


def _has_reproduction(case: Escalation) -> bool:
    rep = case.reproduction
    texts = [rep.expected, rep.observed, rep.frequency, rep.evidence, rep.eliminations]
    texts += list(rep.baseline.model_dump().values()) + list(rep.environment.model_dump().values())
    texts += [part for step in rep.steps for part in (step.action, step.literal_input)]
    return any(text.strip() for text in texts)


def reproduction_not_applicable(case: Escalation, playbook: Playbook, now: datetime) -> str | None:
    """Why the reproduction section does not apply, or None when it does.

    It does not apply when all of these hold: the case is routed (by the agent or the triage
    rules) to at least one destination, none of them receives defects (Engineering) or may still
    find one (L2), and the agent has written nothing in the reproduction. Anything written there
    is always shown, and an unrouted case keeps the section: it may yet be a defect."""
    routes = routed_destinations(case, playbook, now)
    if not routes or DEFECT_DESTINATIONS & set(routes) or _MAY_BE_DEFECT & set(routes):
        return None
    if _has_reproduction(case):
        return None
    names = []
    for route in routes:
        try:
            names.append(playbook.destination(route).route_label)
        except KeyError:
            names.append(route)
    return f"routed to {' and '.join(names)}, not a defect"
