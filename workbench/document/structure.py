"""What the renderer and the parse agree on: the sub-field labels, the separators, and the error
for a document that is not in the playbook's structure."""

from __future__ import annotations

import re

__all__ = [
    "ACTION_SEPARATOR",
    "ACTION_SEPARATORS",
    "BASELINE_DEFAULT",
    "BASELINE_LABELS",
    "ENVIRONMENT_DEFAULT",
    "ENVIRONMENT_LABELS",
    "INPUT_SEPARATOR",
    "INPUT_SEPARATORS",
    "NOT_APPLICABLE_LABEL",
    "DocumentError",
]

# Sub-field labels of the "Baseline state:" and "Environment:" lines (model field -> label). The
# playbook names the lines; their parts are the model's fields, in the order the advice lists them.
BASELINE_LABELS: dict[str, str] = {
    "account_type": "Account type",
    "configuration": "Configuration",
    "permissions": "Permissions",
    "prerequisites": "Prerequisites",
}
ENVIRONMENT_LABELS: dict[str, str] = {
    "browser": "Browser",
    "os": "OS",
    "plan_tier": "Plan tier",
    "feature_flags": "Feature flags",
    "other": "Other",
}
# Unlabeled parts of a hand-written line land here.
BASELINE_DEFAULT = "configuration"
ENVIRONMENT_DEFAULT = "other"

INPUT_SEPARATOR = " — input: "
# The one line of a section that does not apply to the case ("Not applicable: a security report").
NOT_APPLICABLE_LABEL = "Not applicable"
ACTION_SEPARATOR = " -> "
# What the parse takes for those separators: the template's and what people type for them, on one
# line. The render writes a line holding one of these as literal text, so it is never split there.
INPUT_SEPARATORS = re.compile(r"[ \t]+(?:—|–|--|-)[ \t]*input[ \t]*:", re.IGNORECASE)
ACTION_SEPARATORS = re.compile(
    r"-->|—>|–>|->|=>|→|⇒|(?<=[ \t])[-–—][ \t]+(?:result|outcome)[ \t]*:", re.IGNORECASE
)


class DocumentError(ValueError):
    """A document that is not an escalation in the playbook's structure; names the section."""
