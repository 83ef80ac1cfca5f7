"""``POST /codat/webhooks``: check a webhook, store it in JetStream, and only then say 2xx.

Checks, in order, each with its own status, log line and counter (``rejected{reason}``), and
nothing published: ``too_large`` 413 (over ``max_body``), ``no_signature`` 401 (a Svix header
missing), ``bad_timestamp`` 400, ``stale_timestamp`` 401 (outside the tolerance), ``bad_signature``
401 (no secret verifies it: Svix's library decides), ``replayed`` 409 (the very same signed
delivery, id and timestamp, seen before), ``malformed_json`` 400. A bad input never gets a 5xx;
a 503 with ``Retry-After`` means only that JetStream could not take the event (Codat retries).
Each webhook stored, and each refused as unverifiable, is also counted in the publisher's
``WebhookTally``, which the heartbeat reports to the desktops (tally.py).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import Receive, Scope, Send
from svix.webhooks import Webhook, WebhookVerificationError

from desktop.hub.events import route
from desktop.hub.publisher import StreamPublisher, Unavailable
from desktop.hub.secret_source import webhook_verifier
from desktop.hub.settings import ReceiverSettings

_log = logging.getLogger("linkdesk.hub")

REASONS = (
    "too_large",
    "no_signature",
    "bad_timestamp",
    "stale_timestamp",
    "bad_signature",
    "replayed",
    "malformed_json",
)


# Fine near the 50 ms goal, so that "p99 <= 50 ms" is read from a bucket bound, not guessed.
PUBLISH_BUCKETS = (
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04,
    0.045, 0.05, 0.06, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
)  # fmt: skip
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class HubMetrics:
    """The hub's Prometheus metrics, in a registry of its own (one per app).

    With ``linkdesk hub --workers N`` the command sets ``PROMETHEUS_MULTIPROC_DIR`` before the
    workers start: prometheus-client then keeps each worker's values in a file there, and
    ``exposition()`` (``GET /metrics``, whichever worker answers) sums all the workers'.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "linkdesk_hub_webhooks_received", "Webhook requests received", registry=r
        )
        self.rejected = Counter(
            "linkdesk_hub_webhooks_rejected",
            "Webhooks refused as bad input, by reason",
            ["reason"],
            registry=r,
        )
        for reason in REASONS:
            self.rejected.labels(reason)
        self.published = Counter(
            "linkdesk_hub_events_published",
            "Events acknowledged by JetStream (duplicate: already stored under that svix-id)",
            ["duplicate"],
            registry=r,
        )
        self.unknown = Counter(
            "linkdesk_hub_events_unknown_type", "Events of a type the hub does not know", registry=r
        )
        self.unavailable = Counter(
            "linkdesk_hub_unavailable",
            "Webhooks answered 503: JetStream could not take them",
            registry=r,
        )
        self.publish_seconds = Histogram(
            "linkdesk_hub_publish_seconds",
            "Seconds from the publish to JetStream's acknowledgement",
            buckets=PUBLISH_BUCKETS,
            registry=r,
        )

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format: this process's, or every worker's summed."""
        if os.environ.get(MULTIPROCESS_ENV):
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)


@dataclass(frozen=True)
class _Reject:
    status: int
    reason: str
    message: str


class ReplayGuard:
    """The (svix-id, svix-timestamp) pairs stored within the tolerance: the same pair again is a
    replay (Codat's own retries carry a new timestamp and signature, so they pass)."""

    def __init__(self, window: float, limit: int = 200_000) -> None:
        self.window = window
        self.limit = limit
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def seen(self, key: tuple[str, str], now: float) -> bool:
        while self._seen:
            oldest_key, expires = next(iter(self._seen.items()))
            if expires > now and len(self._seen) <= self.limit:
                break
            del self._seen[oldest_key]
        return key in self._seen

    def remember(self, key: tuple[str, str], now: float) -> None:
        self._seen[key] = now + 2 * self.window


def _shown(value: str | None) -> str:
    """An outside value fit for a log line: short, printable, quoted."""
    if value is None:
        return "-"
    return repr(value[:80])


def _json_answer(content: dict[str, Any]) -> bytes:
    # As Starlette's JSONResponse renders it, without building a Response for each webhook.
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


class WebhookReceiver:
    """``POST /codat/webhooks`` as a plain ASGI app: this is the one path taken for every webhook,
    so it reads the scope's headers once and writes its answer directly, with no request or
    response objects; routing, errors and the other paths stay Starlette's."""

    def __init__(
        self, settings: ReceiverSettings, publisher: StreamPublisher, metrics: HubMetrics
    ) -> None:
        if not settings.secrets:
            raise ValueError("the hub needs the webhook signing secret")
        self.settings = settings
        self.publisher = publisher
        self.metrics = metrics
        # Raises SecretError (naming the secret by position) rather than Svix's own errors.
        self._verifiers = [
            webhook_verifier(s, f"webhook signing secret {n} of {len(settings.secrets)}")
            for n, s in enumerate(settings.secrets, 1)
        ]
        self.replays = ReplayGuard(settings.tolerance)
        self._retry_after = str(settings.retry_after).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, content, extra = await self._answer(scope, receive)
        if status == 0:
            return  # the client went away before its body arrived: nothing to answer
        body = _json_answer(content)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *extra,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _answer(
        self, scope: Scope, receive: Receive
    ) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
        """The status, JSON content and extra headers for one delivery (0: no answer owed)."""
        self.metrics.received.inc()
        declared = msg_id = stamp = signature = None
        for name, value in scope["headers"]:  # ASGI servers give names in lower case
            if name == b"content-length" and declared is None:
                declared = value.decode("latin-1")
            elif name == b"svix-id" and msg_id is None:
                msg_id = value.decode("latin-1")
            elif name == b"svix-timestamp" and stamp is None:
                stamp = value.decode("latin-1")
            elif name == b"svix-signature" and signature is None:
                signature = value.decode("latin-1")
        client = scope.get("client")
        peer = client[0] if client else "-"
        body_or_reject = await self._read_body(receive, declared)
        if body_or_reject is None:
            return 0, {}, []
        if isinstance(body_or_reject, _Reject):
            return self._reject(peer, body_or_reject, None)
        body = body_or_reject
        problem = self._check(body, msg_id, stamp, signature)
        if problem is not None:
            return self._reject(peer, problem, msg_id)
        assert msg_id is not None and stamp is not None
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            bad = _Reject(400, "malformed_json", "The body is not a JSON object.")
            return self._reject(peer, bad, msg_id)
        routed = route(event)
        if not routed.known:
            self.metrics.unknown.inc()
            _log.info(
                "event type %s unknown; stored under %s", _shown(routed.event_type), routed.subject
            )
        headers = {"Codat-Event-Type": routed.event_type or "-", "Svix-Timestamp": stamp}
        started = time.perf_counter()
        try:
            stored = await self.publisher.publish(
                routed.subject, body, msg_id, headers, self.settings.publish_timeout
            )
        except Unavailable as exc:
            self.metrics.unavailable.inc()
            _log.warning("webhook %s not stored, answered 503: %s", _shown(msg_id), exc)
            return (
                503,
                {"error": "The event store is unavailable; deliver again later."},
                [(b"retry-after", self._retry_after)],
            )
        self.metrics.publish_seconds.observe(time.perf_counter() - started)
        self.metrics.published.labels("true" if stored.duplicate else "false").inc()
        self.replays.remember((msg_id, stamp), time.time())
        self.publisher.tally.accepted()
        return (
            200,
            {
                "stored": True,
                "duplicate": stored.duplicate,
                "seq": stored.seq,
                "subject": routed.subject,
            },
            [],
        )

    async def _read_body(self, receive: Receive, declared: str | None) -> bytes | _Reject | None:
        """The whole body, a ``too_large`` refusal, or None when the client disconnected."""
        limit = self.settings.max_body
        too_large = _Reject(413, "too_large", f"The body is over {limit} bytes.")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return too_large
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None  # http.disconnect
            chunks += message.get("body", b"")
            if len(chunks) > limit:
                return too_large
            if not message.get("more_body", False):
                return bytes(chunks)

    def _check(
        self, body: bytes, msg_id: str | None, stamp: str | None, signature: str | None
    ) -> _Reject | None:
        if not (msg_id and stamp and signature):
            return _Reject(
                401,
                "no_signature",
                "The svix-id, svix-timestamp and svix-signature headers are required.",
            )
        try:
            sent = int(stamp)
        except ValueError:
            return _Reject(400, "bad_timestamp", "svix-timestamp is not whole epoch seconds.")
        now = time.time()
        if abs(now - sent) > self.settings.tolerance:
            return _Reject(401, "stale_timestamp", "svix-timestamp is outside the tolerance.")
        # Svix's verify stops at the first entry without a comma, before the later ones are
        # tried: only well-formed "v1,<base64>" entries are handed to it.
        usable = " ".join(
            entry for entry in signature.split() if entry.startswith("v1,") and len(entry) > 3
        )
        if not usable:
            return _Reject(401, "bad_signature", "No signature matches.")
        headers = {"svix-id": msg_id, "svix-timestamp": stamp, "svix-signature": usable}
        if not any(self._verified(v, body, headers) for v in self._verifiers):
            return _Reject(401, "bad_signature", "No signature matches.")
        if self.replays.seen((msg_id, stamp), now):
            return _Reject(409, "replayed", "This delivery was already received.")
        return None

    @staticmethod
    def _verified(verifier: Webhook, body: bytes, headers: dict[str, str]) -> bool:
        try:
            verifier.verify(body, headers)
        except (WebhookVerificationError, ValueError, TypeError):
            # Svix's library raises ValueError (and binascii.Error) on a garbled header or body.
            return False
        return True

    def _reject(
        self, peer: str, reject: _Reject, msg_id: str | None
    ) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
        self.metrics.rejected.labels(reject.reason).inc()
        self.publisher.tally.rejected(reject.reason)
        _log.warning(
            "webhook rejected %d %s: svix-id=%s from %s",
            reject.status,
            reject.reason,
            _shown(msg_id),
            peer,
        )
        return reject.status, {"error": reject.message, "reason": reject.reason}, []
