"""Transport failures over real sockets on 127.0.0.1, as httpx really reports them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import pytest_asyncio

from desktop.core.codat.client import CodatClient
from desktop.core.codat.errors import CodatError, ErrorKind

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


async def serve(behaviour: Behaviour) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(behaviour, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def read_request(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


@pytest.mark.asyncio
async def test_refused_is_connect(http: httpx.AsyncClient) -> None:
    with socket.socket() as s:  # a port that was free a moment ago and has no listener now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = CodatClient(http, f"http://127.0.0.1:{port}", "k", timeout=5.0)
    with pytest.raises(CodatError) as info:
        await client.get_profile()
    assert info.value.kind is ErrorKind.CONNECT


@pytest.mark.asyncio
async def test_closed_before_answer_is_dropped(http: httpx.AsyncClient) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.close()

    server, url = await serve(hang_up)
    async with server:
        with pytest.raises(CodatError) as info:
            await CodatClient(http, url, "k", timeout=5.0).get_profile()
    assert info.value.kind is ErrorKind.DROPPED


@pytest.mark.asyncio
async def test_closed_mid_body_is_dropped(http: httpx.AsyncClient) -> None:
    async def half_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
            b'{"name": "Bob'
        )
        await writer.drain()
        writer.close()

    server, url = await serve(half_answer)
    async with server:
        with pytest.raises(CodatError) as info:
            await CodatClient(http, url, "k", timeout=5.0).get_profile()
    assert info.value.kind is ErrorKind.DROPPED


@pytest.mark.asyncio
async def test_silence_is_timeout(http: httpx.AsyncClient) -> None:
    release = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await release.wait()
        writer.close()

    server, url = await serve(silent)
    async with server:
        try:
            with pytest.raises(CodatError) as info:
                await CodatClient(http, url, "k", timeout=0.2).get_profile()
        finally:
            release.set()
    assert info.value.kind is ErrorKind.TIMEOUT
    assert "within 0.2 seconds" in info.value.plain_message


@pytest.mark.asyncio
async def test_garbage_instead_of_http_is_dropped(http: httpx.AsyncClient) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await writer.drain()
        writer.close()

    server, url = await serve(garbage)
    async with server:
        with pytest.raises(CodatError) as info:
            await CodatClient(http, url, "k", timeout=5.0).get_profile()
    # httpx reports a non-HTTP answer as a protocol error, like a cut connection.
    assert info.value.kind is ErrorKind.DROPPED
