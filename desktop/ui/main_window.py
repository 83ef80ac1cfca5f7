"""The main window: navigation between Guides, Call, Companies and Reports, and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QToolBar, QWidget

from desktop import APP_NAME
from desktop.ui.empty_state import EmptyState
from desktop.ui.icons import app_icon, icon
from desktop.ui.rich_text import plain_label
from desktop.ui.theme import presentation_font, theme_signals

# The same words as desktop.core.live.status (not imported: it would load nats-py here).
POLLING = "Polling"
IDLE = "Idle: no call open"

PAGES: tuple[tuple[str, str, str], ...] = (
    # (key, title, shortcut)
    ("guides", "Guides", "Ctrl+1"),
    ("call", "Call", "Ctrl+2"),
    ("companies", "Companies", "Ctrl+3"),
    ("reports", "Reports", "Ctrl+4"),
)


def default_size(room: QSize | None) -> QSize:
    """Roomy on a desktop monitor, and never larger than the screen (support laptops are small)."""
    wanted = QSize(1180, 760)
    if room is None:
        return wanted
    return wanted.boundedTo(QSize(room.width() * 9 // 10, room.height() * 9 // 10))


class MainWindow(QMainWindow):
    presentation_changed = Signal(bool)
    settings_requested = Signal()
    practice_requested = Signal()
    about_requested = Signal()
    closing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setObjectName("MainWindow")
        self.resize(self._default_size())
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Pages")
        self.setCentralWidget(self.stack)
        self.presenting = False
        # A new text size changes the app's font: presentation mode's follows it.
        theme_signals().changed.connect(self._scale_pages)
        self.pages: dict[str, QWidget] = {}
        self.page_actions: dict[str, QAction] = {}
        self._build_navigation()
        self._build_status_bar()
        self.set_page("guides", EmptyState("Guides", "The platform guides are loading."))
        self.set_page(
            "call",
            EmptyState(
                "No call yet",
                "Start a call to create or find the customer's company, share the Link URL and "
                "follow their connection step by step.",
            ),
        )
        self.set_page(
            "companies",
            EmptyState("Companies", "The companies in your Codat account will be listed here."),
        )
        self.set_page(
            "reports",
            EmptyState("Reports", "Where customers get stuck, from the calls saved here."),
        )
        self.show_page("guides")

    # -- navigation -------------------------------------------------------------------------------
    def _build_navigation(self) -> None:
        bar = QToolBar("Navigation")
        bar.setObjectName("Navigation")
        bar.setAccessibleName("Navigation")
        bar.setMovable(False)
        bar.setIconSize(QSize(24, 24))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, bar)
        group = QActionGroup(self)
        group.setExclusive(True)
        for key, title, shortcut in PAGES:
            action = QAction(icon(key), title, self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{title} ({shortcut})")
            action.triggered.connect(lambda _checked=False, k=key: self.show_page(k))
            group.addAction(action)
            bar.addAction(action)
            self.page_actions[key] = action
        bar.addSeparator()
        self.practice_action = QAction(icon("practice"), "Practice", self)
        self.practice_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.practice_action.setToolTip(
            "Practice call on the embedded sandbox, with a simulated customer (Ctrl+Shift+N)"
        )
        self.practice_action.triggered.connect(self.practice_requested)
        bar.addAction(self.practice_action)
        self.presentation_action = QAction(icon("present"), "Present", self)
        self.presentation_action.setCheckable(True)
        self.presentation_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.presentation_action.setToolTip(
            "Presentation mode (Ctrl+Shift+P): larger type, high contrast, hides internal details"
        )
        self.presentation_action.toggled.connect(self.set_presentation)
        self.presentation_action.toggled.connect(self.presentation_changed)
        bar.addAction(self.presentation_action)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy(), spacer.sizePolicy().Policy.Expanding
        )
        bar.addWidget(spacer)
        self.settings_action = QAction(icon("settings"), "Settings", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setToolTip("Settings (Ctrl+,)")
        self.settings_action.triggered.connect(self.settings_requested)
        bar.addAction(self.settings_action)
        self.about_action = QAction(icon("about"), "About", self)
        self.about_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action.setToolTip("About LinkDesk (F1)")
        self.about_action.triggered.connect(self.about_requested)
        bar.addAction(self.about_action)
        self.navigation = bar

    def set_page(self, key: str, widget: QWidget) -> None:
        """Put a page in its navigation slot, replacing what was there."""
        old = self.pages.get(key)
        was_current = old is not None and self.stack.currentWidget() is old
        index = self.stack.indexOf(old) if old is not None else -1
        if index >= 0 and old is not None:
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(old)
            old.deleteLater()
        else:
            self.stack.addWidget(widget)
        self.pages[key] = widget
        if was_current:
            self.stack.setCurrentWidget(widget)

    def show_page(self, key: str) -> None:
        self.stack.setCurrentWidget(self.pages[key])
        self.page_actions[key].setChecked(True)

    def current_page(self) -> str | None:
        current = self.stack.currentWidget()
        for key, widget in self.pages.items():
            if widget is current:
                return key
        return None

    def set_presentation(self, on: bool) -> None:
        """Hide what is internal (settings, the API target and profile) while the screen is shared."""
        self.settings_action.setVisible(not on)
        self.statusBar().setVisible(not on)
        self.presenting = on
        self._scale_pages()
        if self.presentation_action.isChecked() != on:
            self.presentation_action.setChecked(on)

    def _scale_pages(self) -> None:
        """Presentation mode's larger type, for every page at once: the pages inherit the font of
        the page stack (a page sets only what it adds, like bold or a title's size)."""
        self.stack.setFont(presentation_font(self.presenting))

    # -- geometry ---------------------------------------------------------------------------------
    def _default_size(self) -> QSize:
        screen = self.screen()
        return default_size(screen.availableGeometry().size() if screen is not None else None)

    def geometry_text(self) -> str:
        """Position, size and maximised state, as text for the settings file."""
        return bytes(self.saveGeometry().toBase64().data()).decode("ascii")

    def restore_geometry_text(self, text: str) -> bool:
        """Put the window back where it was; False (and the default size) if the text is unusable."""
        if not text:
            return False
        return self.restoreGeometry(QByteArray.fromBase64(text.encode("ascii")))

    # -- status bar -------------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.target_label = plain_label()  # an API base URL someone typed
        self.target_label.setAccessibleName("API target")
        self.target_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.profile_label = plain_label()
        self.profile_label.setAccessibleName("Profile")
        # What the feed says ("Polling", "Live, team hub", or why it polls) and how many calls
        # are open: plain "Polling" with none would say requests go out when none do.
        self._tracking_text = POLLING
        self._calls_open = 0
        self.mode_label = plain_label(IDLE)
        self.mode_label.setAccessibleName("Tracking mode")
        bar.addPermanentWidget(self.mode_label)
        bar.addPermanentWidget(self.target_label)
        bar.addPermanentWidget(self.profile_label)

    def set_tracking_status(self, text: str) -> None:
        """The team hub feed's words (``desktop.core.live.status``), e.g. "Polling (the team hub
        refused the credentials: …)"."""
        self._tracking_text = text
        self._show_tracking()

    def set_calls_open(self, count: int) -> None:
        """How many calls are open: with none, plain polling shows as idle."""
        self._calls_open = count
        self._show_tracking()

    def _show_tracking(self) -> None:
        idle = self._calls_open == 0 and self._tracking_text == POLLING
        self.mode_label.setText(IDLE if idle else self._tracking_text)

    def set_target(self, label: str, profile: str) -> None:
        self.target_label.setText(label)
        self.profile_label.setText(f"Profile: {profile}")

    def closeEvent(self, event: object) -> None:
        self.closing.emit()
        super().closeEvent(event)  # type: ignore[arg-type]
