"""Triage (F2): the playbook's "escalate or resolve in-house?" checklist, completed from the keyboard,
beside a live panel with what `rules.triage.assess_triage` makes of it.

The checklist holds every item of the playbook in its order and grouping: the keep-in-support
criteria, the six escalation triggers (as headings) with their sub-triggers, and the destination
triggers grouped per destination. Every toggle, note, tier change, override and acceptance is saved
at once through `CaseScreen.edit`; the panel only shows what the rules return.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.case_base import CaseScreen
from screens.similar import SimilarStrip
from screens.widgets import Bullet, SidePanel, SteadyOptionList
from workbench.models import Override, TriageAnswer
from workbench.playbook import TIERS
from workbench.rules.triage import TriageResult, assess_triage

if TYPE_CHECKING:
    from screens.dialogs import KeepRequest
    from workbench.models import Escalation
    from workbench.playbook import Criterion, Playbook

RECOMMENDATION_LABELS: dict[str, str] = {
    "keep": "Keep in support (resolve in-house)",
    "escalate": "Escalate",
    "unknown": "Not enough information",
}
RECOMMENDATION_STYLE: dict[str, str] = {
    "keep": "bold $success",
    "escalate": "bold $warning",
    "unknown": "bold dim",
}
SECURITY_HEADLINE = Content.styled(
    "SECURITY — route to Security immediately, regardless of tier", "bold"
)
OVERRIDE_CHOICES: tuple[tuple[str, str], ...] = (
    ("keep", "Keep in support (resolve in-house)"),
    ("escalate", "Escalate"),
    ("", "Clear the override: follow the checklist"),
)


@dataclass(frozen=True)
class Row:
    """One line of the checklist: a heading (criterion None) or an item with its indent."""

    key: str
    text: str
    criterion: Criterion | None = None
    level: int = 0


def checklist_rows(playbook: Playbook) -> list[Row]:
    """The playbook's checklist in order, with its group headings."""
    rows: list[Row] = [Row("h.keep", playbook.decision.keep_heading)]
    rows += [Row(c.id, c.text, c) for c in playbook.keep_criteria]
    rows.append(Row("h.escalate", playbook.decision.escalate_heading))
    for trigger in playbook.triggers:
        rows.append(Row(f"h.{trigger.id}", trigger.name, level=1))
        rows += [Row(c.id, c.text, c, level=1) for c in trigger.items]
    rows.append(Row("h.destinations", "Escalation Destinations"))
    for dest in playbook.destinations:
        rows.append(Row(f"h.{dest.id}", dest.heading, level=1))
        rows += [Row(c.id, c.text, c, level=1) for c in dest.triggers]
    return rows


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """Wrap with a hanging indent, so wrapped lines stay under their checkbox."""
    return textwrap.wrap(
        text, width=max(20, width), initial_indent=first, subsequent_indent=rest
    ) or [first]


def item_prompt(row: Row, answer: TriageAnswer | None, width: int = 200) -> Content:
    """`[x] text` (wrapped under itself) with the note on the line(s) below."""
    indent = "  " * row.level
    checked = bool(answer and answer.checked)
    box = Content.styled("[x] ", "bold $success") if checked else Content.styled("[ ] ", "dim")
    security = row.criterion is not None and (
        row.criterion.id.startswith("dest.security.") or "security" in row.criterion.implies
    )
    style = "bold $error" if security and checked else ""
    hang = indent + "    "
    lines = _wrap(row.text, width, hang, hang)
    text = Content.styled(lines[0][len(hang) :], style)
    prompt = [Content.assemble(indent, box, text)]
    prompt += [Content.styled(line, style) for line in lines[1:]]
    if answer and answer.note:
        for line in _wrap(f"✎ {answer.note}", width, hang, hang + "  "):
            prompt.append(Content.styled(line, "italic dim"))
    return Content("\n").join(prompt)


def heading_prompt(row: Row, width: int = 200) -> Content:
    style = "bold $accent" if row.level == 0 else "bold"
    indent = "  " * row.level
    lines = _wrap(row.text, width, indent, indent)
    return Content("\n").join(Content.styled(line, style) for line in lines)


class Checklist(SteadyOptionList):
    """The checklist: one option per item (headings are disabled options the cursor skips).

    It renders its own prompts from the rows and the case's answers, and re-wraps them when its
    width changes.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="triage.down"),
        Binding("k", "cursor_up", "Up", show=False, id="triage.up"),
    ]

    def __init__(self, rows: list[Row], answers: dict[str, TriageAnswer], *, id: str) -> None:
        self.rows = rows
        self.answers = dict(answers)
        self._width = 0
        super().__init__(*self._build_options(200), id=id)

    def _prompt(self, row: Row, width: int) -> Content:
        if row.criterion is None:
            return heading_prompt(row, width)
        return item_prompt(row, self.answers.get(row.key), width)

    def _build_options(self, width: int) -> list[Option]:
        return [
            Option(self._prompt(row, width), id=row.key, disabled=row.criterion is None)
            for row in self.rows
        ]

    def _text_width(self) -> int:
        return self.scrollable_content_region.width - 1

    def _on_resize(self, event: events.Resize | None = None) -> None:
        """A new width wraps the prompts again. A new height alone (the security banner coming
        or going above the list) keeps what OptionList measured and rendered: its own handler,
        stopped here, drops it all and measures every item again (the slowest part of a
        tick). Its render cache holds strips cut to the width, so a width change still goes
        through it."""
        width = self._text_width()
        if width == self._width or width <= 0:
            if event is not None:  # Textual always passes it; OptionList's takes none
                event.prevent_default()
            return
        self._width = width
        for index, row in enumerate(self.rows):
            self.replace_option_prompt_at_index(index, self._prompt(row, width))

    def _same_height(self, old: Content, new: Content) -> bool:
        """The same number of lines, none wider than the list (the prompts are wrapped by
        characters, so a wide one, CJK or emoji, is wrapped again by the list, to a height only
        the list knows)."""
        width = self._text_width()
        old_lines, new_lines = old.split("\n"), new.split("\n")
        return len(old_lines) == len(new_lines) and all(
            line.cell_length <= width for line in (*old_lines, *new_lines)
        )

    def update_answer(self, criterion_id: str, answer: TriageAnswer | None) -> None:
        """Show one item's new answer (after a toggle or a note)."""
        if answer is None:
            self.answers.pop(criterion_id, None)
        else:
            self.answers[criterion_id] = answer
        row = next(r for r in self.rows if r.key == criterion_id)
        self._replace_prompt(
            self.get_option_index(criterion_id), self._prompt(row, self._width or 200)
        )

    def _replace_prompt(self, index: int, prompt: Content) -> None:
        """Show a new prompt for one item. OptionList's own replace drops the rendering and the
        line heights of every item, and renders the whole visible list again (for one
        tick); a tick or a note of the same height changes one item, so only its
        renders are dropped and only its lines painted again. Uses OptionList internals
        (textual is pinned; the pilot tests of the checklist catch a change)."""
        option = self.get_option_at_index(index)
        old = option.prompt
        if not (isinstance(old, Content) and self._same_height(old, prompt)):
            self.replace_option_prompt_at_index(index, prompt)
            return
        option._set_prompt(prompt)
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:  # noqa: SIM118 (no __iter__)
            cache.discard(key)
        # Repaint that item's lines only (a full refresh renders every visible line again).
        self.refresh_lines(self._index_to_line[index], self._heights[index])  # takes scroll off


class TriageScreen(CaseScreen):
    """Keep it in support, or escalate, and where to."""

    STEP = "triage"
    PALETTE_HINT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space", "toggle_item", "Toggle", id="triage.toggle", tooltip="Tick or untick the item"
        ),
        Binding(
            "n",
            "note",
            "Note",
            id="triage.note",
            tooltip="Attach a note to the item (shown under it)",
        ),
        Binding(
            "t",
            "tier",
            "Tier",
            id="triage.tier",
            tooltip="Cycle your tier (L1, L2, manager): it decides the destinations",
        ),
        Binding(
            "o",
            "override",
            "Override",
            id="triage.override",
            tooltip="Override the recommendation, with a reason (logged)",
        ),
        Binding(
            "a",
            "accept",
            "Accept",
            id="triage.accept",
            tooltip="Accept the suggested destination(s) as the case's routing",
        ),
        Binding(
            "K",
            "keep",
            "Keep",
            id="triage.keep",
            tooltip="Keep it in support: record the reason and the note for the customer",
        ),
    ]

    def compose_body(self) -> ComposeResult:
        self.rows = checklist_rows(self.workbench.playbook)
        self.rows_by_key = {row.key: row for row in self.rows}
        yield SimilarStrip()
        with Horizontal(id="triage-body", classes="step-body"):
            yield Checklist(self.rows, self.case.triage, id="checklist")
            yield SidePanel(
                "recommendation",
                "destinations",
                "conflicts",
                id="triage-panel",
                classes="side-panel",
            )

    def on_mount(self) -> None:
        super().on_mount()
        checklist = self.query_one(Checklist)
        checklist.action_first()
        checklist.focus()

    def fill_inputs(self) -> None:
        # After a reload (a change made elsewhere, e.g. a signal accepted on F8): every item.
        checklist = self.query_one(Checklist)
        for key in (set(checklist.answers) | set(self.case.triage)) & set(self.rows_by_key):
            if checklist.answers.get(key) != self.case.triage.get(key):
                checklist.update_answer(key, self.case.triage.get(key))

    # -- rendering -----------------------------------------------------------------------------------
    def result(self) -> TriageResult:
        return assess_triage(self.case, self.workbench.playbook, self.now())

    def refresh_case(self) -> None:
        result = self.result()
        self._show_banner(result)
        self._show_recommendation(result)
        self._show_destinations(result)
        self._show_conflicts(result)

    def _refresh_item(self, criterion_id: str) -> None:
        self.query_one(Checklist).update_answer(criterion_id, self.case.triage.get(criterion_id))

    def _show_banner(self, result: TriageResult) -> None:
        """Security wins: a red line no one can miss, the headline of the playbook's rule (the
        rule itself is the first of the panel's reasons). It takes the place of the similar-
        cases strip, one line for one line, so nothing else on the screen moves when a security
        item is ticked (F8 still shows the similar cases)."""
        self.query_one(SimilarStrip).show_headline(SECURITY_HEADLINE if result.security else None)

    def _show_recommendation(self, result: TriageResult) -> None:
        items: list[Bullet | Content] = [
            Content.assemble(
                Content.styled("Recommendation: ", "bold"),
                Content.styled(
                    RECOMMENDATION_LABELS[result.effective], RECOMMENDATION_STYLE[result.effective]
                ),
            )
        ]
        override = self.case.recommendation_override
        if override is not None:
            rules_label = RECOMMENDATION_LABELS[result.recommendation]
            items.append(
                Bullet(
                    f"Overridden (rules say: {rules_label}). Reason: {override.reason}",
                    style="$warning",
                    marker="! ",
                    marker_style="bold $warning",
                )
            )
        items += [Bullet(reason) for reason in result.reasons]
        self.query_one(SidePanel).set_items("recommendation", items)

    def _show_destinations(self, result: TriageResult) -> None:
        playbook = self.workbench.playbook
        items: list[Bullet | Content] = [
            Content.assemble(
                Content.styled("Destinations for tier ", "bold"),
                Content.styled(self.case.tier, "bold $accent"),
                Content.styled("  (t changes the tier)", "dim"),
            )
        ]
        if not result.destinations:
            items.append(Content.styled("none suggested", "dim"))
        shown = set(result.reasons)
        for suggestion in result.destinations:
            route = Content.styled(f"→ {suggestion.name}", "bold")
            if suggestion.via:
                via = playbook.destination(suggestion.via).name
                route = Content.assemble(route, Content.styled(f"  via {via}", "bold $warning"))
            elif suggestion.direct:
                route = Content.assemble(route, Content.styled("  direct", "$success"))
            items.append(route)
            # Reasons already listed under the recommendation are not repeated here.
            items += [
                Bullet(reason, style="dim", marker="", indent=2)
                for reason in suggestion.reasons
                if reason not in shown
            ]
        if self.case.routed_to:
            names = ", ".join(_route_name(playbook, d) for d in self.case.routed_to)
            items.append(Content.assemble(Content.styled("Routed to: ", "bold"), names))
        elif result.destinations and result.effective != "keep":
            items.append(Content.styled("Not routed yet: a accepts the suggestion.", "dim"))
        self.query_one(SidePanel).set_items("destinations", items)

    def _show_conflicts(self, result: TriageResult) -> None:
        self.query_one(SidePanel).set_items(
            "conflicts",
            (
                Bullet(text, style="$warning", marker="⚠ ", marker_style="bold $warning")
                for text in result.conflicts
            ),
        )

    # -- actions -------------------------------------------------------------------------------------
    def focused_criterion(self) -> str | None:
        option = self.query_one(Checklist).highlighted_option
        if option is None or option.id is None or option.id not in self.rows_by_key:
            return None
        return option.id if self.rows_by_key[option.id].criterion is not None else None

    def action_toggle_item(self) -> None:
        criterion_id = self.focused_criterion()
        if criterion_id is None:
            return
        self.toggle(criterion_id)

    def toggle(self, criterion_id: str) -> bool:
        """Flip one checklist item and save."""

        def flip(case: Escalation) -> None:
            answer = case.triage.get(criterion_id, TriageAnswer())
            case.triage[criterion_id] = TriageAnswer(checked=not answer.checked, note=answer.note)

        saved = self.edit(flip)
        if saved:
            self._refresh_item(criterion_id)
        return saved

    @on(OptionList.OptionSelected, "#checklist")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.toggle(event.option.id)

    def action_note(self) -> None:
        from screens.dialogs import TextPrompt

        criterion_id = self.focused_criterion()
        if criterion_id is None:
            return
        answer = self.case.triage.get(criterion_id)
        self.app.push_screen(
            TextPrompt(
                "Note",
                self.rows_by_key[criterion_id].text,
                value=answer.note if answer else "",
                required=False,
                detail="Shown under the item. Leave empty to remove the note.",
            ),
            callback=lambda text: self.set_note(criterion_id, text),
        )

    def set_note(self, criterion_id: str, text: str | None) -> None:
        """Attach (or with empty text, remove) the note of one item; None is a cancelled prompt."""
        if text is None:
            return

        def write(case: Escalation) -> None:
            answer = case.triage.get(criterion_id, TriageAnswer())
            case.triage[criterion_id] = TriageAnswer(checked=answer.checked, note=text)

        if self.edit(write):
            self._refresh_item(criterion_id)

    def action_tier(self) -> None:
        following = TIERS[(TIERS.index(self.case.tier) + 1) % len(TIERS)]

        def set_tier(case: Escalation) -> None:
            case.tier = following

        self.edit(set_tier)

    def action_override(self) -> None:
        from screens.dialogs import OverrideDialog

        result = self.result()
        current = self.case.recommendation_override
        self.app.push_screen(
            OverrideDialog(
                "Override the recommendation",
                OVERRIDE_CHOICES,
                current=current.value if current else result.recommendation,
                reason=current.reason if current else "",
                detail=f"The checklist says: {RECOMMENDATION_LABELS[result.recommendation]}.",
            ),
            callback=self.set_override,
        )

    def set_override(self, choice: tuple[str, str] | None) -> None:
        """Record `(value, reason)` as the override; an empty value clears it."""
        if choice is None:
            return
        value, reason = choice
        now = self.now()

        def write(case: Escalation) -> None:
            case.recommendation_override = (
                Override(value=value, reason=reason, at=now) if value else None
            )

        self.edit(write)

    def action_keep(self) -> None:
        """Keep the case in support: the reason and the note in a dialog, then recorded."""
        from screens.dialogs import KeepDialog

        self.app.push_screen(
            KeepDialog(self.case, self.workbench.playbook, self.now()), callback=self.keep
        )

    def keep(self, request: KeepRequest | None) -> None:
        if request is None:
            return
        playbook = self.workbench.playbook
        if self.edit(lambda case: request.apply(case, playbook)):
            self.notify("Kept in support: the decision and the note are recorded (F7 exports it).")

    def action_accept(self) -> None:
        result = self.result()
        if result.effective == "keep":
            self.notify("The recommendation is to keep it in support: press K to record it.")
            return
        if not result.destinations:
            self.notify("Nothing to route: the recommendation is not to escalate.")
            return
        direct = [s.destination_id for s in result.destinations if s.direct]
        chosen = direct or [s.destination_id for s in result.destinations]

        def write(case: Escalation) -> None:
            case.routed_to = chosen

        if self.edit(write):
            playbook = self.workbench.playbook
            names = ", ".join(_route_name(playbook, d) for d in chosen)
            later = [s.name for s in result.destinations if s.destination_id not in chosen]
            more = f" ({', '.join(later)} later, through tier progression)" if later else ""
            self.notify(f"Routed to {names}{more}.")


def _route_name(playbook: Playbook, destination_id: str) -> str:
    try:
        return playbook.destination(destination_id).route_label
    except KeyError:
        return destination_id
