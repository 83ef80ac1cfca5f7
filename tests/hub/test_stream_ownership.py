"""Who decides the streams' shape: the hub makes CODAT and LINKDESK_CALLS; a desktop never makes
the team stream (it waits, and says so); an operator's edits on the server are kept unless the
hub's own option for that limit was passed. Against a real nats-server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nats
import nats.js.errors
import pytest
from nats.js.api import StreamConfig

from desktop.cli import build_parser
from desktop.commands.hub import _given_limits
from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from desktop.hub.settings import DAY, StreamSettings
from desktop.team_calls_stream import MAX_AGE, MAX_MSG_SIZE, STREAM
from tests.hub.team_kit import make_agent


async def _config(url: str, stream: str) -> StreamConfig | None:
    nc = await nats.connect(url, allow_reconnect=False)
    try:
        return (await nc.jetstream().stream_info(stream)).config
    except nats.js.errors.NotFoundError:
        return None
    finally:
        await nc.close()


def config_of(url: str, stream: str) -> StreamConfig | None:
    return asyncio.run(_config(url, stream))


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


async def _operator_sets_max_age(url: str, stream: str, max_age: float) -> None:
    """What ``nats stream edit STREAM --max-age`` does: the server's config, one limit changed."""
    nc = await nats.connect(url, allow_reconnect=False)
    try:
        js = nc.jetstream()
        config = (await js.stream_info(stream)).config
        config.max_age = max_age
        await js.update_stream(config)
    finally:
        await nc.close()


def test_the_hub_keeps_an_operators_edits_unless_its_option_is_passed(
    nats_server: NatsServer,
    make_hub: Callable[..., HubServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="linkdesk.hub")
    url = nats_server.url
    first = make_hub(url)
    wait_until(lambda: config_of(url, STREAM) is not None)  # the hub makes the team stream too
    first.stop()
    month = 30 * DAY
    asyncio.run(_operator_sets_max_age(url, "CODAT", month))
    asyncio.run(_operator_sets_max_age(url, STREAM, month))

    make_hub(url)  # restarted with the defaults: no option passed
    wait_until(lambda: f"stream {STREAM}: kept as the server holds it" in caplog.text)
    kept = [
        r.getMessage() for r in caplog.records if "kept as the server holds it" in r.getMessage()
    ]
    assert any(
        line.startswith("stream CODAT:")
        and "max_age 30 d on the server, 7 d here (--stream-max-age applies the hub's)" in line
        for line in kept
    ), kept
    assert any(
        "max_age 30 d on the server, 400 d here (the hub's default)" in line for line in kept
    )
    assert config_of(url, "CODAT").max_age == pytest.approx(month)  # type: ignore[union-attr]
    assert config_of(url, STREAM).max_age == pytest.approx(month)  # type: ignore[union-attr]


def test_an_option_passed_is_applied_to_the_stream_that_is_there(
    nats_server: NatsServer, make_hub: Callable[..., HubServer]
) -> None:
    url = nats_server.url
    make_hub(url).stop()
    asyncio.run(_operator_sets_max_age(url, "CODAT", 30 * DAY))
    asked = StreamSettings(max_age=2 * DAY, duplicate_window=120.0, given=frozenset({"max_age"}))
    make_hub(url, stream=asked)
    wait_until(lambda: config_of(url, "CODAT").max_age == pytest.approx(2 * DAY))  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("argv", "given"),
    [
        ([], frozenset()),
        (["--stream-max-age", "3", "--replicas", "3"], frozenset({"max_age", "replicas"})),
        (
            ["--stream-max-bytes", "5000", "--duplicate-window", "60"],
            frozenset({"max_bytes", "duplicate_window"}),
        ),
    ],
)
def test_only_the_limits_passed_count_as_given(argv: list[str], given: frozenset[str]) -> None:
    args = build_parser("hub").parse_args(["hub", *argv])
    assert _given_limits(args) == given


@pytest.mark.asyncio
async def test_a_desktop_waits_for_the_hub_to_make_the_team_stream(
    nats_server: NatsServer, make_hub: Callable[..., HubServer], tmp_path: Path
) -> None:
    ben = make_agent(tmp_path, "ben")
    statuses: list[str] = []
    publisher = ben.publisher(nats_server.url, retry_every=0.2, on_status=statuses.append)
    for call_id in ben.finished():
        await publisher.queue(call_id)
    publisher.start()
    try:
        deadline = time.monotonic() + 20
        while not statuses:
            assert time.monotonic() < deadline, "no status in time"
            await asyncio.sleep(0.05)
        assert statuses[0].startswith(
            f"Team calls not shared yet: the team hub has not made the stream {STREAM} yet"
        ), statuses
        assert await _config(nats_server.url, STREAM) is None  # the desktop made nothing
        await asyncio.to_thread(make_hub, nats_server.url)
        while publisher.published < len(ben.finished()):
            assert time.monotonic() < deadline + 20, statuses
            await asyncio.sleep(0.05)
    finally:
        await publisher.aclose()
    made: Any = await _config(nats_server.url, STREAM)
    assert (made.num_replicas, made.max_msg_size) == (1, MAX_MSG_SIZE)
    assert made.max_age == pytest.approx(MAX_AGE)
