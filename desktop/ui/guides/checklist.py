"""The customer checklist as tick boxes, with the whole list one click from the chat window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.guides import Checklist, checklist_message
from desktop.ui.guides import presentation
from desktop.ui.rich_text import escape, plain_label, plain_tooltip
from desktop.ui.theme import outline_indicators

COPY_TEXT = "Copy as message"
CLEAR_TEXT = "Clear ticks"
# Around the two buttons, which set the pane's minimum width: the pane's margins and the frame of
# the tabs it sits in (Fusion; tests/ui/test_guides_page.py checks the sum against the tabs).
_AROUND_BUTTONS = 28


def minimum_width_before_made() -> int:
    """The minimum width (px) of the checklist tab before it is made: the Guides page keeps that
    room for it in its first frame, so the window does not widen when the tab comes."""
    return _AROUND_BUTTONS + sum(
        QPushButton(text).sizeHint().width() for text in (COPY_TEXT, CLEAR_TEXT)
    )


class _ClickLabel(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class ChecklistPane(QWidget):
    ticked = Signal(str, bool)  # item key, ticked
    copied = Signal(str)

    def __init__(self, checklist: Checklist | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Customer checklist")
        self.checklist = checklist
        self.boxes: dict[str, QCheckBox] = {}
        self._labels: dict[QCheckBox, QLabel] = {}  # each box's text
        outer = QVBoxLayout(self)
        # The items scroll and the buttons stay: in presentation mode, or at 1366x768, the items
        # are taller than the pane, and the last one was cut off with nothing to scroll it.
        self.items_area = QScrollArea()
        self.items_area.setAccessibleName("Checklist items")
        self.items_area.setWidgetResizable(True)
        self.items_area.setFrameShape(QFrame.Shape.NoFrame)
        self.items_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Our own viewport, transparent: asking the scroll area for its own one (viewport()) has
        # shiboken look through every QWidget subclass for its type, about 0.7 MiB before the first
        # frame (PySide6 6.11, measured with tracemalloc).
        viewport = QWidget()
        viewport.setAutoFillBackground(False)
        self.items_area.setViewport(viewport)
        items = QWidget()
        layout = QVBoxLayout(items)
        layout.setContentsMargins(0, 0, 0, 0)
        title = plain_label(checklist.title if checklist else "Customer checklist")
        title.setWordWrap(True)
        self.title = title
        self._style_title()
        layout.addWidget(title)
        if checklist is None:
            missing = QLabel("The checklist file could not be loaded. See the guide errors.")
            missing.setWordWrap(True)
            layout.addWidget(missing)
        else:
            for item in checklist.items:
                # A bare box beside a wrapping label, so the pane can be narrow beside the tiles.
                box = QCheckBox()
                box.setAccessibleName(item.text)
                box.setToolTip(plain_tooltip(item.detail))
                box.toggled.connect(lambda on, key=item.key: self.ticked.emit(key, on))
                detail = f"<br>{escape(item.detail)}" if item.detail else ""
                text = _ClickLabel(f"<b>{escape(item.text)}</b>{detail}")
                text.setTextFormat(Qt.TextFormat.RichText)
                text.setWordWrap(True)
                text.setAccessibleName(f"About: {item.text}")
                text.clicked.connect(box.toggle)
                row = QHBoxLayout()
                row.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
                row.addWidget(text, 1)
                layout.addLayout(row)
                self.boxes[item.key] = box
                self._labels[box] = text
                box.installEventFilter(self)  # a box reached by Tab scrolls into view
            outline_indicators(*self.boxes.values())
        layout.addStretch(1)
        self.items_area.setWidget(items)
        # Transparent, so the pane's own background (presentation mode's paper) shows through.
        items.setAutoFillBackground(False)
        outer.addWidget(self.items_area, 1)
        layout = outer
        row = QHBoxLayout()
        self.copy_button = QPushButton(COPY_TEXT)
        self.copy_button.setAccessibleName("Copy checklist as message")
        self.copy_button.setToolTip("Copy the checklist as one chat message (Ctrl+Shift+M)")
        self.copy_button.setEnabled(checklist is not None)
        self.copy_button.clicked.connect(self.copy_message)
        self.clear_button = QPushButton(CLEAR_TEXT)
        self.clear_button.setAccessibleName("Clear checklist ticks")
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.copy_button)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setAccessibleName("Checklist status")
        layout.addWidget(self.status)
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+M"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.copy_message)

    def _style_title(self) -> None:
        # Derived from the pane's font, so presentation mode enlarges it too.
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QCheckBox):
            # The item's text as far as it fits, then the box itself for sure.
            label = self._labels.get(watched)
            if label is not None:
                self.items_area.ensureWidgetVisible(label, 0, 0)
            self.items_area.ensureWidgetVisible(watched)
        return False

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # text size, or presentation (the page stack)
            self._style_title()

    def message(self) -> str:
        return checklist_message(self.checklist) if self.checklist else ""

    def copy_message(self) -> None:
        text = self.message()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.status.setText("Checklist copied: paste it into the chat.")
            self.copied.emit(text)

    def checked_keys(self) -> list[str]:
        return [key for key, box in self.boxes.items() if box.isChecked()]

    def set_checked(self, key: str, on: bool) -> None:
        box = self.boxes.get(key)
        if box is not None:
            box.setChecked(on)

    def clear(self) -> None:
        for box in self.boxes.values():
            box.setChecked(False)
        self.status.clear()

    def set_presentation(self, on: bool) -> None:
        presentation.apply(self, on)
        self.setStyleSheet(presentation.checkbox_style(on, self.palette()))
        self._style_title()
