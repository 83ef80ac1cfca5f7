"""The Guides page: tiles to find a platform in two keystrokes, the viewer, checklist and questions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.guides import REGION_NAMES, Guide, GuideLibrary

if TYPE_CHECKING:
    from desktop.ui.guides.questions import QuestionsPane
    from desktop.ui.guides.viewer import GuideViewer
from desktop.ui.fitted_hint import FittedHintEdit
from desktop.ui.guides import presentation
from desktop.ui.guides.checklist import ChecklistPane
from desktop.ui.guides.checklist import minimum_width_before_made as checklist_minimum_width
from desktop.ui.guides.tiles import GUIDE_ROLE, GuideTileDelegate, GuideTilesModel, TilesView
from desktop.ui.icons import icon
from desktop.ui.rich_text import plain_label
from desktop.ui.theme import theme_signals

_OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class GuidesPage(QWidget):
    """Self-contained: tiles and viewer on the left, checklist and questions on the right.

    ``guide_opened(slug)`` is emitted whenever a guide is shown. The live call drives
    ``page.viewer`` (``show_platform(key, stage)``, ``show_problem(key)``) through ``open_platform``
    so the page switches to the viewer as well.
    """

    guide_opened = Signal(str)
    start_call_requested = Signal()  # "Start a call": the shell opens the Call page's start panel

    def __init__(self, library: GuideLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("GuidesPage")
        self.setAccessibleName("Guides")
        self.library = library
        self.presentation = False
        self.tiles_model = GuideTilesModel(self)
        self._viewer: GuideViewer | None = None  # built when a guide is first opened
        self._side: _SidePane | None = None  # built right after the first frame
        self._questions_pane: QuestionsPane | None = None  # built when its tab is first shown
        self._build()
        self.apply_filter()

    def build_side_pane(self) -> None:
        """The checklist and questions tabs, made after the first frame (the app calls this as
        soon as the window is on screen; anything that uses them first makes them too). Does
        nothing once they exist.

        The first frame shows the navigation, the search and the tiles: the tabs (a scroll area
        of tick boxes and wrapped labels) cost it about 30 ms and 1 MiB, and fill their place
        beside the tiles a moment later.
        """
        if self._side is not None:
            return
        self._side_pane()
        # On screen now, not after the rest of start-up (the Call page alone takes 200 ms): lay
        # the tabs out and paint their place at once, without waiting for the event loop.
        layout = self.side_slot.layout()
        assert layout is not None
        layout.activate()
        self.side_slot.repaint()

    def _side_pane(self) -> _SidePane:
        if self._side is None:
            side = _SidePane(self.library)
            side.tabs.currentChanged.connect(self._side_tab_shown)
            if self.presentation:
                side.checklist.set_presentation(True)
            layout = self.side_slot.layout()
            assert layout is not None
            layout.addWidget(side.tabs)
            side.tabs.show()  # a child added to a visible parent stays hidden until told
            self.side_slot.setMinimumWidth(0)  # the tabs' own minimum from now on
            self._side = side
        return self._side

    @property
    def side_tabs(self) -> QTabWidget:
        """The checklist and questions tabs beside the tiles and the viewer."""
        return self._side_pane().tabs

    @property
    def checklist_pane(self) -> ChecklistPane:
        return self._side_pane().checklist

    @property
    def questions_slot(self) -> QWidget:
        """The questions tab; its content is made when it is first shown (``questions_pane``)."""
        return self._side_pane().questions_slot

    @property
    def questions_pane(self) -> QuestionsPane:
        """The questions tab's content, made on first use: the first frame shows the checklist."""
        if self._questions_pane is None:
            self._questions_pane = self._build_questions_pane()
        return self._questions_pane

    def _build_questions_pane(self) -> QuestionsPane:
        from desktop.ui.guides.questions import QuestionsPane

        pane = QuestionsPane(self.library.questions)
        if self.presentation:
            pane.set_presentation(True)
        layout = self.questions_slot.layout()
        assert layout is not None
        layout.addWidget(pane)
        pane.show()  # a child added to a visible parent stays hidden until told
        return pane

    @property
    def viewer(self) -> GuideViewer:
        """The guide viewer, made on first use: the first frame only needs the tiles."""
        if self._viewer is None:
            from desktop.ui.guides.viewer import GuideViewer

            viewer = GuideViewer(self.library)
            viewer.back_requested.connect(self.show_tiles)
            if self.presentation:
                viewer.set_presentation(True)
            self.stack.addWidget(viewer)
            self._viewer = viewer
        return self._viewer

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.search_field = FittedHintEdit(
            (
                "Type a platform, alias or key (e.g. QBO, NetSuite, gbol)",
                "Platform, alias or key (e.g. QBO)",
                "Platform, alias or key",
                "Find a platform",
            )
        )
        self.search_field.setAccessibleName("Search guides")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self.apply_filter)
        self.search_field.installEventFilter(self)
        self.region_filter = QComboBox()
        self.region_filter.setAccessibleName("Filter by region")
        self.region_filter.addItem("All regions", "")
        for code in self.library.regions():
            self.region_filter.addItem(f"{REGION_NAMES.get(code, code)} ({code})", code)
        self.region_filter.currentIndexChanged.connect(self.apply_filter)
        self.tag_filter = QComboBox()
        self.tag_filter.setAccessibleName("Filter by tag")
        self.tag_filter.addItem("All tags", "")
        for tag in self.library.tags():
            self.tag_filter.addItem(tag, tag)
        self.tag_filter.currentIndexChanged.connect(self.apply_filter)
        self.region_filter.view().setAccessibleName("Regions")
        self.tag_filter.view().setAccessibleName("Tags")
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of guides shown")
        # On a small laptop screen the filters give up width before the search field does.
        self.search_field.setMinimumWidth(self.search_field.fontMetrics().averageCharWidth() * 22)
        for combo in (self.region_filter, self.tag_filter):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(9)
        self.start_call_button = QPushButton("Start a call")
        self.start_call_button.setAccessibleName("Start a call")
        self.start_call_button.setToolTip(
            "Find or create the customer's company and share the Link URL (Ctrl+N)"
        )
        self.start_call_button.setIcon(icon("call"))
        bold = QFont()
        bold.setBold(True)  # bold only: the size still follows the text size setting
        self.start_call_button.setFont(bold)
        self.start_call_button.clicked.connect(self.start_call_requested)
        self._accent_start_button()
        theme_signals().changed.connect(self._accent_start_button)
        bar = QHBoxLayout()
        bar.addWidget(self.start_call_button)
        bar.addWidget(self.search_field, 1)
        bar.addWidget(self.region_filter)
        bar.addWidget(self.tag_filter)
        bar.addWidget(self.count_label)

        self.errors_label = plain_label()  # quotes what the files hold
        self.errors_label.setAccessibleName("Guide file errors")
        self.errors_label.setWordWrap(True)
        self.errors_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._show_errors()

        self.tiles_view = TilesView()
        self.tiles_view.setAccessibleName("Guide tiles")
        self.tiles_view.setViewMode(QListView.ViewMode.IconMode)
        self.tiles_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.tiles_view.setMovement(QListView.Movement.Static)
        self.tiles_view.setWrapping(True)
        self.tiles_view.setUniformItemSizes(True)
        self.tiles_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tiles_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tiles_view.setMouseTracking(True)
        self.tiles_view.setSpacing(4)
        self.delegate = GuideTileDelegate(self.tiles_view)
        self.tiles_view.setItemDelegate(self.delegate)
        self.tiles_view.setModel(self.tiles_model)
        self.tiles_view.setGridSize(self.delegate.tile_size())
        # Always there, so fitting the tiles to the width never makes it appear and disappear.
        self.tiles_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._tiles_room = 0
        self.tiles_view.room_changed.connect(self._fit_tiles)
        self.tiles_view.activated.connect(self._open_index)
        self.tiles_view.clicked.connect(self._open_index)
        self.tiles_view.installEventFilter(self)
        self.no_match_label = QLabel("No guide matches. Try a shorter name, or clear the filters.")
        self.no_match_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match_label.setAccessibleName("No matching guides")

        tiles_panel = QWidget()
        tiles_layout = QVBoxLayout(tiles_panel)
        tiles_layout.setContentsMargins(0, 0, 0, 0)
        tiles_layout.addLayout(bar)
        tiles_layout.addWidget(self.errors_label)
        tiles_layout.addWidget(self.tiles_view, 1)
        tiles_layout.addWidget(self.no_match_label)
        self.tiles_panel = tiles_panel

        self.stack = QStackedWidget()
        self.stack.addWidget(tiles_panel)
        # The side tabs' place, kept in the splitter from the first frame (see build_side_pane),
        # as wide as they will need: the window does not widen when they come.
        self.side_slot = QWidget()
        QVBoxLayout(self.side_slot).setContentsMargins(0, 0, 0, 0)
        self.side_slot.setMinimumWidth(checklist_minimum_width())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.stack)
        splitter.addWidget(self.side_slot)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 320])
        splitter.setChildrenCollapsible(True)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (QKeySequence.StandardKey.Find, self.focus_search),
            (QKeySequence("Ctrl+L"), self.focus_search),
            (QKeySequence("Ctrl+Shift+L"), self._show_checklist),
            (QKeySequence("Ctrl+Shift+Q"), self._show_questions),
            (QKeySequence("Ctrl+N"), self.start_call_requested.emit),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def _accent_start_button(self) -> None:
        """The first action on the first page: in the theme's accent colour, set again on every
        theme change (a palette set on a widget no longer follows the application's)."""
        app = QApplication.palette()
        palette = QPalette(self.start_call_button.palette())
        palette.setColor(QPalette.ColorRole.Button, app.color(QPalette.ColorRole.Highlight))
        palette.setColor(
            QPalette.ColorRole.ButtonText, app.color(QPalette.ColorRole.HighlightedText)
        )
        self.start_call_button.setPalette(palette)

    def _show_errors(self) -> None:
        errors = self.library.errors
        if errors:
            shown = "\n".join(str(e) for e in errors[:5])
            more = f"\n… and {len(errors) - 5} more" if len(errors) > 5 else ""
            self.errors_label.setText(
                f"{len(errors)} problem(s) in guide files; those files were skipped:\n{shown}{more}"
            )
        self.errors_label.setVisible(bool(errors) and not self.presentation)

    # -- search and filters -----------------------------------------------------------------------
    def apply_filter(self) -> None:
        regions = [self.region_filter.currentData()] if self.region_filter.currentData() else []
        tags = [self.tag_filter.currentData()] if self.tag_filter.currentData() else []
        found = self.library.search(self.search_field.text(), regions, tags)
        self.tiles_model.set_guides(found)
        total = len(self.library.guides)
        self.count_label.setText(f"{len(found)} of {total}")
        self.no_match_label.setVisible(not found)
        if found and not self.tiles_view.currentIndex().isValid():
            self._select_row(0)

    def visible_slugs(self) -> list[str]:
        return [g.key for g in self.tiles_model.guides]

    def set_filters(self, region: str = "", tag: str = "") -> None:
        self.region_filter.setCurrentIndex(max(0, self.region_filter.findData(region)))
        self.tag_filter.setCurrentIndex(max(0, self.tag_filter.findData(tag)))

    def current_slug(self) -> str | None:
        guide = self.tiles_view.currentIndex().data(GUIDE_ROLE)
        return guide.key if isinstance(guide, Guide) else None

    def _select_row(self, row: int) -> None:
        index = self.tiles_model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.tiles_view.selectionModel().setCurrentIndex(index, flags)

    # -- keyboard ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.search_field:
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.tiles_model.rowCount():
                self.tiles_view.setFocus()
                if not self.tiles_view.currentIndex().isValid():
                    self._select_row(0)
                return True
            if key in _OPEN_KEYS:
                self.open_current()
                return True
            if key == Qt.Key.Key_Escape and self.search_field.text():
                self.search_field.clear()
                return True
        elif watched is self.tiles_view:
            if key in _OPEN_KEYS:
                self.open_current()
                return True
            text = event.text()
            plain = not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
            if key == Qt.Key.Key_Backspace or (
                plain and text and text.isprintable() and text != " "
            ):
                # Typing anywhere on the tiles goes to the search box, as the agent expects.
                self.search_field.setFocus()
                if key == Qt.Key.Key_Backspace:
                    self.search_field.backspace()
                else:
                    self.search_field.insert(text)
                return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.show_tiles()
        self.search_field.setFocus()
        self.search_field.selectAll()

    def _show_checklist(self) -> None:
        self.side_tabs.setCurrentWidget(self.checklist_pane)
        self.checklist_pane.setFocus()

    def _show_questions(self) -> None:
        self.side_tabs.setCurrentWidget(self.questions_slot)
        self.questions_pane.search_field.setFocus()

    def _side_tab_shown(self, index: int) -> None:
        side = self._side
        if (
            side is not None
            and side.tabs.widget(index) is side.questions_slot
            and (self._questions_pane is None)
        ):
            self._questions_pane = self._build_questions_pane()

    # -- opening guides ---------------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        guide = index.data(GUIDE_ROLE)
        if isinstance(guide, Guide):
            self.open_guide(guide.key)

    def open_current(self) -> None:
        slug = self.current_slug()
        if slug is None and self.tiles_model.rowCount():
            slug = self.tiles_model.guides[0].key
        if slug is not None:
            self.open_guide(slug)

    def open_guide(self, slug: str, step: int | None = None) -> bool:
        if not self.viewer.show_guide(slug, step):
            return False
        self.stack.setCurrentWidget(self.viewer)
        self.viewer.setFocus()
        self.guide_opened.emit(slug)
        return True

    def open_platform(self, platform_key: str, stage: int | None = None) -> bool:
        """What the live call uses: the platform's guide at the first step of a journey stage."""
        if not self.viewer.show_platform(platform_key, stage):
            return False
        self.stack.setCurrentWidget(self.viewer)
        if self.viewer.guide is not None:
            self.guide_opened.emit(self.viewer.guide.key)
        return True

    def show_tiles(self) -> None:
        self.stack.setCurrentWidget(self.tiles_panel)
        self.tiles_view.setFocus()

    def _fit_tiles(self, room: int) -> None:
        """Tiles share the row's width, so a narrow window shows no empty band beside them."""
        self._tiles_room = room
        changed = self.delegate.fit(room - 2 * self.tiles_view.spacing())
        if changed or self.tiles_view.gridSize() != self.delegate.tile_size():
            self.tiles_view.setGridSize(self.delegate.tile_size())
            self.tiles_view.doItemsLayout()  # lays out now and repaints the viewport

    # -- presentation -----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Shown (at start, or by Ctrl+1) with the keyboard elsewhere, the agent's first keys are a
        # platform's name: they go to the search box, not lost on the side bar.
        focused = QApplication.focusWidget()
        if focused is None or not self.isAncestorOf(focused):
            if self.search_field.isVisibleTo(self):
                self.search_field.setFocus(Qt.FocusReason.OtherFocusReason)
            elif self._viewer is not None:  # a guide open: its keys (Alt+Left, Alt+Right)
                self._viewer.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_presentation(self, on: bool) -> None:
        """Larger type and high contrast for screen share; hides file errors and team marks."""
        self.presentation = on
        presentation.apply(self.tiles_panel, on)
        self.delegate.presentation = on
        self.delegate.scale = presentation.SCALE if on else 1.0
        self._fit_tiles(self._tiles_room)
        self._show_errors()
        if self._viewer is not None:
            self._viewer.set_presentation(on)
        if self._side is not None:
            self._side.checklist.set_presentation(on)
        if self._questions_pane is not None:
            self._questions_pane.set_presentation(on)


class _SidePane:
    """The side tabs: the customer checklist, and the questions (filled when first shown)."""

    def __init__(self, library: GuideLibrary) -> None:
        self.checklist = ChecklistPane(library.checklist)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Checklist and questions")
        self.tabs.addTab(self.checklist, "Checklist")
        self.questions_slot = QWidget()
        self.questions_slot.setAccessibleName("Customer questions")
        QVBoxLayout(self.questions_slot).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.questions_slot, "Questions")
