"""The real shell (main window, pages, services) on the embedded sandbox, for end-to-end tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from desktop.app.context import AppContext
from desktop.app.shell_wiring import ShellWiring
from desktop.core.paths import default_paths
from desktop.core.settings import Settings
from desktop.hub.nats_server import NatsServer
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
    # As the app does, the shutdown runs before the window goes: its last task saves the notes
    # the window shows. So the window is not given to qtbot, which closes (and so deletes) its
    # widgets before fixtures are torn down; it is closed here after the shutdown.
    started: list[RunningShell] = []

    def make(
        settings: dict[str, Any] | None = None, sandbox: dict[str, Any] | None = None
    ) -> RunningShell:
        paths = default_paths().ensure()
        loaded = Settings.load(paths)
        loaded.set_many(settings or {})
        ctx = AppContext(paths, loaded, force_sandbox=True)
        window = MainWindow()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        shell = ShellWiring(app, ctx, window)
        if sandbox:  # options for the embedded sandbox, e.g. a fast simulated customer
            run_in_qloop(qtbot, ctx.ensure_sandbox(**sandbox))
        running = RunningShell(ctx, window, shell)
        started.append(running)
        shell.start()
        window.show()
        return running

    yield make
    for running in started:
        run_in_qloop(qtbot, running.ctx.aclose(), timeout=20000)
        running.window.close()
        running.window.deleteLater()


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A team hub's NATS for the shell's Settings › Team hub: nats-server on loopback."""
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    yield server.url
    server.stop()
