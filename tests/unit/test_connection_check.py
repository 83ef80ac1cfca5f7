"""Settings' "Test connection" against the sandbox over loopback."""

from __future__ import annotations

import httpx
import pytest

from desktop.core.connection_check import test_connection as check
from desktop.sandbox.server import SandboxServer


@pytest.mark.asyncio
async def test_success_names_the_profile_and_failures_are_plain() -> None:
    with SandboxServer(api_key="right-key") as server:
        base = server.base_url
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            ok, message = await check(http, server.base_url, "right-key")
            assert ok, message
            assert "Connected to Codat" in message

            ok, message = await check(http, server.base_url, "wrong-key")
            assert not ok
            assert "key" in message.lower() and "correlation" in message.lower()

            ok, message = await check(http, "", "right-key")
            assert not ok and "base URL" in message
    async with httpx.AsyncClient(trust_env=False, timeout=2) as http:
        ok, message = await check(http, base, "right-key")  # the server is gone
        assert not ok
        assert "reach" in message.lower() or "connect" in message.lower()
