"""The desktop's three ways into a team NATS with its own CA, against a real nats-server over TLS.

The live feed, the team publisher and the team reader each use the agent's keyring credential and
Settings › Team hub › CA file. The keyring and the CA file are read in a worker thread (a keyring
may block on a Secret Service prompt; the CA is a file), never on the loop's thread, which is the
GUI's in the app; a CA file that cannot be read is said in the status, and nothing is lost.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.app.call_assembly import hub_connection_preparer
from desktop.core.clock import SystemClock
from desktop.core.live import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE, HubFeed, LiveTracking
from desktop.core.secrets import SecretStore
from desktop.core.team.reader import read_team_calls
from desktop.core.tracker import Tracker
from desktop.hub.nats_server import NatsServer
from tests.hub.live_kit import NoCodat, wait_until
from tests.hub.team_kit import make_agent, make_team_stream_now
from tests.hub.tls_kit import (
    AGENT_PASSWORD,
    AGENT_USER,
    HUB_PASSWORD,
    HUB_USER,
    SECRETS,
    Pki,
    make_pki,
    tls_block,
    users_block,
)
from tests.memkeyring import MemoryKeyring

# asyncio says this when nats-py closes a TLS connection: nothing is lost (see test_nats_security).
pytestmark = pytest.mark.expected_logs(
    r"eof_received\(\) has no effect when using ssl|team hub: the team hub's CA file"
)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def tls_nats(tmp_path: Path, pki: Pki) -> Iterator[NatsServer]:
    server = NatsServer(
        store_dir=tmp_path / "nats", config=tls_block(pki) + users_block(), tls=True
    )
    server.start()
    # The team calls' stream, made as the team hub makes it, with the hub's credentials.
    context = ssl.create_default_context(cafile=str(pki.ca))
    make_team_stream_now(server.url, tls=context, user=HUB_USER, password=HUB_PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def agent_credential(memory_keyring: MemoryKeyring) -> None:
    SecretStore(HUB_SECRET_SERVICE).set(HUB_SECRET_ACCOUNT, f"{AGENT_USER}:{AGENT_PASSWORD}")


def _recording(prepare: object, threads: list[threading.Thread]) -> object:
    def wrapped() -> object:
        threads.append(threading.current_thread())
        return prepare()  # type: ignore[operator]

    return wrapped


@pytest.mark.asyncio
@pytest.mark.usefixtures("agent_credential")
async def test_the_live_feed_reads_the_keyring_and_the_ca_off_the_loop_and_connects(
    tls_nats: NatsServer, pki: Pki
) -> None:
    threads: list[threading.Thread] = []
    prepare = _recording(hub_connection_preparer(str(pki.ca)), threads)
    feed = HubFeed(tls_nats.url, on_event=lambda event: None, prepare=prepare)  # type: ignore[arg-type]
    feed.start()
    try:
        await wait_until(lambda: feed.connected)
        assert threads and all(t is not threading.main_thread() for t in threads)
        assert feed.problem is None
    finally:
        await feed.aclose()


@pytest.mark.asyncio
@pytest.mark.usefixtures("agent_credential")
async def test_a_ca_file_that_cannot_be_read_is_the_feeds_status_and_polling_goes_on(
    tls_nats: NatsServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gone = tmp_path / "no-such-ca.pem"
    feed = HubFeed(
        tls_nats.url, on_event=lambda event: None, prepare=hub_connection_preparer(str(gone))
    )
    statuses: list[str] = []
    tracker = Tracker(NoCodat(), clock=SystemClock())
    live = LiveTracking(tracker, feed, on_status=statuses.append)
    feed.start()
    try:
        await wait_until(lambda: bool(statuses))
        assert statuses[-1].startswith("Polling (")
        assert f"the team hub's CA file cannot be read: {gone}" in statuses[-1]
        assert not feed.connected
    finally:
        await live.aclose()
        await tracker.aclose()
    assert not any(secret in caplog.text for secret in SECRETS)


@pytest.mark.asyncio
@pytest.mark.usefixtures("agent_credential")
async def test_team_calls_are_published_and_read_over_tls_with_the_teams_ca(
    tls_nats: NatsServer, pki: Pki, tmp_path: Path
) -> None:
    ben = make_agent(tmp_path, "ben")
    publisher = ben.publisher(
        tls_nats.url,
        credential=lambda: SecretStore(HUB_SECRET_SERVICE).get(HUB_SECRET_ACCOUNT),
        tls_ca=str(pki.ca),
    )
    try:
        for call_id in ben.finished():
            await publisher.queue(call_id)
        assert await publisher.flush() == len(ben.finished()) > 0
    finally:
        await publisher.aclose()
    options = hub_connection_preparer(str(pki.ca))()
    read = await read_team_calls(tls_nats.url, tmp_path / "lead-team.sqlite3", options=options)
    assert read.added == len(ben.finished())


@pytest.mark.asyncio
@pytest.mark.usefixtures("agent_credential")
async def test_without_the_teams_ca_the_publisher_keeps_the_calls_queued_and_says_why(
    tls_nats: NatsServer, pki: Pki, tmp_path: Path
) -> None:
    from desktop.core.team.connection import TeamHubUnreachable

    def credential() -> str | None:
        return SecretStore(HUB_SECRET_SERVICE).get(HUB_SECRET_ACCOUNT)

    ben = make_agent(tmp_path, "ben")
    gone = tmp_path / "no-such-ca.pem"
    publisher = ben.publisher(tls_nats.url, credential=credential, tls_ca=str(gone))
    try:
        for call_id in ben.finished():
            await publisher.queue(call_id)
        with pytest.raises(TeamHubUnreachable, match="CA file cannot be read"):
            await publisher.flush()
    finally:
        await publisher.aclose()
    # Still queued: with the team's CA every one of them is published.
    again = ben.publisher(tls_nats.url, credential=credential, tls_ca=str(pki.ca))
    try:
        assert await again.flush() == len(ben.finished())
    finally:
        await again.aclose()
