from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.paths import default_paths
from desktop.core.settings import SCHEMA_VERSION, SETTINGS, Settings, SettingsError


def _paths(home: Path):  # type: ignore[no-untyped-def]
    return default_paths({"LINKDESK_HOME": str(home)}).ensure()


def test_linkdesk_home_moves_every_folder(tmp_path: Path) -> None:
    paths = default_paths({"LINKDESK_HOME": str(tmp_path)})
    for folder in (paths.config, paths.data, paths.logs, paths.cache):
        assert folder.is_relative_to(tmp_path.resolve())


def test_defaults_when_no_file(linkdesk_home: Path) -> None:
    settings = Settings.load(_paths(linkdesk_home))
    assert settings.get("theme") == "system"
    assert settings.get("fast_interval") == 2.0
    assert settings.get("api_base") == "https://api.codat.io"
    assert settings.current_profile == "default"
    assert settings.warning is None


def test_round_trip_with_profiles(linkdesk_home: Path) -> None:
    paths = _paths(linkdesk_home)
    settings = Settings.load(paths)
    settings.set("theme", "dark")
    settings.set("font_scale", 1.5)
    settings.add_profile("production")
    settings.set("api_base", "https://api.codat.io", "production")
    settings.set("api_base", "http://127.0.0.1:9000", "default")
    settings.use_profile("production")
    settings.save()

    again = Settings.load(paths)
    assert again.get("theme") == "dark"
    assert again.get("font_scale") == 1.5
    assert again.current_profile == "production"
    assert again.get("api_base", "default") == "http://127.0.0.1:9000"
    assert again.get("api_base") == "https://api.codat.io"
    stored = json.loads(paths.settings_file.read_text())
    assert stored["version"] == SCHEMA_VERSION
    assert not list(paths.config.glob(".settings-*.tmp")), "no temporary file left behind"


def test_corrupt_file_is_kept_aside_and_defaults_load(linkdesk_home: Path) -> None:
    paths = _paths(linkdesk_home)
    paths.settings_file.write_text("{not json", encoding="utf-8")
    settings = Settings.load(paths)
    assert settings.get("theme") == "system"
    assert settings.warning is not None and "could not be read" in settings.warning
    backups = list(paths.config.glob("settings.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text() == "{not json"
    assert not paths.settings_file.exists()


def test_upgrade_hook_moves_old_api_base_into_default_profile(linkdesk_home: Path) -> None:
    paths = _paths(linkdesk_home)
    paths.settings_file.write_text(
        json.dumps({"version": 1, "api_base": "http://old:1", "global": {"theme": "light"}})
    )
    settings = Settings.load(paths)
    assert settings.warning is None
    assert settings.get("api_base", "default") == "http://old:1"
    assert settings.get("theme") == "light"


def test_newer_file_is_not_misread(linkdesk_home: Path) -> None:
    paths = _paths(linkdesk_home)
    paths.settings_file.write_text(json.dumps({"version": SCHEMA_VERSION + 1}))
    settings = Settings.load(paths)
    assert settings.warning is not None and "newer" in settings.warning


def test_invalid_values_are_reset_and_reported(linkdesk_home: Path) -> None:
    paths = _paths(linkdesk_home)
    paths.settings_file.write_text(
        json.dumps({"version": SCHEMA_VERSION, "global": {"theme": "purple", "font_scale": 1.25}})
    )
    settings = Settings.load(paths)
    assert settings.get("theme") == "system"
    assert settings.get("font_scale") == 1.25
    assert settings.warning is not None and "Theme" in settings.warning


@pytest.mark.parametrize("name", ["", " ", "a/b", "x" * 41, "-lead"])
def test_bad_profile_names_are_refused(linkdesk_home: Path, name: str) -> None:
    settings = Settings.load(_paths(linkdesk_home))
    with pytest.raises(SettingsError):
        settings.add_profile(name)


def test_type_and_range_checks() -> None:
    settings = Settings(path=Path("/nonexistent/settings.json"))
    with pytest.raises(SettingsError):
        settings.set("fast_interval", 0.1)
    with pytest.raises(SettingsError):
        settings.set("notify", "yes")
    settings.set("fast_interval", 3)  # an int is a valid float
    assert settings.get("fast_interval") == 3.0


def test_every_setting_is_declared_with_a_label_and_a_valid_default() -> None:
    for setting in SETTINGS.values():
        assert setting.label
        assert isinstance(setting.default, setting.type)


def test_set_many_is_all_or_nothing() -> None:
    settings = Settings(path=Path("/nonexistent/settings.json"))
    with pytest.raises(SettingsError):
        settings.set_many({"theme": "dark", "fast_interval": 0.1})
    assert settings.get("theme") == "system"
    settings.set_many({"theme": "dark", "fast_interval": 1.5})
    assert (settings.get("theme"), settings.get("fast_interval")) == ("dark", 1.5)
