"""The composition root: QApplication, the first frame, the qasync loop, the services, shutdown.

The window is built and painted before asyncio and qasync are even imported: the agent sees LinkDesk
as soon as Qt can draw it, and everything asynchronous (the embedded sandbox, HTTP, tracking) starts
right after, on one qasync loop run through ``asyncio.Runner``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop import APP_ID, APP_NAME, ORG_NAME, __version__
from desktop.app.context import AppContext
from desktop.commands import exits
from desktop.core.crash import CrashHandler
from desktop.core.instance_lock import HomeInUse, HomeLock
from desktop.core.logs import close_logging, setup_logging
from desktop.core.paths import default_paths
from desktop.core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.app.shell_wiring import ShellWiring
    from desktop.ui.main_window import MainWindow

log = logging.getLogger("linkdesk")
# Seconds after the first frame when start-up is taken to be over (the pages built, the key read,
# the sandbox started): its objects are frozen then (see desktop.app.gc_policy).
SETTLE_SECONDS = 5.0


def run_gui(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_API", "pyside6")
    paths = default_paths().ensure()
    lock = HomeLock(paths.data)
    try:
        lock.acquire("window")  # one LinkDesk per home: a second start raises the first window
    except HomeInUse as busy:
        from desktop.app.single_instance import hand_over

        return hand_over(busy, lock)
    except OSError as exc:  # a read-only home: nothing can be written, so nothing is at risk
        print(f"linkdesk: cannot lock {lock.path} ({exc.strerror or exc})", file=sys.stderr)
    setup_logging(paths.log_file)
    settings = Settings.load(paths)
    profile = args.profile or settings.current_profile
    if profile not in settings.profiles:
        try:
            settings.add_profile(profile)
        except SettingsError as exc:
            print(f"linkdesk: {exc}", file=sys.stderr)
            return exits.INPUT

    crash = CrashHandler()
    crash.install()
    ctx = AppContext(
        paths,
        settings,
        profile=profile,
        force_sandbox=bool(getattr(args, "sandbox", False)),
        api_base_override=args.api_base,
        crash=crash,
    )
    log.info("LinkDesk %s starting (profile %s)", __version__, profile)
    try:
        _load_before_qt(ctx)
        app = _make_application()
        window, shell = show_first_frame(app, ctx)
        if getattr(args, "smoke", False):
            window.close()
            # The keyring is read after the first frame, so the smoke never loads it: the frozen
            # build proves its keyring backends resolve with `linkdesk doctor`.
            print(f"smoke: window painted; API target: {ctx.target.label}")
            return 0
        shell.finish_first_page()  # before asyncio and the other pages are even loaded
        from desktop.app.single_instance import FrontDoor  # after the first frame: QtNetwork

        front_door = FrontDoor(lock.server_name(), window)
        try:
            return run_loop(app, ctx, window, shell)
        finally:
            front_door.close()
    finally:
        crash.uninstall()
        log.info("LinkDesk stopped")
        close_logging()
        lock.release()


def _load_before_qt(ctx: AppContext) -> None:
    """Read the guides while PySide6 is not loaded yet.

    Once PySide6 is imported, shiboken's import hook reads the whole source of every module imported
    after it (to look for ``from __feature__ import``) and linecache keeps those lines for the life
    of the process. The keyring is not imported here: the first frame does not need it, and the
    key is read after it, in a worker thread (see ``ShellWiring.start``).
    """
    ctx.guide_library()


def forget_module_sources() -> None:
    """Drop the module sources that shiboken's import hook left in linecache (see _load_before_qt).

    Every module imported after PySide6 has its whole source read and kept there: a few MiB once
    the app has started. Tracebacks read the lines they need again.
    """
    import linecache

    linecache.clearcache()


def _make_application() -> QApplication:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.theme import STYLE, STYLE_PROPERTY

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0], "-style", STYLE])
        app.setProperty(STYLE_PROPERTY, STYLE)  # apply_theme need not set it again
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORG_NAME)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)  # the main coroutine decides when we are done
    return app


def show_first_frame(app: QApplication, ctx: AppContext) -> tuple[MainWindow, ShellWiring]:
    from desktop.app.shell_wiring import ShellWiring
    from desktop.ui.first_frame import paint_once
    from desktop.ui.icons import app_icon
    from desktop.ui.main_window import MainWindow
    from desktop.ui.theme import apply_theme

    forget_module_sources()
    app.setWindowIcon(app_icon())
    apply_theme(app, str(ctx.settings.get("theme")), float(ctx.settings.get("font_scale")))
    window = MainWindow()
    window.restore_geometry_text(str(ctx.settings.get("window_geometry")))
    shell = ShellWiring(app, ctx, window)
    window.show()
    paint_once(app, window)
    return window, shell


def run_loop(app: QApplication, ctx: AppContext, window: MainWindow, shell: ShellWiring) -> int:
    import asyncio

    import qasync

    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.get_loop().set_exception_handler(ctx.crash.loop_handler)
            return runner.run(main(app, ctx, window, shell))
    except RuntimeError as exc:
        # Qt's own loop ended before the shutdown coroutine could finish (the display went away,
        # the session ended): asyncio cannot run it further, so what must be kept is kept now.
        # Before the shutdown began it is a bug, and goes to the crash handler as any other.
        if not ctx.shutting_down:
            raise
        log.warning("Qt's event loop ended during shutdown (%s); saving what must be kept", exc)
        return exits.OK  # what must be kept is kept (close_now below); nothing failed the user
    finally:
        ctx.close_now()


async def main(app: QApplication, ctx: AppContext, window: MainWindow, shell: ShellWiring) -> int:
    import asyncio

    from PySide6.QtGui import QAction, QKeySequence

    from desktop.ui.quit_filter import QuitFilter

    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def request_quit() -> None:
        if not done.done():
            done.set_result(None)

    quit_action = QAction("Quit", window)
    quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
    quit_action.triggered.connect(request_quit)
    window.addAction(quit_action)
    quit_filter = QuitFilter(request_quit, window)
    app.installEventFilter(quit_filter)
    app.aboutToQuit.connect(request_quit)  # any other way Qt's loop ends
    window.closing.connect(request_quit)
    restore_signals = _quit_on_signals(request_quit, window)

    shell.start()
    from desktop.app.gc_policy import start_collection_policy

    parts = shell.call_parts
    collection = start_collection_policy(
        asyncio.get_running_loop().call_later,
        parts.manager if parts is not None else None,
        first_freeze_after=SETTLE_SECONDS,
    )
    try:
        await done
    finally:
        collection.uninstall()
        app.removeEventFilter(quit_filter)
        restore_signals()
        ctx.settings.set("window_geometry", window.geometry_text())  # saved by ctx.aclose()
        shell.say_calls_will_resume()
        window.hide()
        await ctx.aclose()
    return 0


def _quit_on_signals(request_quit: Callable[[], None], parent: object) -> Callable[[], None]:
    """Ctrl+C in a terminal or a SIGTERM from the session: the same clean shutdown as the window.

    Python runs signal handlers only when it gets control back from Qt's C++ loop, so a cheap
    timer hands it control a few times a second.
    """
    import asyncio

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
