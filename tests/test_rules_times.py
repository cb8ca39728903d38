"""Times that cannot be: an impact start in the future, an escalation sent before the case opened.
Each at its exact boundary: the same moment is fine, one second over is not."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import NOW
from workbench.models import Escalation, ImpactInputs
from workbench.playbook import Playbook
from workbench.rules.lint import lint_case
from workbench.rules.times import future_start, sent_before_opened

SECOND = timedelta(seconds=1)


def test_a_start_now_or_earlier_is_fine() -> None:
    assert future_start(None, NOW) is None
    assert future_start(NOW, NOW) is None
    assert future_start(NOW - timedelta(days=3), NOW) is None


def test_a_start_in_the_future_is_refused_with_how_far() -> None:
    assert future_start(NOW + SECOND, NOW) == (
        "That is 1 s from now: the problem cannot have started in the future."
    )
    message = future_start(NOW + timedelta(hours=2, minutes=5), NOW)
    assert message is not None and message.startswith("That is 2 h 5 m from now")


def test_sent_at_or_after_opening_is_fine() -> None:
    case = Escalation(title="x", created_at=NOW - timedelta(hours=3))
    assert sent_before_opened(case, NOW - timedelta(hours=3)) is None
    assert sent_before_opened(case, NOW) is None


def test_sent_before_opening_is_refused_with_how_early() -> None:
    case = Escalation(title="x", created_at=NOW - timedelta(hours=3))
    assert sent_before_opened(case, NOW - timedelta(hours=3) - SECOND) == (
        "That is 1 s before the case was opened: it cannot have been escalated then."
    )
    message = sent_before_opened(case, NOW - timedelta(days=2))
    assert message is not None and message.startswith("That is 1 d 21 h before")


def test_lint_flags_a_stored_future_start_on_the_impact_screen(playbook: Playbook) -> None:
    def rules(started: object) -> list[tuple[str, str, str]]:
        case = Escalation(title="x", impact=ImpactInputs(started_at=started))  # type: ignore[arg-type]
        return [
            (f.rule, f.field, f.screen)
            for f in lint_case(case, playbook, NOW)
            if f.rule == "future_start"
        ]

    assert rules(NOW) == []
    assert rules(NOW + SECOND) == [("future_start", "impact.started_at", "impact")]
