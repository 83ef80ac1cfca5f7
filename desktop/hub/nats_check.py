"""One connection attempt to NATS before the hub serves, to tell a setting only a person can fix
(credentials refused, a TLS certificate not trusted) from a NATS that is merely not up yet.

nats-py retries a refused connection for ever when reconnection is allowed, so the hub's own
connection (publisher.py) would wait silently; this check connects once, without retrying.
Facts (nats-py 2.16, nats-server 2.15): a refused login is the server's
``-ERR 'Authorization Violation'``, raised as ``nats.errors.Error``; an untrusted certificate
fails the TLS handshake with ``ssl.SSLCertVerificationError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nats.aio.client import Client

from desktop.hub.publisher import connect_options
from desktop.hub.settings import NatsSettings
from desktop.nats_options import servers


class Outcome(enum.Enum):
    OK = "ok"
    REFUSED = "refused"  # NATS refused the credentials
    UNTRUSTED = "untrusted"  # NATS's certificate is not signed by a trusted CA
    TLS = "tls"  # another TLS failure (the server wants TLS, a client certificate, ...)
    UNREACHABLE = "unreachable"  # not up (yet): the hub starts anyway and keeps trying


@dataclass(frozen=True)
class NatsCheck:
    outcome: Outcome
    message: str  # for the operator; never holds a credential


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in found:
        found.append(cause)
        cause = cause.__cause__ or cause.__context__
    return found


def classify(exc: BaseException) -> Outcome:
    """What a failed connection attempt means (see the module's facts)."""
    for cause in _causes(exc):
        if "authorization violation" in str(cause).lower():
            return Outcome.REFUSED
        if isinstance(cause, ssl.SSLCertVerificationError):
            return Outcome.UNTRUSTED
        if isinstance(cause, ssl.SSLError) or "secure connection" in str(cause).lower():
            return Outcome.TLS
    return Outcome.UNREACHABLE


_ADVICE = {
    Outcome.REFUSED: "NATS refused the hub's credentials (Authorization Violation): check "
    "$LINKDESK_HUB_NATS_USER and $LINKDESK_HUB_NATS_PASSWORD, $LINKDESK_HUB_NATS_TOKEN, "
    "or the --nats-creds file",
    Outcome.UNTRUSTED: "NATS's TLS certificate is not trusted: give the CA that signed it with "
    "--nats-tls-ca FILE (PEM)",
    Outcome.TLS: "the TLS handshake with NATS failed: check --nats-tls-ca, --nats-tls-cert and "
    "--nats-tls-key against the server's tls block",
    Outcome.UNREACHABLE: "NATS is not reachable yet; the hub starts anyway, answers webhooks with "
    "503 until it is, and keeps trying",
}


async def server_info(url: str, timeout: float) -> dict[str, Any] | None:
    """The INFO line nats-server sends first, in the clear, to every client (None: no answer).
    Its ``tls_verify`` says the server wants a client certificate."""
    parts = urlsplit(url if "://" in url else f"nats://{url}")
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port or 4222), timeout
        )
    except (OSError, TimeoutError):
        return None
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except (OSError, TimeoutError):
        return None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    if not line.startswith(b"INFO "):
        return None
    try:
        info = json.loads(line[5:])
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


async def check_nats(settings: NatsSettings, timeout: float = 5.0, tries: int = 3) -> NatsCheck:
    """Connect with ``settings``, without nats-py's retries; the outcome and a line for the
    operator. A server that answers but then drops the connection is tried ``tries`` times: with
    TLS 1.3 a refused client certificate can show as a reset rather than as the server's alert."""
    first = servers(settings.url)[0]
    info = await server_info(first, timeout)
    if info is not None and info.get("tls_verify") and settings.tls_cert is None:
        return NatsCheck(
            Outcome.TLS,
            f"{_ADVICE[Outcome.TLS]}: this server asks for a client certificate "
            "(--nats-tls-cert and --nats-tls-key)",
        )
    options = connect_options(settings, "linkdesk-hub-check")
    options.update(allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=timeout)

    async def quiet(exc: Exception) -> None:  # nats-py also reports the failure here
        return None

    outcome, name = Outcome.UNREACHABLE, ""
    for _ in range(tries if info is not None else 1):
        nc = Client()
        try:
            await nc.connect(**options, error_cb=quiet)
        except Exception as exc:  # nats-py raises several kinds; classify says which matter
            outcome, name = classify(exc), type(exc).__name__
            if outcome is not Outcome.UNREACHABLE:
                break
            continue
        else:
            return NatsCheck(Outcome.OK, "NATS accepted the hub's connection")
        finally:
            # A failed connect leaves nats-py's transport open (a TLS one warns when collected).
            if nc.is_connected:
                with contextlib.suppress(Exception):
                    await nc.close()
            transport = getattr(nc, "_transport", None)
            if transport is not None:
                with contextlib.suppress(Exception):
                    transport.close()
                    # TLS closes in steps: let them end before the caller's loop does.
                    await asyncio.wait_for(transport.wait_closed(), 1.0)
    return NatsCheck(outcome, f"{_ADVICE[outcome]} ({name})")
