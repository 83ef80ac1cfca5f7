"""Customer questions: type to filter, read the answer, copy it into the chat."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core.guides import Question, question_text, search_questions
from desktop.ui.guides import presentation
from desktop.ui.rich_text import markdown_source

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class QuestionsPane(QWidget):
    copied = Signal(str)

    def __init__(self, questions: Sequence[Question], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Customer questions")
        self.questions = tuple(questions)
        self._by_key = {q.key: q for q in self.questions}
        layout = QVBoxLayout(self)
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Search questions…")
        self.search_field.setAccessibleName("Search customer questions")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self._filter)
        self.search_field.returnPressed.connect(self._focus_list)
        layout.addWidget(self.search_field)
        self.list = QListWidget()
        self.list.setAccessibleName("Questions")
        self.list.setWordWrap(True)
        self.list.currentItemChanged.connect(self._show_current)
        self.list.itemActivated.connect(lambda _item: self.copy_answer())
        layout.addWidget(self.list, 2)
        self.answer = QTextBrowser()
        self.answer.setAccessibleName("Answer")
        self.answer.setOpenExternalLinks(True)
        layout.addWidget(self.answer, 3)
        row = QHBoxLayout()
        self.copy_button = QPushButton("Copy answer")
        self.copy_button.setAccessibleName("Copy answer")
        self.copy_button.setToolTip("Copy the question and its answer (Enter on a question)")
        self.copy_button.clicked.connect(self.copy_answer)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setAccessibleName("Questions status")
        layout.addWidget(self.status)
        shortcut = QShortcut(QKeySequence.StandardKey.Find, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.search_field.setFocus)
        self._filter("")

    def visible_keys(self) -> list[str]:
        return [self.list.item(i).data(KEY_ROLE) for i in range(self.list.count())]

    def current_question(self) -> Question | None:
        item = self.list.currentItem()
        return self._by_key.get(item.data(KEY_ROLE)) if item is not None else None

    def select(self, key: str) -> bool:
        for i in range(self.list.count()):
            if self.list.item(i).data(KEY_ROLE) == key:
                self.list.setCurrentRow(i)
                return True
        return False

    def copy_answer(self) -> None:
        question = self.current_question()
        if question is not None:
            text = question_text(question)
            QGuiApplication.clipboard().setText(text)
            self.status.setText("Answer copied.")
            self.copied.emit(text)

    def _filter(self, text: str) -> None:
        current = self.current_question()
        self.list.clear()
        for question in search_questions(self.questions, text):
            item = QListWidgetItem(question.question)
            item.setData(KEY_ROLE, question.key)
            self.list.addItem(item)
        if not (current and self.select(current.key)) and self.list.count():
            self.list.setCurrentRow(0)
        if not self.list.count():
            self.answer.setPlainText("No question matches. Try another word.")
        self.copy_button.setEnabled(self.list.count() > 0)

    def _show_current(self) -> None:
        question = self.current_question()
        if question is not None:
            text = f"**{question.question}**\n\n{question.answer}"
            self.answer.setMarkdown(markdown_source(text))

    def _focus_list(self) -> None:
        self.list.setFocus()

    def set_presentation(self, on: bool) -> None:
        presentation.apply(self, on)
