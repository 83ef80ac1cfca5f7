"""nats-py ``connect`` keywords that the hub and the desktop share: one policy, one place.

The hub (``desktop.hub.publisher``) and the desktop (``desktop.core.live.feed``, the team calls in
``desktop.core.team.connection``) each connect to the same NATS. The core may not import the hub,
so what both use lives here, beside both: this module imports no part of LinkDesk
(tests/unit/test_import_hygiene.py checks it) and ships with every install, the hub's image
included (deploy/Dockerfile.hub copies the whole ``desktop`` package).
"""

from __future__ import annotations

from typing import Any


def servers(url: str) -> list[str]:
    """``"nats://a:4222, nats://b:4222"`` -> ``["nats://a:4222", "nats://b:4222"]`` (a cluster's
    servers, comma-separated; blanks dropped)."""
    return [u.strip() for u in url.split(",") if u.strip()]


def staying_connected(url: str, name: str) -> dict[str, Any]:
    """Keywords for a connection that is kept up for as long as the process runs.

    nats-py reconnects for ever, 0.5 s between tries of a server of ``url``; a first connection
    gives up after 2 s; a ping every 5 s, and more than two without a pong count as a lost
    connection, so a dead link is noticed within about 15 s. ``name`` is the client name the NATS
    server shows (its monitoring ``/connz``). Credentials and TLS are the caller's to add.
    """
    return {
        "servers": servers(url),
        "name": name,
        "allow_reconnect": True,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        "connect_timeout": 2,
        "ping_interval": 5,
        "max_outstanding_pings": 2,
    }
