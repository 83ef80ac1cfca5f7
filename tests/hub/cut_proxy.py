"""A loopback TCP relay between one desktop and nats-server that a test can cut and restore, as a
desktop losing and finding its network would (the hub keeps its own, direct connection)."""

from __future__ import annotations

import asyncio
import contextlib

from desktop.hub.nats_server import LOOPBACK, free_port


class CutProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0  # accepted so far (a reconnection adds one)

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    async def open(self) -> None:
        """Accept connections again (on the same port)."""
        if self._server is None:
            self._server = await asyncio.start_server(self._relay, LOOPBACK, self.port)

    async def cut(self) -> None:
        """Close every relayed connection and refuse new ones: the desktop is offline."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(LOOPBACK, self.target_port)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, RuntimeError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(OSError, RuntimeError):
                writer.close()
