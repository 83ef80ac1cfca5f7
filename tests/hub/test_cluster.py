"""A 3-node NATS cluster with the stream at R3: the node leading the stream is killed mid-journey;
every event arrives once, the journey is right, nothing is lost.

The hub and the desktop connect with the deployed configuration's users and passwords
(deploy_kit); the cluster started by flags asks for none and lets them in all the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import nats
import pytest

from desktop.core.live import connect_options
from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer, cluster_nodes
from desktop.hub.settings import NatsSettings, StreamSettings
from tests.hub.conftest import NATS_OUTAGE_LOGS, Chain, build_chain
from tests.hub.deploy_kit import (
    ADMIN_CREDENTIAL,
    AGENT_CREDENTIAL,
    DOTENV,
    HUB_USER,
    loopback_nodes,
)
from tests.hub.live_kit import (
    HAPPY,
    act,
    journey_shape,
    new_company,
    start_live,
    tracked,
    wait_until,
)
from tests.hub.stream_reader import patiently, stored_messages

pytestmark = pytest.mark.slow
ADMIN_USER, _, ADMIN_PASSWORD = ADMIN_CREDENTIAL.partition(":")


@pytest.fixture(params=["flags", "deploy-config"])
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[NatsServer]]:
    """Three nodes started by command-line flags, or by deploy/nats-cluster.conf as it is, with
    the environment deploy/compose.yaml gives (on loopback): the deployed configuration is the
    one a node is killed in."""
    if request.param == "flags":
        nodes = cluster_nodes(tmp_path / "cluster", 3)
    else:
        nodes = loopback_nodes(tmp_path / "cluster")
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


async def _stream_leader(urls: str) -> str:
    nc = await nats.connect(
        urls.split(","), allow_reconnect=False, user=ADMIN_USER, password=ADMIN_PASSWORD
    )
    try:
        js = nc.jetstream()
        info = await patiently(lambda: js.stream_info("CODAT"), api=True)
        assert info.cluster is not None and info.cluster.leader
        assert len(info.cluster.replicas or []) == 2  # R3: the leader and two replicas
        return info.cluster.leader
    finally:
        await nc.close()


@pytest.mark.asyncio
@pytest.mark.expected_logs(*NATS_OUTAGE_LOGS)
async def test_a_node_killed_mid_journey_loses_nothing(
    cluster: list[NatsServer], make_hub: Callable[..., HubServer]
) -> None:
    urls = ",".join(node.url for node in cluster)
    chain: Chain
    hub_nats = NatsSettings(url=urls, user=HUB_USER, password=DOTENV["NATS_HUB_PASSWORD"])
    chain, stop_sandbox = build_chain(
        urls,
        make_hub,
        hub_options={
            "stream": StreamSettings(replicas=3, duplicate_window=120.0),
            "nats": hub_nats,
        },
    )
    try:
        company_id = await new_company(chain, "Cluster Co")
        run = start_live(chain, stale_after=5.0, connect_options=connect_options(AGENT_CREDENTIAL))
        try:
            await run.follow(company_id, 30)
            for action, params in HAPPY[:2]:
                await act(chain, company_id, action, **params)
            await wait_until(
                lambda: tracked(run.tracker, company_id).connection_status == "PendingAuth", 30
            )
            leader = await _stream_leader(urls)
            victim = next(node for node in cluster if node.name == leader)
            victim.kill()
            for action, params in HAPPY[2:]:
                await act(chain, company_id, action, **params)
            await wait_until(lambda: tracked(run.tracker, company_id).synced, 60)
            state = run.tracker.state(company_id)
            assert state is not None
            assert journey_shape(state)["phase"] == "finished"
        finally:
            await run.aclose()
        survivor = next(node for node in cluster if node.running)
        await wait_until(lambda: chain.sandbox.webhooks.pending() == 0, 60)
        stored = await stored_messages(
            survivor.url, f"codat.{company_id}.>", user=ADMIN_USER, password=ADMIN_PASSWORD
        )
        types = [m.subject.split(".", 2)[2] for m in stored]
        assert types == [
            "company.created",
            "connection.created",
            "connection.connected",
            "read.completed.initial",
        ]
    finally:
        stop_sandbox()
