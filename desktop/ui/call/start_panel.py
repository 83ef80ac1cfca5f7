"""Start a call: find the customer's company as you type, or create it with a checked name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.codat.errors import CodatError
from desktop.core.codat.models import Company, Page
from desktop.core.codat.names import check_company_name

Search = Callable[[str, int], Awaitable[Page[Company]]]
Create = Callable[[str], Awaitable[Company]]
Spawn = Callable[[Awaitable[Any], str], Any]
DEBOUNCE_MS = 300


class StartPanel(QWidget):
    chosen = Signal(object)  # Company

    def __init__(
        self, search: Search, create: Create, spawn: Spawn, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._create = create
        self._spawn = spawn
        self._page = 1
        self._text = ""
        self._generation = 0  # answers to an older search are dropped
        self.has_more = False

        find = QGroupBox("Find the customer's company")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Type part of the company name")
        self.search_edit.setAccessibleName("Search companies")
        self.search_edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Companies found")
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.itemActivated.connect(self._activated)
        self.more_button = QPushButton("More results")
        self.more_button.setAccessibleName("Load more companies")
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.load_more)
        self.open_button = QPushButton("Start call with this company")
        self.open_button.setAccessibleName("Start call with the selected company")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self._open_selected)
        self.status = QLabel()
        self.status.setAccessibleName("Search status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        # Codat drops some characters from names, so no stored name can hold them: one click
        # searches for the name as Codat would have stored it.
        self.search_clean_button = QPushButton()
        self.search_clean_button.setAccessibleName("Search for the name as Codat stores it")
        self.search_clean_button.setVisible(False)
        self.search_clean_button.clicked.connect(
            lambda: self.search_edit.setText(check_company_name(self.search_edit.text()).cleaned)
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.more_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        find_layout = QVBoxLayout(find)
        find_layout.addWidget(self.search_edit)
        find_layout.addWidget(self.results, 1)
        find_layout.addWidget(self.status)
        find_layout.addWidget(self.search_clean_button)
        find_layout.addLayout(buttons)

        make = QGroupBox("Or create it")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Company name as the customer knows it")
        self.name_edit.setAccessibleName("New company name")
        self.name_warning = QLabel()
        self.name_warning.setAccessibleName("Company name check")
        self.name_warning.setWordWrap(True)
        self.name_warning.setProperty("role", "warning")
        self.name_clean_button = QPushButton()
        self.name_clean_button.setAccessibleName("Use the name as Codat will save it")
        self.name_clean_button.setVisible(False)
        self.name_clean_button.clicked.connect(
            lambda: self.name_edit.setText(
                check_company_name(self.name_edit.text()).cleaned.strip()
            )
        )
        self.create_button = QPushButton("Create company and start call")
        self.create_button.setAccessibleName("Create company and start call")
        self.create_button.setEnabled(False)
        self.create_button.clicked.connect(self.create)
        self.name_edit.textChanged.connect(self._check_name)
        self.name_edit.returnPressed.connect(self.create)
        form = QFormLayout(make)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_warning)
        form.addRow("", self.name_clean_button)
        form.addRow("", self.create_button)

        layout = QVBoxLayout(self)
        title = QLabel("Start a call")
        title.setProperty("role", "title")
        layout.addWidget(title)
        layout.addWidget(find, 1)
        layout.addWidget(make)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self.search_now(1))
        self.search_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.search_edit.textChanged.connect(self._check_search)
        self.search_edit.returnPressed.connect(lambda: self.search_now(1))

    # -- search ------------------------------------------------------------------------------------
    def search_now(self, page: int = 1) -> None:
        self._debounce.stop()
        self._generation += 1
        self._text = self.search_edit.text().strip()
        self._page = page
        self.status.setText("Searching…")
        self._spawn(self._run_search(self._generation, self._text, page), "call: search companies")

    def load_more(self) -> None:
        if self.has_more:
            self._generation += 1
            self._page += 1
            self._spawn(
                self._run_search(self._generation, self._text, self._page), "call: more companies"
            )

    async def _run_search(self, generation: int, text: str, page: int) -> None:
        try:
            found = await self._search(text, page)
        except CodatError as exc:  # shown, not raised: the agent can type again
            if generation == self._generation:
                self.status.setText(exc.plain_message)
            return
        if generation != self._generation:
            return
        if page == 1:
            self.results.clear()
        for company in found.results:
            item = QListWidgetItem(company.name)
            item.setData(Qt.ItemDataRole.UserRole, company)
            item.setToolTip(f"Company id: {company.id}")
            self.results.addItem(item)
        total = found.total_results
        self.has_more = total > self.results.count()
        self.more_button.setEnabled(self.has_more)
        if total == 0:
            self.status.setText("No company matches. Create it below.")
            if text:
                self.name_edit.setText(text)
        else:
            self.status.setText(f"{self.results.count()} of {total} companies")
        if self.results.count() and self.results.currentRow() < 0:
            self.results.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_selected(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._activated(item)

    # -- create ------------------------------------------------------------------------------------
    def _check_search(self, text: str) -> None:
        check = check_company_name(text.strip())
        offer = bool(check.removed) and bool(check.cleaned.strip())
        self.search_clean_button.setVisible(offer)
        if offer:
            self.search_clean_button.setText(
                f"Search for “{check.cleaned.strip()}” (as Codat stores it)"
            )

    def _check_name(self, text: str) -> None:
        check = check_company_name(text)
        self.create_button.setEnabled(check.ok)
        self.name_warning.setText(
            "" if not text or (check.ok and not check.removed) else check.message
        )
        offer = check.ok and bool(check.removed)
        self.name_clean_button.setVisible(offer)
        if offer:
            self.name_clean_button.setText(f"Use “{check.cleaned.strip()}”")

    def create(self) -> None:
        check = check_company_name(self.name_edit.text())
        if not check.ok:
            self.name_warning.setText(check.message)
            return
        self.create_button.setEnabled(False)
        self.status.setText("Creating the company…")
        self._spawn(self._run_create(check.original), "call: create company")

    async def _run_create(self, name: str) -> None:
        try:
            company = await self._create(name)
        except CodatError as exc:  # Codat refused it; a bug goes to the crash handler instead
            self.name_warning.setText(exc.plain_message)
            self.create_button.setEnabled(True)
            return
        self.status.setText(f"Created {company.name}.")
        self.name_edit.clear()
        self.chosen.emit(company)
