"""Hub throughput: signed webhooks a second that the hub stores in JetStream, fanned out to 50 subscribers.

A nats-server and the hub (``linkdesk hub``, its own process, as deployed) run on this machine;
this process sends pre-signed Codat events over loopback with many requests in flight, while a
third process holds 50 subscribers (each an ordered consumer on ``codat.>``, as 50 agents' desktops
would each read their companies) and counts what reaches each. Publish latency is the hub's own
histogram (``linkdesk_hub_publish_seconds``): the p99 is the upper bound of its bucket.
Goals: >= 2,000 webhooks/s stored, p99 publish <= 50 ms, every subscriber gets every event.
Usage: python bench/hub_throughput.py [--webhooks 10000] [--concurrency 64] [--subscribers 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _common import percentile, row
from _hub import where
from svix.webhooks import Webhook

from desktop.hub.nats_server import NatsServer, free_port

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
RATE_GOAL = 2000.0
P99_GOAL = 0.050
ROOT = Path(__file__).resolve().parents[1]

SUBSCRIBERS = r"""
import asyncio, sys, json
import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

async def main(url, count, expected):
    got = [0] * count
    done = asyncio.Event()
    conns = []
    for i in range(count):
        nc = await nats.connect(url)
        conns.append(nc)
        def make(i):
            async def cb(msg):
                got[i] += 1
                if all(g >= expected for g in got):
                    done.set()
            return cb
        await nc.jetstream().subscribe("codat.>", stream="CODAT", cb=make(i), ordered_consumer=True,
                                      config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    print("ready", flush=True)
    try:
        await asyncio.wait_for(done.wait(), timeout=600)
    except TimeoutError:
        pass
    print(json.dumps({"got": got}), flush=True)
    for nc in conns:
        await nc.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def _event(n: int) -> bytes:
    company = f"00000000-0000-4000-8000-{n % 500:012d}"
    event = {
        "id": f"00000000-0000-4000-9000-{n:012d}",
        "eventType": "connection.connected",
        "generatedDate": datetime.now(UTC).isoformat(),
        "payload": {
            "referenceCompany": {"id": company, "name": f"Company {n % 500}"},
            "connection": {"id": f"c-{n}", "status": "Linked", "integrationKey": "gbol"},
        },
    }
    return json.dumps(event).encode()


async def _send(url: str, count: int, concurrency: int) -> tuple[float, list[float], int]:
    signer = Webhook(SECRET)
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    requests: list[tuple[bytes, dict[str, str]]] = []
    for n in range(count):
        body = _event(n)
        msg_id = f"msg_bench_{n}"
        headers = {
            "content-type": "application/json",
            "svix-id": msg_id,
            "svix-timestamp": stamp,
            "svix-signature": signer.sign(msg_id, now, body.decode()),
        }
        requests.append((body, headers))
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(trust_env=False, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                body, headers = queue.get_nowait()
                started = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.TransportError:
                    failures += 1  # counted; Codat would deliver it again
                    continue
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, failures


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _publish_p99(metrics: str) -> tuple[float, int]:
    buckets: list[tuple[float, float]] = []
    for line in metrics.splitlines():
        if line.startswith("linkdesk_hub_publish_seconds_bucket"):
            bound = line.split('le="')[1].split('"')[0]
            buckets.append(
                (float("inf") if bound == "+Inf" else float(bound), float(line.split()[-1]))
            )
    total = buckets[-1][1]
    for bound, cumulative in buckets:
        if cumulative >= 0.99 * total:
            return bound, int(total)
    return float("inf"), int(total)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--subscribers", type=int, default=50)
    args = parser.parse_args()
    env = dict(os.environ, LINKDESK_HUB_WEBHOOK_SECRET=SECRET, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-") as tmp:
        nats = NatsServer(store_dir=Path(tmp) / "nats")
        nats.start()
        port = free_port()
        hub = subprocess.Popen(
            [sys.executable, "-m", "desktop", "hub", "--nats", nats.url, "--port", str(port),
             "--duplicate-window", "600"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        subs = None
        try:
            assert hub.stdout is not None
            base = hub.stdout.readline().strip()
            deadline = time.monotonic() + 20
            while httpx.get(base + "/healthz", trust_env=False).status_code != 200:
                if time.monotonic() > deadline:
                    raise SystemExit("the hub did not become ready")
                time.sleep(0.1)
            subs = subprocess.Popen(
                [sys.executable, "-c", SUBSCRIBERS, nats.url, str(args.subscribers), str(args.webhooks)],
                env=env, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            assert subs.stdout is not None
            subs.stdout.readline()  # "ready"
            elapsed, latencies, failures = asyncio.run(
                _send(base + "/codat/webhooks", args.webhooks, args.concurrency)
            )
            fan_started = time.perf_counter()
            result = json.loads(subs.stdout.readline())
            fan_out = time.perf_counter() - fan_started + elapsed
            metrics = httpx.get(base + "/metrics", trust_env=False).text
            cpu = _cpu_seconds(hub.pid)
        finally:
            hub.terminate()
            hub.wait(20)
            if subs is not None and subs.poll() is None:
                subs.kill()
                subs.wait()
            nats.stop()
    rate = (args.webhooks - failures) / elapsed
    p99_publish, published = _publish_p99(metrics)
    complete = sum(1 for g in result["got"] if g >= args.webhooks)
    print(f"Hub throughput ({where()})")
    print(
        f"{args.webhooks} signed webhooks, {args.concurrency} in flight, "
        f"{args.subscribers} subscribers on the stream"
    )
    print(
        row(
            "stored per second",
            f"{rate:.0f}/s",
            ">= 2000/s",
            "OK" if rate >= RATE_GOAL else "MISSED",
        )
    )
    print(
        row(
            "p99 publish (hub histogram)",
            f"<= {p99_publish * 1000:.0f} ms",
            "<= 50 ms",
            "OK" if p99_publish <= P99_GOAL else "MISSED",
        )
    )
    print(row("failed (non-200)", f"{failures}", "0", "OK" if failures == 0 else "MISSED"))
    print(row("published (acked)", f"{published}", f"{args.webhooks}", ""))
    print(
        row(
            "subscribers with every event",
            f"{complete}/{args.subscribers}",
            f"{args.subscribers}/{args.subscribers}",
            "OK" if complete == args.subscribers else "MISSED",
        )
    )
    print(
        row(
            "HTTP p50 / p99",
            f"{percentile(latencies, 50) * 1000:.0f} / {percentile(latencies, 99) * 1000:.0f} ms",
            "-",
            "",
        )
    )
    print(row("fan-out done after", f"{fan_out:.1f} s", "-", ""))
    print(row("hub CPU per webhook", f"{cpu / args.webhooks * 1000:.2f} ms", "-", ""))
    print(f"  (load average during the run: {os.getloadavg()[0]:.1f})")
    ok = (
        rate >= RATE_GOAL
        and p99_publish <= P99_GOAL
        and failures == 0
        and complete == args.subscribers
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
