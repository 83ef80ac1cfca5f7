"""What the Codat client refuses: answers larger than it reads, API bases the key must not go to."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import AsyncIterator

import httpx
import pytest

from desktop.core.codat.client import MAX_RESPONSE_BYTES, CodatClient
from desktop.core.codat.errors import CodatError, ErrorKind

MB = 1024 * 1024


class EndlessPage(httpx.AsyncByteStream):
    """A 40 MB JSON page sent in 1 MB pieces; counts how many pieces were asked for."""

    def __init__(self, megabytes: int = 40) -> None:
        self.megabytes = megabytes
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        piece = b'{"results": [' + b" " * (MB - 13)
        for _ in range(self.megabytes):
            self.sent += 1
            yield piece
            piece = b" " * MB


async def _list_with(handler: httpx.MockTransport) -> CodatError:
    async with httpx.AsyncClient(transport=handler) as http:
        client = CodatClient(http, "https://codat.test", "k")
        with pytest.raises(CodatError) as caught:
            await client.list_companies()
    return caught.value


@pytest.mark.asyncio
async def test_a_40_mb_page_is_not_read_past_the_cap() -> None:
    page = EndlessPage(40)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=page))
    tracemalloc.start()
    try:
        error = await _list_with(transport)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind is ErrorKind.TOO_LARGE
    assert page.sent <= MAX_RESPONSE_BYTES // MB + 1  # stopped right after the cap
    assert peak < 3 * MAX_RESPONSE_BYTES  # the cap and its pieces, not 40 MB and a parse
    assert "too large to read (over 4.0 MB)" in error.plain_message
    assert "the company list" in error.plain_message
    assert not error.retryable


@pytest.mark.asyncio
async def test_a_declared_size_over_the_cap_is_refused_before_reading() -> None:
    page = EndlessPage(40)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"Content-Length": str(40 * MB)}, stream=page)
    )
    error = await _list_with(transport)
    assert error.kind is ErrorKind.TOO_LARGE and page.sent == 0
    assert "40.0 MB declared" in error.plain_message


@pytest.mark.asyncio
async def test_a_small_compressed_answer_that_inflates_past_the_cap_is_refused() -> None:
    bomb = gzip.compress(b" " * (40 * MB))  # about 40 KB on the wire
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)
    )
    error = await _list_with(transport)
    assert error.kind is ErrorKind.TOO_LARGE


@pytest.mark.asyncio
async def test_an_error_page_over_the_cap_is_refused_too() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, stream=EndlessPage(10)))
    error = await _list_with(transport)
    assert error.kind is ErrorKind.TOO_LARGE and error.status_code == 502


@pytest.mark.asyncio
async def test_an_answer_under_the_cap_reads_as_before() -> None:
    body = {"results": [], "pageNumber": 1, "pageSize": 100, "totalResults": 0, "_links": {}}
    raw = gzip.compress(httpx.Response(200, json=body).content)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=raw)
    )
    async with httpx.AsyncClient(transport=transport) as http:
        page = await CodatClient(http, "https://codat.test", "k").list_companies()
    assert page.total_results == 0


@pytest.mark.parametrize(
    "base",
    ["http://api.codat.io", "http://10.0.0.5:8080", "http://[2001:db8::1]/"],
)
def test_http_api_base_off_this_computer_is_refused_unless_insisted(base: str) -> None:
    http = httpx.AsyncClient()  # never opened: the refusal comes before any request
    with pytest.raises(CodatError) as caught:
        CodatClient(http, base, "k")
    assert caught.value.kind is ErrorKind.REFUSED_URL
    assert "unencrypted" in caught.value.plain_message
    assert "--insecure-http" in caught.value.plain_message
    client = CodatClient(http, base, "k", allow_insecure_http=True)
    assert client.base_url == base.rstrip("/")


@pytest.mark.parametrize(
    "base",
    ["https://api.codat.io", "http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:9"],
)
def test_https_and_loopback_api_bases_are_used(base: str) -> None:
    CodatClient(httpx.AsyncClient(), base, "k")


@pytest.mark.parametrize("base", ["file:///etc/passwd", "javascript:alert(1)", "", "https://"])
def test_other_schemes_are_refused_even_when_insisted(base: str) -> None:
    with pytest.raises(CodatError) as caught:
        CodatClient(httpx.AsyncClient(), base, "k", allow_insecure_http=True)
    assert caught.value.kind is ErrorKind.REFUSED_URL
