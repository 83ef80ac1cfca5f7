"""The customer checklist from the guides, ticked per call."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QWidget

from desktop.core.guides.model import Checklist
from desktop.core.guides.render import invitation_checklist
from desktop.ui.rich_text import plain_tooltip
from desktop.ui.theme import outline_indicators


class _ItemLabel(QLabel):
    """The item's words beside its box, wrapped to the pane's width; a click ticks the box."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self.box = box
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setBuddy(box)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.box.toggle()
        super().mousePressEvent(event)


class ChecklistBox(QGroupBox):
    ticked = Signal(str, bool)  # item key, ticked

    def __init__(self, checklist: Checklist | None, parent: QWidget | None = None) -> None:
        super().__init__(checklist.title if checklist else "Checklist", parent)
        self.setAccessibleName("Customer checklist")
        self.boxes: dict[str, QCheckBox] = {}
        self.item_labels: dict[str, QLabel] = {}
        self._texts: dict[str, str] = {}
        # A check box's own text never wraps, and one long item made the pane 450 px wide: the
        # words go in a wrapping label beside an empty box.
        layout = QGridLayout(self)
        layout.setColumnStretch(1, 1)
        for row, item in enumerate(checklist.items if checklist else ()):
            box = QCheckBox()
            box.setAccessibleName(item.text)
            box.setToolTip(plain_tooltip(item.detail))
            box.toggled.connect(lambda on, key=item.key: self.ticked.emit(key, on))
            words = _ItemLabel(item.text, box)
            words.setToolTip(plain_tooltip(item.detail))
            layout.addWidget(box, row, 0, Qt.AlignmentFlag.AlignTop)
            layout.addWidget(words, row, 1)
            self.boxes[item.key] = box
            self.item_labels[item.key] = words
            self._texts[item.key] = item.text
        layout.setRowStretch(len(self.boxes), 1)
        outline_indicators(*self.boxes.values())

    def label(self, key: str) -> str | None:
        """The item's wording as the agent reads it out."""
        return self._texts.get(key)

    def labels(self) -> dict[str, str]:
        """Every item's wording, in checklist order (for exports that list unticked items)."""
        return dict(self._texts)

    def set_ticks(self, ticks: dict[str, bool]) -> None:
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(ticks.get(key, False))
            box.blockSignals(False)


def checklist_text(checklist: Checklist | None) -> str:
    """The checklist as it goes into the invitation (see ``invitation_checklist``)."""
    return invitation_checklist(checklist) if checklist is not None else ""
