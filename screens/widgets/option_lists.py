"""Option lists that repaint only what changed, and whose items wrap with a hanging indent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from textual.content import Content
from textual.geometry import Size
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.widgets.bullets import Bullet, bullet_lines, hanging_lines


class SteadyOptionList(OptionList):
    """An OptionList whose scrollbar is painted again only when its size or its lines change.

    ScrollView compares the virtual size a layout of the screen hands it (its region) with its
    own (its lines), and those differ whenever it can scroll: every layout of the screen, such
    as a save that shows or hides a line in a side panel, painted the list's scrollbar again,
    each time. An unchanged size and container need nothing: the lists set
    their own virtual size, and update their scrollbar then."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        if (
            size == self._size
            and container_size == self._container_size
            and container_size == size - self.styles.gutter.totals
        ):
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)


class Hanging(NamedTuple):
    """One item of a HangingOptionList: its prompt, wrapped `hang` cells in after the first line,
    and bullets (findings) under it."""

    prompt: Content
    hang: int
    id: str | None = None
    notes: Sequence[Bullet] = ()
    disabled: bool = False


class HangingOptionList(SteadyOptionList):
    """An OptionList whose items wrap under their own first word: each prompt's later lines are
    indented by its `hang` (OptionList itself wraps them to the margin). Wrapped again when the
    width changes, or when a scrollbar comes (which narrows the list without a Resize)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._prompts: list[Hanging] = []
        self._wrapped_to = 0

    def set_prompts(self, prompts: Iterable[Hanging], *, highlight: int | None = None) -> None:
        """Show these items, the `highlight`ed one (if any) highlighted."""
        self._prompts = list(prompts)
        self._show(highlight)

    def _show(self, highlight: int | None) -> None:
        width = self._wrapped_to = self._text_width() or 200
        self.set_options(
            Option(
                Content("\n").join(
                    hanging_lines(item.prompt, item.hang, width) + bullet_lines(item.notes, width)
                ),
                id=item.id,
                disabled=item.disabled,
            )
            for item in self._prompts
        )
        if highlight is not None and self.option_count:
            self.highlighted = min(highlight, self.option_count - 1)
        if self._prompts:
            self.call_after_refresh(self._rewrap)

    def _text_width(self) -> int:
        return max(0, self.scrollable_content_region.width - 1)

    def _on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self) -> None:
        if self._prompts and self.is_mounted and (self._text_width() or 200) != self._wrapped_to:
            self._show(self.highlighted)
