"""desktop.core.team.reader while a cluster elects the team stream's leader: tried again."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nats.errors
import nats.js.errors
import pytest

from desktop.core.team import reader
from desktop.core.team.connection import TeamHubUnreachable


class _ElectingJetStream:
    """JetStream whose API has no responders for the first ``silent`` questions."""

    def __init__(self, silent: int) -> None:
        self.silent = silent
        self.asked = 0

    async def stream_info(self, name: str) -> Any:
        self.asked += 1
        if self.asked <= self.silent:
            raise nats.errors.NoRespondersError()
        return SimpleNamespace(state=SimpleNamespace(last_seq=0))  # an empty stream


class _Connection:
    def __init__(self, js: _ElectingJetStream) -> None:
        self.js = js
        self.closed = False

    def jetstream(self) -> _ElectingJetStream:
        return self.js

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "RETRY_PAUSE", 0.0)


def _hub(monkeypatch: pytest.MonkeyPatch, silent: int) -> tuple[_ElectingJetStream, _Connection]:
    js = _ElectingJetStream(silent)
    connection = _Connection(js)

    async def connect(url: str, options: dict[str, Any]) -> _Connection:
        return connection

    monkeypatch.setattr(reader, "connect", connect)
    return js, connection


@pytest.mark.asyncio
@pytest.mark.usefixtures("no_pause")
async def test_a_leader_elected_within_the_tries_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    js, connection = _hub(monkeypatch, silent=reader.RETRIES - 1)
    read = await reader.read_team_calls("nats://127.0.0.1:4222", tmp_path / "team.sqlite")
    assert js.asked == reader.RETRIES
    assert read.fetched == 0 and read.stored == 0
    assert connection.closed


@pytest.mark.asyncio
@pytest.mark.usefixtures("no_pause")
async def test_no_leader_after_every_try_is_the_hub_unreachable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    js, connection = _hub(monkeypatch, silent=reader.RETRIES)
    with pytest.raises(TeamHubUnreachable, match="NoRespondersError"):
        await reader.read_team_calls("nats://127.0.0.1:4222", tmp_path / "team.sqlite")
    assert js.asked == reader.RETRIES
    assert connection.closed


class _NewConsumer:
    """A pull consumer just made: its first ``silent`` fetches are answered 503, as a node that
    has not learnt of the consumer yet answers them; then one message, then nothing."""

    def __init__(self, silent: int) -> None:
        self.silent = silent
        self.fetches = 0
        self.unsubscribed = False

    async def fetch(self, batch: int, timeout: float) -> list[Any]:
        self.fetches += 1
        if self.fetches <= self.silent:
            raise nats.js.errors.ServiceUnavailableError()
        if self.fetches == self.silent + 1:
            sequence = SimpleNamespace(stream=1)
            return [
                SimpleNamespace(
                    metadata=SimpleNamespace(sequence=sequence),
                    subject="linkdesk.calls.agent",
                    data=b"not a summary",
                )
            ]
        raise nats.errors.TimeoutError()

    async def unsubscribe(self) -> None:
        self.unsubscribed = True


class _OneMessageJetStream:
    def __init__(self, consumer: _NewConsumer) -> None:
        self.consumer = consumer

    async def stream_info(self, name: str) -> Any:
        return SimpleNamespace(state=SimpleNamespace(last_seq=1))

    async def pull_subscribe(self, *args: Any, **kwargs: Any) -> _NewConsumer:
        return self.consumer


def _hub_with_consumer(monkeypatch: pytest.MonkeyPatch, silent: int) -> _NewConsumer:
    consumer = _NewConsumer(silent)

    async def connect(url: str, options: dict[str, Any]) -> _Connection:
        return _Connection(_OneMessageJetStream(consumer))  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "connect", connect)
    return consumer


@pytest.mark.asyncio
@pytest.mark.usefixtures("no_pause")
@pytest.mark.expected_logs(r"not team call summaries: not JSON \(1\)")
async def test_a_new_consumer_answered_503_at_first_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    consumer = _hub_with_consumer(monkeypatch, silent=reader.RETRIES - 1)
    read = await reader.read_team_calls("nats://127.0.0.1:4222", tmp_path / "team.sqlite")
    assert read.fetched == 1 and read.skipped == 1 and read.position == 1
    assert consumer.unsubscribed


@pytest.mark.asyncio
@pytest.mark.usefixtures("no_pause")
async def test_a_consumer_answered_503_at_every_try_is_the_hub_unreachable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    consumer = _hub_with_consumer(monkeypatch, silent=reader.RETRIES)
    with pytest.raises(TeamHubUnreachable, match="ServiceUnavailableError"):
        await reader.read_team_calls("nats://127.0.0.1:4222", tmp_path / "team.sqlite")
    assert consumer.fetches == reader.RETRIES and consumer.unsubscribed
