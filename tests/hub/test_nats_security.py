"""The hub and the desktop against a real nats-server with TLS (certificates made at test time by
trustme) and authorization (users and passwords, a token, a client certificate).

What they prove: with the right credentials and CA a webhook crosses sandbox -> hub -> JetStream
-> the desktop's HubFeed; with a wrong password, a wrong token, an untrusted CA or no client
certificate, ``linkdesk hub`` stops at once with a clear line and exit 13 (exits.NATS_REFUSED),
the desktop keeps polling and says why in its status text, and no secret reaches a log line or
the output.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from desktop.cli import main as linkdesk
from desktop.commands import exits
from desktop.core.clock import SystemClock
from desktop.core.live import (
    HUB_SECRET_ACCOUNT,
    HUB_SECRET_SERVICE,
    HubEvent,
    HubFeed,
    LiveTracking,
    connect_options,
)
from desktop.core.secrets import SecretStore
from desktop.core.tracker import Tracker
from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from desktop.hub.settings import NatsSettings
from tests.hub.conftest import SECRET, build_chain, connection_event, signed_headers
from tests.hub.jwt_kit import make_operator
from tests.hub.live_kit import NoCodat, act, new_company, wait_until
from tests.hub.tls_kit import (
    AGENT_PASSWORD,
    AGENT_USER,
    HUB_PASSWORD,
    HUB_USER,
    SECRETS,
    TOKEN,
    Pki,
    make_pki,
    tls_block,
    token_block,
    users_block,
)
from tests.memkeyring import MemoryKeyring

StartNats = Callable[[str], NatsServer]
# asyncio says this when nats-py closes a TLS connection (its stream protocol asks to keep the
# transport half-open, which TLS cannot): nothing is lost.
pytestmark = pytest.mark.expected_logs(r"eof_received\(\) has no effect when using ssl")
COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def start_nats(tmp_path: Path) -> Iterator[StartNats]:
    servers: list[NatsServer] = []

    def start(config: str) -> NatsServer:
        server = NatsServer(store_dir=tmp_path / f"nats{len(servers)}", config=config, tls=True)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


def _no_secret_in(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def _feed(url: str, options: dict[str, object]) -> tuple[HubFeed, list[HubEvent], list[str]]:
    seen: list[HubEvent] = []
    feed = HubFeed(url, on_event=seen.append, connect_options=options, stale_after=5.0)
    statuses: list[str] = []
    return feed, seen, statuses


# -- the right credentials ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_webhook_reaches_the_desktop_through_tls_and_passwords(
    pki: Pki,
    start_nats: StartNats,
    make_hub: Callable[..., HubServer],
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_nats(tls_block(pki) + users_block())
    assert server.url.startswith("tls://")
    hub_nats = NatsSettings(url=server.url, user=HUB_USER, password=HUB_PASSWORD, tls_ca=pki.ca)
    chain, stop = build_chain(server.url, make_hub, hub_options={"nats": hub_nats})
    # The agent typed user:password in Settings › Team hub: it lives in the keyring only.
    SecretStore(HUB_SECRET_SERVICE).set(HUB_SECRET_ACCOUNT, f"{AGENT_USER}:{AGENT_PASSWORD}")
    stored = SecretStore(HUB_SECRET_SERVICE).get(HUB_SECRET_ACCOUNT)
    feed, seen, _ = _feed(server.url, connect_options(stored, pki.ca))
    feed.start()
    try:
        company_id = await new_company(chain)
        feed.follow(company_id, since=time.time())
        await wait_until(lambda: feed.live)
        await act(chain, company_id, "open_link")
        await act(chain, company_id, "select_platform", platformKey="gbol")
        await wait_until(lambda: "connection.created" in {e.event_type for e in seen})
        assert feed.problem is None
    finally:
        await feed.aclose()
        stop()
    out = capsys.readouterr()
    _no_secret_in(caplog.text, out.out, out.err, repr(hub_nats))


@pytest.mark.asyncio
async def test_the_hub_with_a_client_certificate_and_a_token_stores_a_webhook(
    pki: Pki, start_nats: StartNats, make_hub: Callable[..., HubServer]
) -> None:
    server = start_nats(tls_block(pki, verify=True) + token_block())
    hub = make_hub(
        server.url,
        nats=NatsSettings(url=server.url, token=TOKEN, tls_ca=pki.ca, tls_cert=pki.client_cert),
    )
    body = httpx.Request("POST", "/", json=connection_event(COMPANY)).content
    with httpx.Client(trust_env=False) as http:
        answer = http.post(hub.webhook_url, content=body, headers=signed_headers(body, "msg_tls1"))
    assert answer.status_code == 200, answer.text
    assert hub.publisher.last_seq == 1


# -- the desktop refused or not trusting --------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("credential", "trust", "expected"),
    [
        (f"{AGENT_USER}:wrong-{AGENT_PASSWORD}", "ca", "refused the credentials"),
        (None, "ca", "refused the credentials"),
        (f"{AGENT_USER}:{AGENT_PASSWORD}", "other_ca", "TLS certificate is not trusted"),
    ],
    ids=["wrong-password", "no-credential", "untrusted-ca"],
)
async def test_a_desktop_the_hub_refuses_polls_and_says_why(
    pki: Pki,
    start_nats: StartNats,
    credential: str | None,
    trust: str,
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = start_nats(tls_block(pki) + users_block())
    feed, _, statuses = _feed(server.url, connect_options(credential, getattr(pki, trust)))
    tracker = Tracker(NoCodat(), clock=SystemClock())
    live = LiveTracking(tracker, feed, on_status=statuses.append)
    feed.start()
    try:
        await wait_until(lambda: bool(statuses))
        assert statuses[-1].startswith("Polling (") and expected in statuses[-1]
        assert live.status == statuses[-1]
        assert not feed.live and not feed.connected
    finally:
        await live.aclose()
        await tracker.aclose()
    _no_secret_in(caplog.text, *statuses)
    assert any(expected in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


# -- linkdesk hub refused or not trusting --------------------------------------------------------


def _hub_args(server: NatsServer, pki: Pki, *extra: str) -> list[str]:
    return ["hub", "--nats", server.url, "--port", "0", *extra]


@pytest.mark.parametrize(
    ("env", "trust", "config", "expected"),
    [
        (
            {"LINKDESK_HUB_NATS_USER": HUB_USER, "LINKDESK_HUB_NATS_PASSWORD": "x" + HUB_PASSWORD},
            "ca",
            "users",
            "NATS refused the hub's credentials",
        ),
        ({"LINKDESK_HUB_NATS_TOKEN": "x" + TOKEN}, "ca", "token", "NATS refused"),
        (
            {"LINKDESK_HUB_NATS_USER": HUB_USER, "LINKDESK_HUB_NATS_PASSWORD": HUB_PASSWORD},
            "other_ca",
            "users",
            "TLS certificate is not trusted",
        ),
        ({"LINKDESK_HUB_NATS_TOKEN": TOKEN}, "ca", "verify", "TLS handshake with NATS failed"),
    ],
    ids=["wrong-password", "wrong-token", "untrusted-ca", "no-client-certificate"],
)
def test_linkdesk_hub_stops_with_exit_13_and_a_clear_line(
    pki: Pki,
    start_nats: StartNats,
    env: dict[str, str],
    trust: str,
    config: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocks = {
        "users": tls_block(pki) + users_block(),
        "token": tls_block(pki) + token_block(),
        "verify": tls_block(pki, verify=True) + token_block(),
    }
    server = start_nats(blocks[config])
    monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    code = linkdesk(_hub_args(server, pki, "--nats-tls-ca", str(getattr(pki, trust))))
    out = capsys.readouterr()
    assert code == exits.NATS_REFUSED == 13
    assert expected in out.err
    assert out.out == ""  # no base URL: it never served
    _no_secret_in(out.out, out.err, caplog.text, SECRET)
    assert SECRET not in out.err + caplog.text


@pytest.mark.slow
def test_linkdesk_hub_serves_with_tls_a_client_certificate_and_a_password(
    pki: Pki, start_nats: StartNats, tmp_path: Path
) -> None:
    """The real command line, as deploy/ runs it: flags for TLS, the password from the
    environment; the output (its log) holds no secret."""
    server = start_nats(tls_block(pki, verify=True) + users_block())
    env = dict(
        os.environ,
        LINKDESK_HUB_WEBHOOK_SECRET=SECRET,
        LINKDESK_HUB_NATS_USER=HUB_USER,
        LINKDESK_HUB_NATS_PASSWORD=HUB_PASSWORD,
        LINKDESK_HOME=str(tmp_path / "home"),
    )
    command = [
        sys.executable,
        "-m",
        "desktop",
        *_hub_args(server, pki),
        "--nats-tls-ca",
        str(pki.ca),
        "--nats-tls-cert",
        str(pki.client_cert),
        "--nats-tls-key",
        str(pki.client_cert),
    ]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as hub:
        try:
            base = (hub.stdout.readline() if hub.stdout else "").strip()
            assert base.startswith("http://127.0.0.1:"), base
            deadline = time.monotonic() + 20
            with httpx.Client(base_url=base, trust_env=False) as http:
                while http.get("/healthz").status_code != 200:
                    assert time.monotonic() < deadline, "the hub never reached its stream"
                    time.sleep(0.05)
                body = httpx.Request("POST", "/", json=connection_event(COMPANY)).content
                answer = http.post(
                    "/codat/webhooks", content=body, headers=signed_headers(body, "msg_cli1")
                )
                assert answer.status_code == 200, answer.text
        finally:
            hub.terminate()
            out, err = hub.communicate(timeout=20)
    assert hub.returncode == exits.OK
    assert "connected to NATS at 127.0.0.1" in err
    _no_secret_in(out, err, SECRET)
    assert SECRET not in out + err


# -- a NATS .creds file (decentralized auth: operator, account, user JWTs) ------------------------


def test_the_hub_stores_a_webhook_with_a_creds_file_and_refuses_a_strangers(
    tmp_path: Path,
    make_hub: Callable[..., HubServer],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """nats-server in operator mode (JWTs signed here with nkeys, a memory resolver): the hub
    connects with the user's .creds file, creates its stream and stores a webhook; a user of an
    account the server does not know is refused with exit 13; no nkey seed is logged."""
    caplog.set_level(logging.DEBUG)
    operator = make_operator(tmp_path / "jwt")
    server = NatsServer(store_dir=tmp_path / "nats", config=operator.config)
    server.start()
    try:
        hub = make_hub(server.url, nats=NatsSettings(url=server.url, creds_file=operator.creds))
        body = httpx.Request("POST", "/", json=connection_event(COMPANY)).content
        with httpx.Client(trust_env=False) as http:
            answer = http.post(
                hub.webhook_url, content=body, headers=signed_headers(body, "msg_jwt1")
            )
        assert answer.status_code == 200, answer.text
        assert hub.publisher.last_seq == 1
        monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
        refused = linkdesk(
            ["hub", "--nats", server.url, "--nats-creds", str(operator.stranger_creds)]
        )
        operator.creds.chmod(0o644)
        # Each run takes the secret out of the environment once read (no child inherits it).
        monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
        readable = linkdesk(["hub", "--nats", server.url, "--nats-creds", str(operator.creds)])
    finally:
        server.stop()
    out = capsys.readouterr()
    assert refused == exits.NATS_REFUSED
    assert "NATS refused the hub's credentials" in out.err
    assert readable == exits.INPUT and "chmod 600" in out.err
    for seed in operator.seeds:
        assert seed not in out.out + out.err + caplog.text
