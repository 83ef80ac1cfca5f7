"""Icons from resources/icons/png, pre-rendered from the SVGs at several sizes.

Qt picks the size that fits the device pixel ratio, so icons stay sharp on high-DPI screens, without
loading Qt's SVG module for the first frame (scripts/render_icons.py explains).
"""

from __future__ import annotations

import os
from functools import cache

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from desktop.core.assets import asset


@cache
def _rendered() -> dict[str, list[tuple[int, str]]]:
    """Every pre-rendered icon: its name, and each size (px) with its file (``NAME-SIZE.png``).
    One listing of the folder for all icons; the sizes come from the names, so Qt need not open
    each file to learn it."""
    found: dict[str, list[tuple[int, str]]] = {}
    folder = asset("icons", "png")
    for entry in sorted(os.listdir(folder)) if folder.is_dir() else ():
        name, _, size = entry.removesuffix(".png").rpartition("-")
        if entry.endswith(".png") and name and size.isdigit():
            found.setdefault(name, []).append((int(size), str(folder / entry)))
    return found


@cache
def icon(name: str) -> QIcon:
    result = QIcon()
    for size, path in _rendered().get(name, ()):
        result.addFile(path, QSize(size, size))
    if result.isNull():  # a new SVG not yet rendered: fall back to the vector file
        result = QIcon(str(asset("icons", f"{name}.svg")))
    return result


def app_icon() -> QIcon:
    return icon("linkdesk")
