"""The composition root: QApplication, the qasync loop, the services, the main window, shutdown."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable

from desktop import APP_ID, APP_NAME, ORG_NAME, __version__
from desktop.context import AppContext
from desktop.core.crash import CrashHandler
from desktop.core.logs import close_logging, setup_logging
from desktop.core.paths import default_paths
from desktop.core.settings import Settings, SettingsError

log = logging.getLogger("linkdesk")


def run_gui(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_API", "pyside6")
    paths = default_paths().ensure()
    setup_logging(paths.log_file)
    settings = Settings.load(paths)
    profile = args.profile or settings.current_profile
    if profile not in settings.profiles:
        try:
            settings.add_profile(profile)
        except SettingsError as exc:
            print(f"linkdesk: {exc}", file=sys.stderr)
            return 2

    import qasync  # after PySide6, so qasync binds to it
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORG_NAME)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)  # the main coroutine decides when we are done

    crash = CrashHandler()
    ctx = AppContext(
        paths,
        settings,
        profile=profile,
        force_sandbox=bool(getattr(args, "sandbox", False)),
        api_base_override=args.api_base,
        crash=crash,
    )
    log.info("LinkDesk %s starting (profile %s)", __version__, profile)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        crash.install(runner.get_loop())
        try:
            return runner.run(main(app, ctx, smoke=bool(getattr(args, "smoke", False))))
        finally:
            crash.uninstall()
            log.info("LinkDesk stopped")
            close_logging()


async def main(app: object, ctx: AppContext, *, smoke: bool = False) -> int:
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QApplication

    from desktop.ui.aio import first_paint
    from desktop.ui.icons import app_icon
    from desktop.ui.main_window import MainWindow
    from desktop.ui.shell import Shell
    from desktop.ui.theme import apply_theme

    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon())
    apply_theme(app, str(ctx.settings.get("theme")), float(ctx.settings.get("font_scale")))
    window = MainWindow()
    shell = Shell(app, ctx, window)
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def request_quit() -> None:
        if not done.done():
            done.set_result(None)

    quit_action = QAction("Quit", window)
    quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
    quit_action.triggered.connect(request_quit)
    window.addAction(quit_action)
    app.aboutToQuit.connect(request_quit)
    window.closing.connect(request_quit)
    restore_signals = _quit_on_signals(request_quit, window)

    window.show()
    await first_paint(window)
    if smoke:
        window.close()
        # Resolved after the frame, as in a normal start; the frozen-build check needs to see that
        # keyring's backends load.
        backend = ctx.secrets.backend()
        print(f"smoke: window painted; keyring backend {backend.name}; {ctx.target.label}", flush=True)
        await ctx.aclose()
        return 0

    shell.start()
    try:
        await done
    finally:
        restore_signals()
        window.hide()
        await ctx.aclose()
    return 0


def _quit_on_signals(request_quit: Callable[[], None], parent: object) -> Callable[[], None]:
    """Ctrl+C in a terminal or a SIGTERM from the session: the same clean shutdown as the window.

    Python runs signal handlers only when it gets control back from Qt's C++ loop, so a cheap
    timer hands it control a few times a second.
    """
    from PySide6.QtCore import QObject, QTimer

    assert isinstance(parent, QObject)
    loop = asyncio.get_running_loop()
    previous = {
        sig: signal.signal(sig, lambda *_: loop.call_soon_threadsafe(request_quit))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    wake = QTimer(parent)
    wake.timeout.connect(lambda: None)
    wake.start(250)

    def restore() -> None:
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
