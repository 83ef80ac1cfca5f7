"""Exporting a call for the CRM from the workspace: clipboard (Markdown, text) and a file."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from desktop.core.logs import SECRET_FILTER
from tests.ui.call_workspace_kit import Kit, make_kit

KEY = "ld-export-test-key-6f1c9a2e7d"
B64 = base64.b64encode(KEY.encode()).decode()


@pytest.fixture
def kit(qtbot: Any, tmp_path: Path) -> Iterator[Kit]:
    SECRET_FILTER.add_secret(KEY)
    built = make_kit(qtbot, tmp_path, export_dir=lambda: tmp_path / "exports")
    yield built
    built.store.close()


def typed_call(qtbot: Any, kit: Kit) -> tuple[str, str]:
    """A call with a journey step seen, one checklist item ticked and notes holding the key."""
    session = kit.open_call("Harbour Bakery Ltd")
    kit.platform_chosen(session)
    view = kit.workspace.current_view()
    assert view is not None
    first, *_rest = view.checklist.boxes
    view.checklist.boxes[first].setChecked(True)
    unticked = view.checklist.label(_rest[0])
    assert unticked
    ticked = view.checklist.label(first)
    view.notes.setFocus()
    qtbot.keyClicks(view.notes, f"Jo pasted our key {KEY} in chat; told her to delete it.")
    return str(ticked), unticked


def assert_clean(text: str) -> None:
    assert KEY not in text
    assert B64 not in text and B64.rstrip("=") not in text


def test_copy_as_markdown_has_timeline_notes_and_unticked_items(qtbot: Any, kit: Kit) -> None:
    ticked, unticked = typed_call(qtbot, kit)
    QGuiApplication.clipboard().clear()
    assert kit.workspace.copy_md_button.isEnabled()
    kit.workspace.copy_md_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("# Call with Harbour Bakery Ltd")
    assert "## Timeline" in copied
    assert "QuickBooks Online" in copied  # the connection the API saw, from the timeline
    assert "Jo pasted our key" in copied and "told her to delete it." in copied
    assert f"- [ ] {unticked}" in copied
    assert f"- [x] {ticked}" in copied
    assert f"Ticked “{ticked}” on the checklist." in copied  # the wording, not the item's key
    assert_clean(copied)
    assert "Markdown" in kit.workspace.export_status.text()


def test_copy_as_text_by_shortcut(qtbot: Any, kit: Kit) -> None:
    _first, unticked = typed_call(qtbot, kit)
    QGuiApplication.clipboard().clear()
    view = kit.workspace.current_view()
    assert view is not None
    view.notes.setFocus()
    qtbot.keyClick(view.notes, "E", modifier=_ctrl_alt())
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("Call with Harbour Bakery Ltd\n====")
    assert "Timeline\n--------" in copied
    assert "QuickBooks Online" in copied
    assert "told her to delete it." in copied
    assert f"[ ] {unticked}" in copied
    assert "# " not in copied.splitlines()[0]
    assert_clean(copied)


def _ctrl_alt() -> Any:
    from PySide6.QtCore import Qt

    return Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@pytest.mark.parametrize(
    ("name", "heading"), [("call.md", "## Notes"), ("call.txt", "Notes\n-----")]
)
def test_export_dialog_writes_the_file(
    qtbot: Any, kit: Kit, tmp_path: Path, name: str, heading: str
) -> None:
    typed_call(qtbot, kit)
    kit.workspace.export_button.click()
    dialog = kit.workspace.export_dialog
    assert isinstance(dialog, QFileDialog)
    assert dialog.isVisible() and dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    assert dialog.selectedFiles()[0].endswith("harbour-bakery-ltd.md")
    target = tmp_path / "exports" / name
    target.parent.mkdir(exist_ok=True)
    dialog.selectFile(str(target))
    with qtbot.waitSignal(dialog.fileSelected, timeout=3000):
        dialog.accept()
    written = target.read_text(encoding="utf-8")
    assert heading in written
    assert "told her to delete it." in written
    assert "QuickBooks Online" in written
    assert_clean(written)
    assert str(target) in kit.workspace.export_status.text()


def test_export_buttons_need_a_call(kit: Kit) -> None:
    assert not kit.workspace.copy_md_button.isEnabled()
    assert not kit.workspace.export_button.isEnabled()
    kit.open_call("Northwind Traders")
    assert kit.workspace.copy_text_button.isEnabled()
    kit.workspace.show_start()
    assert not kit.workspace.copy_text_button.isEnabled()
