"""The guide viewer: what the customer does, step by step, made to be shared on screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QEvent, QMarginsF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.guides import (
    STAGES,
    Guide,
    GuideLibrary,
    TroubleEntry,
    guide_markdown,
    guide_text,
    regions_text,
    step_text,
    trouble_text,
)
from desktop.ui.guides import presentation
from desktop.ui.guides.wrapped_label import WrappedLabel
from desktop.ui.rich_text import markdown_source, plain_label
from desktop.ui.theme import theme_signals


def _style(palette: QPalette, point_size: float) -> str:
    """The viewer's look from the current palette and text size (no palette() references, so a
    presentation palette or a theme change takes effect on the next call)."""

    def c(role: QPalette.ColorRole) -> str:
        return palette.color(role).name()

    accent = palette.color(QPalette.ColorRole.Highlight)
    tint = f"rgba({accent.red()}, {accent.green()}, {accent.blue()}, 30)"
    base = point_size
    return f"""
#GuideViewer, #GuideViewer QWidget {{ font-size: {base:.1f}pt; }}
#GuideViewer QLabel {{ color: {c(QPalette.ColorRole.WindowText)}; }}
QScrollArea#GuideScroll, QWidget#GuideBody {{ background: {c(QPalette.ColorRole.Window)}; }}
QLabel#GuideTitle {{ font-size: {base * 1.6:.1f}pt; font-weight: bold; }}
QLabel#SectionTitle {{ font-size: {base * 1.15:.1f}pt; font-weight: bold; margin-top: 6px; }}
QLabel#StepTitle {{ font-size: {base * 1.1:.1f}pt; font-weight: bold; }}
QLabel#TroubleTitle {{ font-weight: bold; }}
QLabel#StageName {{ font-style: italic; }}
QFrame#StepCard, QFrame#TroubleCard {{
    border: 1px solid {c(QPalette.ColorRole.Mid)}; border-radius: 8px;
    background: {c(QPalette.ColorRole.Base)};
}}
QFrame#StepCard[current="true"], QFrame#TroubleCard[current="true"] {{
    border: 3px solid {accent.name()}; background: {tint};
}}
QLabel#StepNumber {{
    background: {accent.name()}; color: {c(QPalette.ColorRole.HighlightedText)};
    border-radius: 14px; min-width: 28px; max-width: 28px; min-height: 28px; max-height: 28px;
    font-weight: bold;
}}
QLabel#CustomerSees {{
    background: {c(QPalette.ColorRole.AlternateBase)}; border-radius: 6px; padding: 6px 8px;
    color: {c(QPalette.ColorRole.Text)};
}}
QLabel#AgentNotes {{
    border: 1px dashed {c(QPalette.ColorRole.Mid)}; border-radius: 6px; padding: 6px 8px;
}}
#GuideViewer QScrollBar:vertical {{
    background: {c(QPalette.ColorRole.AlternateBase)}; width: 12px; margin: 0px;
}}
#GuideViewer QScrollBar::handle:vertical {{
    background: {c(QPalette.ColorRole.Mid)}; min-height: 32px; border-radius: 4px; margin: 2px;
}}
#GuideViewer QScrollBar::handle:vertical:hover, #GuideViewer QScrollBar::handle:vertical:pressed {{
    background: {c(QPalette.ColorRole.Dark)};
}}
#GuideViewer QScrollBar::add-line:vertical, #GuideViewer QScrollBar::sub-line:vertical {{
    height: 0px;
}}
#GuideViewer QScrollBar::add-page:vertical, #GuideViewer QScrollBar::sub-page:vertical {{
    background: none;
}}
QToolButton#GuideMenu::menu-indicator {{ image: none; width: 0px; }}
QLabel#Chip {{ border: 1px solid {c(QPalette.ColorRole.Mid)}; border-radius: 9px; padding: 1px 8px; }}
QLabel#Unverified {{
    border: 2px solid {c(QPalette.ColorRole.Highlight)}; border-radius: 9px; padding: 1px 8px;
    font-weight: bold;
}}
"""


class _Card(QFrame):
    clicked = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("current", False)

    def set_current(self, on: bool) -> None:
        if self.property("current") != on:
            self.setProperty("current", on)
            self.style().unpolish(self)
            self.style().polish(self)

    def is_current(self) -> bool:
        return bool(self.property("current"))

    def mousePressEvent(self, event: object) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)  # type: ignore[arg-type]


def _label(text: str, name: str = "", *, wrap: bool = True, markdown: bool = False) -> QLabel:
    # Markdown fields may format, never embed HTML; plain fields show exactly as written.
    shown = markdown_source(text) if markdown else text
    label = WrappedLabel(shown) if wrap else QLabel(shown)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.MarkdownText if markdown else Qt.TextFormat.PlainText)
    if not wrap:  # a WrappedLabel becomes selectable when the mouse comes over it
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(text[:80])
    return label


def _prepare(widget: QWidget, column: QVBoxLayout) -> None:
    """Polish a widget made hidden and work out its height at the column's width now, in a loop
    turn of its own, so that showing it later lays out and paints from what is ready."""
    widget.ensurePolished()
    for child in widget.findChildren(QWidget):
        child.ensurePolished()
    width = column.contentsRect().width()
    if width > 0:
        widget.heightForWidth(width)


class StepCard(_Card):
    copy_requested = Signal(int)

    def __init__(self, number: int, total: int, guide: Guide) -> None:
        super().__init__("StepCard")
        step = guide.steps[number - 1]
        self.number = number
        self.setAccessibleName(f"Step {number} of {total}: {step.title}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        badge = QLabel(str(number))
        badge.setObjectName("StepNumber")
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        title = _label(step.title, "StepTitle")
        # The stage by its name only: "stage 3 of 5" beside "step 3 of 7" read as one numbering.
        self.stage_label = _label(f"Journey stage: {step.stage_name}", "StageName")
        column.addWidget(title)
        column.addWidget(self.stage_label)
        column.addWidget(_label(step.body, "StepBody"))
        if step.customer_sees:
            column.addWidget(_label(f"The customer sees: {step.customer_sees}", "CustomerSees"))
        layout.addLayout(column, 1)
        copy = QToolButton()
        copy.setText("Copy")
        copy.setAccessibleName(f"Copy step {number}")
        copy.setToolTip(f"Copy step {number} as text for the customer")
        copy.clicked.connect(lambda: self.copy_requested.emit(self.number))
        layout.addWidget(copy, 0, Qt.AlignmentFlag.AlignTop)
        self.copy_button = copy


class TroubleCard(_Card):
    def __init__(self, key: str, entry: TroubleEntry, general: bool) -> None:
        super().__init__("TroubleCard")
        self.key = key
        self.entry = entry
        self.general = general  # from the common problems, not the guide itself
        self.setAccessibleName(f"Problem: {entry.title}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        title = _label(entry.title + ("  (general advice)" if general else ""), "TroubleTitle")
        layout.addWidget(title)
        layout.addWidget(_label(entry.body, "TroubleBody"))
        row = QHBoxLayout()
        row.addStretch(1)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setAccessibleName(f"Copy fix: {entry.title}")
        row.addWidget(self.copy_button)
        layout.addLayout(row)


class GuideViewer(QWidget):
    """One guide: prerequisites, numbered steps (one of them current), troubleshooting, links.

    Steps are numbered from 1 as shown on screen. ``show_guide(slug, step)`` and
    ``show_platform(platform_key, stage)`` are what the live call uses.
    """

    back_requested = Signal()
    step_changed = Signal(int)  # the current step number (1-based)
    copied = Signal(str)  # what was put on the clipboard, for a status message

    def __init__(
        self,
        library: GuideLibrary,
        parent: QWidget | None = None,
        *,
        progressive: bool = False,
        embedded: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("GuideViewer")
        # Embedded in a call's pane (a third of a laptop screen): no way back to the tiles, the
        # guide's copy and export actions in one menu, short step buttons; nothing is clipped.
        self.embedded = embedded
        # Progressive: a guide is built a card per event-loop turn, so opening one never holds the
        # loop for the 25-50 ms a whole guide takes (the live call opens guides while it tracks).
        self.progressive = progressive
        self._pending: Iterator[None] | None = None
        self.setAccessibleName("Guide viewer")
        self.library = library
        self.guide: Guide | None = None
        self.current_step: int | None = None
        self.current_problem: str | None = None
        self.presentation = False
        self.step_cards: list[StepCard] = []
        self.trouble_cards: dict[str, TroubleCard] = {}
        self.internal_widgets: list[QWidget] = []
        # Shown on a guide whose front matter says unverified = true (None on any other guide).
        self.unverified_badge: QLabel | None = None
        self._styling = False
        theme_signals().changed.connect(self._restyle)
        self._build()
        self._shortcuts()
        self._show_empty()
        self._restyle()

    # -- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.back_button = QPushButton("← All guides")
        self.back_button.setAccessibleName("Back to all guides")
        self.back_button.setToolTip("Back to all guides (Esc)")
        self.back_button.clicked.connect(self.back_requested)
        self.title_label = plain_label()  # the guide's name
        self.title_label.setObjectName("GuideTitle")
        self.title_label.setAccessibleName("Guide title")
        self.title_label.setWordWrap(True)  # a long platform name must not widen a small window
        top.addWidget(self.back_button)
        top.addSpacing(8)
        top.addWidget(self.title_label, 1)
        self.copy_guide_button = self._button(
            "Copy guide", "Copy the whole guide as text (Ctrl+Shift+C)"
        )
        self.copy_guide_button.clicked.connect(self.copy_guide)
        self.export_md_button = self._button(
            "Export Markdown…", "Save the guide as a Markdown file"
        )
        self.export_md_button.clicked.connect(self._ask_export_markdown)
        self.export_pdf_button = self._button("Export PDF…", "Save the guide as a PDF file")
        self.export_pdf_button.clicked.connect(self._ask_export_pdf)
        self.more_button = QToolButton()
        self.more_button.setText("Guide ▾")
        self.more_button.setObjectName("GuideMenu")  # the ▾ says it opens a menu: no second arrow
        self.more_button.setAccessibleName("Copy or export the guide")
        self.more_button.setToolTip("Copy the guide, or save it as Markdown or PDF")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        for button in (self.copy_guide_button, self.export_md_button, self.export_pdf_button):
            if self.embedded:
                action = menu.addAction(button.text())
                action.triggered.connect(button.click)
            else:
                top.addWidget(button)
        self.more_button.setMenu(menu)
        if self.embedded:
            for button in (self.copy_guide_button, self.export_md_button, self.export_pdf_button):
                button.setParent(self)
                button.setVisible(False)
            self.back_button.setVisible(False)
            top.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        walk = QHBoxLayout()
        self.prev_button = self._button("◀ Previous step", "Previous step (Alt+Left)")
        self.prev_button.clicked.connect(self.previous_step)
        self.next_button = self._button("Next step ▶", "Next step (Alt+Right)")
        self.next_button.clicked.connect(self.next_step)
        self.position_label = QLabel()
        self.position_label.setAccessibleName("Current step and journey stage")
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.position_label.setWordWrap(True)
        self.copy_step_button = self._button(
            "Copy step", "Copy the current step as text (Ctrl+Alt+C)"
        )
        self.copy_step_button.clicked.connect(lambda: self.copy_step())
        if self.embedded:
            # Beside a call the pane is narrow (about 470 px at 1366x768): arrows only, in buttons
            # as narrow as their arrow, so the step and its stage keep one line between them.
            arrow_width = (
                self.fontMetrics().horizontalAdvance("▶")
                + 4 * self.fontMetrics().averageCharWidth()
            )
            for button, arrow in ((self.prev_button, "◀"), (self.next_button, "▶")):
                button.setText(arrow)
                button.setFixedWidth(arrow_width)
            self.position_label.setMinimumWidth(self.fontMetrics().averageCharWidth() * 12)
        walk.addWidget(self.prev_button)
        walk.addWidget(self.position_label, 1)
        walk.addWidget(self.next_button)
        walk.addWidget(self.copy_step_button)
        outer.addLayout(walk)

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        # A scroll bar that comes and goes changes the width, and every wrapped label is laid out
        # again (tens of milliseconds on a long guide): keep it.
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # Cards wrap their text to the pane's width: never a sideways scroll bar.
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setAccessibleName("Guide content")
        # Styled flat (see _style): Fusion's own scroll bar took 2-4 ms to paint at this height,
        # and a guide being filled changes its range every loop turn. Its style sheet paints
        # every pixel, so Qt need not paint the viewer and the call page's group box behind it.
        self.scroll_area.verticalScrollBar().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.scroll_area.setObjectName("GuideScroll")
        outer.addWidget(self.scroll_area, 1)
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Viewer status")
        outer.addWidget(self.status_label)
        self.export_dialog: QFileDialog | None = None
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self.status_label.clear)
        self._scroll_target: int | str | None = None
        self._scroll_timer = QTimer(self)
        self._scroll_timer.setSingleShot(True)
        self._scroll_timer.timeout.connect(self._scroll_now)
        self._build_timer = QTimer(self)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_some)

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.rstrip("…").replace("◀ ", "").replace(" ▶", ""))
        button.setToolTip(tip)
        return button

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        pairs = (
            ("Alt+Right", self.next_step),
            ("Alt+Left", self.previous_step),
            ("Ctrl+Shift+C", self.copy_guide),
            ("Ctrl+Alt+C", self.copy_step),
            ("Escape", self.back_requested.emit),
        )
        for keys, slot in pairs:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def _show_empty(self) -> None:
        self.title_label.setText("No guide open")
        placeholder = _label("Pick a platform on the Guides page to see its connection steps.")
        self.scroll_area.setWidget(placeholder)
        for button in (
            self.copy_guide_button,
            self.export_md_button,
            self.export_pdf_button,
            self.prev_button,
            self.next_button,
            self.copy_step_button,
        ):
            button.setEnabled(False)

    def _fill(self, guide: Guide) -> None:
        self._build_timer.stop()
        self._pending = self._fill_parts(guide)
        if self.progressive:
            next(self._pending, None)  # the header, so the title and buttons change at once
            # The current step's card comes on the next turn, painted then: made in this one
            # too, it held the loop twice as long (the caller's work is in this turn).
            self._build_timer.start()
        else:
            self._finish_pending()

    def _build_some(self) -> None:
        if self._pending is None or next(self._pending, StopIteration) is StopIteration:
            self._pending = None
            self._build_timer.stop()

    def _finish_pending(self) -> None:
        """Build what is still pending now: for callers that need every card."""
        self._build_timer.stop()
        pending, self._pending = self._pending, None
        if pending is not None:
            for _ in pending:
                pass

    def _fill_parts(self, guide: Guide) -> Iterator[None]:
        self.step_cards = []
        self.trouble_cards = {}
        self.internal_widgets = []
        self.unverified_badge = None
        self.title_label.setText(f"Connecting {guide.name}")
        body = QWidget()
        # Cards are added below one another: when the body grows, only the new part is painted,
        # not every card already on screen again (Qt repaints what moves by itself).
        body.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        body.setObjectName("GuideBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 8, 12, 8)
        column.setSpacing(8)
        # What comes before the steps; while a guide is built bit by bit it stays hidden and is
        # filled after the current step's card, so that card shows at once (see below).
        header = QWidget()
        header.setObjectName("GuideHeader")
        head = QVBoxLayout(header)
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(8)
        header.setVisible(not self.progressive)
        column.addWidget(header)
        if not self.progressive:
            self._fill_header(guide, head)
        steps_column = QVBoxLayout()
        column.addLayout(steps_column)
        self.trouble_title = _label("If something goes wrong", "SectionTitle")
        column.addWidget(self.trouble_title)
        self.trouble_column = QVBoxLayout()
        column.addLayout(self.trouble_column)
        tail = QVBoxLayout()
        column.addLayout(tail)
        column.addStretch(1)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.scroll_area.setWidget(body)
        for widget in self.internal_widgets:
            widget.setVisible(not self.presentation)
        # Built bit by bit, what is below the current step's card (troubleshooting, links) is
        # made hidden and prepared, then shown one widget a loop turn: shown as it was made,
        # each laid out and painted the guide again in the same turn (5-10 ms a card).
        later: list[QWidget] = []

        def hold(widget: QWidget) -> None:
            if self.progressive:
                widget.setVisible(False)
                _prepare(widget, column)
                later.append(widget)

        yield
        # The current step's card first, so the agent sees it one loop turn after the guide
        # opens; the cards before it stay hidden until all are made (shown one by one they would
        # push it down and out of view), the cards after it appear as they are made.
        total = len(guide.steps)
        first = max(1, min(total, self.current_step or 1))
        built: dict[int, StepCard] = {}
        for number in [first, *(n for n in range(1, total + 1) if n != first)]:
            card = StepCard(number, total, guide)
            card.clicked.connect(lambda n=number: self.set_step(n))
            card.copy_requested.connect(self.copy_step)
            card.set_current(number == self.current_step)
            if number < first:
                card.setVisible(False)
            steps_column.insertWidget(sum(1 for n in built if n < number), card)
            built[number] = card
            self.step_cards = [built[n] for n in sorted(built)]
            if number == first and self.progressive and self.isVisible():
                # Made and prepared (polished, sized) in this turn, shown in the next: both in
                # one turn held the loop 20 ms.
                card.setVisible(False)
                _prepare(card, column)
                yield
                # On screen now, not after the other cards: lay out what is pending, bring the
                # card into view and paint it (the live call's first sight of the guide).
                # A widget added to a visible parent is shown by a queued call: show it now.
                body.show()
                card.show()
                QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
                if self._scroll_target is not None:
                    self._scroll_target_now()
                card.repaint()
            elif number == first and self._scroll_target is not None:
                self._scroll_later(self._scroll_target)
            elif number < first and self.progressive:
                _prepare(card, column)
            yield
        if self.progressive:
            # The header and the cards above the current one show together (each shown alone
            # would move the current card): made and prepared first, each in a turn of its own.
            self._fill_header(guide, head)
            for widget in self.internal_widgets:
                widget.setVisible(not self.presentation)
            for part in header.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                yield
                _prepare(part, column)  # the summary and prerequisites are whole documents
            yield
        hidden = [card for n, card in built.items() if n < first]
        for card in hidden:
            card.setVisible(True)
        header.setVisible(True)
        if self._scroll_target is not None and self.progressive and self.isVisible():
            # Place what was just shown and scroll back to the target before the next paint,
            # so the current card does not jump out of view.
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self._scroll_target_now()
        elif self._scroll_target is not None:
            self._scroll_later(self._scroll_target)
        for key, entry in guide.troubleshooting.items():
            if key not in self.trouble_cards:
                hold(self._add_trouble(key, entry, general=False))
                yield
        if guide.links:
            more = _label("More from Codat", "SectionTitle")
            tail.addWidget(more)
            hold(more)
            links = "  \n".join(f"[{link.title}]({link.url})" for link in guide.links)
            link_label = _label(links, "Links", markdown=True)
            link_label.setOpenExternalLinks(True)
            link_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            link_label.setAccessibleName("Links to Codat's pages")
            tail.addWidget(link_label)
            hold(link_label)
            yield
        checked = guide.provenance.checked
        if checked is not None:
            when = _label(f"Checked against Codat's pages on {checked.isoformat()}", "Checked")
            when.setAccessibleName("Date checked against Codat's pages")
            tail.addWidget(when)
            when.setVisible(not self.presentation)
            self.internal_widgets.append(when)
            hold(when)
        source = _label(f"Source: {guide.source}", "Source")
        source.setAccessibleName("Guide file")
        tail.addWidget(source)
        source.setVisible(
            not self.presentation
        )  # after it has a parent: before, it would be a window
        self.internal_widgets.append(source)
        hold(source)
        for widget in later:
            yield
            # What presentation mode hides follows it, even if it was switched meanwhile.
            widget.setVisible(widget not in self.internal_widgets or not self.presentation)
        if self.current_problem in self.trouble_cards:
            self.trouble_cards[self.current_problem].set_current(True)
        if self._scroll_target is not None:
            self._scroll_later(self._scroll_target)
        for button in (self.copy_guide_button, self.export_md_button, self.export_pdf_button):
            button.setEnabled(True)

    def _fill_header(self, guide: Guide, head: QVBoxLayout) -> None:
        """Chips, summary, who can connect, what to have ready, agent notes: above the steps."""
        chips: QHBoxLayout | QVBoxLayout = QVBoxLayout() if self.embedded else QHBoxLayout()
        if self.embedded:  # one wrapped line: chips side by side would set the pane's width
            chips.addWidget(_label(" · ".join((regions_text(guide), *guide.tags)), "Chips"))
        else:
            for text in (regions_text(guide), *guide.tags):
                chip = plain_label(text)  # a guide's own words: shown as written
                chip.setObjectName("Chip")
                chips.addWidget(chip)
        if guide.provenance.unverified:
            # For the agent only: the customer should not be told the steps may be wrong.
            self.unverified_badge = QLabel("Unverified")
            self.unverified_badge.setObjectName("Unverified")
            self.unverified_badge.setAccessibleName("Unverified guide")
            tip = (
                "Codat documents too little to check this guide against. Confirm anything "
                "unexpected with Codat support, and tell your team what you saw."
            )
            self.unverified_badge.setAccessibleDescription(tip)
            self.unverified_badge.setToolTip(tip)
            chips.addWidget(self.unverified_badge)
            self.internal_widgets.append(self.unverified_badge)
        if guide.origin == "team":
            mark = "Team guide (replaces the built-in one)" if guide.overrides else "Team guide"
            origin = QLabel(mark)
            origin.setObjectName("Chip")
            origin.setAccessibleName("Guide origin")
            chips.addWidget(origin)
            self.internal_widgets.append(origin)
        keys = plain_label("Platform keys: " + ", ".join(guide.platform_keys))
        keys.setWordWrap(True)
        keys.setAccessibleName("Platform keys")
        keys.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The rest of the row is the keys' (with a stretch after it, a wrapping label took the
        # narrowest width and broke "Platform keys:" from "gbol"); a long list still wraps.
        chips.addWidget(keys, 1)
        self.internal_widgets.append(keys)
        head.addLayout(chips)
        if guide.summary:
            head.addWidget(_label(guide.summary, "Summary", markdown=True))
        head.addWidget(_label("Who can connect", "SectionTitle"))
        head.addWidget(_label(guide.role, "Role"))
        if guide.prerequisites:
            head.addWidget(_label("Before you start", "SectionTitle"))
            bullets = "\n".join(f"- {p}" for p in guide.prerequisites)
            prereq = _label(bullets, "Prerequisites", markdown=True)
            prereq.setAccessibleName("Prerequisites")
            head.addWidget(prereq)
        if guide.agent_notes:
            notes = _label(f"For agents: {guide.agent_notes}", "AgentNotes")
            notes.setAccessibleName("Agent notes")
            head.addWidget(notes)
            self.internal_widgets.append(notes)
        head.addWidget(_label("Steps", "SectionTitle"))

    def _add_trouble(self, key: str, entry: TroubleEntry, general: bool) -> TroubleCard:
        card = TroubleCard(key, entry, general)
        card.copy_button.clicked.connect(
            lambda: self._copy(trouble_text(self.guide, entry), entry.title)
        )
        card.clicked.connect(lambda: self.show_problem(key))
        self.trouble_column.addWidget(card)
        self.trouble_cards[key] = card
        return card

    def warm_up(self) -> None:
        """Make (and drop) one step card, polished, off screen: the first card a process makes
        costs several times the next ones (Qt's flag types, the style sheet), and the live call
        should not pay that when the customer picks their software."""
        guide = self.library.guides[0] if self.library.guides else None
        if guide is None or not guide.steps:
            return
        card = StepCard(1, len(guide.steps), guide)
        card.setParent(self)
        card.setVisible(False)
        card.ensurePolished()
        card.deleteLater()

    # -- the API the live call and the page use -----------------------------------------------------
    def show_guide(self, slug: str, step: int | None = None) -> bool:
        """Open a guide, with step number ``step`` (1-based) highlighted; False if unknown."""
        guide = self.library.get(slug)
        if guide is None:
            return False
        if guide is not self.guide:
            self.guide = guide
            # Known before the cards are made, so the current one is made (and shown) first.
            self.current_step = None if step is None else max(1, min(len(guide.steps), step))
            self.current_problem = None
            self._scroll_target = self.current_step
            self._fill(guide)
        self.set_step(step)
        return True

    def show_platform(
        self, platform_key: str, stage: int | None = None, *, last_of_stage: bool = False
    ) -> bool:
        """Open the guide for a Codat platform key at the first step of a journey stage (1-5), or
        at its last step with ``last_of_stage`` (the first sync's card once the sync runs)."""
        guide = self.library.by_platform_key(platform_key)
        if guide is None:
            return False
        if stage is None:
            index = None
        elif last_of_stage:
            index = guide.last_step_at(stage)
        else:
            index = guide.first_step_at(stage)
        return self.show_guide(guide.key, None if index is None else index + 1)

    def show_problem(self, key: str) -> bool:
        """Highlight the fix for a problem key (the guide's own, else the general one)."""
        if self.guide is None:
            return False
        self._finish_pending()
        card = self.trouble_cards.get(key)
        if card is None:
            entry = self.library.problem(self.guide, key)
            if entry is None:
                return False
            card = self._add_trouble(key, entry, general=True)
        self.current_problem = key
        for other in self.trouble_cards.values():
            other.set_current(other is card)
        self._scroll_later(key)
        return True

    def set_step(self, number: int | None) -> None:
        if self.guide is None:
            return
        total = len(self.guide.steps)
        if number is not None:
            number = max(1, min(total, number))
        self.current_step = number
        for card in self.step_cards:
            card.set_current(card.number == number)
        self._update_position()
        if number is not None:
            self._scroll_later(number)
            self.step_changed.emit(number)

    def _scroll_later(self, target: int | str) -> None:
        # After layout has placed the cards; the target is looked up again then, because
        # opening another guide in between replaces every card.
        self._scroll_target = target
        self._scroll_timer.start(0)

    def _scroll_target_now(self) -> None:
        self._scroll_timer.stop()
        self._scroll_now()

    def _scroll_now(self) -> None:
        target = self._scroll_target
        card: QWidget | None = None
        if isinstance(target, int):
            card = next((c for c in self.step_cards if c.number == target), None)
        elif isinstance(target, str):
            card = self.trouble_cards.get(target)
        if card is not None:
            # Cards just made or shown have no place yet until their layouts run: run them.
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.scroll_area.ensureWidgetVisible(card, 0, 60)

    def next_step(self) -> None:
        if self.guide is not None:
            self.set_step(1 if self.current_step is None else self.current_step + 1)

    def previous_step(self) -> None:
        if self.guide is not None:
            self.set_step(1 if self.current_step is None else self.current_step - 1)

    def _update_position(self) -> None:
        guide = self.guide
        if guide is None:
            return
        total = len(guide.steps)
        number = self.current_step
        if number is None:
            self.position_label.setText(f"{total} steps · press Next step to walk through them")
            self.position_label.setToolTip("")
        else:
            stage = guide.steps[number - 1].stage
            whole = f"Step {number} of {total} · Journey stage: {STAGES[stage]}"
            # Beside a call, the stage alone (each card names it "Journey stage" too): the whole
            # wording took two lines there; it stays in the tooltip.
            short = f"Step {number} of {total} · {STAGES[stage]}"
            self.position_label.setText(short if self.embedded else whole)
            self.position_label.setToolTip(whole)
        self.prev_button.setEnabled(number is not None and number > 1)
        self.next_button.setEnabled(number is None or number < total)
        self.copy_step_button.setEnabled(number is not None)

    # -- copy and export --------------------------------------------------------------------------
    def copy_step(self, number: int | None = None) -> None:
        if self.guide is None:
            return
        number = number or self.current_step
        if number is None:
            return
        self._copy(step_text(self.guide, number - 1), f"step {number}")

    def copy_guide(self) -> None:
        if self.guide is not None:
            self._copy(guide_text(self.guide), "the whole guide")

    def _copy(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.status_label.setText(f"Copied {what} to the clipboard.")
        self._status_timer.start(4000)
        self.copied.emit(text)

    def export_markdown(self, path: Path) -> Path:
        if self.guide is None:
            raise ValueError("no guide is open")
        path.write_text(guide_markdown(self.guide), encoding="utf-8")
        return path

    def export_pdf(self, path: Path) -> Path:
        from PySide6.QtGui import QPdfWriter, QTextDocument

        if self.guide is None:
            raise ValueError("no guide is open")
        document = QTextDocument()
        document.setMarkdown(markdown_source(guide_markdown(self.guide)))
        writer = QPdfWriter(str(path))
        writer.setTitle(f"Connecting {self.guide.name}")
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter)
        document.print_(writer)
        return path

    def _ask_export_markdown(self) -> None:
        self._ask_path("Markdown (*.md)", ".md", self.export_markdown)

    def _ask_export_pdf(self) -> None:
        self._ask_path("PDF (*.pdf)", ".pdf", self.export_pdf)

    def _ask_path(self, kind: str, suffix: str, write: Callable[[Path], Path]) -> None:
        """Ask where to save with a dialog opened with open(): we may be inside a coroutine."""
        if self.guide is None:
            return
        name = f"{self.guide.key}-guide{suffix}"
        dialog = QFileDialog(self, "Export guide", str(Path.home() / name), kind)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.fileSelected.connect(lambda chosen: self.write_export(Path(chosen), write))
        self.export_dialog = dialog
        dialog.open()

    def write_export(self, path: Path, write: Callable[[Path], Path]) -> bool:
        """Write an export; a refusal of the disk is shown on the viewer, not raised."""
        try:
            write(path)
        except OSError as exc:
            self.status_label.setText(f"Could not save {path.name}: {exc.strerror or exc}")
            self._status_timer.start(10000)
            return False
        self._saved(path)
        return True

    def _saved(self, path: Path) -> None:
        self.status_label.setText(f"Saved {path.name}.")
        self._status_timer.start(6000)

    # -- presentation -----------------------------------------------------------------------------
    def set_presentation(self, on: bool) -> None:
        """Larger type and high contrast; hides keys, agent notes, file paths and team marks."""
        self._finish_pending()
        self.presentation = on
        presentation.apply(self, on)
        self._restyle()
        for widget in self.internal_widgets:
            widget.setVisible(not on)
        # Larger type moves every card: bring the fix (or the current step) back into view.
        target = self.current_problem if self.current_problem is not None else self.current_step
        if target is not None:
            self._scroll_later(target)

    def _restyle(self) -> None:
        self._styling = True
        try:
            palette = self.palette() if self.presentation else QApplication.palette()
            size = QApplication.font().pointSizeF()
            size = size if size > 0 else 10.0
            style = _style(palette, size * (presentation.SCALE if self.presentation else 1))
            if style != self.styleSheet():  # a new style sheet lays every card out again
                self.setStyleSheet(style)
        finally:
            self._styling = False

    def changeEvent(self, event: QEvent) -> None:
        # The app theme can change while the viewer is open (Settings): follow it.
        # A window gets ApplicationPaletteChange; a viewer inside a page gets PaletteChange.
        if (
            event.type()
            in (
                QEvent.Type.ApplicationPaletteChange,
                QEvent.Type.PaletteChange,
                QEvent.Type.FontChange,
            )
            and not self._styling
        ):
            self._restyle()
        super().changeEvent(event)
