"""desktop.serving: uvicorn on a thread, as the sandbox and the hub start it."""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from desktop.sandbox.server import SandboxServer
from desktop.serving import ServerExited, serve_on_thread


async def _hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", _hello)])


# uvicorn ends a server that cannot bind with sys.exit(1) on its thread (Python ignores it there;
# pytest reports it).
_EXITS_ON_ITS_THREAD = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnhandledThreadExceptionWarning"
)


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port something else listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_serves_on_a_free_port_until_stopped() -> None:
    serving = serve_on_thread(
        APP, host="127.0.0.1", port=0, lifespan="off", thread_name="test-serving", timeout=10.0
    )
    try:
        assert serving.port > 0
        answer = httpx.get(f"http://127.0.0.1:{serving.port}/", trust_env=False)
        assert answer.text == "hello"
    finally:
        serving.stop(10.0)
    assert not serving.thread.is_alive()


@_EXITS_ON_ITS_THREAD
@pytest.mark.expected_logs(r"address already in use")
def test_a_taken_port_ends_the_thread_and_says_so(taken_port: int) -> None:
    with pytest.raises(ServerExited):
        serve_on_thread(
            APP,
            host="127.0.0.1",
            port=taken_port,
            lifespan="off",
            thread_name="test-serving",
            timeout=10.0,
        )


@_EXITS_ON_ITS_THREAD
@pytest.mark.expected_logs(r"address already in use")
def test_the_sandbox_keeps_its_own_words_for_a_taken_port(taken_port: int) -> None:
    sandbox = SandboxServer(port=taken_port)
    with pytest.raises(
        RuntimeError, match=rf"^the sandbox could not listen on 127.0.0.1:{taken_port}$"
    ):
        sandbox.start()
    sandbox.stop()


def test_a_connection_the_graceful_shutdown_missed_is_closed_with_its_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # uvicorn tells the connections it holds when its shutdown starts; one accepted during the
    # shutdown is never told. Told nothing here, every connection plays that one.
    from uvicorn.protocols.http import h11_impl, httptools_impl

    monkeypatch.setattr(httptools_impl.HttpToolsProtocol, "shutdown", lambda self: None)
    monkeypatch.setattr(h11_impl.H11Protocol, "shutdown", lambda self: None)
    serving = serve_on_thread(
        APP, host="127.0.0.1", port=0, lifespan="off", thread_name="test-serving", timeout=10.0
    )
    with socket.create_connection(("127.0.0.1", serving.port), timeout=10.0) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while not answer.endswith(b"hello"):
            answer += client.recv(4096)
        # The connection is now idle and kept alive; the server stops with it still open.
        serving.stop(10.0)
        assert not serving.thread.is_alive()
        assert client.recv(4096) == b""  # the server closed it: end of stream, not a hang
    # Nothing of the server's loop is left for the collector to find open (the suite turns a
    # ResourceWarning into an error).
    gc.collect()
