"""A step screen built ahead, offscreen: composed, mounted, laid out until its widgets are at rest
and drawn once before it is shown, so that its first show costs what a later one does. When to
build, and which, is screens/kept.py's; the step screens' base (screens/case_base.py) builds on
this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events

from screens.settling import SettlingScreen

if TYPE_CHECKING:
    from screens.app import WorkbenchApp

# A step built ahead is laid out again while its widgets answer a layout by asking for another
# (at most this many layouts), waiting up to OFFSCREEN_TURNS turns of the event loop for them.
OFFSCREEN_ROUNDS = 4
OFFSCREEN_TURNS = 50


class OffscreenScreen(SettlingScreen[None]):
    """A screen that can be built before it is shown (`prepare_offscreen`)."""

    _styled_at: int | None = None  # the app's CSS count when styled (a theme change since)

    @property
    def workbench(self) -> WorkbenchApp:
        """The app, typed (store, playbook, now)."""
        # Textual types `app` as App[object]; every screen here runs in the WorkbenchApp.
        return cast("WorkbenchApp", self.app)

    @property
    def taken_apart(self) -> bool:
        """Whether its widgets are going, all or some: the screen is being removed (its case
        closed) or the app is ending (SIGTERM, quit, the terminal closed). Timers and mounts that
        come round meanwhile have nothing to show. textual is pinned (`_pruning`, `App._exit`)."""
        # The app's screens gone: the app is ending (its screen would be asked for: an Input's
        # new value clears the screen's selection, ScreenStackError).
        return self._pruning or self.app._exit or not self.children or not self.app.screen_stack

    def prepare_offscreen(self) -> None:
        """Compose, mount, style and lay out this screen now, before it is shown (Textual does
        the same on the first push; textual is pinned)."""
        app = self.app
        app._load_screen_css(self)
        app._register(app, self)

    def _lay_out_offscreen(self) -> None:
        # Outside the screen's own message handling: the widgets' requests for a layout come to
        # the screen as messages, which it takes only between two handlers.
        self.run_worker(self._settle_offscreen(), group="offscreen", exit_on_error=False)

    async def _settle_offscreen(self) -> None:
        """Lay the screen out until its widgets stop asking for it, then draw it once. Each
        layout's sizes reach the widgets as Resize and Show events, and many of them ask for a
        layout again in answer (a Label or Static taking its width, the Footer's keys, Markdown
        blocks). Left pending, those requests made the first show lay out and render the whole
        screen again (Export: 200 ms of CPU, Impact 40, against 10 for a later show)."""
        try:
            kept = self.workbench.kept
            for _round in range(OFFSCREEN_ROUNDS):
                await kept.until_pause(self)
                if not self._still_built_ahead():
                    break
                self._refresh_layout(self.app.size)
                if not await self._widgets_settled() or not self._layout_widgets:
                    break
            await kept.until_pause(self)
            if self._still_built_ahead():
                # textual is pinned: what Screen._on_timer_update does after a layout.
                self._layout_required = bool(self._layout_widgets)
                # Drawn once offscreen too: the lines each widget renders are cached, and the
                # first show only puts them together.
                self._compositor.render_full_update()
                self._dirty_widgets.clear()
        finally:
            self.workbench.kept.built(self)

    def _still_built_ahead(self) -> bool:
        """Not shown meanwhile (Textual lays it out then), nor let go (its case closed while it
        waited for a pause: `release` removes it only after the next frame), nor taken apart."""
        return (
            self.workbench.kept.building is self
            and not self.is_current
            and self.is_attached
            and not self.taken_apart
        )

    async def _widgets_settled(self) -> bool:
        """Whether the screen and its widgets have handled what is queued for them (the events a
        layout sends, the requests they answer with), within OFFSCREEN_TURNS loop turns."""
        import asyncio

        for _turn in range(OFFSCREEN_TURNS):
            await asyncio.sleep(0)
            if not self.is_attached:
                return False
            # textual is pinned: a widget asks for its layout from its Idle handler, after its
            # queue emptied; the screen then takes the request from its own queue.
            if self._message_queue.empty() and not any(
                not widget._message_queue.empty() or widget._layout_required
                for widget in self.walk_children(with_self=False)
            ):
                return True
        return False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Dispatched before Screen's own handler: styles were applied at mount, so no second pass
        # over every widget of the screen (30-60 ms on the form steps) unless the stylesheet or
        # the theme changed since (Textual restyles only the screens on the stack then).
        css_count = self.app._css_update_count  # textual is pinned
        event.refresh_styles = self._styled_at not in (None, css_count)
        self._styled_at = css_count
