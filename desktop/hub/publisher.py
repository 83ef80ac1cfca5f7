"""The hub's side of NATS: one connection, the stream kept as configured, acked publishes, heartbeats.

The connection is made in the background and retried for ever; while it is down, or while the
stream is not there, ``publish`` raises ``Unavailable`` at once so the webhook gets a 503 and
Codat delivers it again later: nothing is acknowledged that JetStream has not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import time
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from desktop.hub.events import HEARTBEAT_SUBJECT, STREAM_SUBJECTS
from desktop.hub.settings import NatsSettings, StreamSettings
from desktop.hub.tally import WebhookTally
from desktop.nats_options import staying_connected

_log = logging.getLogger("linkdesk.hub")


class Unavailable(Exception):
    """JetStream cannot take the event now (NATS down, no stream, no ack in time)."""


@dataclass(frozen=True)
class Stored:
    stream: str
    seq: int
    duplicate: bool


def tls_context(settings: NatsSettings) -> ssl.SSLContext | None:
    if settings.tls_ca is None and settings.tls_cert is None:
        return None
    context = ssl.create_default_context(cafile=str(settings.tls_ca) if settings.tls_ca else None)
    if settings.tls_cert is not None:
        context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key or settings.tls_cert))
    return context


def connect_options(settings: NatsSettings, name: str) -> dict[str, Any]:
    """nats-py ``connect`` keywords for these settings (credentials included, never logged)."""
    options = staying_connected(settings.url, name)
    context = tls_context(settings)
    if context is not None:
        options["tls"] = context
    if settings.creds_file is not None:
        options["user_credentials"] = str(settings.creds_file)
    if settings.user is not None:
        options["user"] = settings.user
        options["password"] = settings.password
    if settings.token is not None:
        options["token"] = settings.token
    return options


def stream_config(settings: StreamSettings) -> StreamConfig:
    return StreamConfig(
        name=settings.name,
        subjects=[STREAM_SUBJECTS],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=settings.max_age,
        max_bytes=settings.max_bytes,
        num_replicas=settings.replicas,
        duplicate_window=settings.duplicate_window,
    )


class StreamPublisher:
    def __init__(
        self, nats_settings: NatsSettings, stream: StreamSettings, *, heartbeat: float = 5.0
    ) -> None:
        self.nats_settings = nats_settings
        self.stream = stream
        self.heartbeat = heartbeat
        self.stream_ready = False
        self.last_event_at: float | None = None
        self.last_seq: int | None = None
        self.tally = WebhookTally()  # the receiver counts; each heartbeat reports it
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ensuring: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    def start(self) -> None:
        self._spawn(self._connect_loop(), "hub:nats-connect")
        self._spawn(self._heartbeat_loop(), "hub:heartbeat")

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _connect_loop(self) -> None:
        pause = 0.25
        while not self._closed:
            try:
                self._nc = await nats.connect(
                    **connect_options(self.nats_settings, "linkdesk-hub"),
                    reconnected_cb=self._reconnected,
                    disconnected_cb=self._disconnected,
                    error_cb=self._error,
                )
            except Exception as exc:  # nats-py raises several kinds; all mean "not yet"
                _log.warning(
                    "NATS not reachable (%s); trying again in %.1f s", type(exc).__name__, pause
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            self._js = self._nc.jetstream()
            url = self._nc.connected_url
            # host:port only: a URL may carry user:password@ (never logged)
            if url is not None:
                _log.info("connected to NATS at %s:%s", url.hostname, url.port)
            self._ensure_stream_soon()
            return

    async def _reconnected(self) -> None:
        _log.info("reconnected to NATS")
        self._ensure_stream_soon()

    async def _disconnected(self) -> None:
        if not self._closed:
            _log.warning("disconnected from NATS; webhooks get 503 until it is back")

    async def _error(self, exc: Exception) -> None:
        _log.warning("NATS: %s", type(exc).__name__)

    def _ensure_stream_soon(self) -> None:
        if self._ensuring is None or self._ensuring.done():
            self._ensuring = self._spawn(self._ensure_stream(), "hub:ensure-stream")

    async def _ensure_stream(self) -> None:
        """Create the stream, or bring its limits to the settings; retried until it works."""
        pause = 0.25
        while not self._closed:
            js = self._js
            if js is None or not self.connected:
                await asyncio.sleep(pause)
                continue
            config = stream_config(self.stream)
            try:
                try:
                    await js.add_stream(config)
                except nats.js.errors.BadRequestError:
                    await js.update_stream(config)  # it exists with other limits
                self.stream_ready = True
                await self.beat_now()  # desktops need not wait a whole interval
                return
            except Exception as exc:  # JetStream not ready yet (e.g. a cluster electing a leader)
                self.stream_ready = False
                _log.warning("stream %s not ready (%s); retrying", self.stream.name, exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)

    async def publish(
        self, subject: str, body: bytes, msg_id: str, headers: dict[str, str], timeout: float
    ) -> Stored:
        """Store one event; the svix-id as ``Nats-Msg-Id`` makes a redelivery a duplicate."""
        js = self._js
        if js is None or not self.connected:
            raise Unavailable("not connected to NATS")
        if not self.stream_ready:
            self._ensure_stream_soon()
            raise Unavailable(f"the stream {self.stream.name} is not ready")
        try:
            ack = await js.publish(
                subject,
                body,
                timeout=timeout,
                stream=self.stream.name,
                headers={"Nats-Msg-Id": msg_id, **headers},
            )
        except nats.js.errors.NoStreamResponseError as exc:
            self.stream_ready = False
            self._ensure_stream_soon()
            raise Unavailable("no JetStream answer for the stream") from exc
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError, OSError) as exc:
            raise Unavailable(f"JetStream did not acknowledge ({type(exc).__name__})") from exc
        self.last_event_at = time.time()
        self.last_seq = ack.seq
        return Stored(ack.stream, ack.seq, bool(ack.duplicate))

    async def _heartbeat_loop(self) -> None:
        """Tell the desktops, every ``heartbeat`` seconds, that the hub and its stream are alive,
        and how Codat's webhooks fared here lately (``WebhookTally.beat_fields``)."""
        while not self._closed:
            await asyncio.sleep(self.heartbeat)
            await self.beat_now()

    def beat(self) -> dict[str, Any]:
        """One heartbeat's content: ``at`` (the hub's time), ``stream``, ``lastEvent`` (epoch
        seconds or None), ``interval`` (seconds), and this worker's webhook figures."""
        return {
            "at": time.time(),
            "stream": self.stream.name,
            "lastEvent": self.last_event_at,
            "interval": self.heartbeat,
            **self.tally.beat_fields(),
        }

    async def beat_now(self) -> None:
        """One heartbeat at once (also at start, so desktops need not wait a whole interval)."""
        nc = self._nc
        if nc is not None and self.connected and self.stream_ready:
            with contextlib.suppress(Exception):
                await nc.publish(HEARTBEAT_SUBJECT, json.dumps(self.beat()).encode())

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        nc, self._nc = self._nc, None
        if nc is not None:
            with contextlib.suppress(Exception):
                await nc.close()
