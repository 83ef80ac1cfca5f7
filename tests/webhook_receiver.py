"""A webhook consumer for tests: a loopback HTTP server on a thread that keeps what it receives.

``fail_first`` answers 500 to that many requests before it starts answering 200 (Codat then retries).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def event(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class WebhookReceiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[Received] = []
        self.fail_first = fail_first
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with owner._lock:
                    status = 500 if owner.fail_first > 0 else 200
                    owner.fail_first -= 1
                    owner.received.append(
                        Received({k.lower(): v for k, v in self.headers.items()}, body, status)
                    )
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/codat/webhooks"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.status == 200]

    def wait_for(self, condition: Callable[[list[Received]], bool], timeout: float = 10.0) -> None:
        """Wait (bounded) until ``condition(accepted deliveries)`` holds; fail otherwise."""
        deadline = time.monotonic() + timeout
        while not condition(self.accepted()):
            if time.monotonic() > deadline:
                types = [r.event["eventType"] for r in self.accepted()]
                raise AssertionError(f"condition not met within {timeout} s; got {types}")
            time.sleep(0.02)
