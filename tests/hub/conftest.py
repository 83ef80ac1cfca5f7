"""Fixtures for the hub: real nats-server processes (loopback, random ports) and hubs on threads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from svix.webhooks import Webhook

from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from desktop.hub.settings import NatsSettings, ReceiverSettings, StreamSettings

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_hub() -> Iterator[Callable[..., HubServer]]:
    hubs: list[HubServer] = []

    def make(url: str, *, ready: bool = True, **receiver: Any) -> HubServer:
        receiver.setdefault("secrets", (SECRET,))
        receiver.setdefault("heartbeat", 0.5)
        stream = receiver.pop("stream", StreamSettings(duplicate_window=120.0))
        hub = HubServer(NatsSettings(url=url), stream, ReceiverSettings(**receiver))
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
