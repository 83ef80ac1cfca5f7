"""Platform logos from resources/logos, else a monogram drawn in a colour of the platform's own."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

from desktop.core.assets import asset
from desktop.core.guides import Guide

# Calm, distinct hues that keep white text readable in light and dark themes.
_HUES = ("#2f6fdb", "#1a8f6a", "#b4532a", "#7a4bc2", "#c23b6a", "#2b8aa8", "#8a6d1f", "#4d5bd0")
_logo_cache: dict[tuple[str, int], QPixmap | None] = {}


def monogram_text(guide: Guide) -> str:
    if guide.monogram:
        return guide.monogram
    words = [w for w in guide.name.replace("&", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or guide.name[:1].upper()


def monogram_colour(guide: Guide) -> QColor:
    # A stable choice from the slug, so a platform keeps its colour between runs and machines.
    return QColor(_HUES[sum(guide.key.encode()) % len(_HUES)])


def logo(guide: Guide, size: int) -> QPixmap | None:
    """The platform's SVG logo rendered at size (device pixels), or None when there is none."""
    for key in (*guide.platform_keys, guide.key):
        if (key, size) in _logo_cache:
            cached = _logo_cache[(key, size)]
            if cached is not None:
                return cached
            continue
        path = asset("logos", f"{key}.svg")
        pixmap: QPixmap | None = None
        if path.is_file():
            from PySide6.QtSvg import QSvgRenderer  # only when a logo exists

            renderer = QSvgRenderer(str(path))
            if renderer.isValid():
                pixmap = QPixmap(size, size)
                pixmap.fill(Qt.GlobalColor.transparent)
                painter = QPainter(pixmap)
                renderer.render(painter, QRectF(0, 0, size, size))
                painter.end()
        _logo_cache[(key, size)] = pixmap
        if pixmap is not None:
            return pixmap
    return None


def paint_badge(painter: QPainter, rect: QRectF, guide: Guide) -> None:
    """The guide's logo in rect, or its monogram on a rounded square."""
    ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
    pixmap = logo(guide, round(rect.width() * ratio))
    if pixmap is not None:
        painter.drawPixmap(rect.toRect(), pixmap)
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(monogram_colour(guide))
    radius = rect.width() * 0.22
    painter.drawRoundedRect(rect, radius, radius)
    text = monogram_text(guide)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(8, round(rect.height() * (0.42 if len(text) <= 2 else 0.32))))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
