"""The guide tiles: a list model and a painting delegate, so hundreds of guides stay fast."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.core.guides import Guide, regions_text
from desktop.ui.guides.artwork import paint_badge
from desktop.ui.rich_text import plain_tooltip

GUIDE_ROLE = Qt.ItemDataRole.UserRole + 1
SLUG_ROLE = Qt.ItemDataRole.UserRole + 2
TILE = QSize(228, 118)
CHIP_PAD = 12  # pixels: a chip's text from its two ends together
CHIP_GAP = 5  # pixels between chips


class GuideTilesModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.guides: list[Guide] = []

    def set_guides(self, guides: list[Guide]) -> None:
        if [g.key for g in guides] == [g.key for g in self.guides] and guides == self.guides:
            return  # unchanged result: keep the selection and skip a relayout
        self.beginResetModel()
        self.guides = list(guides)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.guides)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.guides):
            return None
        guide = self.guides[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return guide.name
        if role == GUIDE_ROLE:
            return guide
        if role == SLUG_ROLE:
            return guide.key
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            extras = [regions_text(guide), *guide.tags]
            if guide.aliases:
                extras.append("also " + ", ".join(guide.aliases))
            text = f"{guide.name} ({'; '.join(extras)})"
            # A team guide file's name is outside text: a tooltip would read it as markup.
            return plain_tooltip(text) if role == Qt.ItemDataRole.ToolTipRole else text
        return None


class TilesView(QListView):
    """The tile grid. It says how wide its viewport is, so the page can fit the tiles to it, and
    which tile is selected or under the mouse, so the delegate can draw them.

    Read from the viewport's resize events rather than from ``viewport()``: handing Qt's private
    viewport class to Python makes PySide create the wrapper types of all of QtWidgets (65 enums).
    The delegate asks the view for a tile's state rather than reading ``option.state``: that value
    is a ``QStyle.StateFlag``, and making QStyle's 566 enum members cost the first frame about
    8 ms and 0.3 MiB (PySide6 6.11).
    """

    room_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hovered_row = -1  # the row under the mouse, as Qt's own hover index follows it

    def viewportEvent(self, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize and isinstance(event, QResizeEvent):
            self.room_changed.emit(event.size().width())
        elif kind in (QEvent.Type.Leave, QEvent.Type.HoverLeave):
            self._hover(-1)
        return super().viewportEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._hover(self.indexAt(event.position().toPoint()).row())
        super().mouseMoveEvent(event)

    def reset(self) -> None:
        self.hovered_row = -1  # other guides in the rows now: the next mouse move says which
        super().reset()

    def _hover(self, row: int) -> None:
        if row != self.hovered_row:
            old, self.hovered_row = self.hovered_row, row
            for changed in (old, row):
                if changed >= 0:
                    self.update(self.model().index(changed, 0))

    def is_selected(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        selection = self.selectionModel()
        return selection is not None and selection.isSelected(index)


class GuideTileDelegate(QStyledItemDelegate):
    """Paints a tile: badge, name, then region and tag chips."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The view whose tiles this paints (it knows which is selected and hovered); kept here
        # because option.widget would hand Qt's viewport to Python (see TilesView).
        self.view = parent if isinstance(parent, TilesView) else None
        self.scale = 1.0
        self.presentation = False
        self.width = 0  # 0: the natural width; else the row's width shared by its tiles

    def natural_width(self) -> int:
        return round(TILE.width() * self.scale)

    def tile_size(self) -> QSize:
        width = self.width or self.natural_width()
        return QSize(width, round(TILE.height() * self.scale))

    def fit(self, available: int) -> bool:
        """Share a row of `available` pixels evenly between as many tiles as fit; True if changed."""
        natural = self.natural_width()
        columns = max(1, available // natural)
        width = max(natural, available // columns) if available > 0 else 0
        if width == self.width:
            return False
        self.width = width
        return True

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return self.tile_size()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        guide = index.data(GUIDE_ROLE)
        if not isinstance(guide, Guide):
            return
        palette: QPalette = option.palette
        rect: QRect = option.rect.adjusted(4, 4, -4, -4)
        view = self.view
        selected = view is not None and view.is_selected(index)
        hovered = view is not None and view.hovered_row == index.row()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._card(painter, QRectF(rect), palette, selected, hovered)
        pad = round(12 * self.scale)
        badge = round(40 * self.scale)
        badge_rect = QRectF(rect.left() + pad, rect.top() + pad, badge, badge)
        paint_badge(painter, badge_rect, guide)
        name_font = QFont(option.font)
        name_font.setBold(True)
        name_font.setPointSizeF(name_font.pointSizeF() * 1.08)
        painter.setFont(name_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name_rect = QRect(
            round(badge_rect.right()) + pad,
            rect.top() + pad,
            rect.right() - round(badge_rect.right()) - 2 * pad,
            rect.height() - 2 * pad - round(22 * self.scale),
        )
        wrap = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        name = _elide_lines(name_font, guide.name, name_rect)
        needed = QFontMetrics(name_font).boundingRect(name_rect, int(wrap), name).height()
        if needed <= badge:
            # One or two lines sit centred beside the badge; longer names run down from its top.
            name_rect.setHeight(badge)
            painter.drawText(name_rect, int(wrap | Qt.AlignmentFlag.AlignVCenter), name)
        else:
            painter.drawText(name_rect, int(wrap | Qt.AlignmentFlag.AlignTop), name)
        chips = [*guide.regions, *guide.tags]
        if guide.origin == "team" and not self.presentation:
            chips.append("team")
        chip_font = QFont(option.font)
        chip_font.setPointSizeF(chip_font.pointSizeF() * 0.82)
        self._chips(painter, chips, len(guide.regions), chip_font, rect, pad, palette)
        painter.restore()

    def _card(
        self, painter: QPainter, rect: QRectF, palette: QPalette, selected: bool, hovered: bool
    ) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        accent = palette.color(QPalette.ColorRole.Highlight)
        if selected:
            fill = QColor(accent)
            fill.setAlpha(38)
            painter.setBrush(base)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect, 10, 10)
            painter.setBrush(fill)
            painter.setPen(QPen(accent, 2.5 if not self.presentation else 4))
        else:
            painter.setBrush(base)
            border = accent if hovered else palette.color(QPalette.ColorRole.Mid)
            painter.setPen(QPen(border, 1 if not self.presentation else 2))
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 10, 10)

    def _chips(
        self,
        painter: QPainter,
        chips: list[str],
        region_count: int,
        font: QFont,
        rect: QRect,
        pad: int,
        palette: QPalette,
    ) -> None:
        painter.setFont(font)
        metrics = QFontMetrics(font)
        height = metrics.height() + 4
        x = rect.left() + pad
        y = rect.bottom() - pad - height
        limit = rect.right() - pad
        text_colour = palette.color(QPalette.ColorRole.Text)
        shown, more = fit_chips(metrics, chips, limit - x)
        for i, chip in enumerate(chips[:shown]):
            width = metrics.horizontalAdvance(chip) + CHIP_PAD
            chip_rect = QRectF(x, y, width, height)
            if i < region_count:
                # Regions: outlined; tags: softly filled, so the two read apart at a glance.
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
            else:
                fill = QColor(palette.color(QPalette.ColorRole.Highlight))
                fill.setAlpha(40)
                painter.setBrush(fill)
                painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(chip_rect, height / 2, height / 2)
            painter.setPen(text_colour)
            painter.drawText(chip_rect, int(Qt.AlignmentFlag.AlignCenter), chip)
            x += width + CHIP_GAP
        if more:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                QRect(x, y, metrics.horizontalAdvance(more) + 2, height),
                int(Qt.AlignmentFlag.AlignVCenter),
                more,
            )


def fit_chips(metrics: QFontMetrics, chips: list[str], room: int) -> tuple[int, str]:
    """How many of ``chips`` fit in ``room`` pixels, and the "+N" that stands for the rest ("" when
    all fit). The "+N" is sized to its own text: chips give way to it, so it is never cut off."""
    widths = [metrics.horizontalAdvance(chip) + CHIP_PAD for chip in chips]
    if sum(widths) + CHIP_GAP * max(0, len(widths) - 1) <= room:
        return len(chips), ""
    shown = len(chips)
    while shown > 0:
        shown -= 1
        more = f"+{len(chips) - shown}"
        used = sum(widths[:shown]) + CHIP_GAP * shown
        if used + metrics.horizontalAdvance(more) + 2 <= room:
            return shown, more
    return 0, f"+{len(chips)}"


def _elide_lines(font: QFont, text: str, rect: QRect) -> str:
    metrics = QFontMetrics(font)
    lines = max(1, rect.height() // metrics.lineSpacing())
    budget = rect.width() * lines - 12 * lines  # word wrap wastes part of each line
    if metrics.horizontalAdvance(text) <= budget:
        return text
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, budget)
