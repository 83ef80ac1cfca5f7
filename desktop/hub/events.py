"""Where a Codat event goes in the stream: subject ``codat.<companyId>.<eventType>``.

Codat's event types and payload shapes are from Codat's spec (``webhooks:``) and docs
(``using-the-api/webhooks/event-types``): connection and read events carry the company as
``payload.referenceCompany.id``; company events carry it as ``payload.id``; ``client.rateLimit.*``
belong to no company (subject ``codat._client.<eventType>``). An event type the hub does not know
is kept under ``codat.<companyId>.unknown``, so a new Codat event is stored, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

STREAM_SUBJECTS = "codat.>"
HEARTBEAT_SUBJECT = "codat-hub.heartbeat"  # core NATS, outside the stream
NO_COMPANY = "_client"
UNKNOWN_COMPANY = "_unknown"
UNKNOWN_TYPE = "unknown"

# The event types ``linkdesk hub register`` subscribes the hub to.
REGISTERED_EVENT_TYPES = (
    "connection.created",
    "connection.connected",
    "connection.failed",
    "connection.disconnected",
    "connection.reconnected",
    "connection.deleted",
    "read.completed.initial",
    "read.completed",
    "company.created",
    "company.deleted",
    "client.rateLimit.reached",
    "client.rateLimit.reset",
)
# The types routed under their own name (any other goes under ``unknown``): those the hub registers
# for, and Codat's product events, which it does not; write events match ``_WRITE_EVENT``.
KNOWN_EVENT_TYPES = frozenset(REGISTERED_EVENT_TYPES) | {
    "company.product.added",
    "company.product.removed",
}
_WRITE_EVENT = re.compile(r"^[A-Za-z]+\.write\.(successful|unsuccessful)$")
# A subject token may not hold dots, spaces or wildcards; Codat's ids are UUIDs.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Routed:
    subject: str
    company_id: str  # a company id, or NO_COMPANY / UNKNOWN_COMPANY
    event_type: str  # as Codat sent it ("" when missing)
    known: bool


def company_of(event: dict[str, Any]) -> str:
    """The company an event is about, as a subject token."""
    event_type = event.get("eventType")
    payload = event.get("payload")
    if isinstance(event_type, str) and event_type.startswith("client."):
        return NO_COMPANY
    if not isinstance(payload, dict):
        return UNKNOWN_COMPANY
    reference = payload.get("referenceCompany")
    candidates = [
        reference.get("id") if isinstance(reference, dict) else None,
        payload.get("companyId"),
        payload.get("id")
        if isinstance(event_type, str) and event_type.startswith("company.")
        else None,
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and _TOKEN.match(candidate):
            return candidate
    return UNKNOWN_COMPANY


def route(event: dict[str, Any]) -> Routed:
    """The subject for a Codat event envelope ``{id, eventType, generatedDate, payload}``."""
    raw_type = event.get("eventType")
    event_type = raw_type if isinstance(raw_type, str) else ""
    known = event_type in KNOWN_EVENT_TYPES or bool(_WRITE_EVENT.match(event_type))
    company = company_of(event)
    suffix = event_type if known else UNKNOWN_TYPE
    return Routed(f"codat.{company}.{suffix}", company, event_type, known)


def company_subject(company_id: str) -> str:
    """Every event of one company (what a desktop subscribes to)."""
    if not _TOKEN.match(company_id):
        raise ValueError(f"not a usable company id: {company_id!r}")
    return f"codat.{company_id}.>"
