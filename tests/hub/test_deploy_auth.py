"""Who may do what on the deployed NATS: deploy/nats-cluster.conf run as it is by three
nats-server processes on loopback, with compose.yaml's environment and a made-up deploy/.env.

The hub (its own publisher and its ``linkdesk hub`` check) makes its stream and stores a webhook;
an agent's LinkDesk (HubFeed, the team publisher and reader, the credential from the keyring)
reads a company's events, hears the heartbeat and shares a finished call; an agent is refused a
Codat event, a heartbeat and a stream's deletion; nobody gets in without a password, and no
stranger joins the cluster as a node.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.errors
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from desktop.core.live import (
    HUB_SECRET_ACCOUNT,
    HUB_SECRET_SERVICE,
    HubEvent,
    HubFeed,
    connect_options,
)
from desktop.core.live.contract import HEARTBEAT_SUBJECT
from desktop.core.live.feed import REFUSED
from desktop.core.secrets import SecretStore
from desktop.core.team.connection import TeamHubUnreachable
from desktop.core.team.reader import TeamRead, read_team_calls
from desktop.core.team.subjects import STREAM as TEAM_STREAM
from desktop.hub.app import HubServer
from desktop.hub.nats_check import Outcome, check_nats
from desktop.hub.nats_server import LOOPBACK, NatsServer
from desktop.hub.settings import NatsSettings, StreamSettings
from tests.hub.conftest import NATS_OUTAGE_LOGS, connection_event, signed_headers
from tests.hub.deploy_kit import (
    ADMIN_CREDENTIAL,
    AGENT_CREDENTIAL,
    AGENT_USER,
    DOTENV,
    HUB_USER,
    loopback_nodes,
)
from tests.hub.live_kit import wait_until
from tests.hub.stream_reader import stored_messages
from tests.hub.team_kit import make_agent
from tests.memkeyring import MemoryKeyring

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
FAKE_SUBJECT = f"codat.{COMPANY}.connection.connected"
pytestmark = [pytest.mark.slow, pytest.mark.expected_logs(*NATS_OUTAGE_LOGS)]


def _user(credential: str) -> dict[str, str]:
    user, _, password = credential.partition(":")
    return {"user": user, "password": password}


ADMIN = _user(ADMIN_CREDENTIAL)
# The client names LinkDesk's own connections give (nats_options.staying_connected, the team
# connection, the hub's check): none of them may ever meet a permissions violation.
LINKDESK_CLIENTS = ("linkdesk-hub", "linkdesk-hub-check", "linkdesk-desktop", "linkdesk-team-calls")


def _linkdesk_violations(cluster: list[NatsServer]) -> list[str]:
    """The nodes' log lines of a violation by a LinkDesk connection (nats-server logs each
    refused publish or subscribe as ``"<client version>:python3:<name>" - ... Violation``)."""
    found = []
    for node in cluster:
        log = node.log_file or node.store_dir / f"{node.name}.log"
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if "Violation" in line and any(
                f':python3:{name}"' in line for name in LINKDESK_CLIENTS
            ):
                found.append(line)
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[NatsServer]]:
    nodes = loopback_nodes(tmp_path_factory.mktemp("deployed"))
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture(scope="module")
def urls(cluster: list[NatsServer]) -> str:
    return ",".join(node.url for node in cluster)


@pytest.fixture(autouse=True)
def linkdesk_is_never_refused(cluster: list[NatsServer]) -> Iterator[None]:
    """Whatever a test does, the hub's and the desktop's own calls all pass the permissions."""
    before = len(_linkdesk_violations(cluster))
    yield
    assert _linkdesk_violations(cluster)[before:] == []


@pytest.fixture
def hub(urls: str, make_hub: Callable[..., HubServer]) -> HubServer:
    """The hub as compose runs it: R3, its user and password (compose gives them to it as
    $LINKDESK_HUB_NATS_USER and $LINKDESK_HUB_NATS_PASSWORD)."""
    settings = NatsSettings(url=urls, user=HUB_USER, password=DOTENV["NATS_HUB_PASSWORD"])
    made = make_hub(
        urls, nats=settings, stream=StreamSettings(replicas=3, duplicate_window=120.0), ready=False
    )
    deadline = time.monotonic() + 60  # three nodes electing the stream's leader
    while not made.publisher.stream_ready:
        assert time.monotonic() < deadline, "the hub did not make its stream"
        time.sleep(0.05)
    return made


def _store_webhook(hub: HubServer, msg_id: str) -> httpx.Response:
    body = json.dumps(connection_event(COMPANY, "connection.connected")).encode()
    with httpx.Client(trust_env=False, timeout=10) as http:
        return http.post(hub.webhook_url, content=body, headers=signed_headers(body, msg_id))


async def _stored(urls: str, subject: str = "codat.>", stream: str = "CODAT") -> list[Any]:
    return await stored_messages(urls, subject, stream, **ADMIN)


class _Client:
    """A plain nats-py connection that keeps what the server told it went wrong."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.nc: Client | None = None

    async def connect(self, urls: str, **options: Any) -> Client:
        async def keep(exc: Exception) -> None:
            self.errors.append(str(exc))

        nc = Client()
        try:
            await nc.connect(
                urls.split(","),
                allow_reconnect=False,
                max_reconnect_attempts=1,
                connect_timeout=2,
                error_cb=keep,
                **options,
            )
        except BaseException:
            await nc.close()  # nats-py leaves a refused connection's socket open otherwise
            raise
        self.nc = nc
        return nc

    def violations(self, subject: str) -> list[str]:
        """The server's ``-ERR 'Permissions Violation for ... to "subject"'`` lines (nats-py
        gives them in lower case)."""
        return [
            e
            for e in (e.lower() for e in self.errors)
            if "permissions violation" in e and f'"{subject.lower()}"' in e
        ]


# -- (a) the hub ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_hub_user_makes_its_stream_and_stores_a_webhook(
    hub: HubServer, urls: str
) -> None:
    answer = _store_webhook(hub, "msg_deploy_hub")
    assert answer.status_code == 200, answer.text
    stored = await _stored(urls, FAKE_SUBJECT)
    assert [m.headers["Nats-Msg-Id"] for m in stored].count("msg_deploy_hub") == 1
    # What `linkdesk hub --nats ...` checks before it serves, with the variables compose sets.
    checked = await check_nats(
        NatsSettings(url=urls, user=HUB_USER, password=DOTENV["NATS_HUB_PASSWORD"])
    )
    assert checked.outcome is Outcome.OK


# -- (b) an agent's LinkDesk ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_agent_reads_a_companys_events_and_shares_a_finished_call(
    hub: HubServer,
    urls: str,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Counted, to know the feed's check that its consumer is there ran under the permissions.
    checks: list[str] = []
    consumer_info = JetStreamContext.PushSubscription.consumer_info

    async def counted(sub: JetStreamContext.PushSubscription) -> Any:
        checks.append("consumer_info")
        return await consumer_info(sub)

    monkeypatch.setattr(JetStreamContext.PushSubscription, "consumer_info", counted)
    # The agent typed linkdesk-agent:PASSWORD in Settings › Team hub: it is in the keyring only.
    SecretStore(HUB_SECRET_SERVICE).set(HUB_SECRET_ACCOUNT, AGENT_CREDENTIAL)

    def credential() -> str | None:
        return SecretStore(HUB_SECRET_SERVICE).get(HUB_SECRET_ACCOUNT)

    seen: list[HubEvent] = []
    feed = HubFeed(
        urls,
        on_event=seen.append,
        prepare=lambda: connect_options(credential()),
        stale_after=5.0,
    )
    feed.check_every = 0.1  # seconds without a message before it checks its consumer
    feed.start()
    try:
        feed.follow(COMPANY, since=time.time())
        await wait_until(lambda: feed.live, 30)  # the hub's heartbeat came
        assert _store_webhook(hub, "msg_deploy_agent").status_code == 200
        await wait_until(lambda: "msg_deploy_agent" in {e.msg_id for e in seen}, 30)
        await wait_until(lambda: len(checks) >= 2, 30)
        assert feed.problem is None and feed.covers(COMPANY, time.time())
    finally:
        await feed.aclose()

    # A finished call, shared as the desktop shares it, and read back as a lead reads the team's.
    # As the app does: the call manager's close queues it, the publishing task sends it (and
    # tries again while the team stream is not there yet).
    ben = make_agent(tmp_path, "ben")
    publisher = ben.publisher(urls, credential=credential, retry_every=0.2)
    publisher.start()
    try:
        (call_id,) = ben.finished()
        publisher.call_finished(call_id)
        await wait_until(lambda: publisher.published == 1, 30)
    finally:
        await publisher.aclose()
    read = await _read_team_calls(urls, tmp_path / "lead-team.sqlite3", credential())
    assert read.added == 1 and read.skipped == 0


async def _read_team_calls(urls: str, team_file: Path, credential: str | None) -> TeamRead:
    """``read_team_calls`` as ``calls stats --team`` runs it, tried again (a few times, within a
    bound) when the cluster answers a first fetch "no responders" (503): a new consumer's
    interest may not have reached the node the reader is connected to yet. That race is the
    cluster's, not the permissions'; a refused request would be a violation in the nodes' logs
    (``linkdesk_is_never_refused``)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return await read_team_calls(urls, team_file, options=connect_options(credential))
        except TeamHubUnreachable as exc:
            if "ServiceUnavailable" not in str(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.1)


# -- (c) what an agent may not do -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_agent_is_refused_a_codat_event_a_heartbeat_and_a_streams_deletion(
    hub: HubServer, urls: str
) -> None:
    before = len(await _stored(urls))
    client = _Client()
    nc = await client.connect(urls, **_user(AGENT_CREDENTIAL))
    beats: list[bytes] = []
    watcher = await nats.connect(urls.split(","), allow_reconnect=False, **ADMIN)
    try:

        async def keep(msg: Msg) -> None:
            beats.append(msg.data)

        await watcher.subscribe("codat-hub.heartbeat", cb=keep)
        await watcher.flush()
        refused_js = nc.jetstream(timeout=1.0)
        fake = json.dumps(connection_event(COMPANY, "connection.connected")).encode()
        await nc.publish(FAKE_SUBJECT, fake, headers={"Nats-Msg-Id": "fake"})
        await nc.publish("codat-hub.heartbeat", b'{"at": 0, "stream": "CODAT"}')
        with pytest.raises((nats.errors.TimeoutError, TimeoutError)):
            await refused_js.delete_stream("CODAT")  # the request is dropped: no answer
        with pytest.raises((nats.errors.TimeoutError, TimeoutError)):
            await refused_js.purge_stream(TEAM_STREAM)
        await wait_until(
            lambda: bool(
                client.violations(FAKE_SUBJECT)
                and client.violations("codat-hub.heartbeat")
                and client.violations("$JS.API.STREAM.DELETE.CODAT")
                and client.violations(f"$JS.API.STREAM.PURGE.{TEAM_STREAM}")
            ),
            10,
        )
        # The server dropped them: nothing stored, no heartbeat but the hub's.
        await watcher.flush()
        assert all(json.loads(b)["at"] != 0 for b in beats)
    finally:
        await nc.close()
        await watcher.close()
    assert len(await _stored(urls)) == before
    # The hub's user reads no company's events either (only replies to its own requests).
    hub_client = _Client()
    hub_nc = await hub_client.connect(urls, user=HUB_USER, password=DOTENV["NATS_HUB_PASSWORD"])
    try:
        await hub_nc.subscribe("codat.>")
        await wait_until(lambda: bool(hub_client.violations("codat.>")), 10)
    finally:
        await hub_nc.close()


# -- (d) nobody without a password ----------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "options",
    [{}, {"user": AGENT_USER, "password": "not-" + DOTENV["NATS_AGENT_PASSWORD"]}],
    ids=["no-credentials", "wrong-password"],
)
async def test_a_connection_without_the_right_password_is_refused(
    cluster: list[NatsServer], options: dict[str, str]
) -> None:
    client = _Client()
    with pytest.raises(Exception) as refused:
        await client.connect(cluster[0].url, **options)
    assert "authorization violation" in (str(refused.value) + " ".join(client.errors)).lower()


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"the team hub refused the credentials")
async def test_the_hub_and_a_desktop_without_credentials_say_they_were_refused(
    urls: str, memory_keyring: MemoryKeyring
) -> None:
    checked = await check_nats(NatsSettings(url=urls))  # no $LINKDESK_HUB_NATS_* set
    assert checked.outcome is Outcome.REFUSED
    # The agent's password given for the hub's user: refused too, each user has its own.
    wrong = NatsSettings(url=urls, user=HUB_USER, password=DOTENV["NATS_AGENT_PASSWORD"])
    assert (await check_nats(wrong)).outcome is Outcome.REFUSED
    feed = HubFeed(urls, on_event=lambda event: None, connect_options=connect_options(None))
    feed.start()
    try:
        await wait_until(lambda: feed.problem == REFUSED, 30)
        assert not feed.connected
    finally:
        await feed.aclose()


def test_a_stranger_cannot_join_the_cluster_as_a_node(cluster: list[NatsServer]) -> None:
    """The cluster port asks for the route's user and password: a CONNECT without them is
    answered ``-ERR 'Authorization Violation'`` (nats-server's route protocol)."""
    port = _cluster_port(cluster[0])
    with socket.create_connection((LOOPBACK, port), timeout=5) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"INFO ")
        connect = {"verbose": False, "pedantic": False, "name": "stranger", "cluster": "linkdesk"}
        sock.sendall(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        answer = reader.readline()
    assert b"Authorization Violation" in answer, answer


def _cluster_port(node: NatsServer) -> int:
    assert node.env is not None
    return int(node.env["NATS_CLUSTER"].rsplit(":", 1)[1])


# -- what permissions cannot see ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_events_an_agent_delivers_onto_the_heartbeat_subject_are_no_heartbeat(
    hub: HubServer, urls: str
) -> None:
    """An agent may make consumers on CODAT, and a consumer's deliver subject is in the request's
    body, where permissions cannot look: an agent can have JetStream deliver the stored events
    onto the heartbeat subject. The desktop must not take them for the hub's heartbeat (it would
    believe the hub live, and poll slowly, while the hub is down)."""
    assert _store_webhook(hub, "msg_deploy_onto_beat").status_code == 200
    agent = _Client()
    nc = await agent.connect(urls, **_user(AGENT_CREDENTIAL))
    arrived: list[Msg] = []

    async def keep(msg: Msg) -> None:
        arrived.append(msg)

    try:
        await nc.subscribe(HEARTBEAT_SUBJECT, cb=keep)
        await nc.flush()
        js = nc.jetstream()
        made = await js.add_consumer(
            "CODAT",
            ConsumerConfig(
                deliver_subject=HEARTBEAT_SUBJECT,
                deliver_policy=DeliverPolicy.ALL,
                ack_policy=AckPolicy.NONE,
            ),
        )
        try:
            await wait_until(
                lambda: {m.subject == HEARTBEAT_SUBJECT for m in arrived} == {True, False}, 30
            )
        finally:
            await js.delete_consumer("CODAT", str(made.name))
    finally:
        await nc.close()
    delivered = [m for m in arrived if m.subject != HEARTBEAT_SUBJECT]
    beat = next(m for m in arrived if m.subject == HEARTBEAT_SUBJECT)
    assert all(m.reply.startswith("$JS.ACK.CODAT.") for m in delivered)
    # What the desktop's feed makes of each (the handler its heartbeat subscription calls).
    feed = HubFeed(urls, on_event=lambda event: None)
    try:
        for msg in delivered:
            await feed._beat(msg)
        # One comparison, not two ``is None``: mypy would keep the attributes None past _beat.
        assert (feed.last_beat, feed.hub_offset) == (None, None)
        await feed._beat(beat)
        assert feed.last_beat is not None and feed.hub_offset is not None
    finally:
        await feed.aclose()
