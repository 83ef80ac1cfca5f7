"""Screenshots for the README, made offscreen with QWidget.grab(): `make screenshots`.

Each shot is made in a fresh LINKDESK_HOME, so nothing of the user's own data shows.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LINKDESK_HOME", tempfile.mkdtemp(prefix="linkdesk-shots-"))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desktop.ui.theme import apply_theme  # noqa: E402

Shot = Callable[[QApplication], QWidget]


def main_window(app: QApplication) -> QWidget:
    from desktop.ui.main_window import MainWindow

    window = MainWindow()
    window.set_target("Embedded sandbox (http://127.0.0.1:52817)", "default")
    return window


SHOTS: dict[str, tuple[Shot, str]] = {
    "main-window-light": (main_window, "light"),
    "main-window-dark": (main_window, "dark"),
}


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    widget.resize(max(widget.width(), 1180), max(widget.height(), 760))
    widget.show()
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(path))
    widget.close()
    print(f"wrote {path}")


def run(out: Path, only: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    for name, (make, theme) in SHOTS.items():
        if only and name not in only:
            continue
        apply_theme(app, theme)
        grab(app, make(app), out / f"{name}.png")


if __name__ == "__main__":
    run(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"), sys.argv[2:])
