"""Dotted paths into the case (`reproduction.steps.2.action`): how a bound field finds its value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.models import Escalation


def _step(obj: Any, part: str) -> Any:
    if isinstance(obj, list):
        return obj[int(part)]
    return getattr(obj, part)


def get_path(case: Escalation, path: str) -> Any:
    """The value at a dotted path (`reproduction.steps.2.action`); list indices are numbers."""
    obj: Any = case
    for part in path.split("."):
        obj = _step(obj, part)
    return obj


def set_path(case: Escalation, path: str, value: Any) -> None:
    """Set the value at a dotted path; pydantic validates the assignment."""
    *parents, last = path.split(".")
    obj: Any = case
    for part in parents:
        obj = _step(obj, part)
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        setattr(obj, last, value)
