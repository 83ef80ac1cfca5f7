"""The hub's heartbeat says how Codat's webhooks fared: accepted, refused as unverifiable, when."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import nats
import pytest

from desktop.hub.app import HubServer
from desktop.hub.events import HEARTBEAT_SUBJECT
from desktop.hub.nats_server import NatsServer
from desktop.hub.tally import WebhookTally
from tests.hub.conftest import connection_event, signed_headers

COMPANY = "0498e921-9b53-4396-a412-4f2f5983b0a2"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


async def _post(hub: HubServer, body: bytes, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        response = await client.post(hub.webhook_url, content=body, headers=headers)
        return response.status_code


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"webhook rejected 401 bad_signature")
async def test_each_beat_carries_the_webhooks_accepted_and_refused(
    hub: HubServer, nats_server: NatsServer
) -> None:
    beats: list[dict[str, Any]] = []

    async def heard(msg: Any) -> None:
        beats.append(json.loads(msg.data))

    nc = await nats.connect(nats_server.url)
    try:
        await nc.subscribe(HEARTBEAT_SUBJECT, cb=heard)
        body = json.dumps(connection_event(COMPANY)).encode()
        before = time.time()
        refused = await _post(hub, body, signed_headers(body, "msg_bad", secret=OTHER_SECRET))
        accepted = await _post(hub, body, signed_headers(body, "msg_good"))
        assert (refused, accepted) == (401, 200)
        deadline = time.monotonic() + 10
        while not any(b.get("accepted") == 1 for b in beats):
            assert time.monotonic() < deadline, beats
            await asyncio.sleep(0.02)
    finally:
        await nc.close()
    beat = next(b for b in beats if b.get("accepted") == 1)
    assert beat["rejected"] == 1
    assert before <= beat["firstRejectedAt"] <= beat["lastAcceptedAt"] <= beat["at"]
    assert beat["worker"] == hub.publisher.tally.worker
    assert beat["window"] > 0
    # The fields desktops already read are kept.
    assert beat["stream"] == "CODAT" and beat["interval"] == 0.5
    assert beat["lastEvent"] is not None


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_only_verification_failures_count_as_refused_and_old_ones_leave_the_window() -> None:
    clock = _Clock()
    tally = WebhookTally(window=600.0, clock=clock)
    for reason in ("too_large", "replayed", "malformed_json"):
        tally.rejected(reason)  # a verified delivery can be these: the secret is fine
    assert tally.beat_fields()["rejected"] == 0
    for reason in ("no_signature", "bad_timestamp", "stale_timestamp", "bad_signature"):
        tally.rejected(reason)
    first = clock.now
    clock.now += 100
    tally.accepted()
    fields = tally.beat_fields()
    assert (fields["rejected"], fields["accepted"]) == (4, 1)
    assert (fields["firstRejectedAt"], fields["lastAcceptedAt"]) == (first, first + 100)
    clock.now = first + 650  # the refusals are over ten minutes old, the acceptance is not
    fields = tally.beat_fields()
    assert (fields["rejected"], fields["accepted"], fields["firstRejectedAt"]) == (0, 1, None)
    clock.now = first + 800
    fields = tally.beat_fields()
    assert fields["accepted"] == 0
    assert fields["lastAcceptedAt"] == first + 100  # when, even outside the window


def test_each_hub_process_beats_under_its_own_worker_id() -> None:
    assert WebhookTally().worker != WebhookTally().worker
