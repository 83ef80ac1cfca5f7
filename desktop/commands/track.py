"""``linkdesk track COMPANY_ID``: follow a customer's connection journey headless, one line per change."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.journey import JourneyEvent, JourneyState

from desktop.commands import exits

EXIT_REACHED = exits.OK
EXIT_INPUT = exits.INPUT
EXIT_AUTH = exits.AUTH
EXIT_PROBLEM = exits.JOURNEY
EXIT_TIMEOUT = exits.TIMEOUT
EXIT_NOT_FOUND = exits.NOT_FOUND

_EPILOG = exits.epilog(
    EXIT_INPUT,
    EXIT_AUTH,
    EXIT_PROBLEM,
    EXIT_TIMEOUT,
    EXIT_NOT_FOUND,
    extra=(
        "Tracking goes on while the customer can still act (access lost, unlinked, a connection\n"
        "error, a failed sync): the problem and its fix are printed, and the journey is watched\n"
        "at a quota-friendly pace. It ends at the --until state, at --timeout, or when nothing\n"
        "more can happen (404: the company was deleted; 401/403: the key is refused).\n"
        "Retries (Codat unreachable, rate limited) are announced on stderr with the time of the\n"
        "next try, and do not end tracking; so is a slower pace when the team's share of Codat's\n"
        "quota (the quota_share setting) cannot keep up with every followed call:\n"
        '"Checking every 40 s to stay within the team\'s quota; next check in 12 s."\n'
        f"({EXIT_INPUT} also: with --hub, the keyring holding the team hub's credential cannot be "
        "read, e.g. locked; with no keyring at all, the hub is used without a credential.)"
    ),
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "track",
        help="follow a company's connection journey, one line per change",
        description=(
            "Follow a company's connection journey by polling Codat, and print one line per "
            "change with the time it was observed. Steps the API cannot show (opening the link, "
            "reviewing and starting) are marked inferred."
        ),
        epilog=_EPILOG,
        formatter_class=exits.HelpFormatter,
    )
    p.add_argument("company_id", metavar="COMPANY_ID", help="the Codat company id")
    p.add_argument(
        "--json",
        action="store_true",
        help=(
            "print one JSON object per line: observed, kind, message, step, step_title, status, "
            "provenance, phase, problem (null or {key, reason, message, detail, ...})"
        ),
    )
    p.add_argument(
        "--until",
        choices=("linked", "synced"),
        default="synced",
        help="stop with exit 0 once a connection is Linked now (linked), or a Linked "
        "connection's first sync is complete, or a one-time sync completed (synced; the default)",
    )
    p.add_argument(
        "--stop-on-problem",
        action="store_true",
        help="exit 3 as soon as the journey needs the customer, the agent or Codat support, "
        "instead of waiting for them to fix it",
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        default=None,
        help="give up with exit 4 after this many seconds (default: never)",
    )
    p.add_argument(
        "--fast-interval",
        type=float,
        metavar="S",
        default=None,
        help="seconds between requests while a change is expected (default: the setting, 2); "
        "while waiting for the customer to start, at most 5 times this",
    )
    p.add_argument(
        "--hub",
        metavar="URL",
        type=_hub_url,
        default=None,
        help="the team hub's NATS URL: follow Codat's events live, polling only as a heartbeat "
        "(and at the usual pace whenever the hub is not live)",
    )
    p.set_defaults(run=run)


def _say(message: str) -> None:
    from desktop.commands._common import say

    say("track", message)


def _line(company_id: str, state: JourneyState, event: JourneyEvent) -> dict[str, Any]:
    step = state.step(event.step) if event.step else state.current_step
    doc = event.to_json()
    doc["company_id"] = company_id
    doc["step"] = int(step.step) if step else None
    doc["step_title"] = step.title if step else None
    doc["status"] = step.status.value if step else None
    doc["provenance"] = step.provenance.value if step and step.provenance else None
    doc["phase"] = state.phase.value
    doc["problem"] = state.problem.to_json() if state.problem else None
    doc["platform"] = state.platform.to_json() if state.platform else None
    return doc


def _text(doc: dict[str, Any]) -> str:
    clock = str(doc["observed"])[11:19]
    return f"{clock}  {doc['message']}"


def _guide_fix(state: JourneyState, cache: dict[str, Any]) -> str | None:
    """The platform guide's own fix for the journey's problem, as the call page shows it (the
    guide's troubleshooting entry, else the common problems'); None when no guide covers it.
    The guides (the team's folder from Settings too) are read the first time one is needed."""
    problem = state.problem
    if problem is None:
        return None
    if "library" not in cache:
        from pathlib import Path

        from desktop.core.guides import builtin_guides_dir, load_library
        from desktop.core.paths import default_paths
        from desktop.core.settings import Settings

        paths = default_paths()
        team = str(Settings.load(paths).get("team_guides_dir") or "")
        cache["library"] = load_library(
            builtin_guides_dir(), Path(team) if team else paths.team_guides
        )
    platform_key = state.platform.key if state.platform else None
    entry = cache["library"].fix_for(platform_key, problem.guide_keys)
    return None if entry is None else f"What to do: {entry.title}. {entry.body}"


def _settings(args: argparse.Namespace) -> tuple[str, str, Any] | int:
    from desktop.commands._common import load_target
    from desktop.core.tracker import TrackerSettings

    settings, profile, base = load_target("track", args)
    overrides: dict[str, float] = {}
    if args.fast_interval is not None:
        if args.fast_interval <= 0:
            _say("--fast-interval must be more than 0 seconds")
            return EXIT_INPUT
        overrides["fast_interval"] = args.fast_interval
        # The pace is set by the fast interval: waiting for the customer is at most 5x slower.
        medium = float(settings.get("medium_interval"))
        overrides["medium_interval"] = max(args.fast_interval, min(medium, 5 * args.fast_interval))
    if args.timeout is not None and args.timeout <= 0:
        _say("--timeout must be more than 0 seconds")
        return EXIT_INPUT
    return profile, base, TrackerSettings.from_settings(settings, **overrides)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from desktop.commands._common import api_key_or_say

    resolved = _settings(args)
    if isinstance(resolved, int):
        return resolved
    profile, api_base, tracker_settings = resolved
    api_key = api_key_or_say("track", profile)
    if api_key is None:
        return EXIT_AUTH
    hub_credential = None
    if args.hub:
        from desktop.core.live import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE
        from desktop.core.secrets import NoKeyring, SecretStore, SecretStoreError

        try:  # before tracking starts: a keyring that fails is said, not taken for "none"
            hub_credential = SecretStore(HUB_SECRET_SERVICE).read(HUB_SECRET_ACCOUNT)
        except NoKeyring:  # nothing can be saved without one: a NATS without credentials
            _say("no system keyring on this computer: the team hub is used without a credential.")
        except SecretStoreError as exc:
            why = type(exc.__cause__ or exc).__name__
            _say(
                f"the system keyring could not be read for the team hub's credential ({why}): "
                "unlock it, or leave out --hub to follow by polling only."
            )
            return EXIT_INPUT
    try:
        return asyncio.run(_track(args, api_base, api_key, tracker_settings, hub_credential))
    except KeyboardInterrupt:
        return 130


async def _track(
    args: argparse.Namespace,
    api_base: str,
    api_key: str,
    settings: Any,
    hub_credential: str | None = None,
) -> int:
    import asyncio
    import contextlib
    from urllib.parse import urlsplit

    import httpx

    from desktop.core.clock import SystemClock
    from desktop.core.codat import CodatClient
    from desktop.core.journey import iso
    from desktop.core.tracker import Pace, Stop, Tracker, pace_text

    clock = SystemClock()
    queue: asyncio.Queue[tuple[JourneyState, tuple[JourneyEvent, ...]] | Stop] = asyncio.Queue()

    def retried(company_id: str, error: Exception, next_at: float) -> None:
        what = getattr(error, "plain_message", None) or repr(error)
        _say(f"{what} Next try at {iso(next_at)}.")

    said: list[Pace] = []

    def paced(company_id: str, pace: Pace) -> None:
        # Said on stderr when the team's quota or Codat slows tracking, when the pace changes
        # by a fifth or more, and when it ends; not at every check.
        last = said[-1] if said else None
        same = last is not None and last.limit is pace.limit
        if (
            same
            and last is not None
            and (pace.limit is None or abs(pace.interval - last.interval) <= 0.2 * last.interval)
        ):
            return
        said.append(pace)
        text = pace_text(pace, clock.now())
        if text is not None:
            _say(f"{text} (at {iso(pace.next_at)})")
        elif last is not None:
            _say("back to the usual pace.")

    loopback = urlsplit(api_base).hostname in ("127.0.0.1", "localhost", "::1")
    async with httpx.AsyncClient(trust_env=not loopback) as http:
        client = CodatClient(http, api_base, api_key, allow_insecure_http=args.insecure_http)
        tracker = Tracker(
            client,
            clock=clock,
            settings=settings,
            on_update=lambda c, s, e: queue.put_nowait((s, e)),
            on_retry=retried,
            on_stop=lambda c, stop: queue.put_nowait(stop),
            on_pace=paced,
        )
        deadline = None if args.timeout is None else clock.now() + args.timeout
        live = _live_tracking(args.hub, tracker, hub_credential) if args.hub else None
        checking: asyncio.Task[None] | None = None
        try:
            async with tracker:
                tracker.track(args.company_id)
                if live is not None:
                    live.follow(args.company_id, since=clock.now())
                    checking = asyncio.ensure_future(_check_missed(live))
                return await _follow(args, tracker, queue, clock, deadline)
        finally:
            if checking is not None:
                checking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await checking
            if live is not None:
                await live.aclose()


async def _check_missed(live: Any) -> None:
    """A change the hub never announced puts the company back on polling (and is said on
    stderr through the status): looked for every second, as the app's keep_in_step does."""
    import asyncio

    while True:
        await asyncio.sleep(1.0)
        live.check_missed()


def _hub_url(text: str) -> str:
    """``--hub``: a NATS URL without a credential in it (argparse says why, exit 1; the URL is
    not repeated: it may hold the secret)."""
    from desktop.core.live.hub_url import RefusedHubUrl, check_hub_url

    try:
        checked = check_hub_url(text)
    except RefusedHubUrl as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if not checked:
        raise argparse.ArgumentTypeError("no NATS server in it (e.g. nats://127.0.0.1:4222)")
    return checked


def _live_tracking(url: str, tracker: Any, credential: str | None) -> Any:
    """Events from the team hub at ``url``, with ``credential`` (read from the keyring) and the CA
    of Settings › Team hub; each change of mode is said on stderr, and why the hub cannot be
    used when it refuses the credential or is not trusted (never the credential itself)."""
    from desktop.core.live import HubFeed, LiveTracking, connect_options
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    tls_ca = str(Settings.load(default_paths()).get("hub_tls_ca") or "").strip() or None
    try:
        options = connect_options(credential, tls_ca)
    except OSError as exc:
        _say(f"the team hub's CA file {tls_ca} cannot be used ({exc}); polling only")
        return None
    feed = HubFeed(url, on_event=lambda event: None, connect_options=options)
    link = LiveTracking(
        tracker,
        feed,
        on_mode=lambda live: _say(
            "live, team hub" if live else "polling (the team hub is not live)"
        ),
        on_status=lambda text: _say(text) if "(" in text else None,
    )
    feed.start()
    return link


async def _follow(
    args: argparse.Namespace, tracker: Any, queue: Any, clock: Any, deadline: float | None
) -> int:
    import asyncio
    import json

    from desktop.core.journey import EventKind
    from desktop.core.tracker import Stop, StopReason

    guides: dict[str, Any] = {}
    while True:
        left = None if deadline is None else deadline - clock.now()
        if left is not None and left <= 0:
            _say(f"timed out after {args.timeout:g} s before the journey was {args.until}.")
            return EXIT_TIMEOUT
        try:
            item = await asyncio.wait_for(queue.get(), left)
        except TimeoutError:
            continue
        if isinstance(item, Stop):
            if item.reason in (StopReason.UNAUTHORIZED, StopReason.FORBIDDEN):
                _say(item.message)
                return EXIT_AUTH
            if item.reason is StopReason.NOT_FOUND:
                _say(item.message)
                return EXIT_NOT_FOUND
            continue  # finished: the state lines below decide
        state, events = item
        for event in events:
            doc = _line(args.company_id, state, event)
            print(json.dumps(doc) if args.json else _text(doc), flush=True)
            if event.kind is EventKind.PROBLEM and not args.json:
                fix = _guide_fix(state, guides)
                if fix is not None:
                    print(f"          {fix}", flush=True)
        reached = state.linked if args.until == "linked" else state.synced
        if reached:
            return EXIT_REACHED
        problem = state.problem
        if args.stop_on_problem and problem is not None and problem.needs:
            _say(f"the journey {problem.needs}: {problem.message}")
            return EXIT_PROBLEM
