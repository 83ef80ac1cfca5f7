"""A settings file from a newer LinkDesk: kept as it is, read for what is known, the user told."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.core.paths import default_paths
from desktop.core.settings import SCHEMA_VERSION, Settings

NEWER = {
    "version": SCHEMA_VERSION + 1,
    "current_profile": "production",
    "global": {"theme": "dark", "font_scale": 1.25, "hologram_mode": {"on": True}},
    "profiles": {
        "production": {"api_base": "https://api.codat.io", "region": "eu-west"},
        "sandbox": {"api_base": "http://127.0.0.1:8765"},
    },
    "added_in_a_later_release": [1, 2, 3],
}


def test_newer_file_is_read_for_what_is_known_and_never_overwritten(linkdesk_home: Path) -> None:
    paths = default_paths({"LINKDESK_HOME": str(linkdesk_home)}).ensure()
    original = json.dumps(NEWER, indent=1)
    paths.settings_file.write_text(original, encoding="utf-8")

    settings = Settings.load(paths)

    assert settings.get("theme") == "dark"
    assert settings.get("font_scale") == 1.25
    assert settings.current_profile == "production"
    assert settings.get("api_base", "sandbox") == "http://127.0.0.1:8765"
    assert settings.newer_version == SCHEMA_VERSION + 1
    assert settings.warning is not None
    assert f"settings version {SCHEMA_VERSION + 1}" in settings.warning
    assert "kept" in settings.warning and "until you quit" in settings.warning
    # Changed here and saved on quit: the newer file is untouched, nothing is moved aside.
    settings.set("theme", "light")
    settings.save()
    assert paths.settings_file.read_text(encoding="utf-8") == original
    assert [p.name for p in paths.config.iterdir()] == ["settings.json"]


def test_a_version_that_is_not_a_number_is_still_a_corrupt_file(linkdesk_home: Path) -> None:
    paths = default_paths({"LINKDESK_HOME": str(linkdesk_home)}).ensure()
    paths.settings_file.write_text(json.dumps({"version": "three"}), encoding="utf-8")
    settings = Settings.load(paths)
    assert settings.newer_version is None
    assert settings.warning is not None and "could not be read" in settings.warning
    assert any(p.name.startswith("settings.json.corrupt-") for p in paths.config.iterdir())
