"""``linkdesk sandbox``: run the Codat-compatible simulator alone and print its base URL first."""

from __future__ import annotations

import argparse

from desktop.commands import exits

KEY_ENV = "LINKDESK_SANDBOX_API_KEY"
DEFAULT_KEY = "linkdesk-sandbox"  # the same as desktop.sandbox.server.DEFAULT_API_KEY


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sandbox",
        help="run the embedded Codat sandbox (API, hosted Link pages, scripted customers)",
        description="Serve a Codat-compatible sandbox on loopback. The first line printed is its "
        "base URL; it serves until interrupted (SIGINT/SIGTERM) and then exits 0.",
        epilog=exits.epilog(
            extra=f"({exits.INPUT} also: the sandbox could not start, e.g. the port is taken.)"
        ),
        formatter_class=exits.HelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    p.add_argument(
        "--api-key",
        default=None,
        help="the API key clients must send, for Codat's paths and the control API (base64, "
        f"Basic); default: ${KEY_ENV}, else the sandbox's fixed demo key {DEFAULT_KEY}. Prefer "
        f"${KEY_ENV}: a command line is visible to every user of the computer. A key you give "
        "is never printed; the demo key is, so that it can be pasted.",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME[:PLATFORM]",
        default=None,
        help="run this scripted customer on every new company (see --list-scenarios)",
    )
    p.add_argument(
        "--speed", type=float, default=1.0, help="time factor for scenarios and syncs (default 1)"
    )
    p.add_argument(
        "--faults",
        metavar="SPEC",
        default=None,
        help="e.g. 5xx=0.1,429=0.05,timeout=0.05,drop=0.05,malformed=0.05,latency=0.2"
        " (also timeout_hold=S, retry_after=S, quota=N)",
    )
    p.add_argument("--seed", type=int, default=None, help="seed for reproducible faults")
    p.add_argument(
        "--daily-quota",
        type=int,
        default=None,
        metavar="N",
        help="answer N API requests a day (UTC), then 429 with Retry-After until 00:00 UTC, as "
        "Codat's daily quota does (default: no limit)",
    )
    p.add_argument("--state", metavar="FILE", default=None, help="keep the state in this JSON file")
    p.add_argument(
        "--list-scenarios", action="store_true", help="list the scripted customers and exit"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import signal
    import sys
    import threading

    from desktop.sandbox.faults import parse_spec
    from desktop.sandbox.scenarios import SCENARIOS, parse_scenario
    from desktop.sandbox.server import SandboxServer

    if args.list_scenarios:
        width = max(map(len, SCENARIOS))
        for scenario in SCENARIOS.values():
            print(f"{scenario.name:<{width}}  {scenario.summary}")
        return exits.OK
    try:
        if args.scenario:
            parse_scenario(args.scenario)
        faults = parse_spec(args.faults)
        if args.speed <= 0:
            raise ValueError("--speed must be positive")
    except ValueError as exc:
        print(f"linkdesk sandbox: {exc}", file=sys.stderr)
        return exits.INPUT

    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    api_key, source = _api_key(args.api_key)
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = SandboxServer(
        host=args.host,
        port=args.port,
        api_key=api_key,
        scenario=args.scenario,
        speed=args.speed,
        faults=faults,
        seed=args.seed,
        state_file=args.state,
        daily_quota=args.daily_quota,
    )
    try:
        try:
            url = server.start()
        except (RuntimeError, OSError) as exc:
            print(f"linkdesk sandbox: {exc}", file=sys.stderr)
            return exits.INPUT
        print(url, flush=True)
        print(
            f"API key: {source}; send it as Authorization: Basic base64(key); Ctrl+C stops",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exits.OK


def _api_key(given: str | None) -> tuple[str, str]:
    """The key and where it came from, in words that never include a key given with --api-key
    or $LINKDESK_SANDBOX_API_KEY; the fixed demo key is no secret, and is said so it can be pasted
    (into LinkDesk's Settings, or Codat's SDK)."""
    import os

    if given:
        return given, "the one given with --api-key"
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        return from_env, f"the one in ${KEY_ENV}"
    return DEFAULT_KEY, f"{DEFAULT_KEY} (the sandbox's fixed demo key)"
