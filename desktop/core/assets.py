"""Find LinkDesk's bundled files (resources/, guides/) from a source checkout or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path


def app_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[2]


def asset(*parts: str) -> Path:
    """A path below resources/, e.g. ``asset("icons", "linkdesk.svg")``."""
    return app_root().joinpath("resources", *parts)
