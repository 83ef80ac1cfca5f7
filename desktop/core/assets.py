"""Find LinkDesk's bundled files (resources/, guides/) from a source checkout or a frozen build."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


def app_root() -> Path:
    """The folder holding resources/ and guides/: PyInstaller's bundle folder when frozen, else
    the checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return _checkout()


@cache
def _checkout() -> Path:
    # Resolved once: the tiles' logos ask for their files on every paint.
    return Path(__file__).resolve().parents[2]


def asset(*parts: str) -> Path:
    """A path below resources/, e.g. ``asset("icons", "linkdesk.svg")``."""
    return app_root().joinpath("resources", *parts)
