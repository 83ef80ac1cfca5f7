"""Icons from resources/icons (SVG, so they stay sharp at any device pixel ratio)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from desktop.core.assets import asset


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(asset("icons", f"{name}.svg")))


def app_icon() -> QIcon:
    return icon("linkdesk")
