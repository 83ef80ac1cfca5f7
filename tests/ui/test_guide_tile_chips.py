"""A guide tile's chips: the "+N" standing for the chips left out is drawn whole, never clipped."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from desktop.ui.guides.tiles import TILE, GuideTileDelegate

REGIONS = ["UK", "IE", "DE", "ES", "PT", "FR", "US", "CA", "AU"]  # Sage Accounting's kind of list


class RecordingPainter:
    """Stands in for QPainter: keeps each text drawn and the rectangle it was given."""

    def __init__(self) -> None:
        self.texts: list[tuple[QRect | QRectF, str]] = []

    def drawText(self, rect: QRect | QRectF, flags: int, text: str) -> None:
        self.texts.append((rect, text))

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


@pytest.mark.parametrize("scale", [1.0, 1.35])
@pytest.mark.parametrize("extra", [0, 3, 6, 20])
def test_the_more_marker_fits_its_text(qtbot: Any, scale: float, extra: int) -> None:
    delegate = GuideTileDelegate()
    delegate.scale = scale
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * 0.82 * scale)
    metrics = QFontMetrics(font)
    tile = QRect(0, 0, round(TILE.width() * scale), round(TILE.height() * scale)).adjusted(
        4, 4, -4, -4
    )
    pad = round(12 * scale)
    chips = REGIONS + [f"T{i}" for i in range(extra)]
    painter = RecordingPainter()
    delegate._chips(painter, chips, len(REGIONS), font, tile, pad, QApplication.palette())  # type: ignore[arg-type]
    more = [(rect, text) for rect, text in painter.texts if text.startswith("+")]
    assert len(more) == 1
    rect, text = more[0]
    assert rect.width() >= metrics.horizontalAdvance(text)  # not cut to "+:"
    assert rect.left() + metrics.horizontalAdvance(text) <= tile.right() - pad + 1
    shown = [t for _, t in painter.texts if not t.startswith("+")]
    assert len(shown) + int(text[1:]) == len(chips)  # every chip is shown or counted


def test_all_chips_that_fit_are_shown_without_a_marker(qtbot: Any) -> None:
    from desktop.ui.guides.tiles import fit_chips

    metrics = QFontMetrics(QApplication.font())
    assert fit_chips(metrics, ["UK", "IE"], 1000) == (2, "")
    shown, more = fit_chips(metrics, REGIONS, 200)
    assert 0 < shown < len(REGIONS) and more == f"+{len(REGIONS) - shown}"
