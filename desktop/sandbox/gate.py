"""What stands in front of the Codat API paths: latency, injected faults, auth and the quota.

A plain ASGI wrapper (not Starlette middleware) so a fault can hold, cut or mangle the raw response.
The control API (/_sandbox) and the Link pages (/link) pass straight through, untouched.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.sandbox import errors as e
from desktop.sandbox.faults import FaultInjector
from desktop.sandbox.ratelimit import RateLimiter

OPEN_PREFIXES = ("/_sandbox", "/link")
DROP_NOTE = "sandbox fault: connection dropped"


def is_api_path(path: str) -> bool:
    return not any(path == p or path.startswith(p + "/") for p in OPEN_PREFIXES)


def key_matches(header: str | None, api_key: str) -> bool:
    """Codat's scheme: ``Basic `` + base64 of the key alone (no ``user:password`` colon)."""
    if not header:
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return False
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return decoded == api_key


class _QuietDrops(logging.Filter):
    """uvicorn logs an error when a response is left unfinished; for an injected drop that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
_log = logging.getLogger("linkdesk.sandbox")


class CodatGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_key: str,
        faults: FaultInjector,
        limiter: RateLimiter,
    ) -> None:
        self.app = app
        self.api_key = api_key
        self.faults = faults
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        config = self.faults.config
        if config.latency > 0:
            await asyncio.sleep(config.latency)
        kind, extra = self.faults.draw()
        quota = config.quota
        if kind == "timeout":
            await asyncio.sleep(config.timeout_hold)
        elif kind == "drop":
            await _drop(send)
            return
        elif kind == "5xx":
            status = 500 if extra < 0.5 else 503
            text = e.SERVER_ERROR if status == 500 else e.UNAVAILABLE
            _, headers, _ = self.limiter.take(quota, count=False)
            await _send_error(send, status, text, headers)
            return
        elif kind == "429":
            _, headers, _ = self.limiter.take(quota, count=False)
            headers["Retry-After"] = f"{config.retry_after:g}"
            await _send_error(send, 429, e.TOO_MANY, headers)
            return

        auth = _header(scope, b"authorization")
        if not key_matches(auth, self.api_key):
            _, headers, _ = self.limiter.take(quota, count=False)
            await _send_error(send, 401, e.UNAUTHORIZED, headers)
            return
        allowed, headers, reset_in = self.limiter.take(quota)
        if not allowed:
            headers["Retry-After"] = str(int(reset_in))
            await _send_error(send, 429, e.TOO_MANY, headers)
            return
        if kind == "malformed":
            await _mangled(self.app, scope, receive, send, headers)
            return
        await _guarded(self.app, scope, receive, _with_headers(send, headers))


async def _guarded(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """A bug in a handler still answers as Codat would (a 500 ErrorMessage), not with plain text."""
    started = False

    async def watch(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, watch)
    except Exception:
        if started:
            raise
        _log.exception("sandbox handler failed on %s %s", scope["method"], scope["path"])
        await _send_error(send, 500, e.SERVER_ERROR, {})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _with_headers(send: Send, extra: dict[str, str]) -> Send:
    encoded = [(k.lower().encode(), v.encode()) for k, v in extra.items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)

    return wrapped


async def _send_error(send: Send, status: int, text: str, headers: dict[str, str]) -> None:
    body = json.dumps(e.error_body(status, text)).encode()
    await _send_raw(send, status, body, "application/json", headers)


async def _send_raw(
    send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str]
) -> None:
    raw = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *[(k.lower().encode(), v.encode()) for k, v in headers.items()],
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _drop(send: Send) -> None:
    """Promise a body, send a few bytes of it, and stop: the server then closes the socket."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"results": [', "more_body": True})


async def _mangled(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]
) -> None:
    """Run the real handler, then answer with its body cut in half (not the JSON expected)."""
    captured: dict[str, Any] = {"status": 200, "body": b""}

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured["status"] = message["status"]
        elif message["type"] == "http.response.body":
            captured["body"] += message.get("body", b"")

    await app(scope, receive, capture)
    body: bytes = captured["body"]
    status: int = captured["status"]
    if not body:
        status, body = 200, b"<html><body>Gateway error</body></html>"
        await _send_raw(send, status, body, "text/html", headers)
        return
    await _send_raw(send, status, body[: max(1, len(body) // 2)], "application/json", headers)
