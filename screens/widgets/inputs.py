"""The controls bound to a dotted path in the case: a one-line input and a text area (which can
hold a list, one item per line). Typing in them is saved by the form screen
(`screens.form.FormScreen`).
"""

from __future__ import annotations

from typing import Literal

from textual import events
from textual.message import Message
from textual.widgets import Input, TextArea

from screens.widgets.wrapped_lines import WrappedLinesTextArea

FieldKind = Literal["text", "lines"]


def lines_of(text: str) -> list[str]:
    """One item per non-blank line, trimmed: how a list is typed into a text area."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class FieldInput(Input):
    """A one-line input bound to a dotted path in the case. A paste of several lines goes in
    whole, its lines joined by spaces (Textual's Input keeps only the first), tabs as spaces."""

    def __init__(
        self,
        path: str,
        value: str = "",
        *,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(value, placeholder=placeholder, id=id, classes=classes, compact=True)
        self.path = path

    def _on_paste(self, event: events.Paste) -> None:
        lines = event.text.replace("\t", " ").splitlines()
        text = " ".join(line.strip() for line in lines if line.strip())
        super()._on_paste(events.Paste(text))
        event.prevent_default()  # Input's own handler would paste the first line again
        event.stop()


class FieldArea(WrappedLinesTextArea):
    """A text area bound to a dotted path; `kind="lines"` makes it a list, one item per line."""

    class Blurred(Message):
        """Posted when the area loses focus, so what was typed is saved at once."""

        def __init__(self, area: FieldArea) -> None:
            super().__init__()
            self.area = area

        @property
        def control(self) -> FieldArea:
            return self.area

    def __init__(
        self,
        path: str,
        value: str | list[str] = "",
        *,
        kind: FieldKind = "text",
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        text = "\n".join(value) if isinstance(value, list) else value
        super().__init__(
            text,
            id=id,
            classes=classes,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            placeholder=placeholder,
        )
        self.path = path
        self.kind: FieldKind = kind

    @property
    def field_value(self) -> str | list[str]:
        return lines_of(self.text) if self.kind == "lines" else self.text

    def set_field_value(self, value: object, *, keep_cursor: bool = False) -> None:
        """Show a value from the case without posting a change (it is already saved);
        `keep_cursor`: the cursor stays where it was (clamped), not at the start."""
        if isinstance(value, list):
            text = "\n".join(str(item) for item in value)
        else:
            text = "" if value is None else str(value)
        if text == self.text or (self.kind == "lines" and lines_of(self.text) == value):
            return
        row, column = self.cursor_location
        with self.prevent(TextArea.Changed):
            self.load_text(text)
            if keep_cursor:
                row = min(row, self.document.line_count - 1)
                self.move_cursor((row, min(column, len(self.document.get_line(row)))))

    async def _on_paste(self, event: events.Paste) -> None:
        """A paste without the line breaks it ends with: a line copied from a log or a terminal
        carries its own, and pasted at the end of a sentence it made the field's text end in an
        empty line (the narrative, one paragraph, then exported as a block of code). Breaks
        inside the paste are kept."""
        await super()._on_paste(events.Paste(event.text.rstrip("\n")))
        event.prevent_default()  # TextArea's own handler would paste it again, whole
        event.stop()

    def on_blur(self) -> None:
        self.post_message(self.Blurred(self))
