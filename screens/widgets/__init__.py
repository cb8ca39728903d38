"""Small widgets and helpers shared by the screens, one job a module:

- `content`: severities in their colours and quiet updates (`update_static`, `set_display`);
- `number`: numbers as agents type them (times are phrased by `workbench.timetext`);
- `saved`: the "saved" mark and the read-only banner; `header`: the case header;
- `levels`: impact level bars; `checkbox`: a yes/no answer that can be "not answered";
- `bullets` and `option_lists`: lines and options that wrap with a hanging indent;
- `paths`, `inputs`, `findings`, `form`: the fields of a form bound to the case (the screen that
  saves them is `screens.form.FormScreen`); `pairs`: ordered lists of two-part items;
- `footer`: the footer of every screen (Textual's, without the keys it took down);
- `preview`: the Export screen's document, drawn by Rich in one widget; `selection`: mouse
  selection in widgets that draw their own lines;
- `side_panel`: a step's side panel, sections of bullets drawn a line at a time.

Every public name is importable from here (`from screens.widgets import BulletList`). Each module
is imported when one of its names is first asked for, so the case list's cold start loads only the
few it uses (tests/test_lazy_start.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.lazy import lazy_getattr

if TYPE_CHECKING:
    from screens.widgets.bullets import Bullet, BulletList, bullet_lines, hanging_lines
    from screens.widgets.checkbox import AnswerCheckbox
    from screens.widgets.content import (
        SEVERITY_STYLE,
        same_content,
        set_display,
        severity_content,
        update_static,
    )
    from screens.widgets.findings import FindingsLine, finding_items, findings_for
    from screens.widgets.footer import KeysFooter
    from screens.widgets.form import Field, FormBody, section
    from screens.widgets.header import CaseHeader, CaseLine
    from screens.widgets.inputs import FieldArea, FieldInput, FieldKind, lines_of
    from screens.widgets.levels import LEVEL_STYLE, DimensionHeading, level_content
    from screens.widgets.number import MAX_NUMBER, NumberText, format_number, parse_number
    from screens.widgets.option_lists import Hanging, HangingOptionList, SteadyOptionList
    from screens.widgets.pairs import Pair, PairEditor, PairList, PairSpec
    from screens.widgets.paths import get_path, set_path
    from screens.widgets.preview import DocumentPreview
    from screens.widgets.saved import ReadOnlyBanner, SavedIndicator
    from screens.widgets.side_panel import SidePanel
    from screens.widgets.ticks import TickList

# Each public name and the module (in this package) that defines it.
_MODULES: dict[str, str] = {
    "Bullet": "bullets",
    "BulletList": "bullets",
    "bullet_lines": "bullets",
    "hanging_lines": "bullets",
    "AnswerCheckbox": "checkbox",
    "SEVERITY_STYLE": "content",
    "same_content": "content",
    "set_display": "content",
    "severity_content": "content",
    "update_static": "content",
    "FindingsLine": "findings",
    "finding_items": "findings",
    "findings_for": "findings",
    "KeysFooter": "footer",
    "Field": "form",
    "FormBody": "form",
    "section": "form",
    "CaseHeader": "header",
    "CaseLine": "header",
    "FieldArea": "inputs",
    "FieldInput": "inputs",
    "FieldKind": "inputs",
    "lines_of": "inputs",
    "LEVEL_STYLE": "levels",
    "DimensionHeading": "levels",
    "level_content": "levels",
    "MAX_NUMBER": "number",
    "NumberText": "number",
    "format_number": "number",
    "parse_number": "number",
    "Hanging": "option_lists",
    "HangingOptionList": "option_lists",
    "SteadyOptionList": "option_lists",
    "DocumentPreview": "preview",
    "Pair": "pairs",
    "PairEditor": "pairs",
    "PairList": "pairs",
    "PairSpec": "pairs",
    "get_path": "paths",
    "set_path": "paths",
    "ReadOnlyBanner": "saved",
    "SavedIndicator": "saved",
    "SidePanel": "side_panel",
    "TickList": "ticks",
}

__all__ = [
    "LEVEL_STYLE",
    "MAX_NUMBER",
    "SEVERITY_STYLE",
    "AnswerCheckbox",
    "Bullet",
    "BulletList",
    "CaseHeader",
    "CaseLine",
    "DimensionHeading",
    "DocumentPreview",
    "Field",
    "FieldArea",
    "FieldInput",
    "FieldKind",
    "FindingsLine",
    "FormBody",
    "Hanging",
    "HangingOptionList",
    "KeysFooter",
    "NumberText",
    "Pair",
    "PairEditor",
    "PairList",
    "PairSpec",
    "ReadOnlyBanner",
    "SavedIndicator",
    "SidePanel",
    "SteadyOptionList",
    "TickList",
    "bullet_lines",
    "finding_items",
    "findings_for",
    "format_number",
    "get_path",
    "hanging_lines",
    "level_content",
    "lines_of",
    "parse_number",
    "same_content",
    "section",
    "set_display",
    "set_path",
    "severity_content",
    "update_static",
]


__getattr__ = lazy_getattr(__name__, _MODULES, globals())


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])
