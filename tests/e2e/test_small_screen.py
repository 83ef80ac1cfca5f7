"""Every page fits a small laptop's screen: the pages share one stack, so the widest page's minimum
is the whole window's, and one page asking too much made the window run off a 1024×700 screen."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.ui.main_window import PAGES

SMALL_SCREEN = (1024, 700)


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presenting"])
def test_the_window_with_every_page_fits_a_1024x700_screen(
    qtbot: Any, make_shell: Any, presentation: bool
) -> None:
    running = make_shell()
    window = running.window
    for key, _title, _shortcut in PAGES:  # each page built and shown once, as a visit does
        window.show_page(key)
        QApplication.processEvents()
    window.presentation_action.setChecked(presentation)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    wide = {k: p.minimumSizeHint().width() for k, p in window.pages.items()}
    assert hint.width() <= SMALL_SCREEN[0], wide
    assert hint.height() <= SMALL_SCREEN[1]
    window.resize(*SMALL_SCREEN)
    QApplication.processEvents()
    assert window.width() <= SMALL_SCREEN[0], wide
