"""tests/transport_origin.py: an unclosed socket transport says where it was made."""

from __future__ import annotations

import asyncio
import gc
import socket
import warnings

import pytest


def _leak_a_transport(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    # Made and dropped without close(), as a leaking library would.
    loop._make_socket_transport(sock, asyncio.Protocol())  # type: ignore[attr-defined]


def test_an_unclosed_transport_names_the_thread_and_the_code_that_made_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    loop = asyncio.new_event_loop()
    ours, theirs = socket.socketpair()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _leak_a_transport(loop, ours)
            loop.run_until_complete(asyncio.sleep(0))  # connection_made runs; still open
            loop.close()  # its selector held the transport (as a reader); now nothing does
            gc.collect()
        assert any("unclosed transport" in str(w.message) for w in caught)
    finally:
        theirs.close()
    said = capsys.readouterr().err
    assert "unclosed transport (fd" in said
    assert "was made on thread 'MainThread'" in said
    assert "_leak_a_transport" in said
