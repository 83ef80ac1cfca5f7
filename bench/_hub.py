"""The team hub's chain for the benchmarks: a nats-server, the sandbox, the hub, the consumer."""

from __future__ import annotations

import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from _common import API_KEY

from desktop.hub.app import HubServer
from desktop.hub.events import REGISTERED_EVENT_TYPES
from desktop.hub.nats_server import NatsServer, free_port
from desktop.hub.settings import NatsSettings, ReceiverSettings, StreamSettings
from desktop.sandbox.server import SandboxServer


def where() -> str:
    """Where the benchmark ran, printed beside its figures."""
    return (
        f"ran on {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}"
    )


@dataclass
class BenchChain:
    sandbox: SandboxServer
    nats: NatsServer
    hub: HubServer


@contextmanager
def chain(seed: int = 1, sandbox_speed: float = 1.0) -> Iterator[BenchChain]:
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-") as tmp:
        nats = NatsServer(store_dir=Path(tmp) / "nats")
        nats.start()
        sandbox = SandboxServer(api_key=API_KEY, speed=sandbox_speed, seed=seed)
        hub: HubServer | None = None
        try:
            base = sandbox.start()
            port = free_port()
            with httpx.Client(base_url=base, trust_env=False) as http:
                created = http.post(
                    "/webhooks",
                    json={
                        "url": f"http://127.0.0.1:{port}/codat/webhooks",
                        "eventTypes": list(REGISTERED_EVENT_TYPES),
                    },
                    headers={"Authorization": _basic()},
                ).json()
                secret = http.get(
                    f"/_sandbox/webhooks/{created['id']}/secret",
                    headers={"Authorization": _basic()},
                ).json()["secret"]
            hub = HubServer(
                NatsSettings(url=nats.url),
                StreamSettings(),
                ReceiverSettings(secrets=(secret,), heartbeat=1.0),
                port=port,
            )
            hub.start()
            hub.wait_ready()
            yield BenchChain(sandbox, nats, hub)
        finally:
            if hub is not None:
                hub.stop()
            sandbox.stop()
            nats.stop()


def _basic() -> str:
    import base64

    return "Basic " + base64.b64encode(API_KEY.encode()).decode()
