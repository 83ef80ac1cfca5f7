"""One place where unexpected errors end up: logged with their traceback, then shown to the user.

The showing is injected (the GUI passes a non-blocking dialog, the CLI prints), so this stays Qt-free.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from desktop import __version__
from desktop.core.logs import SECRET_FILTER

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("linkdesk.crash")


@dataclass(frozen=True)
class CrashReport:
    title: str
    summary: str
    details: str


Show = Callable[[CrashReport], None]


def build_report(exc: BaseException, context: str = "") -> CrashReport:
    import platform  # deferred: only a crash needs them, and start-up should not pay for them
    import traceback

    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    header = (
        f"LinkDesk {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
        f"Where: {context or 'unknown'}\n\n"
    )
    summary = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return CrashReport(
        title="Something went wrong",
        summary=SECRET_FILTER.scrub(summary),
        details=SECRET_FILTER.scrub(header + tb),
    )


class CrashHandler:
    def __init__(self, show: Show | None = None) -> None:
        self._show = show
        self.reports: list[CrashReport] = []
        self._previous_hook: Any = None

    def set_show(self, show: Show | None) -> None:
        self._show = show

    def handle(self, exc: BaseException, context: str = "") -> None:
        log.error("Unhandled error in %s", context or "LinkDesk", exc_info=exc)
        report = build_report(exc, context)
        self.reports.append(report)
        if self._show is not None:
            try:
                self._show(report)
            except Exception:  # the dialog itself failed: the log has the report already
                log.exception("Could not show the error dialog")

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.handle(exc.with_traceback(tb), "main thread")

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        where = str(context.get("message") or "asyncio")
        if isinstance(exc, BaseException):
            self.handle(exc, where)
        else:
            log.error("asyncio: %s", where)

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self.excepthook
        if loop is not None:
            loop.set_exception_handler(self.loop_handler)

    def uninstall(self) -> None:
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
