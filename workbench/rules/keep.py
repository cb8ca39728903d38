"""Kept in support: the playbook's first decision ("Keep It in Support When") as an outcome.

Which keep criteria hold for a case, the short note drafted for the customer or the ticket (what
was found, the documented fix or workaround), and the last look before the note goes out: `check`
judges a kept case by the keep criteria, not by an escalation package.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.models import Escalation
from workbench.playbook import Criterion, Playbook

__all__ = ["KeepCheck", "draft_keep_note", "keep_check", "keep_criteria_held"]


def keep_criteria_held(case: Escalation, playbook: Playbook) -> list[Criterion]:
    """The playbook's keep criteria ticked on the case, in the playbook's order."""
    return [item for item in playbook.keep_criteria if case.checked(item.id)]


def draft_keep_note(case: Escalation, playbook: Playbook) -> str:
    """A first draft of the note for the customer or ticket, from what the case holds: the
    problem, what was found (the keep criteria that held, with the agent's note on each) and
    what was tried. The agent edits it before it is recorded."""
    lines: list[str] = []
    if case.title.strip():
        lines.append(f"Problem: {case.title.strip()}")
    found = []
    for item in keep_criteria_held(case, playbook):
        answer = case.triage.get(item.id)
        note = answer.note.strip() if answer else ""
        found.append(f"- {item.text}" + (f": {note}" if note else ""))
    if found:
        lines += ["What we found:", *found]
    tried = [a for a in case.actions if a.tried.strip()]
    if tried:
        lines.append("What was done:")
        lines += [f"- {a.tried.strip()}" + (f" -> {a.outcome.strip()}" if a.outcome.strip() else "")
                  for a in tried]  # fmt: skip
    return "\n".join(lines)


@dataclass(frozen=True)
class KeepCheck:
    """The last look at a case kept in support: the criteria that hold, and what is missing."""

    criteria: tuple[str, ...]
    note_present: bool
    missing: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


def keep_check(case: Escalation, playbook: Playbook) -> KeepCheck:
    """A kept case is sound when at least one keep criterion holds (ticked on triage, or held
    when the decision was recorded) and the note for the customer or ticket is written."""
    held = {item.id for item in keep_criteria_held(case, playbook)}
    if case.kept is not None:
        held |= set(case.kept.criteria)
    criteria = tuple(item.text for item in playbook.keep_criteria if item.id in held)
    note = bool(case.kept and case.kept.note.strip())
    missing = []
    if not criteria:
        missing.append("no keep criterion holds: tick the one that applies on the triage checklist")
    if not note:
        missing.append("the note for the customer or ticket is empty")
    return KeepCheck(criteria, note, tuple(missing))
