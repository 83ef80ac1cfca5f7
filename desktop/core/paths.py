"""Where LinkDesk keeps its files.

platformdirs gives each OS's usual locations. ``LINKDESK_HOME`` moves all of them under one folder,
so tests and portable installs never touch the user's home.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "LINKDESK_HOME"
_APP = "linkdesk"


@dataclass(frozen=True)
class Paths:
    config: Path
    data: Path
    logs: Path
    cache: Path

    def ensure(self) -> Paths:
        for folder in (self.config, self.data, self.logs, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def database(self) -> Path:
        return self.data / "linkdesk.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.logs / "linkdesk.log"

    @property
    def team_guides(self) -> Path:
        return self.data / "team-guides"


def default_paths(environ: os._Environ[str] | dict[str, str] | None = None) -> Paths:
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "logs", root / "cache")
    import platformdirs  # deferred: only needed outside tests and portable use

    dirs = platformdirs.PlatformDirs(_APP, appauthor=False)
    return Paths(
        Path(dirs.user_config_dir),
        Path(dirs.user_data_dir),
        Path(dirs.user_log_dir),
        Path(dirs.user_cache_dir),
    )
