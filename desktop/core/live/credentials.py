"""The team hub's NATS credentials: kept in the OS keyring only, as nats-py connect options.

One keyring entry (service ``LinkDesk team hub``, account ``nats``) holds either a NATS token or
``user:password``; a URL may also carry them (``nats://user:password@host``).
"""

from __future__ import annotations

from typing import Any

HUB_SECRET_SERVICE = "LinkDesk team hub"
HUB_SECRET_ACCOUNT = "nats"


def connect_options(credential: str | None) -> dict[str, Any]:
    """nats-py ``connect`` keywords for the stored credential (none when there is none)."""
    text = (credential or "").strip()
    if not text:
        return {}
    user, colon, password = text.partition(":")
    if colon:
        return {"user": user, "password": password}
    return {"token": text}
