"""A team hub credential read while the keyring was locked (none) is read again after NATS
refuses the connection: unlocking the keyring later brings the hub back without a restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.live import HubFeed
from desktop.core.live.feed import REFUSED
from desktop.hub.nats_server import NatsServer
from tests.hub.live_kit import wait_until
from tests.hub.tls_kit import AGENT_PASSWORD, AGENT_USER, users_block

pytestmark = pytest.mark.expected_logs(r"refused the credentials")


@pytest.fixture
def users_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(store_dir=tmp_path / "nats", config=users_block())
    server.start()
    yield server
    server.stop()


class KeyringUnlockedLater:
    """``prepare`` as the app makes it: no credential while the keyring is locked."""

    def __init__(self) -> None:
        self.unlocked = threading.Event()
        self.reads = 0
        self.password = AGENT_PASSWORD

    def __call__(self) -> dict[str, Any]:
        self.reads += 1
        if not self.unlocked.is_set():
            return {}  # SecretStore.get answers None on KeyringLocked
        return {"user": AGENT_USER, "password": self.password}


@pytest.mark.asyncio
async def test_a_refused_feed_reads_the_credential_again_and_connects(
    users_nats: NatsServer,
) -> None:
    prepare = KeyringUnlockedLater()
    problems: list[str | None] = []
    feed = HubFeed(users_nats.url, on_event=lambda event: None, prepare=prepare)
    feed.on_problem = problems.append
    feed.start()
    try:
        await wait_until(lambda: feed.problem == REFUSED)
        assert not feed.connected
        prepare.unlocked.set()  # the agent unlocks the keyring
        await wait_until(lambda: feed.connected)
        assert prepare.reads >= 2
        assert feed.problem is None and problems[-1] is None
    finally:
        await feed.aclose()


@pytest.mark.asyncio
async def test_a_credential_refused_on_a_reconnect_is_read_again(
    users_nats: NatsServer, tmp_path: Path
) -> None:
    """NATS comes back with the agent's password changed; the keyring has the new one."""
    new_password = "agent-new-pa55-Qz17"
    prepare = KeyringUnlockedLater()
    prepare.unlocked.set()
    feed = HubFeed(users_nats.url, on_event=lambda event: None, prepare=prepare)
    feed.start()
    try:
        await wait_until(lambda: feed.connected)
        users_nats.stop()
        changed = NatsServer(
            store_dir=tmp_path / "nats-changed",
            port=users_nats.port,
            config=users_block().replace(AGENT_PASSWORD, new_password),
        )
        changed.start()
        try:
            await wait_until(lambda: feed.problem == REFUSED)
            reads = prepare.reads
            prepare.password = new_password
            await wait_until(lambda: feed.connected and feed.problem is None)
            assert prepare.reads > reads
        finally:
            await feed.aclose()  # before its server goes
            changed.stop()
    finally:
        await feed.aclose()  # closing twice is harmless; this one covers a failed start
