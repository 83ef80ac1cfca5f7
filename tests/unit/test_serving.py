"""desktop.serving: uvicorn on a thread, as the sandbox and the hub start it."""

from __future__ import annotations

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
