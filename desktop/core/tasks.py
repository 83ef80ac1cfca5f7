"""Background tasks that are always referenced, always reported, and all cancelled on shutdown.

asyncio keeps only weak references to tasks, so a fire-and-forget task can vanish mid-flight; and an
exception in a task nobody awaits is only printed when the task is garbage-collected. Every task the
app starts goes through here instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)
ErrorHandler = Callable[[BaseException, str], None]


class BackgroundTasks:
    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        if self._closed:
            coro.close()
            raise RuntimeError("LinkDesk is shutting down; no new background work")
        import asyncio  # not at module level: the first frame is painted before asyncio loads

        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if self._on_error is not None:
            self._on_error(exc, task.get_name())
        else:
            log.error("Background task %s failed", task.get_name(), exc_info=exc)

    @property
    def running(self) -> list[asyncio.Task[Any]]:
        return [t for t in self._tasks if not t.done()]

    async def cancel_all(self, timeout: float = 5.0) -> None:
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            import asyncio

            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                log.warning(
                    "Background task %s did not stop within %.0f s", task.get_name(), timeout
                )
