"""deploy/ as the tests read and run it: the compose file parsed (its ``${VARIABLE}`` references
filled from a made-up deploy/.env, as compose does), and the cluster's nats-server configuration
run as it is by three nats-server processes on loopback."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml  # PyYAML, already in the test extra's tree (openapi-core needs it); merge keys work

from desktop.hub.nats_server import LOOPBACK, NatsServer, free_port

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
CLUSTER_CONF = DEPLOY / "nats-cluster.conf"
NODES = ("n1", "n2", "n3")

# The users nats-cluster.conf knows, and what an operator's deploy/.env holds for the tests (made
# as compose.yaml's header says: 32 random bytes in hex, new for each test run).
HUB_USER, AGENT_USER, ADMIN_USER = "linkdesk-hub", "linkdesk-agent", "linkdesk-admin"
DOTENV = {
    name: secrets.token_hex(32)
    for name in (
        "NATS_HUB_PASSWORD",
        "NATS_AGENT_PASSWORD",
        "NATS_ADMIN_PASSWORD",
        "NATS_ROUTE_PASSWORD",
    )
}
HUB_CREDENTIAL = f"{HUB_USER}:{DOTENV['NATS_HUB_PASSWORD']}"
AGENT_CREDENTIAL = f"{AGENT_USER}:{DOTENV['NATS_AGENT_PASSWORD']}"
ADMIN_CREDENTIAL = f"{ADMIN_USER}:{DOTENV['NATS_ADMIN_PASSWORD']}"
# compose's ``${NAME}`` and ``${NAME:?message}`` (refuse to start when unset or empty): the only
# forms compose.yaml uses.
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::\?[^}]*)?\}")


def references(text: str) -> set[str]:
    """The variables ``${...}`` in ``text`` refers to."""
    return set(_REFERENCE.findall(text))


def interpolate(value: str, dotenv: dict[str, str]) -> str:
    """``value`` with its ``${NAME...}`` replaced as compose does from ``dotenv``; AssertionError
    for a name ``dotenv`` lacks (compose would refuse to start) or a form not read here."""

    def one(match: re.Match[str]) -> str:
        found = dotenv.get(match.group(1), "")
        assert found, f"compose refuses to start: ${{{match.group(1)}}} is not in .env"
        return found

    result = _REFERENCE.sub(one, value)
    assert "${" not in result, f"a form of variable this kit does not read: {value}"
    return result


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def node_environment(
    service: dict[str, Any], dotenv: dict[str, str] | None = None
) -> dict[str, str]:
    """A service's environment as compose gives it, ``${...}`` filled from ``dotenv`` (the
    tests' made-up deploy/.env by default)."""
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment as a mapping (merge keys need it)"
    filled = DOTENV if dotenv is None else dotenv
    return {str(k): interpolate(str(v), filled) for k, v in env.items()}


def _on_loopback(route: str, port: int) -> str:
    """A compose route URL (``nats://user:password@n1:6222``) at a loopback port, its user and
    password kept."""
    parts = urlsplit(route)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{LOOPBACK}:{port}" if userinfo else f"{LOOPBACK}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


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
                f"NATS_ROUTE_{i + 1}": _on_loopback(env[f"NATS_ROUTE_{i + 1}"], p)
                for i, p in enumerate(cluster_ports)
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
