"""Shared by the escalation document tests (tests/test_export.py, tests/test_export_parse.py): the
fixed time, the golden file, the placeholder, and rendering and parsing at that time in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from workbench.document import parse_markdown, render_markdown
from workbench.models import Escalation
from workbench.playbook import Playbook

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
GOLDEN = Path(__file__).resolve().parent / "golden" / "full-case.md"
PLACEHOLDER = "[not provided]"


def render(case: Escalation, pb: Playbook) -> str:
    return render_markdown(case, pb, NOW, tz=UTC)


def parse(text: str, pb: Playbook) -> Escalation:
    return parse_markdown(text, pb, now=NOW, tz=UTC)
