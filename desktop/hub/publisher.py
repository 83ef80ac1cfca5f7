"""The hub's side of NATS: one connection, the streams made, acked publishes, heartbeats.

The hub makes both streams: ``CODAT`` (the webhooks' events) and ``LINKDESK_CALLS`` (the team's
finished calls, which desktops publish to and read, and never make). A stream already there is
used as the server holds it: only the limits the operator passed on the command line
(``StreamSettings.given``) are applied to it; any other limit an operator changed (with the nats
CLI) is kept, and one log line names each (the server's value and the hub's).

The connection is made in the background and retried for ever; while it is down, or while the
stream is not there, ``publish`` raises ``Unavailable`` at once so the webhook gets a 503 and
Codat delivers it again later: nothing is acknowledged that JetStream has not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

from desktop import team_calls_stream as team_stream
from desktop.hub.events import HEARTBEAT_SUBJECT, STREAM_SUBJECTS
from desktop.hub.settings import DAY, NatsSettings, StreamSettings
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


def team_stream_config(replicas: int) -> StreamConfig:
    """The team calls' stream: file storage, the oldest calls go first at its age or size limit,
    a summary over 64 KiB refused (``desktop.team_calls_stream``); ``replicas`` as the hub's."""
    return StreamConfig(
        name=team_stream.STREAM,
        subjects=[team_stream.STREAM_SUBJECTS],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=team_stream.MAX_AGE,
        max_bytes=team_stream.MAX_BYTES,
        max_msg_size=team_stream.MAX_MSG_SIZE,
        num_replicas=replicas,
        duplicate_window=team_stream.DUPLICATE_WINDOW,
    )


# The limits compared on a stream that is there: StreamConfig's field -> (StreamSettings's field,
# the hub's option that sets it). The team stream's limits other than replicas have no option.
_LIMITS = {
    "max_age": ("max_age", "--stream-max-age"),
    "max_bytes": ("max_bytes", "--stream-max-bytes"),
    "max_msg_size": ("", ""),
    "num_replicas": ("replicas", "--replicas"),
    "duplicate_window": ("duplicate_window", "--duplicate-window"),
}


def _differs(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) or isinstance(theirs, float):  # seconds, from nanoseconds
        return abs(float(ours or 0) - float(theirs or 0)) > 0.001
    return bool(ours != theirs)


def _shown(limit: str, value: Any) -> str:
    """A limit as an operator reads it: seconds as days (or seconds under a day), counts as is."""
    if limit in ("max_age", "duplicate_window") and isinstance(value, int | float):
        return f"{value / DAY:g} d" if value >= DAY else f"{value:g} s"
    return str(value)


async def keep_stream(
    js: JetStreamContext, config: StreamConfig, given: frozenset[str], *, team: bool = False
) -> None:
    """Make the stream as ``config`` says, or keep the one there as the server holds it.

    On a stream that is there, a limit whose StreamSettings field is in ``given`` (the operator
    passed its option) is applied with ``update_stream`` when it differs; any other that differs
    is left as the server has it, and one INFO line names each (the server's value, the hub's).
    ``team``: the team calls' stream, whose only option is ``--replicas``. Raises nats-py's errors
    when JetStream does not answer or refuses the stream.
    """
    name = str(config.name)
    try:
        info = await js.stream_info(name)
    except nats.js.errors.NotFoundError:
        try:
            await js.add_stream(config)
            _log.info("stream %s made (%s replica(s))", name, config.num_replicas)
            return
        except nats.js.errors.BadRequestError:  # made meanwhile (another worker), or refused
            info = await js.stream_info(name)
    server = info.config
    apply: dict[str, Any] = {}
    kept: list[str] = []
    for limit, (setting, option) in _LIMITS.items():
        ours, theirs = getattr(config, limit), getattr(server, limit)
        if ours is None or not _differs(ours, theirs):
            continue
        if setting and setting in given and (not team or setting == "replicas"):
            apply[limit] = ours
            continue
        how = (
            f"{option} applies the hub's"
            if option and (not team or limit == "num_replicas")
            else "the hub's default"
        )
        kept.append(
            f"{limit} {_shown(limit, theirs)} on the server, {_shown(limit, ours)} here ({how})"
        )
    if kept:
        _log.info(
            "stream %s: kept as the server holds it (an operator's setting): %s",
            name,
            "; ".join(kept),
        )
    if apply:
        await js.update_stream(dataclasses.replace(server, **apply))
        _log.info(
            "stream %s: %s set as asked on the command line",
            name,
            ", ".join(f"{limit} {_shown(limit, value)}" for limit, value in apply.items()),
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
        self._team_ensuring: asyncio.Task[None] | None = None
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
        """Make the events' stream, or keep the one there (``keep_stream``); retried until it
        works. Then the team calls' stream, on a task of its own: webhooks never wait on it."""

        async def keep(js: JetStreamContext) -> None:
            try:
                await keep_stream(js, stream_config(self.stream), self.stream.given)
            except Exception:
                self.stream_ready = False  # webhooks get 503 until it is there again
                raise

        if await self._until_kept(self.stream.name, keep):
            self.stream_ready = True
            await self.beat_now()  # desktops need not wait a whole interval
            self._ensure_team_stream_soon()

    def _ensure_team_stream_soon(self) -> None:
        if self._team_ensuring is None or self._team_ensuring.done():
            self._team_ensuring = self._spawn(self._ensure_team_stream(), "hub:ensure-team-stream")

    async def _ensure_team_stream(self) -> None:
        """Make the team calls' stream at the hub's replicas, or keep the one there; retried
        until it works (desktops keep their calls queued meanwhile)."""
        config = team_stream_config(self.stream.replicas)
        await self._until_kept(
            team_stream.STREAM, lambda js: keep_stream(js, config, self.stream.given, team=True)
        )

    async def _until_kept(
        self, name: str, keep: Callable[[JetStreamContext], Awaitable[None]]
    ) -> bool:
        """Run ``keep`` on JetStream until it returns (True) or the publisher closes (False).

        While NATS is away it waits; a failure (JetStream not ready yet, e.g. a cluster electing
        a leader) is logged with the stream's ``name`` and tried again after a pause of 0.25 s,
        doubled each time up to 5 s.
        """
        pause = 0.25
        while not self._closed:
            js = self._js
            if js is None or not self.connected:
                await asyncio.sleep(pause)
                continue
            try:
                await keep(js)
                return True
            except Exception as exc:
                _log.warning("stream %s not ready (%s); retrying", name, exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 5.0)
        return False

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
