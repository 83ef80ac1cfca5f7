"""NATS decentralized auth for tests: an operator, an account with JetStream and a user, as JWTs
signed with nkeys, and the user's ``.creds`` file; written here from NATS's JWT v2 format
(header ``{"typ":"JWT","alg":"ed25519-nkey"}``, claims ``iss``/``sub``/``nats.type``, base64url
without padding, the signature an Ed25519 nkey signature of ``header.claims``)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nkeys


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_key(prefix: int) -> tuple[str, nkeys.KeyPair]:
    seed = nkeys.encode_seed(os.urandom(32), prefix)
    return seed.decode(), nkeys.from_seed(bytearray(seed))


def _public(key: nkeys.KeyPair) -> str:
    return str(key.public_key.decode())


def sign_jwt(issuer: nkeys.KeyPair, subject: str, name: str, nats: dict[str, Any]) -> str:
    claims: dict[str, Any] = {
        "jti": "",
        "iat": int(time.time()),
        "iss": _public(issuer),
        "name": name,
        "sub": subject,
        "nats": {**nats, "version": 2},
    }
    claims["jti"] = (
        base64.b32encode(hashlib.sha256(json.dumps(claims, sort_keys=True).encode()).digest())
        .decode()
        .rstrip("=")
    )
    head = _b64(json.dumps({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = _b64(issuer.sign(f"{head}.{body}".encode()))
    return f"{head}.{body}.{signature}"


UNLIMITED = {
    "subs": -1,
    "data": -1,
    "payload": -1,
    "imports": -1,
    "exports": -1,
    "wildcards": True,
    "conn": -1,
    "leaf": -1,
    "mem_storage": -1,
    "disk_storage": -1,
    "streams": -1,
    "consumer": -1,
}


@dataclass(frozen=True)
class Operator:
    config: str  # the nats-server configuration block (operator, resolver, preloaded account)
    creds: Path  # a user of the account: may connect
    stranger_creds: Path  # a user signed by an account the server does not know
    seeds: tuple[str, ...]  # every secret written, for "appears in no log line" checks


def _creds(path: Path, jwt: str, seed: str) -> Path:
    path.write_text(
        "-----BEGIN NATS USER JWT-----\n"
        f"{jwt}\n"
        "------END NATS USER JWT------\n\n"
        "-----BEGIN USER NKEY SEED-----\n"
        f"{seed}\n"
        "------END USER NKEY SEED------\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def make_operator(folder: Path) -> Operator:
    folder.mkdir(parents=True, exist_ok=True)
    op_seed, op = new_key(nkeys.PREFIX_BYTE_OPERATOR)
    operator_jwt = sign_jwt(op, _public(op), "linkdesk-op", {"type": "operator"})
    seeds = [op_seed]
    accounts: dict[str, str] = {}
    users: list[tuple[str, str]] = []
    for name in ("linkdesk", "stranger"):
        acc_seed, acc = new_key(nkeys.PREFIX_BYTE_ACCOUNT)
        accounts[_public(acc)] = sign_jwt(
            op, _public(acc), name, {"type": "account", "limits": UNLIMITED}
        )
        user_seed, user = new_key(nkeys.PREFIX_BYTE_USER)
        user_jwt = sign_jwt(
            acc,
            _public(user),
            f"{name}-hub",
            {"type": "user", "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1},
        )
        users.append((user_jwt, user_seed))
        seeds += [acc_seed, user_seed]
    known = next(iter(accounts))
    # JetStream in operator mode needs a system account (nats-server refuses to start without).
    sys_seed, system = new_key(nkeys.PREFIX_BYTE_ACCOUNT)
    seeds.append(sys_seed)
    system_jwt = sign_jwt(op, _public(system), "SYS", {"type": "account", "limits": {}})
    config = (
        f"operator: {operator_jwt}\n"
        f"system_account: {_public(system)}\n"
        "resolver: MEMORY\n"
        f"resolver_preload: {{\n  {known}: {accounts[known]}\n"
        f"  {_public(system)}: {system_jwt}\n}}\n"
    )
    return Operator(
        config=config,
        creds=_creds(folder / "hub.creds", *users[0]),
        stranger_creds=_creds(folder / "stranger.creds", *users[1]),
        seeds=tuple(seeds),
    )
