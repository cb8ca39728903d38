"""The agent's own settings: what a team's shared playbook cannot say for everyone.

Today that is local holidays. The playbook's calendar holds the team's; an agent in another
country adds theirs here, and the follow-up cadence skips both when it counts business days
(Medium's customer update every 1-2 business days). A small TOML file:

    # settings.toml in the user config directory (~/.config/escalation-workbench/ on Linux),
    # or the file named by --settings or WORKBENCH_SETTINGS
    holidays = [2026-12-24, 2026-12-25, "2027-01-01"]

The default file may be absent; a file named on purpose must exist. A mistake is one clear
error naming the file, the line and the key, like the playbook's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.tomlfile import line_of, read_toml

if TYPE_CHECKING:
    from workbench.playbook import Playbook

APP_NAME = "escalation-workbench"
PLAYBOOK_ENV = "WORKBENCH_PLAYBOOK"
SETTINGS_ENV = "WORKBENCH_SETTINGS"
SETTINGS_FILENAME = "settings.toml"
KNOWN = ("holidays",)


class SettingsError(Exception):
    """Settings that cannot be used; the message names the file, the line and the key."""


@dataclass(frozen=True)
class Settings:
    holidays: tuple[date, ...] = ()


def default_settings_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / SETTINGS_FILENAME


def playbook_path_from_env() -> Path | None:
    """A team's own playbook named by WORKBENCH_PLAYBOOK (here, beside the other files the app
    looks for, so the app can tell it is asked for one without loading the playbook module)."""
    value = os.environ.get(PLAYBOOK_ENV)
    return Path(value) if value else None


def settings_path(explicit: Path | None = None) -> tuple[Path, bool]:
    """The settings file, and whether it must exist: one named by the option or the
    environment must; the default one may be absent (no settings)."""
    if explicit is not None:
        return explicit, True
    named = os.environ.get(SETTINGS_ENV, "").strip()
    if named:
        return Path(named), True
    return default_settings_path(), False


def load_settings(path: Path, *, required: bool = True) -> Settings:
    if not path.exists():
        if not required:
            return Settings()
        raise SettingsError(f"{path}: no such settings file")
    text, raw = read_toml(path, "settings", SettingsError)
    for key in raw:
        if key not in KNOWN:
            known = ", ".join(KNOWN)
            raise SettingsError(f"{_where(path, text, key)}: {key}: unknown setting ({known})")
    return Settings(holidays=_holidays(path, text, raw.get("holidays", [])))


def _holidays(path: Path, text: str, value: object) -> tuple[date, ...]:
    where = _where(path, text, "holidays")
    if not isinstance(value, list):
        raise SettingsError(f'{where}: holidays: a list of dates, e.g. [2026-12-25, "2027-01-01"]')
    days: list[date] = []
    for index, item in enumerate(value):
        day = _date(item)
        if day is None:
            raise SettingsError(f"{where}: holidays[{index}]: {item!r} is not a date (YYYY-MM-DD)")
        days.append(day)
    return tuple(sorted(set(days)))


def _date(item: object) -> date | None:
    if isinstance(item, datetime):  # a TOML date-time: only its day can be a holiday
        return None
    if isinstance(item, date):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            return None
    return None


def _where(path: Path, text: str, key: str) -> str:
    line = line_of(text, (key,))
    return f"{path}:{line}" if line else str(path)


def with_settings(playbook: Playbook, settings: Settings) -> Playbook:
    """The playbook with the agent's holidays added to its calendar's."""
    if not settings.holidays:
        return playbook
    holidays = tuple(sorted(set(playbook.calendar.holidays) | set(settings.holidays)))
    calendar = playbook.calendar.model_copy(update={"holidays": holidays})
    return playbook.model_copy(update={"calendar": calendar})
