"""Hub throughput: signed webhooks a second that the hub stores in JetStream, fanned out to 50 subscribers.

On this one machine: a nats-server; the hub (``linkdesk hub``, its own process(es), as deployed,
``--workers N``); a load generator in this process that sends pre-signed Codat events (signing is
Codat's cost, done before the clock starts) over raw keep-alive HTTP/1.1 connections, like wrk,
one request in flight per connection; and a process holding 50 subscribers. With ``--follow all``
(the default, the worst case) each is an ordered consumer on ``codat.>`` and reads every event;
with ``--follow companies`` each follows its own share of the 500 companies with one ordered
consumer a company on ``codat.<companyId>.>``, as LinkDesk's desktop (``HubFeed``) follows the
companies of its calls. On a team those 50 subscribers are 50 other machines, so here they run at
low priority (``nice``, ``--subscriber-nice``, and Linux's idle scheduling class) but stay
attached: nats-server really delivers to them during the run, and the run checks that every
subscriber received every event it follows and says when the last one had them all.

Publish latency is the hub's own histogram (``linkdesk_hub_publish_seconds``, buckets every 5 ms
from 20 to 50 ms), read before and after the run: the p99 is the upper bound of its bucket.
``--rate`` paces the load (open loop, latency from each request's due time) to see whether the
hub sustains a rate; without it the load is as fast as the hub answers (its capacity). CPU seconds per
webhook of each process (hub, nats-server, subscribers, load generator) are read from /proc.
Goals: >= 2,000 webhooks/s stored, p99 publish <= 50 ms, every subscriber gets every event.
Usage: python bench/hub_throughput.py [--webhooks 20000] [--connections 64] [--workers 2]
       [--subscribers 50] [--subscriber-nice 19] [--follow all|companies] [--rate 0]
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
from urllib.parse import urlsplit

import httpx
from _common import percentile, row, where_it_ran
from _http_load import build_request, run_load
from svix.webhooks import Webhook

from desktop.hub.nats_server import NatsServer, free_port

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
RATE_GOAL = 2000.0
P99_GOAL = 0.050
WARM_UP = 500  # webhooks sent before the clock starts (connections, NATS inboxes, caches)
ROOT = Path(__file__).resolve().parents[1]

SUBSCRIBERS = r"""
import asyncio, sys, json, time
import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

async def main(url, count, expected, follow, companies):
    # follow == "all": every subscriber reads every event (codat.>), the worst case.
    # follow == "companies": subscriber i follows companies c with c % count == i, one ordered
    # consumer a company on codat.<companyId>.> as LinkDesk's HubFeed does for each followed call.
    if follow == "companies":
        expected = [sum(1 for n in range(expected) if (n % companies) % count == i) for i in range(count)]
    else:
        expected = [expected] * count
    got = [0] * count
    done_at = [None] * count
    done = asyncio.Event()
    conns = []
    for i in range(count):
        nc = await nats.connect(url)
        conns.append(nc)
        def make(i):
            async def cb(msg):
                got[i] += 1
                if got[i] == expected[i]:
                    done_at[i] = time.time()
                    if all(t is not None for t in done_at):
                        done.set()
            return cb
        subjects = ["codat.>"] if follow == "all" else [
            f"codat.{company_id(c)}.>" for c in range(companies) if c % count == i]
        for subject in subjects:
            await nc.jetstream().subscribe(subject, stream="CODAT", cb=make(i), ordered_consumer=True,
                                          config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    print("ready", flush=True)
    if count == 0:
        done.set()
    try:
        await asyncio.wait_for(done.wait(), timeout=float(sys.argv[4]))
    except TimeoutError:
        pass
    print(json.dumps({"got": got, "done_at": done_at, "expected": expected}), flush=True)
    for nc in conns:
        await nc.close()

def company_id(c):
    return f"00000000-0000-4000-8000-{c:012d}"

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[5], int(sys.argv[6])))
"""


COMPANIES = 500  # the events' companies, round robin (the subscriber script matches this id)


def _event(n: int) -> bytes:
    company = f"00000000-0000-4000-8000-{n % COMPANIES:012d}"
    event = {
        "id": f"00000000-0000-4000-9000-{n:012d}",
        "eventType": "connection.connected",
        "generatedDate": datetime.now(UTC).isoformat(),
        "payload": {
            "referenceCompany": {"id": company, "name": f"Company {n % COMPANIES}"},
            "connection": {"id": f"c-{n}", "status": "Linked", "integrationKey": "gbol"},
        },
    }
    return json.dumps(event).encode()


def _signed_requests(host: str, first: int, count: int) -> list[bytes]:
    """Requests signed as Codat signs them (Svix), built before any clock starts."""
    signer = Webhook(SECRET)
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    requests = []
    for n in range(first, first + count):
        body = _event(n)
        msg_id = f"msg_bench_{n}"
        headers = {
            "content-type": "application/json",
            "svix-id": msg_id,
            "svix-timestamp": stamp,
            "svix-signature": signer.sign(msg_id, now, body.decode()),
        }
        requests.append(build_request(host, "/codat/webhooks", headers, body))
    return requests


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _family(pid: int) -> list[int]:
    """A process and all its descendants (the hub's workers)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _family(int(child))
    return found


def _cpu_of(pids: list[int]) -> float:
    return sum(_cpu_seconds(p) for p in pids)


def _histogram(metrics: str) -> list[tuple[float, float]]:
    """The publish histogram's cumulative buckets, summed over label sets and workers."""
    buckets: dict[float, float] = {}
    for line in metrics.splitlines():
        if line.startswith("linkdesk_hub_publish_seconds_bucket"):
            bound = line.split('le="')[1].split('"')[0]
            key = float("inf") if bound == "+Inf" else float(bound)
            buckets[key] = buckets.get(key, 0.0) + float(line.split()[-1])
    return sorted(buckets.items())


def _p99(before: list[tuple[float, float]], after: list[tuple[float, float]]) -> tuple[float, int]:
    """The upper bound of the bucket holding the 99th percentile of the observations in between."""
    earlier = dict(before)
    run = [(bound, count - earlier.get(bound, 0.0)) for bound, count in after]
    total = run[-1][1] if run else 0.0
    for bound, cumulative in run:
        if cumulative >= 0.99 * total:
            return bound, int(total)
    return float("inf"), int(total)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", trust_env=False).status_code == 200
    except httpx.TransportError:
        return False


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # the hub extra brings it; without it the generator is slower
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def _background(nice: int) -> None:
    """The subscribers' process: niced, and on Linux in the idle scheduling class (it runs only
    when no other process wants the core), as 50 other machines would take nothing from this one."""
    os.nice(nice)
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument("--workers", type=int, default=2, help="linkdesk hub --workers")
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--subscriber-nice", type=int, default=19, metavar="N")
    parser.add_argument(
        "--follow",
        choices=("all", "companies"),
        default="all",
        help="all: every subscriber reads every event (codat.>, the worst case: 50 deliveries an "
        "event); companies: each follows its own tenth of the 500 companies, one consumer a "
        "company, as LinkDesk's desktop does (about one delivery an event)",
    )
    parser.add_argument(
        "--nats-nice",
        type=int,
        default=0,
        metavar="N",
        help="diagnostic: run nats-server at this niceness (below 0 needs root) to see how much "
        "of the publish latency is nats-server waiting for a core; the output says so",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        metavar="PER_S",
        help="send at this steady rate, latency counted from each request's due time "
        "(default 0: as fast as the hub answers)",
    )
    args = parser.parse_args()
    env = dict(os.environ, LINKDESK_HUB_WEBHOOK_SECRET=SECRET, PYTHONPATH=str(ROOT))
    expected = WARM_UP + args.webhooks
    uptime_before = _uptime()
    with tempfile.TemporaryDirectory(prefix="linkdesk-bench-") as tmp:
        nats = NatsServer(store_dir=Path(tmp) / "nats")
        nats.start()
        if args.nats_nice:
            assert nats.pid is not None
            os.setpriority(os.PRIO_PROCESS, nats.pid, args.nats_nice)
        port = free_port()
        hub = subprocess.Popen(
            [sys.executable, "-m", "desktop", "hub", "--nats", nats.url, "--port", str(port),
             "--duplicate-window", "600", "--workers", str(args.workers)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        subs = None
        loop = _event_loop()
        try:
            assert hub.stdout is not None
            base = hub.stdout.readline().strip()
            deadline = time.monotonic() + 30
            while not _healthy(base):
                if time.monotonic() > deadline:
                    raise SystemExit("the hub did not become ready")
                time.sleep(0.1)
            nice = args.subscriber_nice
            subs = subprocess.Popen(
                [sys.executable, "-c", SUBSCRIBERS, nats.url, str(args.subscribers), str(expected),
                 "900", args.follow, str(COMPANIES)],
                env=env, stdout=subprocess.PIPE, text=True, preexec_fn=lambda: _background(nice),
            )  # fmt: skip
            assert subs.stdout is not None
            subs.stdout.readline()  # "ready"
            split = urlsplit(base)
            host, hub_port = split.hostname or "127.0.0.1", split.port or 80
            warm = _signed_requests(f"{host}:{hub_port}", 0, WARM_UP)
            requests = _signed_requests(f"{host}:{hub_port}", WARM_UP, args.webhooks)
            loop.run_until_complete(run_load(host, hub_port, warm, args.connections))
            hub_pids = _family(hub.pid)
            assert nats.pid is not None
            before = _histogram(httpx.get(base + "/metrics", trust_env=False).text)
            per_process_before = [_cpu_seconds(p) for p in hub_pids]
            cpu_before = {
                "hub": _cpu_of(hub_pids),
                "nats": _cpu_seconds(nats.pid),
                "subs": _cpu_seconds(subs.pid),
                "load": time.process_time(),
            }
            started_wall = time.time()
            result = loop.run_until_complete(
                run_load(host, hub_port, requests, args.connections, args.rate)
            )
            cpu_after = {
                "hub": _cpu_of(hub_pids),
                "nats": _cpu_seconds(nats.pid),
                "subs": _cpu_seconds(subs.pid),
                "load": time.process_time(),
            }
            per_process = [
                _cpu_seconds(p) - b for p, b in zip(hub_pids, per_process_before, strict=True)
            ]
            load_at_end = os.getloadavg()
            after = _histogram(httpx.get(base + "/metrics", trust_env=False).text)
            fanned = json.loads(subs.stdout.readline())
            cpu_subs_total = _cpu_seconds(subs.pid)
            cpu_nats_total = _cpu_seconds(nats.pid)
        finally:
            loop.close()
            hub.terminate()
            hub.wait(30)
            if subs is not None and subs.poll() is None:
                subs.kill()
                subs.wait()
            nats.stop()
    uptime_after = _uptime()
    ok_count = result.statuses.get(200, 0)
    failures = args.webhooks - ok_count
    # As fast as it answers: stored over the whole run. Paced: the pace the answers kept.
    rate = result.answers_per_second() if args.rate else ok_count / result.elapsed
    # A paced run kept its pace when the answers came within 0.5% of it (timer jitter).
    if args.rate:
        rate_ok = args.rate >= RATE_GOAL and rate >= 0.995 * args.rate
    else:
        rate_ok = rate >= RATE_GOAL
    p99_publish, published = _p99(before, after)
    complete = sum(1 for g, e in zip(fanned["got"], fanned["expected"], strict=True) if g >= e)
    done_at = [t for t in fanned["done_at"] if t is not None]
    complete_all = len(done_at) == args.subscribers and done_at
    fan_out = (max(done_at) - started_wall) if complete_all else float("nan")
    cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}

    print("Hub throughput")
    print(where_it_ran(f"hub --workers {args.workers}", environ=env))
    print(f"uptime before: {uptime_before}")
    print(f"uptime after:  {uptime_after}")
    print(
        f"{args.webhooks} pre-signed webhooks (after {WARM_UP} warm-up), {args.connections} "
        f"keep-alive connections, {args.subscribers} subscribers on the stream, "
        + (f"sent at {args.rate:.0f}/s" if args.rate else "sent as fast as the hub answers")
    )
    print(
        f"NOTE: the {args.subscribers} subscribers run in one process at nice {nice}, in Linux's "
        "idle scheduling class, on this machine; on a team they are other machines. They stay "
        "attached: nats-server delivers to them during the run."
    )
    if args.follow == "all":
        print(
            f"Fan-out: every subscriber reads every event (codat.>): {args.subscribers} deliveries "
            "an event, the worst case (a desktop follows only its calls' companies)."
        )
    else:
        print(
            f"Fan-out: each subscriber follows its own share of the {COMPANIES} companies, one "
            "ordered consumer a company (codat.<companyId>.>), as LinkDesk's desktop follows its "
            "calls: one delivery an event."
        )
    if args.nats_nice:
        print(
            f"DIAGNOSTIC: nats-server ran at nice {args.nats_nice}, ahead of other work on this "
            "machine; not the benchmark's figure."
        )
    print(
        row(
            "stored per second",
            f"{rate:.0f}/s",
            ">= 2000/s",
            "OK" if rate_ok else "MISSED",
        )
    )
    print(
        row(
            "p99 publish (hub histogram)",
            f"<= {p99_publish * 1000:.1f} ms",
            "<= 50 ms",
            "OK" if p99_publish <= P99_GOAL else "MISSED",
        )
    )
    print(row("failed (not 200)", f"{failures}", "0", "OK" if failures == 0 else "MISSED"))
    print(row("published (acked) in the run", f"{published}", f"{args.webhooks}", ""))
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
            f"{percentile(result.latencies, 50) * 1000:.1f} / "
            f"{percentile(result.latencies, 99) * 1000:.1f} ms",
            "-",
            "",
        )
    )
    tail = " / ".join(f"{percentile(result.latencies, q) * 1000:.0f}" for q in (90, 99.9))
    print(row("HTTP p90 / p99.9 / max", f"{tail} / {max(result.latencies) * 1000:.0f} ms", "-", ""))
    print(row("run time", f"{result.elapsed:.1f} s", "-", ""))
    print(row("fan-out complete after start", f"{fan_out:.1f} s", "-", ""))
    per = 1000.0 / args.webhooks
    cores = os.cpu_count() or 1
    print(
        f"  CPU ms per webhook during the run ({cores} cores = {cores * 1000:,} ms of CPU a "
        "second; 'after': until every subscriber had every event):"
    )
    print(row("  hub (all workers)", f"{cpu['hub'] * per:.3f} ms", "-", ""))
    by_process = " + ".join(f"{c:.1f}" for c in per_process)
    print(f"    (hub CPU seconds by process, supervisor first: {by_process})")
    print(row("  nats-server", f"{cpu['nats'] * per:.3f} ms", "-", ""))
    print(
        row(
            "  nats-server incl. fan-out after",
            f"{(cpu_nats_total - cpu_before['nats']) * per:.3f} ms",
            "-",
            "",
        )
    )
    print(row("  load generator (this process)", f"{cpu['load'] * per:.3f} ms", "-", ""))
    print(row(f"  {args.subscribers} subscribers (nice)", f"{cpu['subs'] * per:.3f} ms", "-", ""))
    print(
        row(
            "  subscribers incl. fan-out after",
            f"{(cpu_subs_total - cpu_before['subs']) * per:.3f} ms",
            "-",
            "",
        )
    )
    used = sum(cpu.values())
    print(
        f"  measured processes used {used:.1f} CPU s of {cores * result.elapsed:.1f} available "
        f"in {result.elapsed:.1f} s; load average at the end {load_at_end[0]:.2f}"
    )
    ok = rate_ok and p99_publish <= P99_GOAL and failures == 0 and complete == args.subscribers
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
