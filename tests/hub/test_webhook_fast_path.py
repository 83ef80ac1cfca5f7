"""The webhook's plain ASGI path (``_WebhookFastPath``): a POST goes straight to the receiver, any
other method still gets Starlette's 405, and a body sent in chunks with no Content-Length is
refused as too large once it passes the limit, with nothing stored."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from tests.hub.conftest import connection_event, signed_headers
from tests.hub.stream_reader import stored_messages

COMPANY = "3f1d9a0e-3c55-4a43-9f7e-0c0e1f6b2d11"


@pytest.mark.asyncio
async def test_other_methods_on_the_webhook_path_get_405_and_nothing_is_stored(
    hub: HubServer, nats_server: NatsServer
) -> None:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        for method in ("GET", "PUT", "DELETE"):
            answer = await client.request(method, hub.webhook_url)
            assert answer.status_code == 405, (method, answer.text)
        body = json.dumps(connection_event(COMPANY)).encode()
        stored = await client.post(
            hub.webhook_url, content=body, headers=signed_headers(body, "msg_fast")
        )
    assert stored.status_code == 200 and stored.headers["content-type"] == "application/json"
    assert stored.json() == {
        "stored": True,
        "duplicate": False,
        "seq": 1,
        "subject": f"codat.{COMPANY}.connection.created",
    }
    assert len(await stored_messages(nats_server.url)) == 1


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"webhook rejected 413 too_large")
async def test_a_chunked_body_over_the_limit_is_413_without_a_content_length(
    hub: HubServer, nats_server: NatsServer
) -> None:
    event = connection_event(COMPANY)
    event["payload"]["padding"] = "x" * (1 << 20)
    body = json.dumps(event).encode()
    headers = signed_headers(body, "msg_chunked")

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        answer = await client.post(hub.webhook_url, content=chunks(), headers=headers)
    assert answer.status_code == 413, answer.text
    assert answer.json()["reason"] == "too_large"
    assert await stored_messages(nats_server.url) == []
