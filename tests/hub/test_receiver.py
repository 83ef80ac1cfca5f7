"""The hub's webhook endpoint against a real nats-server: what is stored, what is refused, and why."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from tests.hub.conftest import NATS_OUTAGE_LOGS, SECRET, connection_event, signed_headers
from tests.hub.stream_reader import stored_messages

COMPANY = "0498e921-9b53-4396-a412-4f2f5983b0a2"


async def _post(hub: HubServer, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.post(hub.webhook_url, content=body, headers=headers)


def _metric(hub: HubServer, name: str, labels: dict[str, str] | None = None) -> float:
    value = hub.metrics.registry.get_sample_value(name, labels or {})
    return 0.0 if value is None else value


@pytest.mark.asyncio
async def test_a_signed_event_is_stored_under_its_company_and_type(
    hub: HubServer, nats_server: NatsServer
) -> None:
    body = json.dumps(connection_event(COMPANY)).encode()
    response = await _post(hub, body, signed_headers(body, "msg_1"))
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == f"codat.{COMPANY}.connection.created"
    [msg] = await stored_messages(nats_server.url)
    assert msg.subject == f"codat.{COMPANY}.connection.created"
    assert msg.data == body
    assert msg.headers is not None and msg.headers["Nats-Msg-Id"] == "msg_1"
    assert _metric(hub, "linkdesk_hub_events_published_total", {"duplicate": "false"}) == 1
    assert _metric(hub, "linkdesk_hub_publish_seconds_count") == 1


@pytest.mark.asyncio
async def test_a_redelivered_webhook_is_stored_once(
    hub: HubServer, nats_server: NatsServer
) -> None:
    body = json.dumps(connection_event(COMPANY, "connection.connected")).encode()
    first = await _post(hub, body, signed_headers(body, "msg_same"))
    # Codat's retry: the same svix-id, a new attempt timestamp and so a new signature.
    again = await _post(hub, body, signed_headers(body, "msg_same", at=time.time() + 1))
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["duplicate"] is True
    assert len(await stored_messages(nats_server.url)) == 1
    assert _metric(hub, "linkdesk_hub_events_published_total", {"duplicate": "true"}) == 1


@pytest.mark.asyncio
async def test_an_unknown_event_type_is_kept_under_unknown(
    hub: HubServer, nats_server: NatsServer
) -> None:
    body = json.dumps(connection_event(COMPANY, "connection.teleported")).encode()
    response = await _post(hub, body, signed_headers(body, "msg_new"))
    assert response.status_code == 200
    [msg] = await stored_messages(nats_server.url)
    assert msg.subject == f"codat.{COMPANY}.unknown"
    assert _metric(hub, "linkdesk_hub_events_unknown_type_total") == 1


def _good() -> bytes:
    return json.dumps(connection_event(COMPANY)).encode()


def _case_no_signature() -> tuple[bytes, dict[str, str]]:
    headers = signed_headers(_good(), "msg_x")
    del headers["svix-signature"]
    return _good(), headers


def _case_wrong_secret() -> tuple[bytes, dict[str, str]]:
    return _good(), signed_headers(_good(), "msg_x", secret="whsec_" + "QUJD" * 8)


def _case_tampered() -> tuple[bytes, dict[str, str]]:
    headers = signed_headers(_good(), "msg_x")
    return _good().replace(b"Bank of Dave", b"Bank of Evil"), headers


def _case_garbled_signature() -> tuple[bytes, dict[str, str]]:
    headers = signed_headers(_good(), "msg_x")
    headers["svix-signature"] = "nonsense-without-a-comma"
    return _good(), headers


# Ten seconds past the 5-minute tolerance, not one: the svix-timestamp header holds whole seconds,
# so a margin of one second could be truncated to less than the tolerance and be accepted.
def _case_stale() -> tuple[bytes, dict[str, str]]:
    return _good(), signed_headers(_good(), "msg_x", at=time.time() - 310)


def _case_future() -> tuple[bytes, dict[str, str]]:
    return _good(), signed_headers(_good(), "msg_x", at=time.time() + 310)


def _case_bad_timestamp() -> tuple[bytes, dict[str, str]]:
    headers = signed_headers(_good(), "msg_x")
    headers["svix-timestamp"] = "yesterday"
    return _good(), headers


def _case_too_large() -> tuple[bytes, dict[str, str]]:
    event = connection_event(COMPANY)
    event["payload"]["padding"] = "x" * (1 << 20)
    body = json.dumps(event).encode()
    return body, signed_headers(body, "msg_x")


def _case_malformed_json() -> tuple[bytes, dict[str, str]]:
    body = b'{"eventType": "connection.created", '
    return body, signed_headers(body, "msg_x")


def _case_malformed_signatures_only() -> tuple[bytes, dict[str, str]]:
    headers = signed_headers(_good(), "msg_x")
    headers["svix-signature"] = "junk v1, v1 v2,abc"
    return _good(), headers


def _case_json_not_an_object() -> tuple[bytes, dict[str, str]]:
    body = b'["connection.created"]'
    return body, signed_headers(body, "msg_x")


BAD_INPUTS: dict[str, tuple[Callable[[], tuple[bytes, dict[str, str]]], int, str]] = {
    "no signature": (_case_no_signature, 401, "no_signature"),
    "wrong secret": (_case_wrong_secret, 401, "bad_signature"),
    "tampered body": (_case_tampered, 401, "bad_signature"),
    "garbled signature": (_case_garbled_signature, 401, "bad_signature"),
    "malformed signatures only": (_case_malformed_signatures_only, 401, "bad_signature"),
    "stale timestamp": (_case_stale, 401, "stale_timestamp"),
    "timestamp from the future": (_case_future, 401, "stale_timestamp"),
    "timestamp not a number": (_case_bad_timestamp, 400, "bad_timestamp"),
    "body over 1 MiB": (_case_too_large, 413, "too_large"),
    "malformed JSON": (_case_malformed_json, 400, "malformed_json"),
    "JSON not an object": (_case_json_not_an_object, 400, "malformed_json"),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("case", list(BAD_INPUTS))
async def test_bad_input_gets_its_4xx_a_counter_a_log_line_and_nothing_is_stored(
    case: str, hub: HubServer, nats_server: NatsServer, caplog: pytest.LogCaptureFixture
) -> None:
    make, status, reason = BAD_INPUTS[case]
    body, headers = make()
    with caplog.at_level("WARNING", logger="linkdesk.hub"):
        response = await _post(hub, body, headers)
    assert response.status_code == status, response.text
    assert response.json()["reason"] == reason
    assert _metric(hub, "linkdesk_hub_webhooks_rejected_total", {"reason": reason}) == 1
    assert any(reason in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text
    assert await stored_messages(nats_server.url) == []


@pytest.mark.asyncio
async def test_one_valid_signature_among_malformed_entries_is_accepted(
    hub: HubServer, nats_server: NatsServer
) -> None:
    """Svix's verify gives up at the first entry without a comma; the hub drops such entries
    first, so the valid one after them still counts."""
    body = _good()
    headers = signed_headers(body, "msg_junk")
    headers["svix-signature"] = f"junk v1 {headers['svix-signature']} v1,"
    response = await _post(hub, body, headers)
    assert response.status_code == 200, response.text
    assert len(await stored_messages(nats_server.url)) == 1


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"webhook rejected 409 replayed")
async def test_the_very_same_delivery_again_is_a_replay(
    hub: HubServer, nats_server: NatsServer
) -> None:
    body = _good()
    headers = signed_headers(body, "msg_replay")
    assert (await _post(hub, body, headers)).status_code == 200
    replay = await _post(hub, body, headers)
    assert replay.status_code == 409 and replay.json()["reason"] == "replayed"
    assert len(await stored_messages(nats_server.url)) == 1


@pytest.mark.asyncio
@pytest.mark.expected_logs(*NATS_OUTAGE_LOGS)
async def test_nats_down_gives_503_with_retry_after_then_the_retry_is_stored(
    hub: HubServer, nats_server: NatsServer
) -> None:
    nats_server.stop()
    await _wait(lambda: not hub.publisher.connected)
    body = _good()
    down = await _post(hub, body, signed_headers(body, "msg_during_outage"))
    assert down.status_code == 503
    assert int(down.headers["retry-after"]) > 0
    health = await _get(hub, "/healthz")
    assert health.status_code == 503 and health.json()["nats"] == "disconnected"

    nats_server.start()  # the same port and storage
    await _wait(lambda: hub.publisher.connected and hub.publisher.stream_ready, 20)
    retry = await _post(hub, body, signed_headers(body, "msg_during_outage", at=time.time() + 1))
    assert retry.status_code == 200
    assert [
        m.headers["Nats-Msg-Id"] for m in await stored_messages(nats_server.url) if m.headers
    ] == ["msg_during_outage"]


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"webhook rejected 401")
async def test_healthz_and_metrics(hub: HubServer) -> None:
    body = _good()
    await _post(hub, body, signed_headers(body, "msg_h"))
    await _post(hub, *_case_wrong_secret())
    health = await _get(hub, "/healthz")
    assert health.status_code == 200  # a refusal never makes it unhealthy: anyone can post one
    doc: dict[str, Any] = health.json()
    assert doc["nats"] == "connected" and doc["stream"] == "CODAT" and doc["lastEvent"]
    webhooks = doc["webhooks"]
    assert (webhooks["accepted"], webhooks["rejected"]) == (1, 1)
    assert webhooks["windowSeconds"] == 600.0 and webhooks["worker"]
    assert webhooks["firstRejectedAt"] >= webhooks["lastAcceptedAt"]  # ISO 8601, both UTC
    assert webhooks["lastAcceptedAt"].endswith("+00:00")
    metrics = (await _get(hub, "/metrics")).text
    assert "linkdesk_hub_webhooks_received_total 2.0" in metrics
    assert 'linkdesk_hub_webhooks_rejected_total{reason="bad_signature"} 1.0' in metrics
    assert "linkdesk_hub_publish_seconds_bucket" in metrics


async def _get(hub: HubServer, path: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        return await client.get(hub.base_url + path)


async def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
