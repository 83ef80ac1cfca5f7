"""The guide viewer, checklist and questions: highlight, walk-through, copy, export, presentation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from desktop.core.guides import (
    GuideLibrary,
    builtin_guides_dir,
    checklist_message,
    guide_markdown,
    load_library,
    step_text,
)
from desktop.ui.guides.checklist import ChecklistPane
from desktop.ui.guides.questions import QuestionsPane
from desktop.ui.guides.viewer import GuideViewer


def _shown_viewer(qtbot: Any, library: GuideLibrary, *, progressive: bool) -> GuideViewer:
    widget = GuideViewer(library, progressive=progressive)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def viewer(qtbot: Any, library: GuideLibrary) -> GuideViewer:
    return _shown_viewer(qtbot, library, progressive=False)


@pytest.fixture
def progressive_viewer(qtbot: Any, library: GuideLibrary) -> GuideViewer:
    """Shows a guide's header at once and builds its cards on later turns of the event loop."""
    return _shown_viewer(qtbot, library, progressive=True)


def current_cards(viewer: GuideViewer) -> list[int]:
    return [card.number for card in viewer.step_cards if card.is_current()]


def current_stage_text(viewer: GuideViewer) -> str:
    card = next(card for card in viewer.step_cards if card.is_current())
    return card.stage_label.text()


def test_show_guide_highlights_one_step(viewer: GuideViewer, library: GuideLibrary) -> None:
    assert viewer.show_guide("quickbooks-desktop", 3)
    guide = library.get("quickbooks-desktop")
    assert guide is not None and len(viewer.step_cards) == len(guide.steps)
    assert viewer.current_step == 3 and current_cards(viewer) == [3]
    assert "Step 3 of" in viewer.position_label.text()
    assert f"Journey stage: {guide.steps[2].stage_name}" in viewer.position_label.text()
    assert " of 5" not in viewer.position_label.text()  # one numbering only: the steps'
    assert current_stage_text(viewer) == f"Journey stage: {guide.steps[2].stage_name}"
    assert viewer.show_guide("quickbooks-desktop", 5)
    assert current_cards(viewer) == [5]
    assert viewer.show_guide("no-such-guide") is False
    assert viewer.guide is guide


def test_show_platform_opens_the_first_step_of_a_stage(viewer: GuideViewer) -> None:
    assert viewer.show_platform("akxx", 4)
    assert viewer.guide is not None and viewer.guide.key == "netsuite"
    stages = [s.stage for s in viewer.guide.steps]
    assert viewer.current_step == stages.index(4) + 1
    assert viewer.show_platform("akxx", 5)
    assert viewer.current_step == stages.index(5) + 1
    assert viewer.show_platform("nope", 1) is False


def test_walk_through_next_and_previous(qtbot: Any, viewer: GuideViewer) -> None:
    viewer.show_guide("xero")
    first = viewer.current_step  # a name: mypy would keep the attribute None past the click
    assert first is None and current_cards(viewer) == []
    assert not viewer.prev_button.isEnabled()
    qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
    assert viewer.current_step == 1
    qtbot.keyClick(viewer, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert viewer.current_step == 2
    assert "Step 2 of" in viewer.position_label.text()
    assert "Journey stage: Choose software" in viewer.position_label.text()
    qtbot.keyClick(viewer, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert viewer.current_step == 1
    total = len(viewer.step_cards)
    for _ in range(total + 3):
        viewer.next_step()
    assert viewer.current_step == total and not viewer.next_button.isEnabled()
    assert current_cards(viewer) == [total]


def test_clicking_a_step_makes_it_current(qtbot: Any, viewer: GuideViewer) -> None:
    viewer.show_guide("sage-intacct", 1)
    card = viewer.step_cards[4]
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert viewer.current_step == 5 and current_cards(viewer) == [5]


def test_show_problem_guide_entry_then_general_fallback(
    viewer: GuideViewer, library: GuideLibrary
) -> None:
    viewer.show_guide("netsuite", 1)
    assert viewer.show_problem("tba_disabled")
    assert viewer.trouble_cards["tba_disabled"].is_current()
    assert viewer.show_problem("api_unreachable")  # not in the guide: the common entry
    card = viewer.trouble_cards["api_unreachable"]
    assert card.is_current() and not viewer.trouble_cards["tba_disabled"].is_current()
    assert card.general and card.entry is library.common_problems["api_unreachable"]
    assert not viewer.trouble_cards["tba_disabled"].general
    assert viewer.show_problem("not-a-problem") is False


def test_copy_a_step_and_the_whole_guide(
    qtbot: Any, viewer: GuideViewer, library: GuideLibrary
) -> None:
    clipboard = QGuiApplication.clipboard()
    viewer.show_guide("quickbooks-desktop", 4)
    guide = library.get("quickbooks-desktop")
    assert guide is not None
    qtbot.mouseClick(viewer.copy_step_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == step_text(guide, 3)
    qtbot.mouseClick(viewer.step_cards[1].copy_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == step_text(guide, 1)
    qtbot.mouseClick(viewer.copy_guide_button, Qt.MouseButton.LeftButton)
    whole = clipboard.text()
    assert all(step.title in whole for step in guide.steps)
    assert guide.agent_notes not in whole and "pqsw" not in whole
    assert "Copied" in viewer.status_label.text()


def test_presentation_hides_internal_things(viewer: GuideViewer, library: GuideLibrary) -> None:
    viewer.show_guide("quickbooks-desktop", 2)
    names = {w.accessibleName() for w in viewer.internal_widgets}
    assert {"Platform keys", "Agent notes", "Guide file"} <= names
    assert all(w.isVisibleTo(viewer) for w in viewer.internal_widgets)
    before = viewer.step_cards[0].font().pointSizeF()
    viewer.set_presentation(True)
    assert not any(w.isVisibleTo(viewer) for w in viewer.internal_widgets)
    assert viewer.step_cards[0].font().pointSizeF() > before
    # A guide opened during the presentation stays clean too.
    viewer.show_guide("netsuite", 1)
    assert viewer.internal_widgets and not any(
        w.isVisibleTo(viewer) for w in viewer.internal_widgets
    )
    viewer.set_presentation(False)
    assert all(w.isVisibleTo(viewer) for w in viewer.internal_widgets)


def test_team_mark_is_internal(qtbot: Any, tmp_path: Path) -> None:
    text = (builtin_guides_dir() / "xero.md").read_text()
    (tmp_path / "xero.md").write_text(text.replace('name = "Xero"', 'name = "Xero, our way"'))
    library = load_library(builtin_guides_dir(), tmp_path)
    viewer = GuideViewer(library)
    qtbot.addWidget(viewer)
    viewer.show_guide("xero")
    origin = [w for w in viewer.internal_widgets if w.accessibleName() == "Guide origin"]
    assert len(origin) == 1 and isinstance(origin[0], QLabel)
    assert "replaces the built-in" in origin[0].text()
    viewer.set_presentation(True)
    assert not origin[0].isVisibleTo(viewer)


def test_unverified_guide_shows_a_named_badge_for_agents(qtbot: Any, tmp_path: Path) -> None:
    text = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    marked = text.replace('name = "Xero"', 'name = "Xero"\nunverified = true', 1)
    (tmp_path / "xero.md").write_text(marked, encoding="utf-8")
    library = load_library(builtin_guides_dir(), tmp_path)
    viewer = GuideViewer(library)
    qtbot.addWidget(viewer)
    viewer.show()
    viewer.show_guide("xero")
    badge = viewer.unverified_badge
    assert badge is not None and badge.text() == "Unverified"
    assert badge.accessibleName() == "Unverified guide" and badge.isVisibleTo(viewer)
    assert "Codat documents too little" in badge.accessibleDescription()
    viewer.set_presentation(True)  # the customer is not shown it
    assert not badge.isVisibleTo(viewer)
    viewer.set_presentation(False)
    # A guide that does not say so has no badge.
    viewer.show_guide("sage-50-accounts")
    assert viewer.unverified_badge is None
    names = {w.accessibleName() for w in viewer.internal_widgets}
    assert "Unverified guide" not in names


def test_checked_date_is_shown_to_agents(viewer: GuideViewer, library: GuideLibrary) -> None:
    guide = library.get("netsuite")
    assert guide is not None and guide.provenance.checked is not None
    viewer.show_guide("netsuite")
    shown = [w for w in viewer.internal_widgets if w.accessibleName().startswith("Date checked")]
    assert len(shown) == 1 and isinstance(shown[0], QLabel)
    assert guide.provenance.checked.isoformat() in shown[0].text()


def test_export_markdown_and_pdf(
    viewer: GuideViewer, library: GuideLibrary, tmp_path: Path
) -> None:
    with pytest.raises(ValueError):
        viewer.export_markdown(tmp_path / "none.md")
    viewer.show_guide("sage-50-accounts")
    md = viewer.export_markdown(tmp_path / "sage50.md")
    guide = library.get("sage-50-accounts")
    assert guide is not None
    assert md.read_text(encoding="utf-8") == guide_markdown(guide)
    pdf = viewer.export_pdf(tmp_path / "sage50.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000


def test_checklist_ticks_and_copy_as_message(qtbot: Any, library: GuideLibrary) -> None:
    assert library.checklist is not None
    pane = ChecklistPane(library.checklist)
    qtbot.addWidget(pane)
    pane.show()
    assert list(pane.boxes) == [item.key for item in library.checklist.items]
    with qtbot.waitSignal(pane.ticked) as ticked:
        qtbot.mouseClick(pane.boxes["admin"], Qt.MouseButton.LeftButton)
    assert ticked.args == ["admin", True]
    assert pane.checked_keys() == ["admin"]
    qtbot.mouseClick(pane.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == checklist_message(library.checklist)
    pane.clear()
    assert pane.checked_keys() == []
    pane.set_presentation(True)
    assert pane.font().pointSizeF() > QGuiApplication.font().pointSizeF()


def test_questions_search_and_copy(qtbot: Any, library: GuideLibrary) -> None:
    pane = QuestionsPane(library.questions)
    qtbot.addWidget(pane)
    pane.show()
    assert len(pane.visible_keys()) == len(library.questions)
    qtbot.keyClicks(pane.search_field, "password")
    assert pane.visible_keys()[0] == "credentials"
    assert "Never with us" in pane.answer.toPlainText()
    qtbot.mouseClick(pane.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("Are my login details shared") and "Never with us" in copied
    pane.search_field.setText("zebra crossing")
    assert pane.visible_keys() == [] and not pane.copy_button.isEnabled()


def test_progressive_viewer_builds_a_card_per_turn_and_ends_the_same(
    qtbot: Any, library: GuideLibrary, progressive_viewer: GuideViewer
) -> None:
    viewer = progressive_viewer
    assert viewer.show_platform("akxx", 4)
    guide = library.by_platform_key("akxx")
    assert guide is not None
    assert "NetSuite" in viewer.title_label.text()  # the header changes at once
    assert len(viewer.step_cards) < len(guide.steps)  # the cards come a turn at a time
    qtbot.waitUntil(lambda: len(viewer.step_cards) == len(guide.steps), timeout=5000)
    qtbot.waitUntil(lambda: viewer._pending is None, timeout=5000)
    current = [card.number for card in viewer.step_cards if card.is_current()]
    first = guide.first_step_at(4)
    assert first is not None and current == [first + 1]
    assert set(guide.troubleshooting) <= set(viewer.trouble_cards)
    # What was built hidden, below the current card, is all shown once the guide is built.
    assert all(card.isVisibleTo(viewer) for card in viewer.trouble_cards.values())
    assert all(card.isVisibleTo(viewer) for card in viewer.step_cards)
    body = viewer.scroll_area.widget()
    assert body is not None
    source = body.findChild(QLabel, "Source")
    assert source is not None and source.isVisibleTo(viewer)
    # A problem asked for while the guide is still building is the guide's own fix, not a copy.
    assert viewer.show_platform("gbol", 2)
    assert viewer.show_problem("cancelled")
    assert viewer.trouble_cards["cancelled"].is_current()
    assert not viewer.trouble_cards["cancelled"].general


def test_progressive_viewer_in_presentation_keeps_internal_details_hidden_once_built(
    qtbot: Any, progressive_viewer: GuideViewer
) -> None:
    viewer = progressive_viewer
    viewer.set_presentation(True)  # on a shared screen before the customer picks their software
    assert viewer.show_platform("gbol", 2)
    qtbot.waitUntil(lambda: viewer._pending is None, timeout=5000)
    body = viewer.scroll_area.widget()
    assert body is not None
    source = body.findChild(QLabel, "Source")
    assert source is not None and not source.isVisibleTo(viewer)
    assert all(card.isVisibleTo(viewer) for card in viewer.trouble_cards.values())


def test_a_long_title_wraps_instead_of_widening_the_window(
    qtbot: Any, library: GuideLibrary
) -> None:
    viewer = GuideViewer(library)
    qtbot.addWidget(viewer)
    assert viewer.show_guide("netsuite", 4)
    viewer.show()
    qtbot.waitExposed(viewer)
    wide = viewer.minimumSizeHint().width()
    viewer.title_label.setText("Connecting " + "A very long platform name " * 4)
    viewer.position_label.setText("Step 4 of 9 · Journey stage: " + "sign in and approve " * 4)
    qtbot.wait(10)  # the layout takes the new texts into account on its next pass
    assert viewer.minimumSizeHint().width() <= wide + 1


def test_export_asks_with_a_dialog_that_does_not_block_and_shows_a_refused_save(
    viewer: GuideViewer, tmp_path: Path
) -> None:
    viewer.show_guide("sage-50-accounts")
    viewer.export_md_button.click()
    dialog = viewer.export_dialog
    assert dialog is not None and dialog.isVisible()  # open(), not exec(): the loop goes on
    dialog.fileSelected.emit(str(tmp_path / "no-such-folder" / "sage50.md"))
    assert "Could not save sage50.md" in viewer.status_label.text()
    dialog.fileSelected.emit(str(tmp_path / "sage50.md"))
    assert (tmp_path / "sage50.md").exists()
    assert viewer.status_label.text() == "Saved sage50.md."
    dialog.reject()


def test_the_guide_menu_button_shows_one_arrow(qtbot: Any, library: GuideLibrary) -> None:
    # In a call the viewer's actions sit behind "Guide ▾": its text arrow is the only one drawn.
    viewer = GuideViewer(library, embedded=True)
    qtbot.addWidget(viewer)
    viewer.resize(700, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    button = viewer.more_button
    assert button.text().count("▾") == 1 and button.menu() is not None
    with_menu = button.grab().toImage()
    menu = button.menu()
    # The same button without Qt's menu indicator. Qt takes no menu (nullptr); PySide6's stub
    # asks for a QMenu.
    button.setMenu(None)  # type: ignore[arg-type]
    without = button.grab().toImage()
    button.setMenu(menu)
    assert with_menu.size() == without.size()
    assert with_menu == without  # no second, drawn arrow
    assert [a.text() for a in menu.actions()] == ["Copy guide", "Export Markdown…", "Export PDF…"]


def test_beside_a_call_the_step_and_its_stage_keep_one_line(
    qtbot: Any, library: GuideLibrary
) -> None:
    # The call page gives the guide about 470 px at 1366x768; "Step 7 of 7 · Journey stage:
    # Complete and first sync" took two lines there between two full-width arrow buttons.
    viewer = GuideViewer(library, embedded=True)
    qtbot.addWidget(viewer)
    viewer.resize(470, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    assert viewer.show_platform("gbol", 5, last_of_stage=True)
    qtbot.waitUntil(lambda: viewer._pending is None, timeout=5000)
    guide = viewer.guide
    assert guide is not None and viewer.current_step == len(guide.steps)
    label = viewer.position_label
    stage = guide.steps[-1].stage_name
    assert label.text() == f"Step {len(guide.steps)} of {len(guide.steps)} · {stage}"
    assert (
        label.toolTip() == f"Step {len(guide.steps)} of {len(guide.steps)} · Journey stage: {stage}"
    )
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    assert viewer.prev_button.accessibleName() == "Previous step"
    assert viewer.next_button.accessibleName() == "Next step"


def test_the_platform_keys_keep_one_line_when_there_is_room(
    qtbot: Any, library: GuideLibrary
) -> None:
    # "Platform keys:" sat above "gbol" on a 1366x768 screen with half the row empty.
    viewer = GuideViewer(library)
    qtbot.addWidget(viewer)
    viewer.resize(760, 600)
    viewer.show()
    qtbot.waitExposed(viewer)
    assert viewer.show_guide("xero")
    qtbot.waitUntil(lambda: viewer._pending is None, timeout=5000)
    body = viewer.scroll_area.widget()
    assert body is not None
    keys = next(w for w in body.findChildren(QLabel) if w.accessibleName() == "Platform keys")
    assert keys.text() == "Platform keys: gbol"
    assert keys.height() < 2 * keys.fontMetrics().lineSpacing()
