"""End call: how did it end? One of a few outcomes (other: in the agent's words)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.calls.outcome import OUTCOMES, Outcome, OutcomeError
from desktop.ui.elide import ElidedLabel
from desktop.ui.theme import outline_indicators


class OutcomeDialog(QDialog):
    chosen = Signal(object)  # Outcome

    def __init__(self, company: str, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("End call")
        self.setAccessibleName("End call: how did it end?")
        layout = QVBoxLayout(self)
        question = QLabel("How did the call end?")
        question.setWordWrap(True)
        layout.addWidget(question)
        self.company = ElidedLabel(company)
        self.company.setAccessibleName("Customer company")
        layout.addWidget(self.company)
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        for key, words in OUTCOMES.items():
            button = QRadioButton(words)
            button.setAccessibleName(f"Outcome: {words}")
            self.group.addButton(button)
            layout.addWidget(button)
            self.choices[key] = button
        outline_indicators(*self.choices.values())
        self.text = QLineEdit()
        self.text.setAccessibleName("Outcome in your words")
        self.text.setPlaceholderText("In a few words (needed for Other)")
        layout.addWidget(self.text)
        self.error = QLabel()
        self.error.setAccessibleName("Outcome problem")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("End call")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.choices.get(suggested, self.choices["other"]).setChecked(True)
        self.choices["other"].toggled.connect(lambda on: on and self.text.setFocus())

    def selected(self) -> str:
        return next(key for key, button in self.choices.items() if button.isChecked())

    def outcome(self) -> Outcome:
        """Raises OutcomeError when "Other" has no words."""
        return Outcome(self.selected(), self.text.text())

    def _accept(self) -> None:
        try:
            outcome = self.outcome()
        except OutcomeError as exc:
            self.error.setText(str(exc))  # the dialog stays open; nothing typed is lost
            self.text.setFocus()
            return
        self.chosen.emit(outcome)
        self.accept()
