"""Serve an ASGI app with uvicorn on a daemon thread with its own event loop.

The sandbox (``SandboxServer``) and the hub (``HubServer``) both start this way. Neither may import
the other, so the one way of doing it lives here, beside both: this module imports no part of
LinkDesk (tests/unit/test_import_hygiene.py checks it) and ships with every install, the hub's
image included (deploy/Dockerfile.hub copies the whole ``desktop`` package).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Literal

import uvicorn
from starlette.types import ASGIApp


class ServerExited(RuntimeError):
    """The server's thread ended before it listened (the address is taken, or cannot be bound)."""


class ServerTooSlow(RuntimeError):
    """The server was not listening within the time given; it has been told to exit."""


class _ClosingServer(uvicorn.Server):
    """uvicorn's server, which closes every connection it still holds when its shutdown ends.

    uvicorn's graceful shutdown closes the connections it knows of when it starts; one accepted
    during the shutdown (its socket was already queued) is never told, so it may stay open, idle,
    when the thread's loop ends. Its socket then outlives the loop and Python reports an
    "unclosed transport" (a ResourceWarning) wherever the collector happens to find it: in a test,
    that fails whichever test is running. Here each one left is closed on its own loop.
    """

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        left = [c.transport for c in list(self.server_state.connections) if c.transport]
        for transport in left:
            transport.close()
        if left:
            await asyncio.sleep(0)  # the loop runs each transport's connection_lost, which frees it


@dataclass(frozen=True)
class ThreadedServer:
    """A uvicorn server running on ``thread``; ``port`` is the port it listens on."""

    server: uvicorn.Server
    thread: threading.Thread
    port: int

    def stop(self, timeout: float) -> None:
        """Ask the server to finish (uvicorn's graceful shutdown) and wait up to ``timeout`` s."""
        self.server.should_exit = True
        self.thread.join(timeout)


def serve_on_thread(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    lifespan: Literal["on", "off"],
    thread_name: str,
    timeout: float,
) -> ThreadedServer:
    """Start ``app`` on ``host:port`` (0: any free port) and return once it listens.

    uvicorn logs warnings only and no access lines; a shutdown waits at most 1 s for open
    requests, then closes every connection left. Raises ``ServerExited`` or ``ServerTooSlow``
    (after ``timeout`` seconds).
    """
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=1,
    )
    server = _ClosingServer(config)
    thread = threading.Thread(target=server.run, name=thread_name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise ServerExited(f"the server on {host}:{port} ended before it listened")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise ServerTooSlow(f"the server on {host}:{port} did not listen within {timeout} s")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    return ThreadedServer(server, thread, bound)
