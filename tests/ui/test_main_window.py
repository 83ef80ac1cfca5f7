from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QWidget

from desktop.ui.main_window import PAGES, MainWindow, default_size


def _controls(root: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QLineEdit, QComboBox)
    return [w for w in root.findChildren(QWidget) if isinstance(w, kinds) and w.isVisibleTo(root)]


def test_navigation_by_keyboard(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.current_page() == "guides"
    for key, _title, shortcut in PAGES:
        action = window.page_actions[key]
        assert action.shortcut().toString() == shortcut
        action.trigger()
        assert window.current_page() == key
        assert action.isChecked()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "guides"


def test_status_bar_says_which_api_and_profile(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.set_target("Codat at https://api.codat.io", "production")
    assert window.target_label.text() == "Codat at https://api.codat.io"
    assert window.profile_label.text() == "Profile: production"


def test_set_page_replaces_the_slot(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    guides = QWidget()
    window.set_page("guides", guides)
    assert window.stack.currentWidget() is guides, "replacing the current page keeps it shown"
    page = QWidget()
    window.set_page("companies", page)
    window.show_page("companies")
    assert window.stack.currentWidget() is page
    assert window.stack.count() == len(PAGES)


def test_every_action_has_a_shortcut_and_every_control_a_name(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    actions = [a for a in window.navigation.actions() if isinstance(a, QAction) and a.text()]
    assert len(actions) >= 6
    for action in actions:
        if action.isSeparator() or not action.text():
            continue
        assert not action.shortcut().isEmpty(), action.text()
    for control in _controls(window):
        assert control.accessibleName() or (
            isinstance(control, QAbstractButton) and control.text()
        ), control


def test_presentation_toggle_emits(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.presentation_changed) as blocker:
        window.presentation_action.trigger()
    assert blocker.args == [True]


def test_geometry_round_trips_through_text(qtbot: Any) -> None:
    first = MainWindow()
    qtbot.addWidget(first)
    first.resize(640, 480)  # inside the offscreen screen (800x600), or Qt clamps it
    first.show()
    qtbot.waitExposed(first)
    text = first.geometry_text()
    assert text and text.isascii()
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.restore_geometry_text(text)
    assert (second.width(), second.height()) == (640, 480)
    assert not second.restore_geometry_text("")
    assert not second.restore_geometry_text("bm90IGdlb21ldHJ5")  # valid base64, not a geometry


def test_the_first_window_fits_the_screen_it_opens_on(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    room = window.screen().availableGeometry()
    assert window.width() <= room.width() and window.height() <= room.height()


def test_default_size_is_roomy_on_a_monitor_and_fits_a_laptop() -> None:
    assert default_size(QSize(2560, 1400)) == QSize(1180, 760)
    assert default_size(QSize(1366, 728)) == QSize(1180, 655)  # 768 minus a task bar
    assert default_size(QSize(800, 800)) == QSize(720, 720)
    assert default_size(None) == QSize(1180, 760)


def test_each_side_bar_entry_has_an_icon_of_its_own(qtbot: Any) -> None:
    # Call and Practice once shared the phone: a glance could not tell them apart.
    window = MainWindow()
    qtbot.addWidget(window)
    actions = [a for a in window.navigation.actions() if isinstance(a, QAction) and a.text()]
    pictures = {}
    for action in actions:
        assert not action.icon().isNull(), action.text()
        pictures[action.text()] = action.icon().pixmap(QSize(24, 24)).toImage()
    texts = list(pictures)
    for i, one in enumerate(texts):
        for other in texts[i + 1 :]:
            assert pictures[one] != pictures[other], (one, other)
