"""Fixtures for the hub: real nats-server processes (loopback, random ports) and hubs on threads."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from svix.webhooks import Webhook

from desktop.hub.app import HubServer
from desktop.hub.events import REGISTERED_EVENT_TYPES
from desktop.hub.nats_server import NatsServer, free_port
from desktop.hub.settings import NatsSettings, ReceiverSettings, StreamSettings
from desktop.sandbox.server import SandboxServer

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
# What the hub and the feed log, as they should, while NATS or a node of it is down.
NATS_OUTAGE_LOGS = (
    r"NATS",
    r"answered 503",
    r"stream (CODAT|LINKDESK_CALLS) not ready",  # the hub makes both
)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_hub() -> Iterator[Callable[..., HubServer]]:
    hubs: list[HubServer] = []

    def make(url: str, *, ready: bool = True, port: int = 0, **receiver: Any) -> HubServer:
        receiver.setdefault("secrets", (SECRET,))
        receiver.setdefault("heartbeat", 0.5)
        stream = receiver.pop("stream", StreamSettings(duplicate_window=120.0))
        nats = receiver.pop("nats", None) or NatsSettings(url=url)  # TLS, credentials
        hub = HubServer(nats, stream, ReceiverSettings(**receiver), port=port)
        hub.start()
        hubs.append(hub)
        if ready:
            hub.wait_ready()
        return hub

    yield make
    for hub in hubs:
        hub.stop()


@pytest.fixture
def hub(nats_server: NatsServer, make_hub: Callable[..., HubServer]) -> HubServer:
    return make_hub(nats_server.url)


def signed_headers(
    body: bytes, msg_id: str, *, secret: str = SECRET, at: float | None = None
) -> dict[str, str]:
    """The Svix headers Codat sends with ``body`` (signed with Svix's own library)."""
    when = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return {
        "content-type": "application/json",
        "svix-id": msg_id,
        "svix-timestamp": str(int(when.timestamp())),
        "svix-signature": Webhook(secret).sign(msg_id, when, body.decode()),
    }


def connection_event(company_id: str, event_type: str = "connection.created") -> dict[str, Any]:
    """A Codat connection event in the shape of Codat's spec example."""
    return {
        "id": "ba29118f-5406-4e59-b05c-ba307ca38d01",
        "eventType": event_type,
        "generatedDate": "2024-08-08T17:10:34.015Z",
        "payload": {
            "referenceCompany": {"id": company_id, "name": "Bank of Dave"},
            "connection": {"id": "ee2eb431-c0fa-4dc9-93fa-d29781c12bcd", "status": "PendingAuth"},
        },
    }


SANDBOX_KEY = "hub-test-key"


@dataclass
class Chain:
    """sandbox -> hub -> JetStream, wired as a team would: the consumer registered at the sandbox,
    its signing secret given to the hub."""

    sandbox: SandboxServer
    nats_url: str  # one server, or several comma-separated (a cluster)
    hub: HubServer
    consumer_id: str
    secret: str

    def api(self) -> httpx.Client:
        token = base64.b64encode(SANDBOX_KEY.encode()).decode()
        return httpx.Client(
            base_url=self.sandbox.base_url,
            trust_env=False,
            headers={"Authorization": f"Basic {token}"},
            timeout=10,
        )


def build_chain(
    nats_url: str,
    make_hub: Callable[..., HubServer],
    hub_options: dict[str, Any] | None = None,
    event_types: tuple[str, ...] = REGISTERED_EVENT_TYPES,
    **sandbox_options: Any,
) -> tuple[Chain, Callable[[], None]]:
    sandbox = SandboxServer(api_key=SANDBOX_KEY, **sandbox_options)
    sandbox.start()
    port = free_port()
    token = base64.b64encode(SANDBOX_KEY.encode()).decode()
    with httpx.Client(base_url=sandbox.base_url, trust_env=False, timeout=10) as plain:
        created = plain.post(
            "/webhooks",
            json={
                "url": f"http://127.0.0.1:{port}/codat/webhooks",
                "eventTypes": list(event_types),
            },
            headers={"Authorization": f"Basic {token}"},
        )
        assert created.status_code == 201, created.text
        consumer_id = created.json()["id"]
        secret = plain.get(
            f"/_sandbox/webhooks/{consumer_id}/secret", headers=sandbox.control_headers()
        ).json()["secret"]
    # hub_options may give other secrets: a hub whose secret is not the consumer's.
    hub = make_hub(nats_url, **{"secrets": (secret,), "port": port, **(hub_options or {})})
    return Chain(sandbox, nats_url, hub, consumer_id, secret), sandbox.stop


@pytest.fixture
def chain(nats_server: NatsServer, make_hub: Callable[..., HubServer]) -> Iterator[Chain]:
    built, stop = build_chain(nats_server.url, make_hub)
    yield built
    stop()
