"""Similar past cases and pattern signals for the case being written.

Two pieces:
- `SimilarStrip`: one line for a step screen (Triage, Details) that follows the case as it is
  written: the closest past cases and how many signals wait, and "F8" to review them. It re-ranks
  when the case has changed and then stopped changing (checked twice a second; the ranking runs
  in a worker thread, while the agent pauses rather than while they type).
- `SimilarScreen` (F8 from any step of a case): the signals, each with its evidence, accepted with
  `A` (ticks the triage item and logs the acceptance with its evidence: never a silent change); the
  similar cases with customer, status, outcome and lessons learned, opened with enter; `L` links the
  highlighted case as the same problem (both cases), `C` takes the affected-customer count from the
  linked cases.

The ranking and the signals are `workbench.signals.review_case` (a full-text pool of at most a few
hundred candidates, never a scan of the history); this module only shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from screens.case_base import CaseScreen
from screens.widgets import same_content, update_static
from workbench.history import (
    describe_outcome,
    lessons_of,
    link_cases,
    linked_customer_tally,
    unlink_cases,
)
from workbench.signals import RankingCache, Review, Signal, accept_signal, review_case

if TYPE_CHECKING:
    from textual.timer import Timer

    from screens.app import WorkbenchApp
    from workbench.models import Escalation

POLL_SECONDS = 0.5
STRIP_MATCHES = 3
LIST_LIMIT = 20


def symptom_signature(case: Escalation) -> tuple[object, ...]:
    """What the review depends on; a change of any of it means ranking again."""
    return (case.id, case.revision, case.updated_at)


def _review(
    app: WorkbenchApp, case: Escalation, limit: int, cache: RankingCache | None = None
) -> Review:
    return review_case(app.store, case, app.playbook, app.now(), limit=limit, cache=cache)


def strip_content(review: Review | None) -> Content:
    """`≈ Similar: #12 Globex (resolved), #40 Initech · ⚑ 2 signals · F8 review`."""
    if review is None:
        return Content.styled("Similar cases: looking…", "dim")
    if not review.similar and not review.signals:
        return Content.styled("No similar past cases · F8 history", "dim")
    parts: list[Content] = []
    if review.similar:
        shown = []
        for match in review.similar[:STRIP_MATCHES]:
            other = review.cases[match.case_id]
            who = " ".join(other.customer.split()) or "no customer"
            shown.append(f"#{match.case_id} {who} ({other.status.label.lower()})")
        more = len(review.similar) - STRIP_MATCHES
        text = ", ".join(shown) + (f" +{more}" if more > 0 else "")
        parts.append(Content.assemble(Content.styled("≈ Similar: ", "bold"), text))
    if review.signals:
        count = len(review.signals)
        parts.append(Content.styled(f"⚑ {count} signal{'s' if count > 1 else ''}", "bold $warning"))
    parts.append(Content.styled("F8 review", "dim"))
    return Content(" · ").join(parts)


class SimilarStrip(Static):
    """One line on a step screen: the closest past cases and the waiting signals."""

    DEFAULT_CSS = """
    SimilarStrip { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = "similar-strip") -> None:
        super().__init__(strip_content(None), id=id)
        self._seen: tuple[object, ...] | None = None  # what the shown review is of
        self._changing: tuple[object, ...] | None = None  # the case at the last poll
        self.poll_timer: Timer | None = None
        self._ranking = RankingCache()
        self.review: Review | None = None
        self.headline: Content | None = None  # shown in the strip's place while set

    def show_headline(self, headline: Content | None) -> None:
        """Show `headline` in the strip's place, in the `-headline` colours (None: the strip
        again): Triage's security banner. One widget for both, one line for one line: a swap of
        two widgets' display was a layout of the whole screen at the tick."""
        if headline is self.headline or same_content(headline, self.headline):
            return
        self.headline = headline
        self.set_class(headline is not None, "-headline")
        shown = headline if headline is not None else strip_content(self.review)
        update_static(self, shown, layout=False)

    @property
    def workbench(self) -> WorkbenchApp:
        # Textual types `app` as App[object]; every screen here runs in the WorkbenchApp.
        return cast("WorkbenchApp", self.app)

    def _case(self) -> Escalation | None:
        screen = self.screen
        return screen.case if isinstance(screen, CaseScreen) else None

    def on_mount(self) -> None:
        case = self._case()
        if case is not None:
            # The first look runs in the worker too: at 100,000 cases it takes half a second,
            # which the step screen waited for before it showed ("looking…" until it is there).
            self._seen = self._changing = symptom_signature(case)
            self._refresh(case.model_copy(deep=True))
        self.poll_timer = self.set_interval(POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        """Rank again once the case has stopped changing for a look (the agent paused): ranking
        at 100,000 cases takes the one core Python has for long enough that keys typed
        meanwhile waited."""
        case = self._case()
        if case is None:
            return
        signature = symptom_signature(case)
        if signature != self._changing:
            self._changing = signature  # still being written: look again at the next poll
            return
        if signature != self._seen:
            self._seen = signature
            self._refresh(case.model_copy(deep=True))

    @work(thread=True, exclusive=True, group="similar-strip")
    def _refresh(self, case: Escalation) -> None:
        review = _review(self.workbench, case, STRIP_MATCHES + 10, self._ranking)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, review)

    def _show(self, review: Review) -> None:
        if not self.is_attached:
            return  # the screen closed while the worker ran
        self.review = review
        if self.headline is None:
            # One line whose size the stylesheet fixes: new text is no new size.
            update_static(self, strip_content(review), layout=False)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def signal_prompt(signal: Signal, criterion_text: str, accepted: bool = False) -> Content:
    mark = Content.styled("✓ " if accepted else "⚑ ", "bold $success" if accepted else "$warning")
    return Content.assemble(
        mark,
        Content.styled(criterion_text, "bold"),
        "\n  ",
        Content.styled(signal.message, "$text-muted"),
    )


class SimilarScreen(CaseScreen):
    """Review similar cases and accept pattern signals for one case (F8)."""

    STEP = "similar"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "A",
            "accept",
            "Accept signal",
            id="similar.accept",
            tooltip="Tick the highlighted signal's checklist item; logged with its evidence",
        ),
        Binding(
            "L",
            "link",
            "Link",
            id="similar.link",
            tooltip="Link (or unlink) the highlighted case as the same problem, on both cases",
        ),
        Binding(
            "C",
            "customers",
            "Count customers",
            id="similar.customers",
            tooltip="Set the affected-customer count from this case and its linked cases",
        ),
        Binding(
            "escape", "back", "Back", id="similar.back", tooltip="Back to the step you came from"
        ),
        Binding("r", "rerank", "Refresh", id="similar.refresh", show=False),
        Binding("tab", "app.focus_next", "Next list", id="similar.focus", show=False),
    ]

    def __init__(self, case_id: int) -> None:
        super().__init__(case_id)
        self.review: Review | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="similar-body"):
            yield Static("", id="signals-title", classes="section-title")
            yield OptionList(id="signals")
            yield Static("", id="similar-title", classes="section-title")
            yield DataTable(id="similar", cursor_type="row", zebra_stripes=True)
            yield Static("", id="similar-detail")

    def on_mount(self) -> None:
        table = self.query_one("#similar", DataTable)
        table.add_columns("", "#", "Customer", "Outcome", "Title")
        super().on_mount()
        signals = self.query_one("#signals", OptionList)
        if signals.option_count:
            signals.highlighted = 0
            signals.focus()
        else:
            table.focus()

    # -- rendering -----------------------------------------------------------------------------------
    def refresh_case(self) -> None:
        self.review = _review(self.workbench, self.case, LIST_LIMIT)
        self._show_signals(self.review)
        self._show_similar(self.review)

    def _show_signals(self, review: Review) -> None:
        playbook = self.workbench.playbook
        signals = self.query_one("#signals", OptionList)
        previous = signals.highlighted
        signals.clear_options()
        for index, signal in enumerate(review.signals):
            text = playbook.criterion(signal.criterion_id).text
            signals.add_option(Option(signal_prompt(signal, text), id=str(index)))
        signals.display = bool(review.signals)
        if review.signals:
            signals.highlighted = min(previous or 0, len(review.signals) - 1)
        count = len(review.signals)
        title = self.query_one("#signals-title", Static)
        title.update(
            f"Signals ({count}) — A accepts the highlighted one"
            if count
            else "Signals: none (nothing in the history suggests a trigger)"
        )

    def _show_similar(self, review: Review) -> None:
        table = self.query_one("#similar", DataTable)
        previous = self.highlighted_case_id()
        table.clear()
        names = {d.id: d.name for d in self.workbench.playbook.destinations}
        cells: list[tuple[str, str, str, str]] = []
        for match in review.similar:
            other = review.cases[match.case_id]
            mark = "L" if match.linked else ("=" if match.same_problem else "")
            customer = _cut(" ".join(other.customer.split()) or "—", 16)
            cells.append((mark, f"#{match.case_id}", customer, describe_outcome(other, names)))
        # The title takes what the other columns leave, so nothing scrolls sideways at 80 columns.
        used = sum(max((len(c[i]) for c in cells), default=0) + 2 for i in range(4))
        room = max(16, (table.size.width or self.app.size.width) - used - 3)
        for match, cell in zip(review.similar, cells, strict=True):
            case_title = review.cases[match.case_id].title or "(untitled)"
            table.add_row(*cell, _cut(case_title, room), key=str(match.case_id))
        if previous is not None:
            for row, match in enumerate(review.similar):
                if match.case_id == previous:
                    table.move_cursor(row=row, animate=False)
        heading = self.query_one("#similar-title", Static)
        heading.update(
            f"Similar cases ({len(review.similar)}) — enter opens, L links (L linked, = same problem)"
            if review.similar
            else "Similar cases: none yet (fill in the title, observed outcome and narrative)"
        )
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#similar-detail", Static)
        case_id = self.highlighted_case_id()
        review = self.review
        if case_id is None or review is None:
            detail.update("")
            return
        match = next(m for m in review.similar if m.case_id == case_id)
        other = review.cases[case_id]
        lines = [
            Content.assemble(
                Content.styled(f"Score {match.score:.2f}: ", "bold"),
                Content.styled("; ".join(match.reasons), "$text-muted"),
            )
        ]
        lessons = lessons_of(other)
        if lessons:
            lines.append(Content.assemble(Content.styled("Lessons learned: ", "bold"), lessons))
        elif other.status.value == "resolved":
            lines.append(Content.styled("No lessons learned recorded.", "dim"))
        detail.update(Content("\n").join(lines))

    @on(DataTable.RowHighlighted, "#similar")
    def _highlighted(self) -> None:
        self._show_detail()

    # -- what is highlighted -------------------------------------------------------------------------
    def highlighted_case_id(self) -> int | None:
        table = self.query_one("#similar", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key else None

    def highlighted_signal(self) -> Signal | None:
        review = self.review
        if review is None or not review.signals:
            return None
        index = self.query_one("#signals", OptionList).highlighted
        return review.signals[index if index is not None else 0]

    # -- actions -------------------------------------------------------------------------------------
    @on(DataTable.RowSelected, "#similar")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key:
            self.open_similar(int(key))

    def open_similar(self, case_id: int) -> None:
        """Open a similar case at Triage; escape comes back to the case being written."""
        self.flush_edits()
        self.reload_stale_screens()
        self.workbench.open_case(case_id, "triage")

    @on(OptionList.OptionSelected, "#signals")
    def _selected_signal(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_accept()

    def action_accept(self) -> None:
        signal = self.highlighted_signal()
        if signal is None:
            self.notify("No signal to accept.")
            return
        playbook = self.workbench.playbook
        now = self.now()

        def accept(case: Escalation) -> None:
            accept_signal(case, signal, playbook, now)

        if self.edit(accept):
            text = playbook.criterion(signal.criterion_id).text
            self.notify(f"Ticked on the checklist and logged: {text}", title="Signal accepted")

    def action_link(self) -> None:
        from workbench.store import StoreError

        other_id = self.highlighted_case_id()
        if other_id is None or self.case.id is None:
            self.notify("No similar case highlighted.")
            return
        store = self.workbench.store
        try:
            other = store.get(other_id)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        unlink = other_id in self.case.linked or self.case.id in other.linked

        def change(case: Escalation) -> None:
            (unlink_cases if unlink else link_cases)(case, other)

        if not self.edit(change):
            return
        try:
            store.save(other)
        except StoreError as exc:
            self.notify(f"#{other_id} was not updated: {exc}", severity="error")
            return
        verb = "Unlinked from" if unlink else "Linked as the same problem:"
        self.notify(f"{verb} #{other_id}")

    def action_customers(self) -> None:
        linked = self.workbench.store.get_many(self.case.linked)
        if not linked:
            self.notify("No linked cases yet: L links the highlighted similar case.")
            return
        tally = linked_customer_tally(self.case, linked)

        def write(case: Escalation) -> None:
            case.impact.customers_affected = tally.count

        if self.edit(write):
            self.notify(
                f"Affected customers: {tally.count} ({', '.join(tally.names)})",
                title="Impact updated",
            )

    def action_rerank(self) -> None:
        self.refresh_case()

    def reload_stale_screens(self) -> None:
        """Step screens below this one hold older copies of cases changed here (an accepted
        signal, a link): reload them, so their next edit is not refused as stale."""
        from workbench.store import StoreError

        for screen in self.app.screen_stack:
            if screen is self or not isinstance(screen, CaseScreen):
                continue
            try:
                stored = self.workbench.store.get(screen.case_id)
            except StoreError:
                continue
            if stored.revision != screen.case.revision:
                screen.reload()

    def action_back(self) -> None:
        self.flush_edits()
        self.reload_stale_screens()
        self.dismiss()

    def action_step(self, step: str) -> None:
        # F2..F7 from here go to that step of this case, not on top of it.
        self.flush_edits()
        self.reload_stale_screens()
        self.dismiss()
        self.workbench.open_case(self.case_id, step)
