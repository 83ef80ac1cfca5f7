"""Editors for declared settings, made from their declarations (type, label, minimum, choices).

A setting added to ``desktop.core.settings.SETTINGS`` gets its editor here by naming its key in a
page of the Settings dialog; nothing else needs writing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.core.journey import STEP_TITLES, Step
from desktop.core.settings import SETTINGS, Setting, Settings

MULTILINE = frozenset({"invitation_template"})
FOLDERS = frozenset({"team_guides_dir"})
LARGEST = 1_000_000


class _StepSeconds(QWidget):
    """The per-step stall thresholds: one spin box a step, in the journey's order."""

    def __init__(self, value: dict[str, Any], label: str) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QSpinBox] = {}
        for step in Step:
            box = QSpinBox()
            box.setRange(10, 24 * 3600)
            box.setSuffix(" s")
            box.setValue(int(value.get(str(int(step)), 300)))
            box.setAccessibleName(f"{label}: step {int(step)}, {STEP_TITLES[step]}")
            form.addRow(f"{int(step)}. {STEP_TITLES[step]}", box)
            self.boxes[str(int(step))] = box

    def value(self) -> dict[str, int]:
        return {key: box.value() for key, box in self.boxes.items()}


class _Folder(QWidget):
    def __init__(self, value: str, label: str) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(value)
        self.edit.setAccessibleName(label)
        self.browse = QPushButton("Browse…")
        self.browse.setAccessibleName(f"Choose: {label}")
        self.browse.clicked.connect(self._choose)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse)
        self.dialog: QFileDialog | None = None

    def _choose(self) -> None:
        dialog = QFileDialog(self, "Choose a folder", self.edit.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.fileSelected.connect(self.edit.setText)
        self.dialog = dialog
        dialog.open()  # never exec(): dialogs may be opened while coroutines run

    def value(self) -> str:
        return self.edit.text().strip()


def _editor(setting: Setting, value: Any) -> QWidget:
    if setting.key in FOLDERS:
        return _Folder(str(value), setting.label)
    if setting.type is dict:
        return _StepSeconds(dict(value), setting.label)
    widget: QWidget
    if setting.choices:
        combo = QComboBox()
        combo.addItems(list(setting.choices))
        combo.setCurrentText(str(value))
        widget = combo
    elif setting.type is bool:
        check = QCheckBox()
        check.setChecked(bool(value))
        widget = check
    elif setting.type is int:
        spin = QSpinBox()
        spin.setRange(int(setting.minimum or 0), LARGEST)
        spin.setValue(int(value))
        widget = spin
    elif setting.type is float:
        dspin = QDoubleSpinBox()
        dspin.setDecimals(1)
        top = setting.maximum if setting.maximum is not None else LARGEST
        dspin.setRange(float(setting.minimum or 0.0), float(top))
        dspin.setValue(float(value))
        widget = dspin
    elif setting.key in MULTILINE:
        text = QPlainTextEdit(str(value))
        text.setMinimumHeight(140)
        widget = text
    else:
        widget = QLineEdit(str(value))
    widget.setAccessibleName(setting.label)
    return widget


def _value(widget: QWidget) -> Any:
    if isinstance(widget, _StepSeconds | _Folder):
        return widget.value()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    assert isinstance(widget, QLineEdit)
    return widget.text().strip()


class SettingsForm(QWidget):
    """One page of settings: a labelled editor for each key, in the order given."""

    def __init__(
        self, settings: Settings, keys: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        for key in keys:
            setting = SETTINGS[key]
            editor = _editor(setting, settings.get(key))
            form.addRow(setting.label, editor)
            self.editors[key] = editor
        self.form = form

    def add_note(self, text: str, *, after: str | None = None) -> None:
        """A wrapped explanation under the editor for `after`, or at the end of the page."""
        note = QLabel(text)
        note.setWordWrap(True)
        row = list(self.editors).index(after) + 1 if after is not None else self.form.rowCount()
        self.form.insertRow(row, "", note)

    def values(self) -> dict[str, Any]:
        return {key: _value(editor) for key, editor in self.editors.items()}
