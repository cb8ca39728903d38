"""Impact levels: a dimension's level as a bar and its playbook name, and the dimension's heading."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

LEVEL_STYLE: tuple[str, ...] = ("dim", "$success", "$warning", "bold $error")


def level_content(level: int | None, names: tuple[str, ...], answered: bool = True) -> Content:
    """A dimension's level, 0-3, as a bar and its playbook name: `■■□ Medium`."""
    if level is None or not answered:
        return Content.styled("□□□ not answered", "dim")
    bar = "■" * level + "□" * (3 - level)
    name = names[level] if level < len(names) else str(level)
    return Content.styled(f"{bar} {name}", LEVEL_STYLE[min(level, 3)])


class DimensionHeading(Static):
    """One impact dimension's line: its name, its level bar and why (`Breadth ■■□ Medium 3
    customers`)."""

    def __init__(self, name: str, names: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="dim-heading")
        self.dimension = name
        self.names = names
        self.level: int | None = None
        self.reason = ""

    def set_level(self, level: int | None, answered: bool, reason: str) -> None:
        self.level = level if answered else None
        self.reason = reason
        self.update(
            Content.assemble(
                Content.styled(f"{self.dimension:<13}", "bold $accent"),
                level_content(level, self.names, answered),
                "  ",
                Content.styled(reason, "" if answered else "dim italic") if answered else "",
            )
        )
