"""The Companies page: the account's companies, paged and searchable, each one a call away."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.codat.errors import CodatError
from desktop.core.codat.models import Page
from desktop.core.companies import CompanyRow
from desktop.ui.empty_state import EmptyState
from desktop.ui.rich_text import plain_label, plain_tooltip

# (search text, page number) -> a page of rows; the app binds it to the Codat client.
Loader = Callable[[str, int], Awaitable[Page[CompanyRow]]]
Spawn = Callable[[Coroutine[Any, Any, Any], str], Any]
# What the app runs against now: "sandbox" (no API key), "codat" or "unknown" (the key is being read).
TargetKind = Callable[[], str]
PAGE_SIZE = 50
HEADERS = ("Company", "Connection", "Platform", "Created")


class CompaniesModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CompanyRow] = []

    def set_rows(self, rows: list[CompanyRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            created = row.created.strftime("%Y-%m-%d %H:%M") if row.created else ""
            return (row.name, row.status, row.platform, created)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            sees = f"\nWhat the customer will see: {row.customer_sees}" if row.customer_sees else ""
            # The name is the customer's, through Codat: never read as markup.
            return plain_tooltip(
                f"{row.name}\nCompany id: {row.id}\nLink URL: {row.link_url}{sees}"
            )
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None


class CompaniesPage(QWidget):
    open_company = Signal(str, str)  # company id, name

    def __init__(
        self,
        loader: Loader,
        spawn: Spawn,
        *,
        page_size: int = PAGE_SIZE,
        target_kind: TargetKind | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._target_kind = target_kind
        self.failed = False  # the last load ended in an error
        self.loaded = False  # a load has answered (an empty list means something only then)
        self.page_size = page_size
        self._spawn = spawn
        self.page_number = 1
        self.total = 0
        self._generation = 0  # answers to superseded searches are dropped

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search companies by name…")
        self.search.setAccessibleName("Search companies")
        self.search.setClearButtonEnabled(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh companies")
        top.addWidget(self.search, 1)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(4)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Loading companies")
        self.progress.hide()
        layout.addWidget(self.progress)

        self.model = CompaniesModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.table.setAccessibleName("Companies")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setAccessibleName("Company columns")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # The status, platform and date as wide as they are (the date wrapped onto two lines at
        # 1366x768); the company's name takes the rest.
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        layout.addWidget(self.table, 1)
        # In the table's place when there is no company to list: why, and what to do next.
        self.empty = EmptyState("No companies", "")
        self.empty.hide()
        layout.addWidget(self.empty, 1)

        self.error = plain_label()  # Codat's message
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Companies error")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_error = QPushButton("Copy error")
        self.copy_error.setAccessibleName("Copy companies error")
        self.copy_error.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.error.text())
        )
        error_row = QHBoxLayout()
        error_row.addWidget(self.error, 1)
        error_row.addWidget(self.copy_error)
        layout.addLayout(error_row)
        self.presenting = False
        self._loading = False
        self._show_error("")

        bottom = QHBoxLayout()
        self.prev_button = QPushButton("‹ &Previous")
        self.prev_button.setAccessibleName("Previous page")
        self.next_button = QPushButton("&Next ›")
        self.next_button.setAccessibleName("Next page")
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Page")
        self.open_button = QPushButton("&Open in a call")
        self.open_button.setAccessibleName("Open company in a call")
        self.copy_link = QPushButton("Copy &Link URL")
        self.copy_link.setAccessibleName("Copy Link URL")
        bottom.addWidget(self.prev_button)
        bottom.addWidget(self.page_label)
        bottom.addWidget(self.next_button)
        bottom.addStretch(1)
        bottom.addWidget(self.copy_link)
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)

        self.hidden_notice = QLabel("The list of companies is hidden while presenting.")
        self.hidden_notice.setAccessibleName("Companies hidden while presenting")
        self.hidden_notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hidden_notice.hide()
        layout.addWidget(self.hidden_notice)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(lambda: self.load(1))
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.refresh_button.clicked.connect(lambda: self.load(self.page_number))
        self.prev_button.clicked.connect(lambda: self.load(self.page_number - 1))
        self.next_button.clicked.connect(lambda: self.load(self.page_number + 1))
        self.open_button.clicked.connect(self._open_selected)
        self.copy_link.clicked.connect(self._copy_selected_link)
        self.table.doubleClicked.connect(lambda _index: self._open_selected())
        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.activated.connect(self.search.setFocus)
        open_row = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        open_row.activated.connect(self._open_selected)
        self._update_buttons()

    # -- loading ----------------------------------------------------------------------------------
    def load(self, page: int = 1) -> None:
        self._generation += 1
        self._set_loading(True)
        self._spawn(
            self._load(max(1, page), self.search.text(), self._generation), "companies: load"
        )

    async def _load(self, page: int, text: str, generation: int) -> None:
        try:
            result = await self._loader(text, page)
        except CodatError as exc:  # Codat's answer, in plain words; a bug goes to the crash handler
            if generation == self._generation:
                self._set_loading(False)
                self._show_error(exc.plain_message)
                self.failed = True
                self._sync_empty()
            return
        except BaseException:
            self._set_loading(False)
            raise
        if generation != self._generation:
            return
        self._set_loading(False)
        self._show_error("")
        self.failed = False
        self.loaded = True
        self.page_number = page
        self.total = result.total_results
        self.model.set_rows(list(result.results))
        if self.model.rows:
            self.table.selectRow(0)
        self._update_buttons()
        self._sync_empty()

    def empty_message(self) -> tuple[str, str] | None:
        """Why the list is empty and the next step, as (title, text); None when it is not empty
        (or nothing has been asked yet)."""
        if self.model.rows or not (self.loaded or self.failed):
            return None
        if self.failed:
            return (
                "The companies could not be loaded",
                "The request failed; the message below says why. Check the API key and the"
                " connection, then press Refresh (Alt+R).",
            )
        text = self.search.text().strip()
        if text:
            return (
                "No company matches the search",
                f"No company's name contains “{text}”. Check the spelling or clear the search"
                " to see every company.",
            )
        kind = self._target_kind() if self._target_kind is not None else "unknown"
        if kind == "sandbox":
            return (
                "No companies yet",
                "No API key is set, so LinkDesk runs on its embedded sandbox, which has no"
                " companies yet. Start a call (Ctrl+N) to create one here, or set your API key"
                " in Settings to list your Codat account's companies.",
            )
        if kind == "codat":
            return (
                "No companies yet",
                "Your Codat account has no companies yet. Start a call (Ctrl+N) to create one.",
            )
        return ("No companies yet", "Start a call (Ctrl+N) to create one.")

    def _sync_empty(self) -> None:
        message = None if self.presenting else self.empty_message()
        if message is not None:
            self.empty.set_message(*message)
        self.empty.setVisible(message is not None)
        self.table.setVisible(message is None and not self.presenting)

    def _set_loading(self, on: bool) -> None:
        self._loading = on
        self.progress.setVisible(on and not self.presenting)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        shown = bool(text) and not self.presenting
        self.error.setVisible(shown)
        self.copy_error.setVisible(shown)

    def _update_buttons(self) -> None:
        pages = max(1, -(-self.total // self.page_size))
        self.page_label.setText(f"Page {self.page_number} of {pages} · {self.total} companies")
        self.prev_button.setEnabled(self.page_number > 1)
        self.next_button.setEnabled(self.page_number < pages)
        # They act on the chosen company: without one they do nothing, so they say so.
        selection = self.table.selectionModel()
        has = selection is not None and selection.hasSelection()
        self.open_button.setEnabled(has)
        self.copy_link.setEnabled(has)

    def set_presentation(self, on: bool) -> None:
        """The account's customers are nobody else's business: hide them on a shared screen."""
        self.presenting = on
        # With the list hidden, its paging and refreshing would do nothing anyone can see: they go
        # too, and so does a Codat error about loading it.
        for widget in (
            self.table,
            self.search,
            self.refresh_button,
            self.prev_button,
            self.next_button,
            self.open_button,
            self.copy_link,
            self.page_label,
        ):
            widget.setVisible(not on)
        self.progress.setVisible(False if on else self._loading)
        self._show_error(self.error.text())
        self.hidden_notice.setVisible(on)
        self._sync_empty()

    # -- actions ----------------------------------------------------------------------------------
    def selected(self) -> CompanyRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row: CompanyRow = self.model.rows[index.row()]
        return row

    def _open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_company.emit(row.id, row.name)

    def _copy_selected_link(self) -> None:
        from desktop.core.codat.urls import RefusedUrl, check_link_url

        row = self.selected()
        if row is None:
            return
        try:
            QGuiApplication.clipboard().setText(check_link_url(row.link_url))
        except RefusedUrl as exc:
            self._show_error(str(exc))
