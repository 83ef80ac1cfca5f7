"""``POST /codat/webhooks``: check a webhook, store it in JetStream, and only then say 2xx.

Checks, in order, each with its own status, log line and counter (``rejected{reason}``), and
nothing published: ``too_large`` 413 (over ``max_body``), ``no_signature`` 401 (a Svix header
missing), ``bad_timestamp`` 400, ``stale_timestamp`` 401 (outside the tolerance), ``bad_signature``
401 (no secret verifies it: Svix's library decides), ``replayed`` 409 (the very same signed
delivery, id and timestamp, seen before), ``malformed_json`` 400. A bad input never gets a 5xx;
a 503 with ``Retry-After`` means only that JetStream could not take the event (Codat retries).
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from svix.webhooks import Webhook, WebhookVerificationError

from desktop.hub.events import route
from desktop.hub.publisher import StreamPublisher, Unavailable
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


class HubMetrics:
    """The hub's Prometheus metrics, in a registry of its own (one per app)."""

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
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=r,
        )


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


class WebhookReceiver:
    def __init__(
        self, settings: ReceiverSettings, publisher: StreamPublisher, metrics: HubMetrics
    ) -> None:
        if not settings.secrets:
            raise ValueError("the hub needs the webhook signing secret")
        self.settings = settings
        self.publisher = publisher
        self.metrics = metrics
        self._verifiers = [Webhook(s) for s in settings.secrets]
        self.replays = ReplayGuard(settings.tolerance)

    async def handle(self, request: Request) -> Response:
        self.metrics.received.inc()
        body_or_reject = await self._read_body(request)
        if isinstance(body_or_reject, _Reject):
            return self._reject(request, body_or_reject, None)
        body = body_or_reject
        msg_id = request.headers.get("svix-id")
        stamp = request.headers.get("svix-timestamp")
        signature = request.headers.get("svix-signature")
        problem = self._check(body, msg_id, stamp, signature)
        if problem is not None:
            return self._reject(request, problem, msg_id)
        assert msg_id is not None and stamp is not None
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            bad = _Reject(400, "malformed_json", "The body is not a JSON object.")
            return self._reject(request, bad, msg_id)
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
            return JSONResponse(
                {"error": "The event store is unavailable; deliver again later."},
                status_code=503,
                headers={"Retry-After": str(self.settings.retry_after)},
            )
        self.metrics.publish_seconds.observe(time.perf_counter() - started)
        self.metrics.published.labels("true" if stored.duplicate else "false").inc()
        self.replays.remember((msg_id, stamp), time.time())
        return JSONResponse(
            {
                "stored": True,
                "duplicate": stored.duplicate,
                "seq": stored.seq,
                "subject": routed.subject,
            }
        )

    async def _read_body(self, request: Request) -> bytes | _Reject:
        limit = self.settings.max_body
        too_large = _Reject(413, "too_large", f"The body is over {limit} bytes.")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return too_large
        chunks = bytearray()
        async for chunk in request.stream():
            chunks += chunk
            if len(chunks) > limit:
                return too_large
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
        headers = {"svix-id": msg_id, "svix-timestamp": stamp, "svix-signature": signature}
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

    def _reject(self, request: Request, reject: _Reject, msg_id: str | None) -> Response:
        self.metrics.rejected.labels(reject.reason).inc()
        client = request.client.host if request.client else "-"
        _log.warning(
            "webhook rejected %d %s: svix-id=%s from %s",
            reject.status,
            reject.reason,
            _shown(msg_id),
            client,
        )
        return JSONResponse(
            {"error": reject.message, "reason": reject.reason}, status_code=reject.status
        )
