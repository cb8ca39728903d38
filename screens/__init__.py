"""The Textual UI of the workbench: the App (`screens.app`), the `workbench` command's entry point
(`screens.start`) and the screens. The core in `workbench/` never imports this package.

Each screen brings its own stylesheet from `screens/styles/` (`stylesheets`): Textual reads a
screen's CSS_PATH the first time the screen is shown, so start-up parses only the app-wide rules
and the case list's.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

STYLES = Path(__file__).resolve().parent / "styles"


def stylesheets(*names: str) -> list[str | PurePath]:
    """The files `screens/styles/<name>.tcss`, for a screen's CSS_PATH."""
    return [STYLES / f"{name}.tcss" for name in names]


def breakpoint_class(app: App[object]) -> str:
    """The class `App.HORIZONTAL_BREAKPOINTS` gives a screen at the app's current width."""
    width = app.size.width
    chosen = ""
    for limit, name in sorted(app.HORIZONTAL_BREAKPOINTS or []):
        if width >= limit:
            chosen = name
    return chosen
