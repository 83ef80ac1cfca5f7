"""Qt's loop ends under the shutdown (the display went away, the session ended): what must be kept
is kept, without a traceback. The X server's death is played by Qt's own ``exit`` in the middle
of ``aclose``, which is what the xcb platform does when its connection breaks."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from desktop.app import root
from desktop.app.context import AppContext
from desktop.core.paths import default_paths
from desktop.core.settings import Settings
from desktop.ui.main_window import MainWindow


class _Shell:
    call_parts = None

    def start(self) -> None:
        pass

    def say_calls_will_resume(self) -> None:
        pass


@pytest.mark.expected_logs(r"Qt's event loop ended during shutdown")
def test_settings_are_saved_when_qt_stops_in_the_middle_of_the_shutdown(
    qtbot: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = default_paths().ensure()
    settings = Settings.load(paths)
    settings.set("font_scale", 1.25)  # changed in this session, saved only at the end
    ctx = AppContext(paths, settings, force_sandbox=True)
    cancel_all = ctx.tasks.cancel_all

    async def display_gone(*args: Any, **kwargs: Any) -> None:
        # Where the shutdown was when the X server went away in a real run (aclose's first await).
        QCoreApplication.exit(0)  # as the xcb plugin does when the X connection breaks
        await asyncio.sleep(5)
        await cancel_all(*args, **kwargs)

    ctx.tasks.cancel_all = display_gone  # type: ignore[method-assign]
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    QTimer.singleShot(50, window.closing.emit)
    with caplog.at_level(logging.WARNING):
        code = root.run_loop(app, ctx, window, _Shell())  # type: ignore[arg-type]
    assert code == 0
    assert Settings.load(paths).get("font_scale") == 1.25
    assert "Traceback" not in caplog.text


def test_a_runtime_error_before_the_shutdown_is_not_hidden(qtbot: Any) -> None:
    paths = default_paths().ensure()
    ctx = AppContext(paths, Settings.load(paths), force_sandbox=True)

    class _Broken(_Shell):
        def start(self) -> None:
            raise RuntimeError("a bug in the wiring")

    window = MainWindow()
    qtbot.addWidget(window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    with pytest.raises(RuntimeError, match="a bug in the wiring"):
        root.run_loop(app, ctx, window, _Broken())  # type: ignore[arg-type]
