"""The hub as an ASGI app (``create_app``) and as a server on a thread (``HubServer``, for tests).

Routes: ``POST /codat/webhooks`` (receiver.py), ``GET /healthz`` (200 when NATS is connected and
the stream is there, else 503; with the last event's time and this worker's webhooks accepted and
refused lately) and ``GET /metrics`` (Prometheus).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from desktop.hub.publisher import StreamPublisher
from desktop.hub.receiver import HubMetrics, WebhookReceiver
from desktop.hub.settings import NatsSettings, ReceiverSettings, StreamSettings
from desktop.serving import ServerExited, ServerTooSlow, ThreadedServer, serve_on_thread

WEBHOOK_PATH = "/codat/webhooks"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _webhook_figures(beat: dict[str, Any]) -> dict[str, Any]:
    """The heartbeat's webhook fields for ``/healthz``: times as ISO 8601 (UTC) instead of epoch
    seconds; ``window`` stays in seconds."""
    return {
        "worker": beat["worker"],
        "windowSeconds": beat["window"],
        "accepted": beat["accepted"],
        "rejected": beat["rejected"],
        "firstRejectedAt": _iso(beat["firstRejectedAt"]),
        "lastAcceptedAt": _iso(beat["lastAcceptedAt"]),
    }


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


class _WebhookFastPath:
    """Hands ``POST /codat/webhooks`` straight to the receiver (a plain ASGI app) and everything
    else to Starlette's router: a webhook is the hub's only frequent request, so it skips
    routing and the request/response objects (about a third of the hub's CPU per webhook)."""

    def __init__(self, app: ASGIApp, receiver: WebhookReceiver) -> None:
        self.app = app
        self.receiver = receiver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == WEBHOOK_PATH and scope["method"] == "POST":
            await self.receiver(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app(
    nats_settings: NatsSettings, stream: StreamSettings, receiver: ReceiverSettings
) -> Starlette:
    publisher = StreamPublisher(nats_settings, stream, heartbeat=receiver.heartbeat)
    metrics = HubMetrics()
    handler = WebhookReceiver(receiver, publisher, metrics)

    async def healthz(request: Request) -> Response:
        healthy = publisher.connected and publisher.stream_ready
        body = {
            "status": "ok" if healthy else "unavailable",
            "nats": "connected" if publisher.connected else "disconnected",
            "stream": stream.name if publisher.stream_ready else None,
            "lastEvent": _iso(publisher.last_event_at),
            "lastSeq": publisher.last_seq,
            # This worker's webhooks over the heartbeat's window, as the desktops see them: an
            # operator sees here a signing secret or a clock that differs from Codat's. They
            # never make the hub unhealthy: anyone can post an unsigned request.
            "webhooks": _webhook_figures(publisher.tally.beat_fields()),
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def prometheus(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        publisher.start()
        try:
            yield
        finally:
            await publisher.close()

    app = Starlette(
        routes=[
            # Reached only by other methods (405): the fast path below answers every POST.
            Route(WEBHOOK_PATH, handler, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", prometheus, methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[Middleware(_WebhookFastPath, receiver=handler)],
    )
    app.state.publisher = publisher
    app.state.metrics = metrics
    return app


@dataclass(frozen=True)
class AppFactory:
    """``create_app``'s arguments, picklable: each worker process of ``linkdesk hub --workers N``
    is handed one (through multiprocessing's pipe, never the environment, since it holds the
    secrets) and builds its own app, with its own NATS connection."""

    nats_settings: NatsSettings
    stream: StreamSettings
    receiver: ReceiverSettings = field(repr=False)
    # The supervisor's pid, taken where the factory is made: a worker asking its parent later
    # could ask after the supervisor died, and be told init's.
    supervisor: int = field(default_factory=os.getpid)

    def __call__(self) -> Starlette:
        if not logging.getLogger().handlers:  # a fresh worker process: log as the command does
            logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
        app = create_app(self.nats_settings, self.stream, self.receiver)
        _exit_with_supervisor(self.supervisor)
        freeze_start_up_objects()
        return app


def _exit_with_supervisor(supervisor: int, every: float = 1.0) -> None:
    """Stop this worker (SIGTERM: a clean shutdown) once the supervisor that started it is gone,
    even killed outright: otherwise a worker would serve the port and hold its NATS connection on
    its own for ever."""

    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="linkdesk-hub:supervisor-watch", daemon=True).start()


def freeze_start_up_objects() -> None:
    """Leave what start-up made (modules, classes, the app) out of every later garbage collection,
    in a process that serves the hub and nothing else.

    Start-up leaves about 51,000 tracked objects; a full collection over them took 28-38 ms on
    the 2-core test machine, most of the 50 ms publish budget, whenever one came. Frozen, a later
    full collection walks only what is left of the webhooks (a few hundred objects).
    """
    gc.freeze()


class HubServer:
    """The hub on a daemon thread with its own loop (tests and benchmarks); ``start()`` gives the
    base URL, ``wait_ready()`` waits until the stream is there."""

    def __init__(
        self,
        nats_settings: NatsSettings,
        stream: StreamSettings,
        receiver: ReceiverSettings,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app = create_app(nats_settings, stream, receiver)
        self.host = host
        self.port = port
        self._serving: ThreadedServer | None = None
        self.base_url = ""

    @property
    def publisher(self) -> StreamPublisher:
        publisher: StreamPublisher = self.app.state.publisher
        return publisher

    @property
    def metrics(self) -> HubMetrics:
        metrics: HubMetrics = self.app.state.metrics
        return metrics

    @property
    def webhook_url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    def start(self, timeout: float = 10.0) -> str:
        try:
            serving = serve_on_thread(
                self.app,
                host=self.host,
                port=self.port,
                lifespan="on",
                thread_name="linkdesk-hub",
                timeout=timeout,
            )
        except (ServerExited, ServerTooSlow) as exc:
            raise RuntimeError("the hub did not start") from exc
        self._serving = serving
        self.port = serving.port
        self.base_url = f"http://{self.host}:{serving.port}"
        return self.base_url

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not (self.publisher.connected and self.publisher.stream_ready):
            if time.monotonic() > deadline:
                raise RuntimeError("the hub's stream did not become ready")
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        serving, self._serving = self._serving, None
        if serving is not None:
            serving.stop(timeout)


async def serve(
    nats_settings: NatsSettings,
    stream: StreamSettings,
    receiver: ReceiverSettings,
    host: str,
    port: int,
) -> None:
    """Run the hub in this loop until cancelled or signalled (``linkdesk hub``)."""
    app = create_app(nats_settings, stream, receiver)
    config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=False)
    await uvicorn.Server(config).serve()
    await asyncio.sleep(0)
