"""How the screens show things the same way everywhere: severities in their colours (theme
variables only, so 16-colour terminals stay readable), and updates that cost nothing when
nothing changed.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

SEVERITY_STYLE: dict[str, str] = {
    "critical": "bold $error",
    "high": "bold $warning",
    "medium": "bold $primary",
}


def severity_content(severity: str | None, label: str | None = None) -> Content:
    """A severity in its colour (Critical red, High yellow, Medium blue), or a dim dash."""
    if not severity:
        return Content.styled("—", "dim")
    text = label or severity.capitalize()
    return Content.styled(text, SEVERITY_STYLE.get(severity, ""))


def same_content(a: object, b: object) -> bool:
    """Equal text and equal styling (Content's own == compares the text only)."""
    if isinstance(a, Content) and isinstance(b, Content):
        return a.plain == b.plain and a.spans == b.spans
    return type(a) is type(b) and isinstance(a, str) and a == b


def update_static(widget: Static, content: Content | str, *, layout: bool = True) -> None:
    """`widget.update(content)` unless it already shows exactly that. Every update asks for a
    layout of the whole screen (Static cannot know its size did not change) unless `layout` is
    False (for a widget whose size the stylesheet fixes); the live panels are re-rendered after
    every save, and most of what they show is the same as before."""
    if not same_content(widget.content, content):
        widget.update(content, layout=layout)


def set_display(widget: Widget, shown: bool) -> None:
    """`widget.display = shown` only when it changes (each assignment asks for a layout)."""
    if widget.display != shown:
        widget.display = shown
