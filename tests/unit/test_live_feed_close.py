"""The live feed's tasks are kept by ``BackgroundTasks``: aclose cancels and awaits them all, and
nothing new starts after it (no NATS server: the feed keeps trying a port nobody listens on)."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from desktop.core.live import HubFeed


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_aclose_leaves_no_task_and_nothing_starts_after_it() -> None:
    feed = HubFeed(f"nats://127.0.0.1:{unused_port()}", on_event=lambda event: None)
    feed.start()
    feed.follow("6f1c8a9e-0d5b-4c8e-9f5e-2a7b1c3d4e5f", since=time.time())
    assert {t.get_name() for t in feed.tasks} == {
        "live:connect",
        "live:watch",
        "live:6f1c8a9e-0d5b-4c8e-9f5e-2a7b1c3d4e5f",
    }
    await asyncio.sleep(0)  # each task under way
    await feed.aclose()
    assert feed.tasks == ()
    me = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not me and not t.done()] == []
    feed.follow("another-company", since=time.time())
    assert feed.tasks == ()
    with pytest.raises(RuntimeError):
        feed.start()
