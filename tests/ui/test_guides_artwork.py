"""Tile artwork: a platform's SVG logo when resources/logos has one, else a monogram."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from desktop.core.guides import builtin_guides_dir, load_library
from desktop.ui.guides import artwork

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<rect width="10" height="10" fill="#00ff00"/></svg>'
)


@pytest.fixture
def logos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "resources" / "logos"
    folder.mkdir(parents=True)
    monkeypatch.setattr(artwork, "asset", lambda *parts: tmp_path.joinpath("resources", *parts))
    monkeypatch.setattr(artwork, "_logo_cache", {})
    return folder


def _paint(guide) -> QImage:  # type: ignore[no-untyped-def]
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("#000000"))
    painter = QPainter(image)
    artwork.paint_badge(painter, QRectF(0, 0, 40, 40), guide)
    painter.end()
    return image


def test_logo_from_resources_else_monogram(qapp, logos: Path) -> None:  # type: ignore[no-untyped-def]
    library = load_library(builtin_guides_dir())
    xero = library.by_platform_key("gbol")
    sage = library.by_platform_key("tgff")
    assert xero is not None and sage is not None
    (logos / "gbol.svg").write_text(SVG)
    assert artwork.logo(xero, 40) is not None
    assert artwork.logo(sage, 40) is None
    assert _paint(xero).pixelColor(20, 20) == QColor("#00ff00")
    monogram = _paint(sage)
    assert monogram.pixelColor(20, 2) == artwork.monogram_colour(sage)
    assert artwork.monogram_text(sage) == "SA"


def test_monogram_text_without_a_monogram_field(qapp) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    guide = load_library(builtin_guides_dir()).get("netsuite")
    assert guide is not None
    assert artwork.monogram_text(replace(guide, monogram="")) == "ON"
    assert artwork.monogram_text(guide) == "NS"
