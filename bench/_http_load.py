"""A small wrk-like load generator: pre-built HTTP/1.1 requests over keep-alive asyncio connections.

Each connection has one request in flight (no pipelining, as Codat's senders and wrk do) and
sends the next as soon as the answer is complete; or, with a ``rate``, request i is due at
start + i / rate (open loop, as wrk2 does) and its latency counts from when it was due, so a
server that falls behind is not hidden by requests the generator held back. Requests are bytes prepared in advance, so the
generator's own cost per request is a socket write and the parsing of one short answer: what
it measures is the server, not an HTTP client library.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from functools import partial
from typing import cast


@dataclass
class LoadResult:
    elapsed: float  # seconds from the first request sent to the last answer received
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    statuses: dict[int, int] = field(default_factory=dict)  # status code -> count
    broken: int = 0  # requests lost to a closed connection (never answered)
    first_answer: float = 0.0  # perf_counter of the first and last answers
    last_answer: float = 0.0

    def answers_per_second(self) -> float:
        """Answers a second over the answering window (for a paced run: the pace kept)."""
        window = self.last_answer - self.first_answer
        return (len(self.latencies) - 1) / window if window > 0 else 0.0


def build_request(host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """One POST as it goes on the wire (Content-Length framing, keep-alive)."""
    lines = [f"POST {path} HTTP/1.1", f"host: {host}", f"content-length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    """Sends the next request from the shared iterator each time an answer is complete."""

    def __init__(self, source: _Source, result: LoadResult, done: asyncio.Future[None]) -> None:
        self.source = source
        self.result = result
        self.done = done
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.waiting = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._next()

    def _next(self) -> None:
        assert self.transport is not None
        if not self.source.requests:
            self.waiting = False
            self.transport.close()
            return
        request = self.source.requests.pop()
        self.waiting = True
        now = time.perf_counter()
        if self.source.interval:
            due = self.source.started + self.source.sent * self.source.interval
            self.source.sent += 1
            if due > now:
                self.sent_at = due
                asyncio.get_running_loop().call_later(due - now, self._write, request)
                return
            self.sent_at = due  # late: the wait counts, as it would for Codat
        else:
            self.sent_at = now
        self.transport.write(request)

    def _write(self, request: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            start = head.find(b"content-length:")
            length = 0
            if start >= 0:
                stop = head.find(b"\r\n", start)
                length = int(head[start + 15 : stop if stop >= 0 else None])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            status = int(head[9:12])
            del self.buffer[:total]
            now = time.perf_counter()
            self.result.latencies.append(now - self.sent_at)
            self.result.first_answer = self.result.first_answer or now
            self.result.last_answer = now
            self.result.statuses[status] = self.result.statuses.get(status, 0) + 1
            self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting:
            self.result.broken += 1
        if not self.done.done():
            self.done.set_result(None)


@dataclass
class _Source:
    requests: list[bytes]  # reversed: pop() from the end keeps the given order
    started: float
    interval: float  # seconds between due times; 0: as fast as answers come
    sent: int = 0


async def run_load(
    host: str, port: int, requests: list[bytes], connections: int, rate: float = 0.0
) -> LoadResult:
    """Send every request over ``connections`` keep-alive connections, at most ``rate`` a second
    (0: as fast as the server answers)."""
    loop = asyncio.get_running_loop()
    result = LoadResult(elapsed=0.0)
    started = time.perf_counter()
    source = _Source(list(reversed(requests)), started, 1.0 / rate if rate > 0 else 0.0)
    finished: list[asyncio.Future[None]] = []
    for _ in range(connections):
        done: asyncio.Future[None] = loop.create_future()
        finished.append(done)
        await loop.create_connection(partial(_Connection, source, result, done), host, port)
    await asyncio.gather(*finished)
    result.elapsed = time.perf_counter() - started
    return result
