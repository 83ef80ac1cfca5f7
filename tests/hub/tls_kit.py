"""Certificates made at test time (trustme) and nats-server configurations that ask for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import trustme

HUB_USER, HUB_PASSWORD = "linkdesk-hub", "hub-pa55-Zq81-secret"
AGENT_USER, AGENT_PASSWORD = "agent", "agent-pa55-Wx42-secret"
TOKEN = "nats-token-Kf93-secret"
SECRETS = (HUB_PASSWORD, AGENT_PASSWORD, TOKEN)


@dataclass(frozen=True)
class Pki:
    ca: Path  # the team's CA (PEM)
    other_ca: Path  # a CA that signed nothing here: trusting it alone fails verification
    server_cert: Path
    server_key: Path
    client_cert: Path  # the hub's client certificate (key in the same file)


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ca, other = trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("linkdesk-hub.example")
    pki = Pki(
        ca=folder / "ca.pem",
        other_ca=folder / "other-ca.pem",
        server_cert=folder / "server.pem",
        server_key=folder / "server-key.pem",
        client_cert=folder / "hub-client.pem",
    )
    ca.cert_pem.write_to_path(str(pki.ca))
    other.cert_pem.write_to_path(str(pki.other_ca))
    server.private_key_pem.write_to_path(str(pki.server_key))
    for blob in server.cert_chain_pems:
        blob.write_to_path(str(pki.server_cert), append=True)
    client.private_key_and_cert_chain_pem.write_to_path(str(pki.client_cert))
    return pki


def _q(value: object) -> str:
    return json.dumps(str(value))  # a quoted string in nats-server's configuration syntax


def tls_block(pki: Pki, *, verify: bool = False) -> str:
    """Server TLS; with ``verify`` clients must show a certificate the team's CA signed."""
    return (
        f"tls {{\n  cert_file: {_q(pki.server_cert)}\n  key_file: {_q(pki.server_key)}\n"
        f"  ca_file: {_q(pki.ca)}\n  verify: {'true' if verify else 'false'}\n  timeout: 3\n}}\n"
    )


def users_block() -> str:
    return (
        "authorization {\n  users: [\n"
        f"    {{user: {_q(HUB_USER)}, password: {_q(HUB_PASSWORD)}}}\n"
        f"    {{user: {_q(AGENT_USER)}, password: {_q(AGENT_PASSWORD)}}}\n"
        "  ]\n}\n"
    )


def token_block() -> str:
    return f"authorization {{\n  token: {_q(TOKEN)}\n}}\n"
