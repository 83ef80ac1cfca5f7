"""Codat's webhooks, as the sandbox sends them: consumers, Codat's event payloads, Svix signing,
delivery retried with back-off, and seeded delivery faults.

Facts (Codat's spec ``webhooks:`` and ``/webhooks``; docs ``using-the-api/webhooks/overview`` and
``create-consumer``): a consumer is ``{id, url, eventTypes, disabled, companyTags}``; each event is
``{id, eventType, generatedDate, payload}`` POSTed as JSON with Svix's ``svix-id``,
``svix-timestamp`` and ``svix-signature`` headers (``v1,`` + base64 HMAC-SHA256 of
``"{svix-id}.{svix-timestamp}.{body}"`` keyed with the base64 secret after ``whsec_``); anything but
a 2XX within 15 seconds is a failed attempt and is retried later with the same ``svix-id``.

The signing below is written from that description with the standard library, on purpose: the hub
verifies with the Svix library, so a test of the chain proves two implementations agree.

Events come from the sandbox's journal (``SandboxState.listeners``): each journal entry that Codat
would announce becomes one message per subscribed consumer, built at once from the company as it is
at that moment. A delivery thread sends them; it also looks at the state every ``tick`` seconds so
that scripted customers and syncs move (and are announced) even when nobody polls.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import logging
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from desktop.sandbox import model as m
from desktop.sandbox import wire

_log = logging.getLogger("linkdesk.sandbox.webhooks")

# The event types this sandbox sends (Codat's spec, ``webhooks:``).
SENT_EVENT_TYPES = (
    "company.created",
    "company.deleted",
    "connection.created",
    "connection.connected",
    "connection.failed",
    "connection.disconnected",
    "connection.reconnected",
    "connection.deleted",
    "read.completed.initial",
    "read.completed",
)
MAX_CONSUMERS = 50  # Codat's limit on webhook consumers per client (spec, POST /webhooks)
ANSWER_TIMEOUT = 15.0  # seconds Codat waits for a 2XX (docs, create-consumer)
# Back-off between attempts, in seconds. Codat (through Svix) spreads retries over hours; the
# sandbox compresses them so that a rehearsal or a test sees the retry within seconds.
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 3.0, 5.0)
MAX_ATTEMPTS = 60  # about four and a half minutes of retries, then the message is given up
DELIVERY_THREADS = 8

# Journal kind -> Codat event type (connection events: docs, migrating-to-new-event-types).
_CONNECTION_EVENTS = {
    "connection_created": "connection.created",
    "linked": "connection.connected",
    "reconnected": "connection.reconnected",
    "failed": "connection.failed",
    "cancelled": "connection.failed",  # Codat's example: 403 "User cancelled linking"
    "deauthorized": "connection.disconnected",
    "unlinked": "connection.disconnected",
    "connection_deleted": "connection.deleted",
}


def new_secret() -> str:
    """A consumer's signing secret in Svix's form: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Svix's ``svix-signature`` value for one attempt: ``v1,<base64 HMAC-SHA256>``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass
class Consumer:
    id: str
    url: str
    event_types: list[str]
    disabled: bool = False
    company_tags: list[str] | None = None
    secret: str = field(default_factory=new_secret)

    def to_json(self) -> dict[str, Any]:
        """Codat's WebhookConsumer (the secret is not part of it: the Portal shows it)."""
        out: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "eventTypes": list(self.event_types),
            "disabled": self.disabled,
        }
        if self.company_tags is not None:
            out["companyTags"] = list(self.company_tags)
        return out

    def wants(self, event_type: str, tags: dict[str, str]) -> bool:
        if self.disabled or event_type not in self.event_types:
            return False
        if not self.company_tags:
            return True
        return any(f"{k}:{v}" in self.company_tags for k, v in tags.items())


@dataclass
class DeliveryFaults:
    """Seeded delivery faults (``--faults``): probabilities per message, and a delay in seconds.

    ``drop``: an attempt is lost on the way (no answer), so it is retried like any failure;
    ``duplicate``: after a successful delivery the message is sent once more (a new attempt, same
    ``svix-id``); ``reorder``: the message is held back ``reorder_hold`` seconds so later ones
    overtake it; ``delay``: each message waits a uniform 0..``delay`` seconds before its first try.
    """

    drop: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    delay: float = 0.0
    reorder_hold: float = 1.0

    @classmethod
    def from_config(cls, values: dict[str, float]) -> DeliveryFaults:
        """From FaultConfig.webhook (``webhook_drop=0.1`` and so on)."""
        return cls(
            drop=values.get("webhook_drop", 0.0),
            duplicate=values.get("webhook_duplicate", 0.0),
            reorder=values.get("webhook_reorder", 0.0),
            delay=values.get("webhook_delay", 0.0),
        )


@dataclass(order=True)
class _Delivery:
    due: float
    order: int
    consumer_id: str = field(compare=False)
    msg_id: str = field(compare=False)
    event_type: str = field(compare=False)
    company_id: str | None = field(compare=False)
    body: bytes = field(compare=False)
    attempts: int = field(default=0, compare=False)
    duplicate: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt, for tests and the ``/_sandbox/webhooks/attempts`` journal."""

    msg_id: str
    event_type: str
    company_id: str | None
    consumer_id: str
    status: int | None  # HTTP status, or None when the attempt got no answer
    at: float  # wall-clock epoch seconds
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "msgId": self.msg_id,
            "eventType": self.event_type,
            "companyId": self.company_id,
            "consumerId": self.consumer_id,
            "status": self.status,
            "at": self.at,
            "note": self.note,
        }


class WebhookService:
    """Consumers, the messages owed to them, and the thread that delivers them."""

    def __init__(
        self,
        *,
        tick_state: Callable[[], None] | None = None,
        faults: Callable[[], DeliveryFaults] | None = None,
        seed: int | None = None,
        tick: float = 0.05,
    ) -> None:
        self.consumers: dict[str, Consumer] = {}
        self._faults = faults or DeliveryFaults
        self.attempts: list[Attempt] = []
        self.base_url = "http://127.0.0.1"
        self._tick_state = tick_state
        self._tick = tick
        self._rng = random.Random(seed)
        self._lock = threading.Condition()
        self._queue: list[_Delivery] = []
        self._order = itertools.count()
        self._initial_sent: set[str] = set()  # connections whose first read was announced
        self._last_connection: dict[str, dict[str, Any]] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def faults(self) -> DeliveryFaults:
        """The delivery faults in force now (they follow ``PUT /_sandbox/faults``)."""
        return self._faults()

    # -- consumers (Codat's /webhooks) ------------------------------------------------------

    def create(
        self,
        url: str,
        event_types: list[str],
        *,
        disabled: bool = False,
        company_tags: list[str] | None = None,
    ) -> Consumer:
        with self._lock:
            if len(self.consumers) >= MAX_CONSUMERS:
                raise ValueError(f"the limit of {MAX_CONSUMERS} webhook consumers is reached")
            consumer = Consumer(str(uuid.uuid4()), url, list(event_types), disabled, company_tags)
            self.consumers[consumer.id] = consumer
            self._ensure_thread()
            return consumer

    def delete(self, consumer_id: str) -> bool:
        with self._lock:
            return self.consumers.pop(consumer_id, None) is not None

    def listing(self) -> list[Consumer]:
        with self._lock:
            return list(self.consumers.values())

    # -- events from the journal --------------------------------------------------------------

    def on_journal(self, entry: dict[str, Any], company: m.Company) -> None:
        """SandboxState listener: called under the state's lock, so it only builds and queues."""
        if not self.consumers:
            return
        for event_type, payload in self._events_for(entry, company):
            self.enqueue(event_type, payload, entry["epoch"], company.id, company.tags)

    def enqueue(
        self,
        event_type: str,
        payload: dict[str, Any],
        at: float,
        company_id: str | None,
        tags: dict[str, str] | None = None,
    ) -> list[str]:
        """Queue one event for every consumer that wants it; returns the messages' svix-ids."""
        ids: list[str] = []
        with self._lock:
            for consumer in self.consumers.values():
                if not consumer.wants(event_type, tags or {}):
                    continue
                envelope = {
                    "id": str(uuid.uuid4()),
                    "eventType": event_type,
                    "generatedDate": m.iso(at),
                    "payload": payload,
                }
                msg_id = "msg_" + uuid.uuid4().hex
                body = json.dumps(envelope, separators=(",", ":")).encode()
                due = time.monotonic()
                faults = self.faults
                if faults.delay:
                    due += self._rng.uniform(0.0, faults.delay)
                if faults.reorder and self._rng.random() < faults.reorder:
                    due += faults.reorder_hold
                self._push(
                    _Delivery(
                        due, next(self._order), consumer.id, msg_id, event_type, company_id, body
                    )
                )
                ids.append(msg_id)
        return ids

    def _events_for(
        self, entry: dict[str, Any], company: m.Company
    ) -> list[tuple[str, dict[str, Any]]]:
        kind = entry["kind"]
        now = float(entry["epoch"])
        if kind in ("company_created", "company_deleted"):
            event = "company.created" if kind == "company_created" else "company.deleted"
            details = wire.company_json(company, now, self.base_url)
            details.pop("dataConnections", None)
            keep = ("id", "name", "description", "redirect", "lastSync", "created", "tags")
            return [(event, {k: details[k] for k in keep if k in details})]
        connection_id = entry.get("connectionId")
        if kind in _CONNECTION_EVENTS and connection_id:
            conn = company.connection(connection_id)
            if conn is not None:
                snapshot = wire.connection_json(conn, company, now, self.base_url)
                self._last_connection[conn.id] = snapshot
            else:  # deleted: announce it as it last was
                snapshot = self._last_connection.pop(connection_id, {"id": connection_id})
            payload = {"referenceCompany": self._reference(company), "connection": snapshot}
            return [(_CONNECTION_EVENTS[kind], payload)]
        if kind == "sync_complete" and connection_id:
            return [self._read_completed(company, connection_id, now)]
        return []

    def _reference(self, company: m.Company) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": company.id,
            "name": company.name,
            "links": {"portal": f"{self.base_url}/_sandbox/companies/{company.id}"},
            "tags": dict(company.tags),
        }
        if company.description is not None:
            out["description"] = company.description
        return out

    def _read_completed(
        self, company: m.Company, connection_id: str, now: float
    ) -> tuple[str, dict[str, Any]]:
        runs: dict[float, list[m.PullOp]] = {}
        for op in company.pulls:
            if op.connection_id == connection_id:
                runs.setdefault(op.requested, []).append(op)
        done = [r for r in runs.values() if all(op.announced == 2 for op in r)]
        run = max(done, key=lambda r: r[0].requested) if done else []
        initial = connection_id not in self._initial_sent
        self._initial_sent.add(connection_id)
        data_types = [
            {
                "connectionId": connection_id,
                "dataType": op.data_type,
                "recordsModified": op.succeeded,
                "status": op.outcome,
                "issues": []
                if op.succeeded
                else [{"type": "error.fetch", "message": op.error_message or op.outcome}],
            }
            for op in sorted(run, key=lambda op: op.data_type)
        ]
        payload: dict[str, Any] = {
            "referenceCompany": self._reference(company),
            "modifiedFromDate": m.iso(run[0].requested if run else now),
            "dataTypes": data_types,
        }
        return ("read.completed.initial" if initial else "read.completed", payload)

    # -- delivery ----------------------------------------------------------------------------

    def _push(self, delivery: _Delivery) -> None:
        heapq.heappush(self._queue, delivery)
        self._lock.notify_all()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(
                target=self._run, name="linkdesk-sandbox-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def _run(self) -> None:
        # Codat delivers many messages at once; a slow consumer must not hold up every other one.
        with (
            httpx.Client(timeout=ANSWER_TIMEOUT, trust_env=False) as http,
            ThreadPoolExecutor(DELIVERY_THREADS, thread_name_prefix="webhook") as pool,
        ):
            next_tick = 0.0
            while True:
                delivery = None
                with self._lock:
                    if self._stopping:
                        return
                    now = time.monotonic()
                    if self._queue and self._queue[0].due <= now:
                        delivery = heapq.heappop(self._queue)
                    else:
                        wait = self._tick
                        if self._queue:
                            wait = min(wait, self._queue[0].due - now)
                        self._lock.wait(max(0.0, wait))
                if delivery is not None:
                    pool.submit(self._attempt_logged, http, delivery)
                if self._tick_state is not None and time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self._tick
                    try:
                        self._tick_state()  # scripted customers and syncs move on by themselves
                    except Exception:  # the delivery thread must outlive a bad state
                        _log.exception("the sandbox state could not be brought up to date")

    def _attempt_logged(self, http: httpx.Client, delivery: _Delivery) -> None:
        try:
            self._attempt(http, delivery)
        except Exception:  # a bug here must not silently lose the message's retries
            _log.exception("webhook %s: delivery attempt failed", delivery.msg_id)

    def _attempt(self, http: httpx.Client, delivery: _Delivery) -> None:
        consumer = self.consumers.get(delivery.consumer_id)
        if consumer is None or consumer.disabled:
            return
        delivery.attempts += 1
        status: int | None = None
        note = ""
        faults = self.faults
        if faults.drop and self._rng.random() < faults.drop:
            note = "dropped (fault)"
        else:
            timestamp = int(time.time())
            headers = {
                "content-type": "application/json",
                "svix-id": delivery.msg_id,
                "svix-timestamp": str(timestamp),
                "svix-signature": sign(consumer.secret, delivery.msg_id, timestamp, delivery.body),
                "user-agent": "LinkDesk-Sandbox-Webhooks/1",
            }
            try:
                status = http.post(consumer.url, content=delivery.body, headers=headers).status_code
            except httpx.HTTPError as exc:
                note = type(exc).__name__
        if delivery.duplicate:
            note = (note + " duplicate (fault)").strip()
        attempt = Attempt(
            delivery.msg_id,
            delivery.event_type,
            delivery.company_id,
            consumer.id,
            status,
            time.time(),
            note,
        )
        with self._lock:
            self.attempts.append(attempt)
            if status is not None and 200 <= status < 300:
                if (
                    not delivery.duplicate
                    and faults.duplicate
                    and self._rng.random() < faults.duplicate
                ):
                    again = _Delivery(
                        # A redelivery is a new attempt: a later second, so a new svix-timestamp
                        # and signature (the very same signed request again would be a replay).
                        time.monotonic() + 1.1,
                        next(self._order),
                        delivery.consumer_id,
                        delivery.msg_id,
                        delivery.event_type,
                        delivery.company_id,
                        delivery.body,
                        duplicate=True,
                    )
                    self._push(again)
                return
            if delivery.attempts >= MAX_ATTEMPTS:
                _log.warning("webhook %s given up after %d attempts", delivery.msg_id, MAX_ATTEMPTS)
                return
            pause = RETRY_DELAYS[min(delivery.attempts - 1, len(RETRY_DELAYS) - 1)]
            delivery.due = time.monotonic() + pause
            delivery.order = next(self._order)
            self._push(delivery)
