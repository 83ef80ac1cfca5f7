"""Every user setting, declared once, stored as one versioned JSON file in the config folder.

Global settings apply to the whole installation; profile settings belong to one profile (a team may
keep a "sandbox" profile and a "production" profile side by side). The API key is not a setting: it
lives in the keyring (see secrets.py).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from desktop.core.paths import Paths

SCHEMA_VERSION = 2
DEFAULT_PROFILE = "default"
CODAT_API_BASE = "https://api.codat.io"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$")

DEFAULT_INVITATION = (
    "Hello {company},\n\n"
    "To connect your accounting software, please open this link: {link}\n\n"
    "Before you start:\n{checklist}\n\n"
    "I will stay on the call while you go through it.\n{agent}"
)

Scope = Literal["global", "profile"]


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    scope: Scope = "global"
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


def _declare(*settings: Setting) -> dict[str, Setting]:
    return {s.key: s for s in settings}


SETTINGS: dict[str, Setting] = _declare(
    Setting("theme", str, "system", "Theme", choices=("system", "light", "dark")),
    Setting("font_scale", float, 1.0, "Text size (for screen share)", minimum=0.75),
    Setting("agent_name", str, "", "Your name (used in invitations)"),
    Setting("invitation_template", str, DEFAULT_INVITATION, "Invitation text"),
    Setting("team_guides_dir", str, "", "Team guides folder (empty: in the data folder)"),
    # Read by `linkdesk guides check`, which warns about guides checked longer ago than this.
    Setting(
        "guides_max_age_days", int, 180, "Re-check a guide against Codat after (days)", minimum=1
    ),
    Setting("notify", bool, True, "Notify when a followed journey changes"),
    Setting(
        "fast_interval", float, 2.0, "Poll interval while a change is expected (s)", minimum=0.5
    ),
    Setting(
        "medium_interval",
        float,
        10.0,
        "Poll interval while waiting for the customer (s)",
        minimum=1.0,
    ),
    Setting("slow_interval", float, 300.0, "Poll interval when nothing moves (s)", minimum=60.0),
    Setting("max_backoff", float, 120.0, "Longest wait between retries (s)", minimum=5.0),
    # This installation's share of Codat's daily quota (percent), spent as a steady rate.
    Setting(
        "quota_share",
        float,
        25.0,
        "Share of Codat's daily request quota (%)",
        minimum=1.0,
        maximum=100.0,
    ),
    Setting(
        "stall_seconds",
        dict,
        {"1": 180, "2": 300, "3": 300, "4": 600, "5": 1800},
        "Prompt when a step stalls for (s), per step",
    ),
    Setting("hub_url", str, "", "Team hub NATS URL (empty: polling only)"),
    Setting("hub_tls_ca", str, "", "Team hub: CA file (PEM) for its TLS (empty: the system's)"),
    # Read by desktop.core.team's publisher at each publish: off, a call's summary names no company.
    Setting(
        "team_share_company_names",
        bool,
        False,
        "Share company names in the team's reports",
    ),
    # Where the window was last: Qt's own saveGeometry() bytes, base64. Not shown in Settings.
    Setting("window_geometry", str, "", "Main window position and size"),
    # Where the call page's splitters were left (Qt's saveState, base64, per splitter).
    Setting("call_layout", dict, {}, "Call page splitter positions"),
    Setting("api_base", str, CODAT_API_BASE, "Codat API base URL", scope="profile"),
    # Read by every Codat client of the profile (codat/urls.py): http:// sends the key in clear.
    Setting(
        "allow_insecure_http",
        bool,
        False,
        "Allow an http:// API base off this computer (sends the key unencrypted)",
        scope="profile",
    ),
)


def _upgrade_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    # Version 1 kept the API base at the top level, before profiles existed.
    base = data.pop("api_base", None)
    profiles = data.setdefault("profiles", {DEFAULT_PROFILE: {}})
    if base:
        profiles.setdefault(DEFAULT_PROFILE, {})["api_base"] = base
    return data


# UPGRADES[n] turns a version-n file into version n+1.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _upgrade_1_to_2}


class SettingsError(ValueError):
    pass


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, setting.type) or (setting.type is int and isinstance(value, bool)):
        raise SettingsError(f"{setting.label}: expected {setting.type.__name__}, got {value!r}")
    if setting.choices and value not in setting.choices:
        raise SettingsError(f"{setting.label}: must be one of {', '.join(setting.choices)}")
    if setting.minimum is not None and isinstance(value, int | float) and value < setting.minimum:
        raise SettingsError(f"{setting.label}: must be at least {setting.minimum:g}")
    if setting.maximum is not None and isinstance(value, int | float) and value > setting.maximum:
        raise SettingsError(f"{setting.label}: must be at most {setting.maximum:g}")
    return value


@dataclass
class Settings:
    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=lambda: {DEFAULT_PROFILE: {}})
    current_profile: str = DEFAULT_PROFILE
    warning: str | None = None  # told to the user once, e.g. after recovering from a corrupt file
    newer_version: int | None = None  # the file's version when a newer LinkDesk wrote it

    @classmethod
    def load(cls, paths: Paths) -> Settings:
        path = paths.settings_file
        settings = cls(path=path)
        if not path.exists():
            return settings
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            version = data.get("version", 1)
            newer = isinstance(version, int) and not isinstance(version, bool)
            if newer and version > SCHEMA_VERSION:  # kept as it is, read for what is known
                return cls._from_newer(path, data, version)
            data = cls._upgrade(data)
            settings._absorb(data)
        except (ValueError, OSError, KeyError, TypeError) as exc:
            backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                path.replace(backup)
                kept = f"The unreadable file was kept as {backup.name}."
            except OSError:
                kept = "The unreadable file could not be moved aside."
            fresh = cls(path=path)
            fresh.warning = f"Your settings could not be read ({exc}); defaults are in use. {kept}"
            return fresh
        return settings

    @classmethod
    def _from_newer(cls, path: Path, data: dict[str, Any], version: int) -> Settings:
        """A file from a newer LinkDesk: read the settings this release knows, never write it.

        Version 2's layout (``global``, ``profiles``, ``current_profile``) is assumed; what this
        release does not know is ignored here and stays in the file, which save() leaves alone.
        """
        settings = cls(path=path, newer_version=version)
        settings._absorb(data)
        newer = (
            f"Your settings file was written by a newer LinkDesk (settings version {version}; "
            f"this one knows {SCHEMA_VERSION}). The settings it knows are in use; the file is "
            "kept as it is, and changes made here last only until you quit."
        )
        settings.warning = newer if settings.warning is None else f"{newer} {settings.warning}"
        return settings

    @staticmethod
    def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
        version = data.get("version", 1)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ValueError(
                f"settings version {version!r} is newer than this LinkDesk understands"
            )
        while version < SCHEMA_VERSION:
            data = UPGRADES[version](data)
            version += 1
        data["version"] = version
        return data

    def _absorb(self, data: dict[str, Any]) -> None:
        problems: list[str] = []
        for key, value in (data.get("global") or {}).items():
            setting = SETTINGS.get(key)
            if setting is None or setting.scope != "global":
                continue  # a setting from a newer or older release: ignore, keep going
            try:
                self.values[key] = _coerce(setting, value)
            except SettingsError as exc:
                problems.append(str(exc))
        profiles = data.get("profiles") or {}
        self.profiles = {}
        for name, stored in profiles.items():
            if (
                not isinstance(name, str)
                or not PROFILE_NAME.match(name)
                or not isinstance(stored, dict)
            ):
                continue
            clean: dict[str, Any] = {}
            for key, value in stored.items():
                setting = SETTINGS.get(key)
                if setting is None or setting.scope != "profile":
                    continue
                try:
                    clean[key] = _coerce(setting, value)
                except SettingsError as exc:
                    problems.append(f"{name}: {exc}")
            self.profiles[name] = clean
        if not self.profiles:
            self.profiles = {DEFAULT_PROFILE: {}}
        current = data.get("current_profile")
        self.current_profile = current if current in self.profiles else next(iter(self.profiles))
        if problems:
            self.warning = "Some settings were invalid and reset to defaults: " + "; ".join(
                problems
            )

    def get(self, key: str, profile: str | None = None) -> Any:
        setting = SETTINGS[key]
        if setting.scope == "profile":
            stored = self.profiles.get(profile or self.current_profile, {})
            return stored.get(key, setting.default)
        return self.values.get(key, setting.default)

    def set(self, key: str, value: Any, profile: str | None = None) -> None:
        setting = SETTINGS[key]
        value = _coerce(setting, value)
        if setting.scope == "profile":
            name = profile or self.current_profile
            if name not in self.profiles:
                raise SettingsError(f"No profile named {name!r}")
            self.profiles[name][key] = value
        else:
            self.values[key] = value

    def set_many(self, values: dict[str, Any], profile: str | None = None) -> None:
        """All or nothing: every value is checked before any is stored."""
        for key, value in values.items():
            _coerce(SETTINGS[key], value)
        for key, value in values.items():
            self.set(key, value, profile)

    def add_profile(self, name: str) -> None:
        name = name.strip()
        if not PROFILE_NAME.match(name):
            raise SettingsError(
                "A profile name is 1 to 40 letters, digits, spaces, dots, dashes or underscores, "
                "starting with a letter or digit."
            )
        if name in self.profiles:
            raise SettingsError(f"There is already a profile named {name!r}.")
        self.profiles[name] = {}

    def remove_profile(self, name: str) -> None:
        if len(self.profiles) == 1:
            raise SettingsError("The last profile cannot be removed.")
        self.profiles.pop(name, None)
        if self.current_profile == name:
            self.current_profile = next(iter(self.profiles))

    def use_profile(self, name: str) -> None:
        if name not in self.profiles:
            raise SettingsError(f"No profile named {name!r}")
        self.current_profile = name

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "current_profile": self.current_profile,
            "global": dict(sorted(self.values.items())),
            "profiles": {name: dict(sorted(v.items())) for name, v in self.profiles.items()},
        }

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the previous file intact.

        Does nothing when the file was written by a newer LinkDesk (``newer_version``): writing it
        in this release's format would lose what the newer one stored; the user was told.
        """
        import tempfile  # deferred: start-up only reads settings

        if self.newer_version is not None:
            return

        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
