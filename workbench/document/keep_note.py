"""The export of a case kept in support: a short note for the customer or the ticket (what was
found, the documented fix or workaround), not an escalation document. Plain text that reads the
same as Markdown; control characters are removed."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from workbench.document.times import format_time
from workbench.models import Escalation
from workbench.playbook import Playbook
from workbench.sanitize import sanitize

__all__ = ["render_export", "render_keep_note"]


def render_keep_note(
    case: Escalation, playbook: Playbook, now: datetime, *, tz: tzinfo | None = None
) -> str:
    """The note of a kept case, ending with one newline, without trailing spaces."""
    kept = case.kept
    title = " ".join(sanitize(case.title).split()) or "(untitled case)"
    lines = [f"Kept in support: {title}", ""]
    if case.customer.strip():
        lines.append(f"Customer: {' '.join(sanitize(case.customer).split())}")
    when = (kept.kept_at if kept else now).replace(second=0, microsecond=0)
    lines.append(f"Decided: {format_time(when, tz)}")
    texts = {item.id: item.text for item in playbook.keep_criteria}
    criteria = [texts.get(cid, cid) for cid in (kept.criteria if kept else [])]
    if criteria:
        lines += ["", "Why it stays in support:", *(f"- {text}" for text in criteria)]
    if kept and kept.reason.strip():
        lines += ["", f"Reason: {' '.join(sanitize(kept.reason).split())}"]
    note = sanitize(kept.note).strip() if kept else ""
    lines += ["", "Note:", ""]
    lines += _paragraphs(note) if note else ["[not provided]"]
    return "\n".join(line.rstrip() for line in lines) + "\n"


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _paragraphs(note: str) -> list[str]:
    """The note's lines as the agent wrote them, each its own paragraph when read as Markdown
    (a line break alone would join them), except a run of list items, which stays one list."""
    out: list[str] = []
    previous = ""
    for line in note.splitlines():
        if not line.strip():
            if out and out[-1]:
                out.append("")
            previous = ""
            continue
        if out and out[-1] and not (_LIST_ITEM.match(line) and _LIST_ITEM.match(previous)):
            out.append("")
        out.append(line)
        previous = line
    return out


def render_export(
    case: Escalation,
    playbook: Playbook,
    now: datetime,
    *,
    tz: tzinfo | None = None,
    fmt: str = "markdown",
) -> str:
    """What exporting the case gives: the note of a case kept in support, else the escalation
    document in `fmt` ("markdown" or "plain")."""
    if case.status == "kept_in_support":
        return render_keep_note(case, playbook, now, tz=tz)
    from workbench.document.render import render_document

    return render_document(case, playbook, now, tz=tz, fmt=fmt)
