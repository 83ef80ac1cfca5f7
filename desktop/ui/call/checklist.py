"""The customer checklist from the guides, ticked per call."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QVBoxLayout, QWidget

from desktop.core.guides.model import Checklist
from desktop.ui.rich_text import plain_tooltip


class ChecklistBox(QGroupBox):
    ticked = Signal(str, bool)  # item key, ticked

    def __init__(self, checklist: Checklist | None, parent: QWidget | None = None) -> None:
        super().__init__(checklist.title if checklist else "Checklist", parent)
        self.setAccessibleName("Customer checklist")
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        for item in checklist.items if checklist else ():
            box = QCheckBox(item.text)
            box.setAccessibleName(item.text)
            box.setToolTip(plain_tooltip(item.detail))
            box.toggled.connect(lambda on, key=item.key: self.ticked.emit(key, on))
            layout.addWidget(box)
            self.boxes[item.key] = box

    def label(self, key: str) -> str | None:
        """The item's wording as the agent reads it out."""
        box = self.boxes.get(key)
        return box.text() if box is not None else None

    def labels(self) -> dict[str, str]:
        """Every item's wording, in checklist order (for exports that list unticked items)."""
        return {key: box.text() for key, box in self.boxes.items()}

    def set_ticks(self, ticks: dict[str, bool]) -> None:
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(ticks.get(key, False))
            box.blockSignals(False)


def checklist_text(checklist: Checklist | None) -> str:
    if checklist is None:
        return ""
    return "\n".join(f"- {item.text}" for item in checklist.items)
