"""Every text from outside is shown as written: never read as markup, never loading an image.

The same markup goes through every label that shows something LinkDesk did not write itself:
Codat's messages, the customer's company name, a guide's plain and Markdown fields, file errors,
an API base someone typed. After each, no widget may hold that markup in a form Qt would render
(a rich-text or auto-format label, a tooltip, a text document), and the words must still show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QLabel,
    QMessageBox,
    QTextEdit,
    QWidget,
)

from desktop.core.calls.outcome import Outcome
from desktop.core.companies import CompanyRow
from desktop.core.crash import CrashReport
from desktop.core.guides import builtin_guides_dir, load_library
from desktop.core.guides.model import Checklist, ChecklistItem
from desktop.ui.call.checklist import ChecklistBox
from desktop.ui.companies.page import CompaniesPage
from desktop.ui.crash_dialog import CrashDialog
from desktop.ui.guides.checklist import ChecklistPane
from desktop.ui.guides.page import GuidesPage
from desktop.ui.guides.viewer import GuideViewer
from desktop.ui.main_window import MainWindow
from desktop.ui.rich_text import plain_tooltip
from tests.ui.call_workspace_kit import make_kit

# A gateway's error page, an image that would be fetched, and a link: each must show as text.
MARKUP = '<html><body><img src="file:///etc/hostname"><b>Bad gateway</b> & <a href="x">here</a>'
TAG = "<img"


def _renders(widget: QLabel | QMessageBox) -> bool:
    return widget.textFormat() != Qt.TextFormat.PlainText


def _rendered_markup(root: QWidget) -> list[str]:
    """Where ``TAG`` would be read as markup under ``root`` (empty when it never is)."""
    found: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        name = f"{type(widget).__name__} {widget.accessibleName()!r}"
        if TAG in widget.toolTip():
            found.append(f"tooltip of {name}")
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                # A list model's columnCount is private to Python: read columns until one is not.
                for column in range(64):
                    index = model.index(row, column)
                    if not index.isValid():
                        break
                    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
                    if isinstance(tip, str) and TAG in tip:
                        found.append(f"tooltip of row {row}, column {column} of {name}")
        if isinstance(widget, QLabel) and widget.textFormat() == Qt.TextFormat.MarkdownText:
            document = QTextDocument()
            document.setMarkdown(widget.text())
            if TAG in document.toHtml():  # escaped, it would read &lt;img
                found.append(f"Markdown of {name}")
        elif isinstance(widget, QLabel | QMessageBox) and _renders(widget) and TAG in widget.text():
            found.append(f"{widget.textFormat().name} text of {name}")
        if isinstance(widget, QTextEdit) and TAG in widget.toHtml():
            found.append(f"document of {name}")
    return found


def _shown_somewhere(root: QWidget, text: str) -> bool:
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QAbstractButton) and text in widget.text():
            return True
        if isinstance(widget, QTextEdit) and text in widget.toPlainText():
            return True
    return False


def test_call_page_company_name_and_codats_message(qtbot: Any, tmp_path: Path) -> None:
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call(MARKUP)
    kit.connection_failed(session, MARKUP)
    view = kit.workspace.current_view()
    assert view is not None
    detail = view.journey.detail_text
    assert detail.accessibleName() == "Codat's message"
    assert detail.isVisibleTo(view) and MARKUP in detail.text()
    assert detail.textFormat() == Qt.TextFormat.PlainText
    assert view.title.text() == MARKUP
    assert _rendered_markup(kit.workspace) == []


def test_an_ended_call_in_recent_calls(qtbot: Any, tmp_path: Path) -> None:
    # The company's name is Codat's; an "other" outcome is the agent's own words.
    kit = make_kit(qtbot, tmp_path)
    session = kit.open_call(MARKUP)
    kit.workspace.end_call(session.call_id, Outcome("other", MARKUP))
    kit.workspace.finish_ending()
    recent = kit.workspace.recent
    qtbot.waitUntil(lambda: recent.count() == 1)
    assert MARKUP in recent.item(0).text()
    assert _rendered_markup(kit.workspace) == []


def test_start_panel_name_check_and_search_error(qtbot: Any, tmp_path: Path) -> None:
    kit = make_kit(qtbot, tmp_path)
    panel = kit.workspace.start_panel
    panel.name_edit.setText(MARKUP + "\r\nLtd")
    assert panel.name_warning.text()
    panel.status.setText(MARKUP)  # what a failed search shows: the error's own message
    assert _rendered_markup(panel) == []


def test_checklists_from_a_guide(qtbot: Any) -> None:
    checklist = Checklist(
        title=MARKUP,
        intro=MARKUP,
        items=(ChecklistItem(key="admin", text=MARKUP, detail=MARKUP),),
        source=Path("checklist.md"),
    )
    for widget in (ChecklistBox(checklist), ChecklistPane(checklist)):
        qtbot.addWidget(widget)
        assert _rendered_markup(widget) == []
        assert _shown_somewhere(widget, "Bad gateway")


def _team_guide(tmp_path: Path) -> Path:
    """Xero's guide with the markup in every plain and Markdown field a team may write."""
    text = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    toml = MARKUP.replace('"', '\\"')
    text = text.replace('name = "Xero"', f'name = "{toml}"', 1)
    text = text.replace('role = "', f'role = "{toml} ', 1)
    text = text.replace('agent_notes = "', f'agent_notes = "{toml} ', 1)
    text = text.replace("prerequisites = [", f'prerequisites = [\n  "{toml}",', 1)
    text = text.replace('title = "', f'title = "{toml} ', 1)
    text = text.replace('sees = "', f'sees = "{toml} ', 1)
    body_start = text.index("+++", 3) + 3
    text = text[:body_start] + "\n" + MARKUP + "\n" + text[body_start:]
    team = tmp_path / "team"
    team.mkdir()
    (team / "xero.md").write_text(text, encoding="utf-8")
    (team / "broken.md").write_text(f"+++\nkind = 'x'\n{MARKUP} = 1\n+++\n", encoding="utf-8")
    return team


def test_guide_viewer_and_page_with_a_hostile_team_guide(qtbot: Any, tmp_path: Path) -> None:
    library = load_library(builtin_guides_dir(), _team_guide(tmp_path))
    guide = library.get("xero")
    assert guide is not None and guide.name == MARKUP, library.errors
    assert guide.agent_notes.startswith(MARKUP) and guide.summary.startswith(MARKUP)
    viewer = GuideViewer(library)
    qtbot.addWidget(viewer)
    viewer.show_guide("xero", 1)
    viewer.show_problem("unsupported")
    assert _rendered_markup(viewer) == []
    assert _shown_somewhere(viewer, "Bad gateway")
    assert viewer.title_label.text() == f"Connecting {MARKUP}"
    viewer.export_pdf(tmp_path / "x.pdf")  # the PDF's document is made the same way

    page = GuidesPage(library)
    qtbot.addWidget(page)
    assert page.errors_label.isVisibleTo(page) or page.errors_label.text()
    assert _rendered_markup(page) == []


def test_window_dialogs_and_companies_page(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_target(f"Codat at http://{MARKUP}", MARKUP)
    assert _rendered_markup(window) == []

    dialog = CrashDialog(CrashReport("Unexpected error", MARKUP, MARKUP))
    qtbot.addWidget(dialog)
    assert _rendered_markup(dialog) == []

    page = CompaniesPage(lambda text, page: None, lambda coro, name: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(page)
    page._show_error(MARKUP)
    assert _rendered_markup(page) == []
    # A company named in markup, listed: its row's tooltip names it too.
    page.model.set_rows(
        [CompanyRow("c-1", MARKUP, "Linked", MARKUP, None, "https://link.codat.io/x", MARKUP)]
    )
    assert _rendered_markup(page) == []


def test_plain_tooltip_shows_the_text_as_written(qtbot: Any) -> None:
    document = QTextDocument()
    document.setHtml(plain_tooltip(MARKUP + "\nsecond line"))
    assert document.toPlainText() == MARKUP + "\nsecond line"
    assert TAG not in plain_tooltip(MARKUP)
