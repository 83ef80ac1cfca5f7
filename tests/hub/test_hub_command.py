"""``linkdesk hub``'s start: what it says and how it ends when NATS, a secret, the port or an
option is not right (each a line on stderr and an exit code from exits.py, never a traceback)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop.cli import main as linkdesk
from desktop.commands import exits
from desktop.hub.nats_check import Outcome, check_nats
from desktop.hub.nats_server import NatsServer, free_port
from desktop.hub.secret_source import SecretError
from desktop.hub.settings import NatsSettings, ReceiverSettings, StreamSettings
from tests.hub.conftest import SECRET
from tests.hub.test_hub_workers import _wait, _workers_of


def _closed_port() -> str:
    """A loopback NATS URL nothing listens on (the port was free a moment ago)."""
    return f"nats://127.0.0.1:{free_port()}"


def _line(process: subprocess.Popen[str], timeout: float) -> str:
    """The process's next stdout line, waiting at most ``timeout`` seconds ("" at its end)."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(timeout), f"no output within {timeout} s"
    return process.stdout.readline()


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _start(
    started: list[subprocess.Popen[str]], home: Path, *args: str, **env: str
) -> subprocess.Popen[str]:
    environment = dict(os.environ, LINKDESK_HUB_WEBHOOK_SECRET=SECRET, LINKDESK_HOME=str(home))
    environment.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "hub", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    return process


@pytest.mark.asyncio
async def test_the_nats_check_of_a_closed_port_ends_promptly_as_unreachable() -> None:
    # Without a bound here a check that retries for ever would hang the test run instead.
    checked = await asyncio.wait_for(check_nats(NatsSettings(url=_closed_port())), 30)
    assert checked.outcome is Outcome.UNREACHABLE
    assert "not reachable yet" in checked.message


@pytest.mark.slow
def test_linkdesk_hub_with_nats_unreachable_says_so_in_a_line_and_serves_503(
    hub_process: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    """As the README says: a NATS not up yet does not stop the hub; it says so once, serves
    (webhooks and /healthz answer 503) and keeps trying; SIGTERM ends it with 0."""
    process = _start(hub_process, tmp_path, "--nats", _closed_port(), "--port", "0")
    base = _line(process, 30).strip()
    assert base.startswith("http://127.0.0.1:"), base
    answer = httpx.get(base + "/healthz", trust_env=False, timeout=5)
    assert answer.status_code == 503
    assert answer.json()["nats"] == "disconnected"
    process.send_signal(signal.SIGTERM)
    assert process.wait(20) == 0
    assert process.stderr is not None
    err = process.stderr.read()
    assert "NATS is not reachable yet" in err
    assert "Traceback" not in err


BAD_SECRETS = pytest.mark.parametrize(
    "bad", ["whsec_abcde", "whsec_"], ids=["truncated", "prefix-alone"]
)


@BAD_SECRETS
def test_an_unusable_webhook_secret_stops_the_hub_with_exit_1_naming_which(
    bad: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", f"{SECRET} {bad}")
    code = linkdesk(["hub", "--nats", _closed_port(), "--port", "0", "--workers", "1"])
    out = capsys.readouterr()
    assert code == exits.INPUT == 1
    assert "webhook signing secret 2 of 2 in $LINKDESK_HUB_WEBHOOK_SECRET" in out.err
    assert out.out == ""  # it never served
    assert "abcde" not in out.err  # the secret's value is never shown
    assert SECRET not in out.err


@pytest.mark.slow
@BAD_SECRETS
def test_an_unusable_webhook_secret_in_a_file_stops_the_workers_hub_with_exit_1(
    bad: str, hub_process: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    """With --workers N the secret is checked once, before any worker starts (each worker
    dying in the app factory would be restarted over and over)."""
    secret_file = tmp_path / "secret"
    secret_file.write_text(bad + "\n")
    secret_file.chmod(0o600)
    process = _start(
        hub_process, tmp_path, "--nats", _closed_port(), "--port", "0", "--workers", "2",
        "--webhook-secret-file", str(secret_file),
    )  # fmt: skip
    assert process.wait(60) == exits.INPUT
    assert process.stderr is not None
    err = process.stderr.read()
    assert f"webhook signing secret 1 of 1 in {secret_file}" in err
    assert "Traceback" not in err


def test_the_receiver_refuses_an_unusable_secret_with_a_secret_error() -> None:
    from desktop.hub.app import create_app

    with pytest.raises(SecretError, match="webhook signing secret 1 of 1"):
        create_app(NatsSettings(), StreamSettings(), ReceiverSettings(secrets=("whsec_abcde",)))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_taken_port_stops_the_hub_with_exit_14_and_a_line(
    workers: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = linkdesk(
            ["hub", "--nats", _closed_port(), "--port", str(port), "--workers", workers]
        )
    out = capsys.readouterr()
    assert code == exits.HUB_START == 14
    assert f"could not listen on 127.0.0.1:{port}" in out.err
    assert out.out == ""


@pytest.mark.parametrize("tolerance", ["301", "0", "-5", "nan"])
def test_a_tolerance_outside_svix_limit_is_a_usage_error(
    tolerance: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
    with pytest.raises(SystemExit) as ended:
        linkdesk(["hub", "--nats", _closed_port(), "--port", "0", f"--tolerance={tolerance}"])
    assert ended.value.code == exits.INPUT
    assert "--tolerance: must be over 0 and at most 300 seconds" in capsys.readouterr().err


def test_the_receiver_settings_refuse_a_tolerance_svix_would_not_honour() -> None:
    for seconds in (0.0, -1.0, 300.5):
        with pytest.raises(ValueError, match="at most 300"):
            ReceiverSettings(secrets=(SECRET,), tolerance=seconds)
    assert ReceiverSettings(secrets=(SECRET,), tolerance=300.0).tolerance == 300.0


def test_the_tolerance_limit_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        linkdesk(["hub", "--help"])
    assert "at most 300" in " ".join(capsys.readouterr().out.split())


def test_replicas_with_the_embedded_nats_server_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
    with pytest.raises(SystemExit) as ended:
        linkdesk(["hub", "--embedded-nats", "--data", str(tmp_path), "--replicas", "3"])
    assert ended.value.code == exits.INPUT
    assert "the embedded nats-server is a single node" in capsys.readouterr().err
    assert not (tmp_path / "nats").exists()  # no nats-server was started


@pytest.mark.parametrize("urls", [",", " , ", ""])
def test_a_nats_list_without_a_server_is_a_usage_error(
    urls: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINKDESK_HUB_WEBHOOK_SECRET", SECRET)
    with pytest.raises(SystemExit) as ended:
        linkdesk(["hub", "--nats", urls])
    assert ended.value.code == exits.INPUT
    assert "no NATS server in it" in capsys.readouterr().err


HUB_CREDENTIALS = {
    "LINKDESK_HUB_WEBHOOK_SECRET": SECRET,
    "LINKDESK_HUB_NATS_USER": "hub",
    "LINKDESK_HUB_NATS_PASSWORD": "pw-never-inherited",
    "LINKDESK_HUB_NATS_TOKEN": "token-never-inherited",
}


def _environment_of(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    pairs = (e.decode(errors="replace").partition("=") for e in entries if e)
    return {name: value for name, _, value in pairs}


def test_an_embedded_nats_server_inherits_none_of_the_hub_credentials(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in HUB_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    try:
        assert server.pid is not None
        inherited = _environment_of(server.pid)
    finally:
        server.stop()
    assert "PATH" in inherited  # the rest of the environment is still handed over
    assert not set(HUB_CREDENTIALS) & set(inherited)


def _listening(pid: int) -> list[tuple[str, int]]:
    """The (address in /proc/net hex, port) of each TCP socket process ``pid`` listens on."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, _, port = local.partition(":")
                found.append((address, int(port, 16)))
    return found


def test_the_embedded_nats_server_listens_on_loopback_only(tmp_path: Path) -> None:
    """``linkdesk hub --embedded-nats`` starts ``NatsServer(store_dir=...)``, which asks no
    password: it must listen on 127.0.0.1 alone (no other address, no monitoring or cluster
    port), so only this computer can publish into the stream or read it."""
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    try:
        assert server.pid is not None
        listening = _listening(server.pid)
    finally:
        server.stop()
    assert listening == [("0100007F", server.port)]  # 127.0.0.1, little-endian hex


@pytest.mark.slow
def test_the_hubs_children_inherit_none_of_its_credentials(
    hub_process: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    """linkdesk hub --embedded-nats --workers 2: neither its nats-server nor its workers have
    a LINKDESK_HUB_ credential in their environment (the workers get them through the pipe)."""
    token = {k: v for k, v in HUB_CREDENTIALS.items() if k != "LINKDESK_HUB_NATS_USER"}
    token.pop("LINKDESK_HUB_NATS_PASSWORD")
    process = _start(
        hub_process, tmp_path, "--embedded-nats", "--data", str(tmp_path / "data"),
        "--port", "0", "--workers", "2", **token,
    )  # fmt: skip
    base = _line(process, 30).strip()
    assert base.startswith("http://127.0.0.1:"), base
    _wait(lambda: len(_workers_of(process.pid)) == 2, 30, "two workers")
    children = _children(process.pid)
    assert len(children) >= 3  # nats-server and two workers
    for child in children:
        assert not set(HUB_CREDENTIALS) & set(_environment_of(child)), child


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found
