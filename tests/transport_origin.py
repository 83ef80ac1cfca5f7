"""Say where an asyncio socket transport that was never closed came from.

Python reports such a transport ("unclosed transport <_SelectorSocketTransport fd=N>", a
ResourceWarning, so an error here) only when the collector finds it, which may be long after and
in another test, and without saying who opened it; tracemalloc would say, but slows the suite
several times over. This plugin remembers, for each socket transport, the thread and the stack
that made it (a few microseconds each), and when one is collected still open it prints them to
stderr, which pytest shows beside the failing test.
"""

from __future__ import annotations

import sys
import threading
import traceback
from asyncio import selector_events
from typing import Any

# Both classes are private to asyncio: typeshed does not declare them.
_Transport = selector_events._SelectorSocketTransport  # type: ignore[attr-defined]
_made = _Transport.__init__
_collected = selector_events._SelectorTransport.__del__  # type: ignore[attr-defined]


def _remember(self: Any, *args: Any, **kwargs: Any) -> None:
    _made(self, *args, **kwargs)
    # Only a summary: formatting the stack is left for the rare transport that leaks.
    self._linkdesk_origin = (threading.current_thread().name, traceback.extract_stack(limit=16))


def _tell(self: Any, *args: Any) -> None:
    if getattr(self, "_sock", None) is not None:  # about to be reported as unclosed
        thread, stack = getattr(self, "_linkdesk_origin", ("?", []))
        print(
            f"unclosed transport (fd {self._sock_fd}) was made on thread {thread!r} at:\n"
            + "".join(traceback.format_list(stack)),
            file=sys.stderr,
        )
    _collected(self, *args)


_Transport.__init__ = _remember
_Transport.__del__ = _tell
