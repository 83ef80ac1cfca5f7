"""The team publisher's shutdown and its outbox, on a fake NATS connection (no server, no timing).

Each test drives the publisher to one exact point (a connection being closed, a team file busy) and
checks what ``aclose()`` leaves behind: no task, no open connection, no finished call lost.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from desktop.core.store.errors import StoreError, StoreErrorKind
from desktop.core.team import publisher as publisher_module
from desktop.core.team.connection import TeamHubUnreachable
from desktop.core.team.local_file import TeamFile
from tests.hub.team_kit import Agent, make_agent


class FakeJetStream:
    def __init__(self, sent: list[str]) -> None:
        self.sent = sent

    async def stream_info(self, stream: str) -> object:
        return object()  # the stream is there: ensure_stream makes nothing

    async def publish(self, subject: str, payload: bytes, **options: Any) -> object:
        self.sent.append(options["headers"]["Nats-Msg-Id"])
        return object()


class FakeClient:
    """Closes as nats-py's ``Client.close`` does: it yields to the loop before the socket is
    closed (``await asyncio.sleep(0)`` in ``Client._close``), so a cancel there leaves it open."""

    def __init__(self, sent: list[str], closing: asyncio.Event) -> None:
        self.sent = sent
        self.closing = closing
        self.closed = False

    def jetstream(self) -> FakeJetStream:
        return FakeJetStream(self.sent)

    async def close(self) -> None:
        self.closing.set()
        await asyncio.sleep(0)
        self.closed = True


class FakeHub:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closing = asyncio.Event()
        self.clients: list[FakeClient] = []

    async def connect(self, url: str, options: dict[str, Any]) -> FakeClient:
        client = FakeClient(self.sent, self.closing)
        self.clients.append(client)
        return client


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    fake = FakeHub()
    monkeypatch.setattr(publisher_module, "connect", fake.connect)
    return fake


def other_tasks() -> set[asyncio.Task[Any]]:
    me = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not me and not t.done()}


async def until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def ben(tmp_path: Path) -> Agent:
    return make_agent(tmp_path, "ben")  # one finished call


@pytest.mark.asyncio
async def test_aclose_while_a_connection_closes_still_closes_it(
    hub: FakeHub, tmp_path: Path
) -> None:
    agent = ben(tmp_path)
    publisher = agent.publisher("nats://fake")
    await publisher.queue(agent.call_ids[0])
    publisher.start()
    # The call was acknowledged; the batch's connection is closing, and LinkDesk quits just then.
    async with asyncio.timeout(10):  # no task in between: this test runs while close() yields
        await hub.closing.wait()
    assert len(hub.sent) == 1 and publisher.published == 1
    await publisher.aclose()
    assert [c.closed for c in hub.clients] == [True]  # no socket left open
    assert other_tasks() == set()
    assert publisher.tasks == ()


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"team calls not published: .* is busy")
async def test_a_finished_call_met_by_a_busy_team_file_is_queued_later_not_lost(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = ben(tmp_path)
    real_queue = TeamFile.queue
    busy = [StoreError(StoreErrorKind.LOCKED, "database is locked", path="team")]

    def queue_once_busy(self: TeamFile, call_id: int, at: float) -> None:
        if busy:
            raise busy.pop()  # another program held the team file (or the file was being made)
        real_queue(self, call_id, at)

    monkeypatch.setattr(TeamFile, "queue", queue_once_busy)
    statuses: list[str] = []
    publisher = agent.publisher("nats://fake", retry_every=0.05, on_status=statuses.append)
    publisher.start()
    publisher.call_finished(agent.call_ids[0])
    await until(lambda: publisher.published == 1)
    await publisher.aclose()
    assert busy == [] and len(hub.sent) == 1
    with TeamFile(agent.team_file) as team:
        assert team.queued() == []
    assert other_tasks() == set()


@pytest.mark.asyncio
async def test_a_call_finished_just_before_aclose_is_in_the_outbox(
    hub: FakeHub, tmp_path: Path
) -> None:
    agent = ben(tmp_path)
    publisher = agent.publisher("nats://fake")
    publisher.call_finished(agent.call_ids[0])  # its write to the team file is under way
    await publisher.aclose()
    assert other_tasks() == set()
    with TeamFile(agent.team_file) as team:
        assert team.queued() == agent.call_ids
    publisher.call_finished(agent.call_ids[0])  # after close: nothing starts
    assert publisher.tasks == () and other_tasks() == set()


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"team calls not published: .* is busy")
async def test_a_busy_team_file_while_the_hub_is_down_does_not_end_publishing(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = ben(tmp_path)
    down = [TeamHubUnreachable("ConnectionRefusedError")]
    fake_connect = hub.connect

    async def connect_after_one_refusal(url: str, options: dict[str, Any]) -> FakeClient:
        if down:
            raise down.pop()
        return await fake_connect(url, options)

    monkeypatch.setattr(publisher_module, "connect", connect_after_one_refusal)
    real_queued = TeamFile.queued
    reads = 0

    def second_read_busy(self: TeamFile) -> list[int]:
        nonlocal reads
        reads += 1
        if reads == 2:  # counting what waits, right after the hub was found down
            raise StoreError(StoreErrorKind.LOCKED, "database is locked", path="team")
        return real_queued(self)

    monkeypatch.setattr(TeamFile, "queued", second_read_busy)
    statuses: list[str] = []
    publisher = agent.publisher("nats://fake", retry_every=0.05, on_status=statuses.append)
    await publisher.queue(agent.call_ids[0])
    publisher.start()
    await until(lambda: publisher.published == 1)
    await publisher.aclose()
    assert down == [] and reads > 2 and len(hub.sent) == 1
    assert statuses[0].startswith("Team calls not shared yet:") and "busy" in statuses[0]
