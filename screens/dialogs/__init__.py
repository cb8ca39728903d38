"""The modal dialogs, one job a module:

- `base`: `Dialog` and `TypeAheadDialog` (enter and tab act as the key arrives), `dismiss_once`;
- `conflict`: keep mine or take theirs, when a save met a newer case;
- `confirm`, `prompt`, `override`: a yes/no question, a one-line text prompt, a choice against the
  rules' suggestion with a required reason; `too_small`: the "terminal too small" cover;
- the timeline's follow-up dialogs, each dry-running its operation before it closes:
  `followup_frame` (their shared frame), `followup_requests` (what they return), `escalate`,
  `log_update`, `reassess`, `de_escalate`, `resolve` (and reopen).

Every public name is importable from here (`from screens.dialogs import TextPrompt`). Each module is
imported when one of its names is first asked for: a prompt does not bring the follow-up dialogs
(and the case model and playbook they import) with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.lazy import lazy_getattr

if TYPE_CHECKING:
    from screens.dialogs.base import (
        Dialog,
        DialogResult,
        TypeAheadDialog,
        after_queued,
        dismiss_once,
    )
    from screens.dialogs.confirm import ConfirmDialog
    from screens.dialogs.conflict import ConflictDialog
    from screens.dialogs.de_escalate import DeEscalateDialog
    from screens.dialogs.escalate import EscalateDialog
    from screens.dialogs.followup_frame import FollowUpDialog
    from screens.dialogs.followup_requests import (
        DeEscalateRequest,
        EscalateRequest,
        KeepRequest,
        LogRequest,
        ReassessRequest,
        ReopenRequest,
        Request,
        ResolveRequest,
    )
    from screens.dialogs.keep import KeepDialog
    from screens.dialogs.log_update import KIND_KEYS, KindChooser, LogUpdateDialog
    from screens.dialogs.override import OverrideDialog
    from screens.dialogs.prompt import TextPrompt
    from screens.dialogs.reassess import ReassessDialog
    from screens.dialogs.resolve import ReopenDialog, ResolveDialog
    from screens.dialogs.too_small import TooSmallScreen

# Each public name and the module (in this package) that defines it.
_MODULES: dict[str, str] = {
    "Dialog": "base",
    "DialogResult": "base",
    "TypeAheadDialog": "base",
    "after_queued": "base",
    "dismiss_once": "base",
    "ConfirmDialog": "confirm",
    "ConflictDialog": "conflict",
    "TextPrompt": "prompt",
    "OverrideDialog": "override",
    "TooSmallScreen": "too_small",
    "DeEscalateRequest": "followup_requests",
    "EscalateRequest": "followup_requests",
    "KeepRequest": "followup_requests",
    "KeepDialog": "keep",
    "LogRequest": "followup_requests",
    "ReassessRequest": "followup_requests",
    "ReopenRequest": "followup_requests",
    "Request": "followup_requests",
    "ResolveRequest": "followup_requests",
    "FollowUpDialog": "followup_frame",
    "EscalateDialog": "escalate",
    "KIND_KEYS": "log_update",
    "KindChooser": "log_update",
    "LogUpdateDialog": "log_update",
    "ReassessDialog": "reassess",
    "DeEscalateDialog": "de_escalate",
    "ReopenDialog": "resolve",
    "ResolveDialog": "resolve",
}

__all__ = [
    "KIND_KEYS",
    "ConfirmDialog",
    "ConflictDialog",
    "DeEscalateDialog",
    "DeEscalateRequest",
    "Dialog",
    "DialogResult",
    "EscalateDialog",
    "EscalateRequest",
    "FollowUpDialog",
    "KeepDialog",
    "KeepRequest",
    "KindChooser",
    "LogRequest",
    "LogUpdateDialog",
    "OverrideDialog",
    "ReassessDialog",
    "ReassessRequest",
    "ReopenDialog",
    "ReopenRequest",
    "Request",
    "ResolveDialog",
    "ResolveRequest",
    "TextPrompt",
    "TooSmallScreen",
    "TypeAheadDialog",
    "after_queued",
    "dismiss_once",
]


__getattr__ = lazy_getattr(__name__, _MODULES, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])
