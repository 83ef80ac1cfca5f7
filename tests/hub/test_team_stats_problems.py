"""``linkdesk calls stats --team`` when the team hub cannot be used: one line on stderr in the
status bar's words (``desktop.core.team.connection.TeamHubUnreachable.problem``), never the URL,
then the team calls read before, exit 0 (as ``calls stats --help`` says). Real nats-servers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.team.connection import TeamHubUnreachable
from desktop.hub.nats_server import NatsServer
from tests.hub.team_kit import linkdesk, write_settings
from tests.hub.tls_kit import users_block

TAIL = "; reporting the team calls read before.\n"


def team_stats(home: Path, hub_url: str) -> tuple[str, dict[str, object]]:
    """calls stats --team --json with ``hub_url`` in the settings: (stderr, the report)."""
    write_settings(home, hub_url=hub_url, agent_name="Lee")
    out = linkdesk("calls", "stats", "--team", "--json", home=home)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["all"]["calls"] == 0  # nothing read before: the empty report, still a report
    return out.stderr, report


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (NATS's INFO never comes)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def test_a_hub_that_is_not_reachable(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    err, _ = team_stats(tmp_path / "lead", f"nats://127.0.0.1:{port}")
    assert err == "linkdesk calls: The team hub is not reachable" + TAIL


def test_a_hub_that_does_not_answer_in_time(tmp_path: Path, silent_port: int) -> None:
    err, _ = team_stats(tmp_path / "lead", f"nats://127.0.0.1:{silent_port}")
    assert err == "linkdesk calls: The team hub did not answer in time" + TAIL


def test_a_hub_that_refuses_the_credentials(tmp_path: Path) -> None:
    server = NatsServer(store_dir=tmp_path / "nats", config=users_block())
    server.start()
    try:  # the keyring holds no credential: NATS with users refuses the connection
        err, _ = team_stats(tmp_path / "lead", server.url)
    finally:
        server.stop()
    assert err == (
        "linkdesk calls: The team hub refused the credentials: check Settings › Team hub" + TAIL
    )


def test_a_hub_without_the_team_stream_yet(tmp_path: Path, nats_server: NatsServer) -> None:
    err, _ = team_stats(tmp_path / "lead", nats_server.url)
    assert err == "linkdesk calls: The team hub has not made the stream LINKDESK_CALLS yet" + TAIL


def test_a_saved_url_with_a_password_is_not_used_nor_repeated(tmp_path: Path) -> None:
    secret = "pa55-w0rd-7781"
    err, _ = team_stats(tmp_path / "lead", f"nats://agent:{secret}@127.0.0.1:4222")
    assert err == (
        "linkdesk calls: The team hub URL in the settings holds a password or is not nats://; "
        "set it again in Settings › Team hub" + TAIL
    )
    assert secret not in err


def test_the_problem_words_are_the_status_bars() -> None:
    """The live feed's own words (``connect_problem``) for a refusal and an untrusted
    certificate; the rest by what caused the failure."""
    import ssl

    import nats.errors

    from desktop.core.live.feed import REFUSED

    def failed(cause: BaseException) -> TeamHubUnreachable:
        try:
            raise TeamHubUnreachable("detail") from cause
        except TeamHubUnreachable as exc:
            return exc

    assert failed(nats.errors.AuthorizationError()).problem == REFUSED
    assert failed(ssl.SSLCertVerificationError("bad")).problem == (
        "the team hub's TLS certificate is not trusted"
    )
    assert failed(nats.errors.TimeoutError()).problem == "the team hub did not answer in time"
    assert failed(nats.errors.NoServersError()).problem == "the team hub is not reachable"
