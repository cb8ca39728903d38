"""The ask type an ask's wording states ("Please investigate the root cause" -> investigate), for
asks written without the playbook's own labels. A pure function of the text and the playbook."""

from __future__ import annotations

import re

from workbench.models import AskType
from workbench.playbook import Playbook

__all__ = ["ASK_WORDING", "ask_type_of"]

# Ask type -> the wording that states it. The earliest match in the text wins.
ASK_WORDING: dict[AskType, str] = {
    "exception": r"\bexceptions?\b|\bwaive\w*|\bwaiver\b|\bone[- ](?:time|off)\b",
    "decide": r"\bdecisions?\b|\bdecide\b|\bsign[- ]?off\b|\bgo/no[- ]go\b|\bchoose\b|\bwhether\b",
    "fix": r"\bfix\w*\b|\bhot[- ]?fix\b|\bpatch\w*\b|\broll ?back\b|\brevert\b|\brepair\b",
    "investigate": r"\binvestigat\w*|\broot[- ]cause\b|\blook into\b|\bdiagnos\w*|\bfind out\b|"
    r"\bRCA\b|\bconfirm whether\b|\bexplain why\b|\bidentify\b",
}


def ask_type_of(text: str, playbook: Playbook) -> AskType | None:
    """The ask type the text states: the playbook's ask label at its start, else the earliest
    wording of `ASK_WORDING`."""
    lowered = text.strip().lower()
    for choice in playbook.document.ask_types:
        if lowered.startswith(choice.label.lower()):
            for kind in ASK_WORDING:
                if kind == choice.id:
                    return kind
    best: tuple[int, AskType] | None = None
    for kind, pattern in ASK_WORDING.items():
        match = re.search(pattern, text, re.IGNORECASE)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind)
    return best[1] if best else None
