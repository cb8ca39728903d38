"""The layout of a form: a label and its control on one row, the scrolling body, section titles."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, Static, TextArea


class Field(Horizontal):
    """A label and its control on one row. Kept to two widgets: a form has many of them, and
    every widget costs style work whenever the screen is built or resized."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > .form-label { width: 20; height: auto; padding-right: 1; color: $text-muted; }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        path: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        if isinstance(control, TextArea):
            self.add_class("-area")
        self.label_text = label
        self.control_widget = control
        self.path = path or getattr(control, "path", "")

    def compose(self) -> ComposeResult:
        yield Label(self.label_text, classes="form-label")
        yield self.control_widget


class FormBody(VerticalScroll, can_focus=False):
    """The scrolling form. Not a focus stop itself: focus goes to the fields (the form scrolls to
    follow them), and focusing a container would restyle every field in it."""


def section(title: str, hint: str = "", *, id: str | None = None) -> ComposeResult:
    """A section's title and the playbook's advice for it."""
    yield Static(title, classes="section-title", markup=False, id=id)
    if hint:
        yield Static(hint, classes="hint section-hint", markup=False)
