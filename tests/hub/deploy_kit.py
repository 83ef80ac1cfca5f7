"""deploy/ as the tests read and run it: the compose file parsed, and the cluster's nats-server
configuration run as it is by three nats-server processes on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # PyYAML, already in the test extra's tree (openapi-core needs it); merge keys work

from desktop.hub.nats_server import LOOPBACK, NatsServer, free_port

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CLUSTER_CONF = DEPLOY / "nats-cluster.conf"
NODES = ("n1", "n2", "n3")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def node_environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment as a mapping (merge keys need it)"
    return {str(k): str(v) for k, v in env.items()}


def loopback_nodes(root: Path) -> list[NatsServer]:
    """The compose file's three nodes, with its environment but loopback addresses and free
    ports in place of the containers' names and fixed ports (not started yet)."""
    services = compose()["services"]
    cluster_ports = [free_port() for _ in NODES]
    nodes = []
    for index, name in enumerate(NODES):
        env = node_environment(services[name])
        client = free_port()
        env.update(
            NATS_CLIENT=f"{LOOPBACK}:{client}",
            NATS_MONITOR=f"{LOOPBACK}:{free_port()}",
            NATS_CLUSTER=f"{LOOPBACK}:{cluster_ports[index]}",
            NATS_STORE=str(root / name / "jetstream"),
            **{
                f"NATS_ROUTE_{i + 1}": f"nats://{LOOPBACK}:{p}" for i, p in enumerate(cluster_ports)
            },
        )
        nodes.append(
            NatsServer(
                store_dir=root / name,
                port=client,
                name=env["NATS_NODE"],
                config_file=CLUSTER_CONF,
                env=env,
                flags=False,
            )
        )
    return nodes
