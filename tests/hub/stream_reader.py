"""Read what the hub stored: every message of the CODAT stream, through a throwaway consumer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

T = TypeVar("T")
# On a cluster, JetStream answers "no responders" or 503 while it elects a stream's leader, and
# the first fetch from a consumer just made is answered 503 until the node this connection is on
# has learnt of the consumer (seen in CI). Neither is what a test reads for, so it waits them out.
_NOT_YET = (nats.errors.NoRespondersError, nats.js.errors.ServiceUnavailableError)
# After a node is killed, an API request (a stream's info, a consumer's creation) may get no
# answer at all until the cluster has moved the stream's leadership (seen: a 5 s timeout on the
# consumer's creation). For those requests a timeout is waited out too; for a fetch it is not, as
# there it means that nothing more is stored.
_NO_ANSWER_YET = (*_NOT_YET, nats.errors.TimeoutError)
PATIENCE = 30.0  # seconds; an elected leader or a known consumer comes well within it


async def patiently(call: Callable[[], Awaitable[T]], *, api: bool = False) -> T:
    """``await call()``, tried again while JetStream is not ready to answer (``_NOT_YET``; with
    ``api``, a JetStream API request, also a request that timed out) for up to ``PATIENCE`` s;
    then its error is raised."""
    deadline = time.monotonic() + PATIENCE
    waited_out = _NO_ANSWER_YET if api else _NOT_YET
    while True:
        try:
            return await call()
        except waited_out:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.1)


async def stored_messages(
    url: str, subject: str = "codat.>", stream: str = "CODAT", **connect: Any
) -> list[Msg]:
    """``connect``: more nats-py connect keywords (a user and password, say)."""
    nc = await nats.connect(url.split(","), allow_reconnect=False, **connect)
    try:
        js = nc.jetstream()
        info = await patiently(lambda: js.stream_info(stream), api=True)
        if info.state.messages == 0:
            return []
        sub = await patiently(
            lambda: js.pull_subscribe(
                subject,
                stream=stream,
                config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL),
            ),
            api=True,
        )
        out: list[Msg] = []
        try:
            while True:
                batch = await patiently(lambda: sub.fetch(100, timeout=0.5))
                out.extend(batch)
        except (TimeoutError, nats.errors.TimeoutError):
            pass
        finally:
            await sub.unsubscribe()
        return out
    finally:
        await nc.close()
