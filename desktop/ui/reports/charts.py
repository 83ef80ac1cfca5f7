"""Bar charts for the Reports page, drawn with pyqtgraph.

Imported only when the Reports page is first shown: pyqtgraph and numpy cost start-up time and
memory that the first frame does not need. Colours come from the application palette, so the charts
follow light, dark and presentation mode; a click on a bar says which one.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

BAR = 0.6  # bar thickness, in category units


class BarChart(QWidget):
    """One or two series of bars over named categories; ``bar_clicked(index)`` on a click.

    ``horizontal`` puts the categories down the left (long names: platforms, problems).
    ``empty_text`` replaces the plot when there is no bar to draw (no axes without figures).
    """

    bar_clicked = Signal(int)

    def __init__(
        self,
        title: str,
        *,
        horizontal: bool = False,
        empty_text: str = "No figures to draw for these calls.",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.horizontal = horizontal
        self.setAccessibleName(f"{title} chart")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setTitle(title)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.empty = QLabel(f"{title}\n\n{empty_text}")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(f"{title} chart: nothing to draw")
        self.empty.hide()
        layout.addWidget(self.empty)
        self.labels: list[str] = []
        self.series: list[tuple[str, list[float]]] = []
        self.font_scale = 1.0
        self.restyle()

    def set_data(
        self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]
    ) -> None:
        """``series``: (name, one value per label); the first is drawn strongest."""
        self.labels = list(labels)
        self.series = [(name, [float(v) for v in values]) for name, values in series]
        self._draw()

    def has_bars(self) -> bool:
        """Whether any bar is drawn: a category with a value above zero."""
        return bool(self.labels) and any(v > 0 for _, values in self.series for v in values)

    def set_font_scale(self, scale: float) -> None:
        self.font_scale = scale
        self.restyle()

    def restyle(self) -> None:
        palette = QApplication.palette()
        self.plot.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * self.font_scale)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
            axis.setTickFont(font)
        self.plot.setTitle(
            self.plot.plotItem.titleLabel.text, color=text, size=f"{font.pointSizeF() * 1.2:.0f}pt"
        )
        self.empty.setFont(font)
        self._draw()

    def _colours(self) -> list[QColor]:
        palette = QApplication.palette()
        strong = palette.color(QPalette.ColorRole.Highlight)
        soft = QColor(strong)  # the same hue, paler over the background in either theme
        soft.setAlpha(110)
        return [strong, soft]

    def _draw(self) -> None:
        self.plot.clear()
        bars = self.has_bars()
        self.plot.setVisible(bars)
        self.empty.setVisible(not bars)
        n = len(self.labels)
        if not bars:
            return
        count = max(len(self.series), 1)
        thickness = BAR / count
        for i, ((_, values), colour) in enumerate(zip(self.series, self._colours(), strict=False)):
            offset = (i - (count - 1) / 2) * thickness
            positions = [k + offset for k in range(n)]
            if self.horizontal:
                item = pg.BarGraphItem(
                    x0=0, y=positions, height=thickness, width=values, brush=colour, pen=None
                )
            else:
                item = pg.BarGraphItem(
                    x=positions, height=values, width=thickness, brush=colour, pen=None
                )
            self.plot.addItem(item)
        ticks = [list(enumerate(self.labels))]
        category = self.plot.getAxis("left" if self.horizontal else "bottom")
        category.setTicks(ticks)
        if self.horizontal:
            self.plot.getViewBox().invertY(True)
            self.plot.setYRange(-0.5, n - 0.5, padding=0.02)
        else:
            self.plot.setXRange(-0.5, n - 0.5, padding=0.02)
        if self.series:
            top = max((max(v) for _, v in self.series if v), default=0.0) or 1.0
            if self.horizontal:
                self.plot.setXRange(0, top, padding=0.05)
            else:
                self.plot.setYRange(0, top, padding=0.05)

    def bar_at(self, scene_pos: QPointF) -> int | None:
        """The category under a point of the scene, if a bar is there."""
        view = self.plot.getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        point = view.mapSceneToView(scene_pos)
        along = point.y() if self.horizontal else point.x()
        index = round(float(along))
        if not 0 <= index < len(self.labels) or abs(along - index) > BAR / 2:
            return None
        return index

    def _clicked(self, event: object) -> None:
        if getattr(event, "button", lambda: None)() != Qt.MouseButton.LeftButton:
            return
        index = self.bar_at(event.scenePos())  # type: ignore[attr-defined]
        if index is not None:
            self.bar_clicked.emit(index)

    def save_png(self, path: str) -> bool:
        return self.grab().save(path, "PNG")
