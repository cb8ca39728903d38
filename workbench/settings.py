"""The agent's own settings: what a team's shared playbook cannot say for everyone.

Today that is local holidays and the time zone. The playbook's calendar holds the team's
holidays; an agent in another country adds theirs here, and the follow-up cadence skips both when
it counts business days (Medium's customer update every 1-2 business days). Those days are the
agent's own: counted in the zone named here, else the playbook's, else the machine's (a case
escalated at 17:00 on a Friday in San Francisco is due on Monday there, not on Sunday evening as
it was when days were counted in UTC, where that moment is already Saturday). A small TOML file:

    # settings.toml in the user config directory (~/.config/escalation-workbench/ on Linux),
    # or the file named by --settings or WORKBENCH_SETTINGS
    holidays = [2026-12-24, 2026-12-25, "2027-01-01"]
    timezone = "America/Los_Angeles"

The zone named here is also the one times are shown in (`show_times_in`): the machine may be a
server in UTC, and an agent who says where they work should read their own clock.

The default file may be absent; a file named on purpose must exist. A mistake is one clear
error naming the file, the line and the key, like the playbook's.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.tomlfile import line_of, read_toml

if TYPE_CHECKING:
    from workbench.playbook import Playbook

APP_NAME = "escalation-workbench"
PLAYBOOK_ENV = "WORKBENCH_PLAYBOOK"
SETTINGS_ENV = "WORKBENCH_SETTINGS"
SETTINGS_FILENAME = "settings.toml"
KNOWN = ("holidays", "timezone")


class SettingsError(Exception):
    """Settings that cannot be used; the message names the file, the line and the key."""


@dataclass(frozen=True)
class Settings:
    holidays: tuple[date, ...] = ()
    timezone: str | None = None


def zone_named(name: str) -> tzinfo | None:
    """The IANA zone of that name, or None if there is none."""
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found (a KeyError), a bad key, an unreadable file
        return None


def local_zone_name() -> str | None:
    """The machine's own IANA zone, as the C library reads it: TZ when set (a zone name, or a
    file under a zoneinfo directory; anything else, a POSIX rule or "", counts as UTC here),
    else the file /etc/localtime links to, else /etc/timezone (Debian); None: UTC."""
    if "TZ" in os.environ:
        value = os.environ["TZ"].strip().removeprefix(":")
        with contextlib.suppress(OSError, ValueError):
            if value.startswith("/"):  # a file, e.g. TZ=:/etc/localtime: where it leads
                value = os.path.realpath(value)
        return _zone_key(value)
    with contextlib.suppress(OSError):
        if os.path.islink("/etc/localtime"):
            return _zone_key(os.path.realpath("/etc/localtime"))
    with (
        contextlib.suppress(OSError, UnicodeDecodeError),
        open("/etc/timezone", encoding="utf-8") as named,
    ):
        return _zone_key(named.read().strip())
    return None


def show_times_in(zone: str) -> bool:
    """Show this process's times in `zone`, as if it had been started with TZ=zone: the app,
    the CLI and the documents convert every time they show with `astimezone()`, which reads the
    process's zone. False, and nothing changed, where the C library cannot (no tzset, as on
    Windows, or no zone file of that name: it would have read UTC)."""
    found = zone_named(zone)
    if found is None or not hasattr(time, "tzset"):
        return False
    if local_zone_name() == zone:
        return True
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    # Without a file of that name the C library reads the name as a rule and gives UTC: the
    # offsets now and at both ends of the year (summer time) must be the zone's own.
    now = time.time()
    year = datetime.fromtimestamp(now, found).year
    moments = [now] + [datetime(year, month, 15, 12, tzinfo=found).timestamp() for month in (1, 7)]
    if all(
        time.localtime(moment).tm_gmtoff == _offset_seconds(datetime.fromtimestamp(moment, found))
        for moment in moments
    ):
        return True
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()
    return False


def _offset_seconds(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _zone_key(value: str) -> str | None:
    """A zone name, or the name in a path under a zoneinfo directory; None if neither."""
    _, found, key = value.rpartition("zoneinfo/")
    name = key if found else value
    return name if name and zone_named(name) is not None else None


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
    return Settings(
        holidays=_holidays(path, text, raw.get("holidays", [])),
        timezone=_timezone(path, text, raw.get("timezone")),
    )


def _timezone(path: Path, text: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or zone_named(value.strip()) is None:
        where = _where(path, text, "timezone")
        raise SettingsError(
            f'{where}: timezone: {value!r} is not a time zone (an IANA name, e.g. "Europe/Berlin")'
        )
    return value.strip()


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


def with_settings(
    playbook: Playbook,
    settings: Settings,
    *,
    local_zone: Callable[[], str | None] = local_zone_name,
) -> Playbook:
    """The playbook with the agent's holidays added to its calendar's, and the zone its
    business days are counted in: the agent's, else the playbook's, else the machine's."""
    calendar = playbook.calendar
    holidays = tuple(sorted(set(calendar.holidays) | set(settings.holidays)))
    zone = settings.timezone or calendar.timezone or local_zone()
    if holidays == calendar.holidays and zone == calendar.timezone:
        return playbook
    calendar = calendar.model_copy(update={"holidays": holidays, "timezone": zone})
    return playbook.model_copy(update={"calendar": calendar})
