"""The sandbox's webhooks: Codat's consumers API, Codat's payloads, Svix signatures, retries, faults."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from svix.webhooks import Webhook, WebhookVerificationError

from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import Journey, client_for, new_company
from tests.webhook_receiver import Received, WebhookReceiver

CONNECTION_TYPES = ["connection.created", "connection.connected", "connection.failed"]
ALL_TYPES = [*CONNECTION_TYPES, "read.completed.initial", "read.completed", "company.created"]


def _consumer(api: httpx.Client, url: str, types: list[str]) -> dict[str, object]:
    response = api.post("/webhooks", json={"url": url, "eventTypes": types})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def _secret(control: httpx.Client, consumer_id: object) -> str:
    response = control.get(f"/_sandbox/webhooks/{consumer_id}/secret")
    assert response.status_code == 200
    secret: str = response.json()["secret"]
    return secret


def _types(items: list[Received]) -> list[str]:
    return [r.event["eventType"] for r in items]


def test_consumers_api_lists_creates_and_deletes(api: httpx.Client) -> None:
    created = _consumer(api, "https://hub.example/codat/webhooks", ["connection.created"])
    assert created["disabled"] is False and created["eventTypes"] == ["connection.created"]
    listed = api.get("/webhooks").json()
    assert listed == {"results": [created]}
    assert api.delete(f"/webhooks/{created['id']}").status_code == 204
    assert api.get("/webhooks").json() == {"results": []}
    assert api.delete(f"/webhooks/{created['id']}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"eventTypes": ["connection.created"]},
        {"url": "not a url", "eventTypes": ["connection.created"]},
        {"url": "https://hub.example/x", "eventTypes": []},
        {"url": "https://hub.example/x"},
    ],
)
def test_consumer_needs_a_url_and_event_types(api: httpx.Client, body: dict[str, object]) -> None:
    response = api.post("/webhooks", json=body)
    assert response.status_code == 400
    assert response.json()["correlationId"]


def test_a_journey_is_announced_signed_with_codats_payloads(
    api: httpx.Client, control: httpx.Client
) -> None:
    with WebhookReceiver() as receiver:
        consumer = _consumer(api, receiver.url, ALL_TYPES)
        secret = _secret(control, consumer["id"])
        company = new_company(api)
        journey = Journey(control, company["id"])
        journey.do("open_link")
        journey.do("select_platform", platformKey="gbol")
        journey.do("consent")
        journey.do("approve")
        journey.do("complete_sync")
        receiver.wait_for(lambda got: "read.completed.initial" in _types(got))
        # Codat does not promise an order (deliveries run in parallel): compare as a set.
        got = sorted(receiver.accepted(), key=lambda r: ALL_TYPES.index(r.event["eventType"]))
        assert sorted(_types(got)) == sorted(
            [
                "company.created",
                "connection.created",
                "connection.connected",
                "read.completed.initial",
            ]
        )
        for item in got:
            Webhook(secret).verify(item.body, item.headers)  # raises when the signature is wrong
            assert item.headers["svix-id"].startswith("msg_")
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 32).verify(got[0].body, got[0].headers)
        by_type = {r.event["eventType"]: r.event["payload"] for r in got}
        created = by_type["connection.created"]
        connected = by_type["connection.connected"]
        read = by_type["read.completed.initial"]
        assert created["referenceCompany"]["id"] == company["id"]
        assert created["connection"]["status"] == "PendingAuth"
        assert connected["connection"]["status"] == "Linked"
        assert connected["connection"]["integrationKey"] == "gbol"
        assert {d["status"] for d in read["dataTypes"]} == {"Complete"}
        assert by_type["company.created"]["id"] == company["id"]


def test_a_cancelled_link_is_connection_failed_with_codats_403(
    api: httpx.Client, control: httpx.Client
) -> None:
    with WebhookReceiver() as receiver:
        _consumer(api, receiver.url, CONNECTION_TYPES)
        company = new_company(api)
        journey = Journey(control, company["id"])
        journey.do("open_link")
        journey.do("select_platform", platformKey="gbol")
        journey.do("cancel")
        receiver.wait_for(lambda got: "connection.failed" in _types(got))
        failed = next(
            r.event["payload"]["connection"]
            for r in receiver.accepted()
            if r.event["eventType"] == "connection.failed"
        )
        assert failed["status"] == "PendingAuth"
        assert failed["dataConnectionErrors"][0]["statusCode"] == "403"


def test_a_failed_delivery_is_retried_with_the_same_svix_id(
    api: httpx.Client, control: httpx.Client
) -> None:
    with WebhookReceiver(fail_first=2) as receiver:
        _consumer(api, receiver.url, ["company.created"])
        new_company(api)
        receiver.wait_for(lambda got: len(got) == 1)
        assert [r.status for r in receiver.received] == [500, 500, 200]
        assert len({r.headers["svix-id"] for r in receiver.received}) == 1
        attempts = control.get("/_sandbox/webhooks/attempts").json()["attempts"]
        assert [a["status"] for a in attempts] == [500, 500, 200]


def test_duplicate_and_drop_faults_resend_the_same_message(
    make_sandbox: Callable[..., SandboxServer],
) -> None:
    sandbox = make_sandbox(faults="webhook_duplicate=1,webhook_drop=0.5", seed=7)
    with (
        WebhookReceiver() as receiver,
        httpx.Client(
            base_url=sandbox.base_url, trust_env=False, headers=sandbox.control_headers()
        ) as plain,
    ):
        with client_for(sandbox) as api:
            _consumer(api, receiver.url, ["company.created"])
            for n in range(3):
                new_company(api, f"Company {n}")
        receiver.wait_for(lambda got: len(got) == 6)
        ids = [r.headers["svix-id"] for r in receiver.accepted()]
        assert len(set(ids)) == 3 and all(ids.count(i) == 2 for i in ids)
        notes = [a["note"] for a in plain.get("/_sandbox/webhooks/attempts").json()["attempts"]]
        assert any("dropped" in n for n in notes)
    assert sandbox.faults.to_json()["webhook_duplicate"] == 1.0
