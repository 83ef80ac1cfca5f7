"""Choose a practice-call scenario; the shell starts it on the embedded sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.practice import Scenario

PLATFORMS = (
    ("gbol", "Xero"),
    ("qhyg", "QuickBooks Online"),
    ("akxx", "Oracle NetSuite"),
    ("trji", "Dynamics 365 Business Central"),
    ("hbql", "Sage 50 Accounts"),
    ("pqsw", "QuickBooks Desktop"),
    ("knfz", "Sage Intacct"),
    ("fbrh", "FreeAgent"),
    ("mqjo", "Codat Sandbox"),
)


class PracticeDialog(QDialog):
    chosen = Signal(object, str)  # Scenario, platform key

    def __init__(self, scenarios: list[Scenario], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Practice call")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A practice call runs on the embedded sandbox: a simulated customer goes through "
            "Link on their own, and LinkDesk follows them exactly as on a real call."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setAccessibleName("Scenarios")
        # Each description wraps to the list's width: no sideways scrolling, nothing cut off.
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # re-wrap when the dialog resizes
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(2)  # a gap between scenarios now that each may take two lines
        for scenario in scenarios:
            item = QListWidgetItem(f"{scenario.name}: {scenario.summary}")
            item.setData(Qt.ItemDataRole.UserRole, scenario)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        layout.addWidget(self.list, 1)
        form = QFormLayout()
        self.platform = QComboBox()
        self.platform.setAccessibleName("Platform")
        for key, name in PLATFORMS:
            self.platform.addItem(f"{name} ({key})", key)
        form.addRow("&Platform", self.platform)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start practice call")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.list.currentItemChanged.connect(lambda *_: self._sync_platform())
        self._sync_platform()

    def selected(self) -> Scenario | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _sync_platform(self) -> None:
        scenario = self.selected()
        if scenario is None:
            return
        index = self.platform.findData(scenario.platform_key)
        if index >= 0:
            self.platform.setCurrentIndex(index)
        self.platform.setEnabled(scenario.takes_platform)

    def _accept(self) -> None:
        scenario = self.selected()
        if scenario is not None:
            self.chosen.emit(scenario, str(self.platform.currentData()))
        self.accept()
