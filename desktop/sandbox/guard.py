"""What keeps a web page from driving the sandbox: its own Host only; a key and JSON for /_sandbox.

The sandbox listens on loopback, and any web page the agent opens can send requests there. A
cross-origin ``text/plain`` POST needs no CORS preflight, so without these checks a page could
move a practice customer, change faults or read the journal; a DNS name rebound to 127.0.0.1
would even let it read the answers. So, before anything else:

- ``Host`` must name this server: an IP address, ``localhost``, or the host it was started on.
  A rebinding attack needs a DNS name of its own, which is refused (421 Misdirected Request).
- The control API (``/_sandbox``) needs the sandbox's API key, as Codat's paths do (401); only
  the platform logos stay open, since the Link pages load them with ``<img>``.
- A POST or PUT to it must be ``Content-Type: application/json`` (415): a browser sends that
  cross-origin only after a CORS preflight, which the sandbox never grants.
"""

from __future__ import annotations

import ipaddress
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from desktop.sandbox.gate import key_matches

CONTROL_PREFIX = "/_sandbox"
OPEN_CONTROL_PREFIX = "/_sandbox/logos/"  # loaded by the Link pages' <img>: no key possible
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _headers(scope: Scope) -> dict[bytes, str]:
    return {bytes(k).lower(): bytes(v).decode("latin-1") for k, v in scope.get("headers", [])}


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``[::1]:8080`` -> ``::1``, ``a.b:80`` -> ``a.b``."""
    text = host_header.strip()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text[1:]
    name, _, _ = text.partition(":")
    return name


def host_is_ours(host_header: str | None, bound_host: str) -> bool:
    if not host_header:
        return False
    name = host_name(host_header).lower().rstrip(".")
    if not name:
        return False
    if name in ("localhost", bound_host.strip("[]").lower()):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True  # an address literal: no DNS name, so nothing to rebind


class SandboxGuard:
    """ASGI middleware in front of everything else (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, api_key: str, host: str) -> None:
        self.app = app
        self.api_key = api_key
        self.host = host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope["path"]
        if not host_is_ours(headers.get(b"host"), self.host):
            shown = headers.get(b"host", "(none)")[:100]
            await _refuse(send, 421, f"this sandbox answers only at its own address, not {shown}")
            return
        control = path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
        if control and not path.startswith(OPEN_CONTROL_PREFIX):
            if not key_matches(headers.get(b"authorization"), self.api_key):
                await _refuse(
                    send, 401, "the control API needs the sandbox's API key (Authorization: Basic)"
                )
                return
            media = headers.get(b"content-type", "").split(";")[0].strip().lower()
            if scope["method"] in _BODY_METHODS and media != "application/json":
                await _refuse(send, 415, "the control API accepts only application/json bodies")
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, text: str) -> None:
    body = json.dumps({"error": text}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
