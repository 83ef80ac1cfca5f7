"""Shared fixtures. Every test gets its own LINKDESK_HOME and an in-memory keyring."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("LANG", "C.UTF-8")

import keyring
import pytest

from desktop.core import env_key
from tests.memkeyring import MemoryKeyring

T = TypeVar("T")


@pytest.fixture(autouse=True)
def linkdesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "linkdesk-home"
    monkeypatch.setenv("LINKDESK_HOME", str(home))
    monkeypatch.delenv("LINKDESK_API_KEY", raising=False)
    # A command run in-process withholds the environment's key into this module (core/env_key):
    # process-wide, so a later test would find a key no one set for it.
    monkeypatch.setattr(env_key, "_withheld", "")
    return home


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def qloop(qapp: Any, qtbot: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop marked as running for the whole test; qtbot waits make its callbacks run.

    Never call loop.stop() here: it calls QApplication.exit() outside exec(), after which every
    later qtbot.waitSignal returns at once (see the environment notes).
    """
    import qasync

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in pending:
        t.cancel()
    qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=5000)
    asyncio.events._set_running_loop(None)
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    asyncio.set_event_loop(None)


def run_in_qloop(qtbot: Any, coro: Coroutine[Any, Any, T], timeout: int = 10000) -> T:
    """Run a coroutine on the qloop fixture's loop by letting Qt spin until it is done."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture(autouse=True)
def collect_garbage_on_the_main_thread() -> Iterator[None]:
    """Collect a test's leftovers here, on the main thread.

    Otherwise a Qt object (a QTimer, say) left in a reference cycle may be collected later by
    whichever thread happens to trigger the collector, such as the sandbox's server thread, where
    Qt warns "Timers cannot be stopped from another thread".
    """
    yield
    gc.collect()
