"""Help (F1, or `?` outside text fields): the keys of every screen, the screen you came from first,
and the playbook's operating principles.

The key map is read from the screens' own BINDINGS (with the user's keymap applied), so it cannot
drift from what the keys do.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from screens.widgets import KeysFooter

if TYPE_CHECKING:
    from screens.app import WorkbenchApp

# Screens whose keys are listed, in this order: (title, module, class name).
SCREENS: tuple[tuple[str, str, str], ...] = (
    ("Case list", "screens.home", "HomeScreen"),
    ("In a case (every step)", "screens.case_base", "CaseScreen"),
    ("Triage (F2)", "screens.triage", "TriageScreen"),
    ("Impact (F3)", "screens.impact", "ImpactScreen"),
    ("Reproduction (F4)", "screens.reproduction", "ReproductionScreen"),
    ("Details (F5)", "screens.details", "DetailsScreen"),
    ("Timeline (F6)", "screens.timeline", "TimelineScreen"),
    ("Export (F7)", "screens.export", "ExportScreen"),
    ("Similar cases and signals (F8)", "screens.similar", "SimilarScreen"),
    ("Dashboard (d on the list)", "screens.dashboard", "DashboardScreen"),
)

# Keys handled by widgets rather than bindings, worth saying.
EXTRA_KEYS: dict[str, list[tuple[str, str]]] = {
    "HomeScreen": [("↑ ↓ pgup pgdn", "move (past the ends: next/previous page)")],
    "TriageScreen": [("↑ ↓  j k", "move between items"), ("enter", "toggle, like space")],
    "SimilarScreen": [("enter", "open the highlighted similar case (escape comes back)")],
    "ImpactScreen": [
        ("tab / shift+tab", "next / previous question"),
        ("space", "answer a yes/no question; delete clears it to 'not answered'"),
    ],
}
_FIELDS = ("tab / shift+tab", "next / previous field; what you type is saved as you type")
_PAIR_EDITOR = ("enter (editor)", "editing: saves; adding: goes to the second field, then saves")
EXTRA_KEYS["ReproductionScreen"] = [_FIELDS, _PAIR_EDITOR]
EXTRA_KEYS["DetailsScreen"] = [_FIELDS, _PAIR_EDITOR]
EXTRA_KEYS["ImpactScreen"].append(("↑ ↓  space", "severity signals: move, tick or untick"))
# Screens whose keys are mostly those of a widget on them: (module, class) of the widget, listed
# after the screen's own.
WIDGET_KEYS: dict[str, tuple[str, str]] = {
    "ReproductionScreen": ("screens.widgets.pairs", "PairList"),
    "DetailsScreen": ("screens.widgets.pairs", "PairList"),
}
GLOBAL_KEYS: tuple[tuple[str, str], ...] = (
    ("F1  ?", "this help (? only outside text fields)"),
    ("ctrl+p", "command palette: every action, and cases by title"),
    ("ctrl+q", "quit (what you typed is saved first)"),
)


class HelpScreen(Screen[None]):
    """Keys and principles; escape, F1 or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="help.close"),
        Binding("f1", "close", "Close", id="help.close_f1", show=False),
    ]

    def __init__(self, origin: Screen[object] | None = None) -> None:
        super().__init__(id="help")
        self.origin_class = type(origin).__name__ if origin is not None else ""

    @property
    def workbench(self) -> WorkbenchApp:
        # Textual types `app` as App[object]; every screen here runs in the WorkbenchApp.
        return cast("WorkbenchApp", self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Content.styled("Escalation Workbench — keys", "bold $accent"))
            yield Static(self._keys_content(), id="help-keys")
            yield Static(Content.styled("Operating principles", "bold $accent"), classes="help-h")
            yield Static(self._principles(), id="help-principles")
        yield KeysFooter(compact=True)

    def _binding_lines(self, bindings: list[BindingType]) -> list[tuple[str, str]]:
        keymap = self.app._keymap  # the user's remapping, by binding id
        lines: list[tuple[str, str]] = []
        for item in bindings:
            if not isinstance(item, Binding):
                continue
            keys = keymap.get(item.id, item.key) if item.id else item.key
            shown = "  ".join(
                self.app.get_key_display(Binding(k.strip(), "")) for k in keys.split(",")
            )
            lines.append((shown, item.tooltip or item.description or item.action))
        return lines

    def _sections(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        sections: list[tuple[str, str, list[tuple[str, str]]]] = []
        for title, module_name, class_name in SCREENS:
            try:
                screen_class = getattr(import_module(module_name), class_name)
            except (ImportError, AttributeError):
                continue
            own = list(screen_class.__dict__.get("BINDINGS", []))
            if class_name in WIDGET_KEYS:
                widget_module, widget_class = WIDGET_KEYS[class_name]
                own += getattr(import_module(widget_module), widget_class).BINDINGS
            lines = self._binding_lines(list(own)) + EXTRA_KEYS.get(class_name, [])
            sections.append((class_name, title, lines))
        here = [s for s in sections if s[0] == self.origin_class]
        return here + [s for s in sections if s[0] != self.origin_class]

    def _keys_content(self) -> Content:
        parts: list[Content] = [self._section("Everywhere", list(GLOBAL_KEYS))]
        for class_name, title, lines in self._sections():
            heading = f"{title} — this screen" if class_name == self.origin_class else title
            parts.append(self._section(heading, lines))
        return Content("\n\n").join(parts)

    @staticmethod
    def _section(title: str, lines: list[tuple[str, str]]) -> Content:
        rows = [Content.styled(title, "bold")]
        for keys, what in lines:
            rows.append(Content.assemble(Content.styled(f"  {keys:<16}", "bold $accent"), what))
        return Content("\n").join(rows)

    def _principles(self) -> Content:
        rows = [
            Content.assemble(Content.styled("• ", "dim"), principle.text)
            for principle in self.workbench.playbook.principles
        ]
        return Content("\n").join(rows)

    def action_close(self) -> None:
        self.dismiss()
