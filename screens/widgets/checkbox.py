"""A yes/no question whose "not answered" is kept apart from "no"."""

from __future__ import annotations

from typing import ClassVar, Self

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox


class AnswerCheckbox(Checkbox):
    """A yes/no question whose "not answered" state is kept apart from "no".

    `answer` is None until the agent toggles it; space toggles, delete/backspace clears it back to
    "not answered". The label says which: "yes", "no" or "not answered".
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "clear_answer", "Not answered", show=False),
    ]

    class Answered(Message):
        """Posted when the agent changes the answer (not when the screen sets it)."""

        def __init__(self, checkbox: AnswerCheckbox, answer: bool | None) -> None:
            super().__init__()
            self.checkbox = checkbox
            self.answer = answer

        @property
        def control(self) -> AnswerCheckbox:
            return self.checkbox

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("not answered", id=id, classes=classes, compact=True)
        self.answer: bool | None = None

    def set_answer(self, answer: bool | None) -> None:
        """Show a stored answer without posting `Answered`."""
        self.answer = answer
        with self.prevent(Checkbox.Changed):
            self.value = bool(answer)
        self._relabel()

    def _relabel(self) -> None:
        if self.answer is None:
            self.label = Content.styled("not answered", "dim italic")
        else:
            self.label = Content("yes" if self.answer else "no")

    def toggle(self) -> Self:
        super().toggle()
        self.answer = self.value
        self._relabel()
        self.post_message(self.Answered(self, self.answer))
        return self

    def action_clear_answer(self) -> None:
        self.set_answer(None)
        self.post_message(self.Answered(self, None))
