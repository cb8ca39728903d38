"""The form screen: a step screen whose bound fields save themselves.

The agent never presses a save key. Every text field is bound to a dotted path in the case
(`reproduction.environment.browser`); what is typed is queued with `CaseScreen.edit_later` and saved
after a short pause, at once when the field loses focus, and by the base class when the screen is left
(another step, escape, a modal) or the app quits, so nothing typed is lost.

The fields themselves are in `screens.widgets`: `FieldInput` / `FieldArea` (bound controls), `Field`
(a label and its control), `FindingsLine` (lint findings under a section), `PairList` (an ordered
list of two-part items).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import on
from textual.widgets import Input, TextArea

from screens.case_base import CaseScreen
from screens.widgets.findings import FindingsLine
from screens.widgets.inputs import FieldArea, FieldInput
from screens.widgets.paths import get_path, set_path

if TYPE_CHECKING:
    from workbench.rules.lint import Finding


class FormScreen(CaseScreen):
    """A CaseScreen whose FieldInput / FieldArea widgets save themselves.

    Typing queues the value under the field's path with `edit_later` (saved after a pause, and by
    the base class before a step switch, escape, a modal or quit); leaving a field saves at once.
    `fill_inputs` copies the case into every bound field without echoing change events back.
    """

    _findings_lines: tuple[FindingsLine, ...] = ()  # found at the first save (`show_findings`)

    def fill_inputs(self) -> None:
        self.fill_fields()

    def fill_fields(self) -> None:
        for field_input in self.query(FieldInput):
            value = get_path(self.case, field_input.path)
            text = "" if value is None else str(value)
            cursor = field_input.cursor_position
            with field_input.prevent(Input.Changed):
                field_input.value = text
                if self.keeping_cursors:  # after a conflict: where the agent was (clamped)
                    field_input.cursor_position = min(cursor, len(text))
        for area in self.query(FieldArea):
            area.set_field_value(get_path(self.case, area.path), keep_cursor=self.keeping_cursors)

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Show every field's and section's lint findings beside it. The lines are found once
        (by type, not by a CSS query) and kept while they are on the screen: this runs on every
        save, and a walk of every widget on Details was a cost felt on every keystroke."""
        lines = self._findings_lines
        if not lines or not all(line.is_attached for line in lines):
            lines = self._findings_lines = tuple(self.walk_children(FindingsLine))
        for line in lines:
            line.show(findings)

    def queue_field(self, path: str, value: Any) -> None:
        self.edit_later(path, lambda case: set_path(case, path, value))

    @on(Input.Changed)
    def _field_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FieldInput):
            self.queue_field(event.input.path, event.value)

    @on(TextArea.Changed)
    def _field_area_changed(self, event: TextArea.Changed) -> None:
        area = event.text_area
        if isinstance(area, FieldArea):
            self.queue_field(area.path, area.field_value)

    @on(Input.Blurred)
    def _field_left(self) -> None:
        self.flush_edits()

    @on(FieldArea.Blurred)
    def _area_left(self) -> None:
        self.flush_edits()
