"""Read what the hub stored: every message of the CODAT stream, through a throwaway consumer."""

from __future__ import annotations

from typing import Any

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy


async def stored_messages(
    url: str, subject: str = "codat.>", stream: str = "CODAT", **connect: Any
) -> list[Msg]:
    """``connect``: more nats-py connect keywords (a user and password, say)."""
    nc = await nats.connect(url.split(","), allow_reconnect=False, **connect)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        if info.state.messages == 0:
            return []
        sub = await js.pull_subscribe(
            subject,
            stream=stream,
            config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL),
        )
        out: list[Msg] = []
        try:
            while True:
                batch = await sub.fetch(100, timeout=0.5)
                out.extend(batch)
        except TimeoutError:
            pass
        finally:
            await sub.unsubscribe()
        return out
    finally:
        await nc.close()
