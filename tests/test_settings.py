"""The agent's own settings file: local holidays added to the playbook's calendar, and every
mistake reported in one line naming the file, the line and the key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from workbench.playbook import Playbook
from workbench.rules.cadence import add_business_days
from workbench.settings import (
    Settings,
    SettingsError,
    load_settings,
    settings_path,
    with_settings,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_holidays_as_toml_dates_or_iso_strings_sorted_and_unique(tmp_path: Path) -> None:
    path = write(tmp_path, 'holidays = [2026-12-25, "2026-12-24", " 2026-12-25 "]\n')
    assert load_settings(path).holidays == (date(2026, 12, 24), date(2026, 12, 25))


def test_an_empty_file_and_a_missing_default_file_are_no_settings(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "# nothing yet\n")) == Settings()
    assert load_settings(tmp_path / "absent.toml", required=False) == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("holidays = [2026-12-25, 'Christmas']\n", ":1: holidays[1]: 'Christmas' is not a date"),
        ("\nholidays = 2026-12-25\n", ":2: holidays: a list of dates"),
        ("holidays = [2026-12-25T10:00:00]\n", "holidays[0]: datetime.datetime(2026, 12, 25"),
        ("holidays = ['2026-02-30']\n", "holidays[0]: '2026-02-30' is not a date"),
        ("bell = false\n", ":1: bell: unknown setting (holidays)"),
        ("holidays = [\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_a_file_named_on_purpose_must_exist_and_be_text(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such settings file"):
        load_settings(tmp_path / "typo.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"holidays = [\xff]\n")
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_settings(binary)


def test_which_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "mine.toml"
    assert settings_path(explicit) == (explicit, True)
    monkeypatch.setenv("WORKBENCH_SETTINGS", str(tmp_path / "env.toml"))
    assert settings_path() == (tmp_path / "env.toml", True)
    monkeypatch.delenv("WORKBENCH_SETTINGS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert settings_path() == (tmp_path / "cfg" / "escalation-workbench" / "settings.toml", False)


def test_settings_holidays_join_the_playbooks_and_the_cadence_skips_them(
    playbook: Playbook,
) -> None:
    team = playbook.model_copy(
        update={
            "calendar": playbook.calendar.model_copy(update={"holidays": (date(2026, 12, 25),)})
        }
    )
    mine = with_settings(team, Settings(holidays=(date(2026, 12, 24), date(2026, 12, 25))))
    assert mine.calendar.holidays == (date(2026, 12, 24), date(2026, 12, 25))
    assert with_settings(team, Settings()) is team
    wednesday = datetime(2026, 12, 23, 16, 0, tzinfo=UTC)
    assert add_business_days(wednesday, 1, team.calendar) == datetime(
        2026, 12, 24, 16, 0, tzinfo=UTC
    )
    # Thu 24 (mine) and Fri 25 (the team's) skipped, then the weekend: Monday 28.
    assert add_business_days(wednesday, 1, mine.calendar) == datetime(
        2026, 12, 28, 16, 0, tzinfo=UTC
    )
