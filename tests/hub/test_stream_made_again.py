"""The CODAT stream deleted and made again (its sequences start at 1 again) while a desktop
follows a company: the feed notices and reads the new stream from the call's start."""

from __future__ import annotations

import time

import nats
import pytest

from desktop.core.live import STREAM, HubEvent, HubFeed
from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from desktop.hub.publisher import stream_config
from desktop.hub.settings import StreamSettings
from tests.hub.live_kit import wait_until

COMPANY = "0f3c1b52-8a5e-4d1e-9a55-4b7f1f3a9e21"
SUBJECT = f"codat.{COMPANY}.connection.created"


@pytest.mark.asyncio
@pytest.mark.parametrize("new_events", [1, 7], ids=["fewer-than-before", "more-than-before"])
async def test_a_stream_made_again_is_read_from_the_calls_start(
    nats_server: NatsServer, hub: HubServer, new_events: int
) -> None:
    """With more events than before, only the stream's ``created`` time tells it is new."""
    seen: list[HubEvent] = []
    feed = HubFeed(nats_server.url, on_event=seen.append)
    feed.check_every = 0.5
    nc = await nats.connect(nats_server.url, allow_reconnect=False)
    try:
        js = nc.jetstream()
        feed.start()
        feed.follow(COMPANY, since=time.time())
        for n in range(5):
            await js.publish(SUBJECT, b"{}", stream=STREAM, headers={"Nats-Msg-Id": f"old-{n}"})
        await wait_until(lambda: len(seen) == 5)
        # As when the stream is lost and the hub's _ensure_stream makes it anew.
        await js.delete_stream(STREAM)
        await js.add_stream(stream_config(StreamSettings(duplicate_window=120.0)))
        for n in range(new_events):
            ack = await js.publish(
                SUBJECT, b"{}", stream=STREAM, headers={"Nats-Msg-Id": f"new-{n}"}
            )
        assert ack.seq == new_events
        wanted = {f"new-{n}" for n in range(new_events)}
        await wait_until(lambda: wanted <= {e.msg_id for e in seen})
        assert feed.live  # and it says so truthfully: events arrive
    finally:
        await feed.aclose()
        await nc.close()
