"""``linkdesk hub --workers N``: N processes share the port, each stores webhooks through its own
NATS connection, ``/metrics`` sums them all, each beats its own webhook figures, and SIGTERM stops
every one of them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from desktop.hub.nats_server import NatsServer, free_port
from tests.hub.conftest import SECRET, connection_event, signed_headers
from tests.hub.stream_reader import stored_messages

pytestmark = pytest.mark.slow
WORKERS = 2
T = TypeVar("T")
COMPANY = "7d2c6a55-6f0e-4d53-9d44-0b1c1f0f5a01"


def _workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor started (multiprocessing's spawn children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"multiprocessing.spawn" in cmdline or b"spawn_main" in cmdline:
                found.append(int(child))
    return sorted(found)


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {timeout} s"
        time.sleep(0.05)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", trust_env=False, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def hub_workers(
    nats_server: NatsServer, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = dict(os.environ, LINKDESK_HUB_WEBHOOK_SECRET=SECRET, LINKDESK_HOME=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "hub", "--nats", nats_server.url, "--port",
         str(free_port()), "--workers", str(WORKERS), "--duplicate-window", "120"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base = process.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        yield process, base
    finally:
        if process.poll() is None:
            process.terminate()  # the supervisor stops its workers
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        assert process.stdout is not None
        process.stdout.close()


def _alone(serving: int, workers: list[int], action: Callable[[], T]) -> T:
    """``action`` with every worker but ``serving`` stopped, so that one accepts it."""
    paused = [w for w in workers if w != serving]
    for w in paused:
        os.kill(w, signal.SIGSTOP)
    try:
        return action()
    finally:
        for w in paused:
            os.kill(w, signal.SIGCONT)


def _post(base: str, msg_id: str, secret: str = SECRET) -> httpx.Response:
    body = json.dumps(connection_event(COMPANY, "connection.connected")).encode()
    # A new connection each time, so whichever worker is running accepts it.
    return httpx.post(
        base + "/codat/webhooks",
        content=body,
        headers=signed_headers(body, msg_id, secret=secret),
        trust_env=False,
        timeout=10,
    )


def test_each_of_the_workers_serves_metrics_sum_them_and_sigterm_stops_them_all(
    hub_workers: tuple[subprocess.Popen[str], str], nats_server: NatsServer
) -> None:
    process, base = hub_workers
    _wait(lambda: len(_workers_of(process.pid)) == WORKERS, 30, f"{WORKERS} workers")
    workers = _workers_of(process.pid)
    _wait(lambda: _healthy(base), 30, "a healthy hub")

    # Each worker alone (the others paused, well under the supervisor's 5 s health check): it is
    # healthy once its own NATS connection is up, and then a webhook it takes is stored.
    for serving in workers:
        msg_id = f"msg_worker_{serving}"
        _wait(partial(_alone, serving, workers, partial(_healthy, base)), 30, f"worker {serving}")
        answer = _alone(serving, workers, partial(_post, base, msg_id))
        assert answer.status_code == 200, answer.text
        assert answer.json()["stored"] is True

    stored = asyncio.run(stored_messages(nats_server.url))
    ids = sorted(m.headers["Nats-Msg-Id"] for m in stored if m.headers)
    assert ids == sorted(f"msg_worker_{w}" for w in workers)
    metrics = httpx.get(base + "/metrics", trust_env=False, timeout=10).text
    assert f"linkdesk_hub_webhooks_received_total {float(WORKERS)}" in metrics
    assert 'linkdesk_hub_events_published_total{duplicate="false"} ' + str(float(WORKERS)) in (
        metrics
    )

    process.send_signal(signal.SIGTERM)
    assert process.wait(20) == 0
    for w in workers:
        assert _gone(w), f"worker {w} still running"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_the_workers_stop_when_their_supervisor_is_killed_outright(
    hub_workers: tuple[subprocess.Popen[str], str],
) -> None:
    process, _ = hub_workers
    _wait(lambda: len(_workers_of(process.pid)) == WORKERS, 30, f"{WORKERS} workers")
    workers = _workers_of(process.pid)
    process.kill()  # SIGKILL: no chance to stop them itself
    process.wait(10)
    _wait(lambda: all(_gone(w) for w in workers), 15, "the orphaned workers' exit")


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or _zombie(pid)


OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def test_each_worker_beats_its_own_webhook_figures_and_the_desktop_judges_them_together(
    hub_workers: tuple[subprocess.Popen[str], str], nats_server: NatsServer
) -> None:
    process, base = hub_workers
    _wait(lambda: len(_workers_of(process.pid)) == WORKERS, 30, f"{WORKERS} workers")
    workers = _workers_of(process.pid)
    _wait(lambda: _healthy(base), 30, "a healthy hub")
    for serving in workers:
        _wait(partial(_alone, serving, workers, partial(_healthy, base)), 30, f"worker {serving}")
    asyncio.run(_judged_together(base, workers, nats_server.url))


async def _judged_together(base: str, workers: list[int], nats_url: str) -> None:
    import nats
    from nats.aio.msg import Msg

    from desktop.core.live.hub_health import HubHealth
    from desktop.hub.events import HEARTBEAT_SUBJECT

    health = HubHealth()
    latest: dict[str, dict[str, object]] = {}

    async def heard(msg: Msg) -> None:
        data = json.loads(msg.data)
        latest[data["worker"]] = data
        health.beat(data, time.time())

    async def until(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 30
        while not condition():
            assert time.monotonic() < deadline, f"{what}: {latest}"
            await asyncio.sleep(0.05)

    def total(field: str) -> int:
        return sum(int(str(beat[field])) for beat in latest.values())

    nc = await nats.connect(nats_url)
    try:
        await nc.subscribe(HEARTBEAT_SUBJECT, cb=heard)
        # One worker refuses a delivery signed with another secret; the other has seen nothing.
        refused = await asyncio.to_thread(
            _alone, workers[0], workers, lambda: _post(base, "msg_bad", OTHER_SECRET)
        )
        assert refused.status_code == 401
        await until(lambda: len(latest) == WORKERS and total("rejected") == 1, "the refusal")
        assert health.refusing(time.time(), 15.0)
        # The other worker accepts one: the secret works, the hub is trusted again.
        accepted = await asyncio.to_thread(
            _alone, workers[1], workers, lambda: _post(base, "msg_good")
        )
        assert accepted.status_code == 200
        await until(lambda: total("accepted") == 1, "the acceptance")
        assert total("rejected") == 1  # each worker counts its own: none twice, none lost
        assert not health.refusing(time.time(), 15.0)
    finally:
        await nc.close()
