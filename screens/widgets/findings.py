"""The lint findings about a field or a section, as warning bullets beside it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from screens.widgets.bullets import Bullet, BulletList

if TYPE_CHECKING:
    from workbench.rules.lint import Finding


def findings_for(findings: Iterable[Finding], path: str) -> list[Finding]:
    """The findings about one field or anything below it."""
    return [f for f in findings if f.field == path or f.field.startswith(path + ".")]


def finding_items(findings: Sequence[Finding], *, shown: Iterable[str] = ()) -> list[Bullet]:
    """Findings as warning bullets: the message, then the playbook's advice quoted under it (each
    once, and not when it is already `shown` nearby). A long one wraps under its own first word."""
    items: list[Bullet] = []
    seen: set[str] = set(shown)
    for finding in findings:
        if finding.message in seen:
            continue
        seen.add(finding.message)
        items.append(
            Bullet(finding.message, style="$warning", marker="⚠ ", marker_style="$warning")
        )
        if finding.advice and finding.advice not in seen:
            seen.add(finding.advice)
            items.append(Bullet(finding.advice, style="dim italic", marker="", indent=2))
    return items


class FindingsLine(BulletList):
    """The lint findings about some paths (and anything below them), shown under a section.

    With `exact=True` only findings about the paths themselves count (the steps list shows each
    step's own findings beside the step, so the section line shows only "no steps").
    """

    DEFAULT_CSS = """
    FindingsLine { height: auto; display: none; }
    FindingsLine.-shown { display: block; }
    """

    def __init__(
        self,
        *paths: str,
        exact: bool = False,
        skip_rules: Iterable[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.paths = paths
        self.exact = exact
        self.skip_rules = frozenset(skip_rules)

    def _mine(self, finding: Finding) -> bool:
        if finding.rule in self.skip_rules:
            return False
        if self.exact:
            return finding.field in self.paths
        return any(finding.field == p or finding.field.startswith(p + ".") for p in self.paths)

    def show(self, findings: Iterable[Finding]) -> None:
        mine = [f for f in findings if self._mine(f)]
        self.set_items(finding_items(mine))
        self.set_class(bool(mine), "-shown")
