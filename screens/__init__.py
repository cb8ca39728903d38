"""The Textual screens of the workbench (the core in `workbench/` never imports them).

Each screen brings its own stylesheet from `screens/styles/` (`stylesheets`): Textual reads a
screen's CSS_PATH the first time the screen is shown, so start-up parses only the app-wide rules
and the case list's.
"""

from __future__ import annotations

from pathlib import Path, PurePath

STYLES = Path(__file__).resolve().parent / "styles"


def stylesheets(*names: str) -> list[str | PurePath]:
    """The files `screens/styles/<name>.tcss`, for a screen's CSS_PATH."""
    return [STYLES / f"{name}.tcss" for name in names]
