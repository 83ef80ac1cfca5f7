"""Render resources/icons/*.svg to PNGs at 1x, 2x and 3x (resources/icons/png/).

The app loads the PNGs: painting an SVG would load Qt's SVG module at start-up, about 4 MB more
memory for the first frame. Run again after changing an SVG: `python scripts/render_icons.py`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
# The dark theme's tick and radio dot, drawn in a 14 px indicator (see desktop/ui/theme.py).
INDICATOR_SIZES = (14, 28, 42)
SIZES = {
    "linkdesk": (16, 32, 48, 64, 128, 256),
    "tick-dark": INDICATOR_SIZES,
    "dot-dark": INDICATOR_SIZES,
}
NAV_SIZES = (24, 48, 72)


def render(svg: Path, size: int, out: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    image.save(str(out))


def main() -> None:
    _app = QGuiApplication(sys.argv[:1])
    out_dir = ICONS / "png"
    out_dir.mkdir(exist_ok=True)
    for svg in sorted(ICONS.glob("*.svg")):
        for size in SIZES.get(svg.stem, NAV_SIZES):
            render(svg, size, out_dir / f"{svg.stem}-{size}.png")
    print(f"rendered {len(list(out_dir.glob('*.png')))} PNGs into {out_dir}")


if __name__ == "__main__":
    main()
