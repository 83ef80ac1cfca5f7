"""Start a call: find the customer's company as you type, or create it with a checked name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from desktop.ui.rich_text import plain_label, plain_tooltip

Search = Callable[[str, int], Awaitable[Page[Company]]]
Create = Callable[[str], Awaitable[Company]]
Spawn = Callable[[Awaitable[Any], str], Any]
DEBOUNCE_MS = 300
EMPTY_BEFORE_SEARCH = (
    "Type part of the company's name above: the companies in your Codat account that match are "
    "listed here. Press Enter to list the newest ones."
)
EMPTY_ACCOUNT = (
    "Your Codat account has no companies yet. Create the customer's company on the right: "
    "it takes a second."
)
EMPTY_NO_MATCH = "No company matches “{text}”. Create it on the right (the name is filled in)."
PRESENTING_TYPE_IN_FULL = (
    "While presenting, only the company whose name you type in full is listed: the customer "
    "does not see the other companies in your account."
)


def same_name(a: str, b: str) -> bool:
    """The same company name as an agent types it: case and runs of spaces do not count."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


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
        self._total = 0  # companies matching the last search, in Codat's count
        self.has_more = False
        self.presenting = False

        find = QGroupBox("Find the customer's company")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Type part of the company name")
        self.search_edit.setAccessibleName("Search companies")
        self.search_edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Companies found")
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # A long name is cut with "…" (whole in the tooltip), never a sideways scroll.
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.itemActivated.connect(self._activated)
        self.more_button = QPushButton("More results")
        self.more_button.setAccessibleName("Load more companies")
        self.more_button.setEnabled(False)
        self.more_button.clicked.connect(self.load_more)
        self.open_button = QPushButton("Start call with this company")
        self.open_button.setAccessibleName("Start call with the selected company")
        self.open_button.setDefault(True)
        self.open_button.setEnabled(False)  # until a company is chosen in the list
        self.open_button.clicked.connect(self._open_selected)
        self.results.currentItemChanged.connect(
            lambda item, _prev: self.open_button.setEnabled(item is not None)
        )
        # Said in the list's place while it is empty, so an empty list never looks broken.
        self.empty = QLabel(EMPTY_BEFORE_SEARCH)
        self.empty.setAccessibleName("Why the list is empty")
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # it quotes what the agent typed
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status = plain_label()  # may hold Codat's message
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)
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
        find_layout.addWidget(self.empty)
        find_layout.addWidget(self.results, 1)
        find_layout.addWidget(self.status)
        find_layout.addWidget(self.search_clean_button)
        find_layout.addLayout(buttons)

        make = QGroupBox("Or create it")
        make.setAccessibleName("Create the company")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Company name as the customer knows it")
        self.name_edit.setAccessibleName("New company name")
        self.name_warning = plain_label()  # quotes the name as typed
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
        self.create_button.clicked.connect(self.create_company)
        self.name_edit.textChanged.connect(self._check_name)
        self.name_edit.returnPressed.connect(self.create_company)
        make_note = QLabel("A new customer? Create their company with the name they use.")
        make_note.setWordWrap(True)
        form = QVBoxLayout(make)
        form.addWidget(make_note)
        form.addWidget(self.name_edit)
        form.addWidget(self.name_warning)
        form.addWidget(self.name_clean_button)
        form.addWidget(self.create_button)

        layout = QVBoxLayout(self)
        title = QLabel("Start a call")
        title.setProperty("role", "title")
        self.title = title
        self._scale_title()
        intro = QLabel(
            "Find the customer's company in your Codat account, or create it: LinkDesk then "
            "gives you its Link URL to share and follows the customer step by step."
        )
        intro.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(intro)
        # Side by side: "create it" is never pushed below the fold of a laptop screen.
        row = QHBoxLayout()
        row.addWidget(find, 3)
        row.addWidget(make, 2, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row, 1)
        self.results.setVisible(False)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self.search_now(1))
        self.search_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.search_edit.textChanged.connect(self._check_search)
        self.search_edit.returnPressed.connect(lambda: self.search_now(1))

    # -- search ------------------------------------------------------------------------------------
    def _scale_title(self) -> None:
        # From the panel's font, so a text size or presentation mode enlarges the title too.
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.title.setFont(font)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._scale_title()

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
            item.setToolTip(plain_tooltip(f"{company.name}\nCompany id: {company.id}"))
            self.results.addItem(item)
        total = found.total_results
        self._total = total
        self.has_more = total > self.results.count()
        self.more_button.setEnabled(self.has_more)
        self.empty.setVisible(total == 0)
        if total == 0:
            if text:
                self.empty.setText(EMPTY_NO_MATCH.format(text=text))
                self.name_edit.setText(text)
            else:
                self.empty.setText(EMPTY_ACCOUNT)
        self._show_results()

    def set_presentation(self, on: bool) -> None:
        """On a shared screen, list only the company whose name the agent typed in full: the
        customer must not see the names of the account's other companies (each one's customer).
        The others stay in the list, hidden, and come back when presentation mode ends."""
        self.presenting = on
        self._show_results()

    def _show_results(self) -> None:
        shown = 0
        for row in range(self.results.count()):
            item = self.results.item(row)
            company = item.data(Qt.ItemDataRole.UserRole)
            hide = self.presenting and not (self._text and same_name(company.name, self._text))
            item.setHidden(hide)
            shown += not hide
        self.results.setVisible(shown > 0)
        hidden = self.results.count() - shown
        if self._total == 0:
            self.status.setText("")
        elif hidden:
            self.status.setText(f"{shown} of {self._total} shown. {PRESENTING_TYPE_IN_FULL}")
        else:
            self.status.setText(f"{self.results.count()} of {self._total} companies")
        current = self.results.currentItem()
        if current is None or current.isHidden():
            visible = [self.results.item(r) for r in range(self.results.count())]
            first = next((item for item in visible if not item.isHidden()), None)
            self.results.setCurrentRow(-1 if first is None else self.results.row(first))

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
        self.name_warning.setText(check.message if text else "")
        offer = check.ok and check.cleaned != text
        self.name_clean_button.setVisible(offer)
        if offer:
            self.name_clean_button.setText(f"Use “{check.cleaned.strip()}”")

    def create_company(self) -> None:
        check = check_company_name(self.name_edit.text())
        if not check.ok:
            self.name_warning.setText(check.message)
            return
        self.create_button.setEnabled(False)
        self.status.setText("Creating the company…")
        # The name as Codat will store it: what the agent was shown is what is sent.
        self._spawn(self._run_create(check.cleaned), "call: create company")

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
