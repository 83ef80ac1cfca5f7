"""The real shell (main window, pages, services) on the embedded sandbox, for end-to-end tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.app.context import AppContext
from desktop.app.shell_wiring import ShellWiring
from desktop.core.paths import default_paths
from desktop.core.settings import Settings
from desktop.ui.main_window import MainWindow
from tests.conftest import run_in_qloop


@dataclass(frozen=True)
class RunningShell:
    ctx: AppContext
    window: MainWindow
    shell: ShellWiring


@pytest.fixture
def make_shell(qtbot: Any, qloop: Any) -> Iterator[Callable[..., RunningShell]]:
    """Build and start the shell as the app does after its first frame; shut it down afterwards."""
    started: list[AppContext] = []

    def make(
        settings: dict[str, Any] | None = None, sandbox: dict[str, Any] | None = None
    ) -> RunningShell:
        paths = default_paths().ensure()
        loaded = Settings.load(paths)
        loaded.set_many(settings or {})
        ctx = AppContext(paths, loaded, force_sandbox=True)
        started.append(ctx)
        window = MainWindow()
        qtbot.addWidget(window)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        shell = ShellWiring(app, ctx, window)
        if sandbox:  # options for the embedded sandbox, e.g. a fast simulated customer
            run_in_qloop(qtbot, ctx.ensure_sandbox(**sandbox))
        shell.start()
        window.show()
        return RunningShell(ctx, window, shell)

    yield make
    for ctx in started:
        run_in_qloop(qtbot, ctx.aclose(), timeout=20000)
