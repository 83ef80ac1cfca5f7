"""Icons from resources/icons/png, pre-rendered from the SVGs at several sizes.

Qt picks the size that fits the device pixel ratio, so icons stay sharp on high-DPI screens, without
loading Qt's SVG module for the first frame (scripts/render_icons.py explains).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from desktop.core.assets import asset


@cache
def icon(name: str) -> QIcon:
    result = QIcon()
    for path in sorted(asset("icons", "png").glob(f"{name}-*.png")):
        result.addFile(str(path))
    if result.isNull():  # a new SVG not yet rendered: fall back to the vector file
        result = QIcon(str(asset("icons", f"{name}.svg")))
    return result


def app_icon() -> QIcon:
    return icon("linkdesk")
