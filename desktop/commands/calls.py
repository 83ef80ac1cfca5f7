"""``linkdesk calls list``, ``linkdesk calls export ID`` and ``linkdesk calls stats``: the saved
calls from the shell.

``calls stats`` prints the report of ``desktop.core.stats`` over the calls the filters keep:
outcomes, completion rates, the step funnel, median and 90th-percentile time per step, problems
per platform, first connections apart from reconnections. ``--json`` prints one object whose shape
is documented in ``desktop/core/stats/report.py`` (and the README); ``--csv`` one row per figure
(``group,section,item,measure,value``). Dates are local calendar days, both included.

The database is opened read-only: these commands never change it, never upgrade it and never move
a damaged file aside, so they are safe to run while the app is open.

``calls stats --team`` reads the team's finished calls from the team hub (``desktop.core.team``:
only what is new since the last read, kept in ``team-calls.sqlite3`` in the data folder) and prints
the same report over them, with one group per agent (``"agents"`` in the JSON). When the hub
cannot be reached it says so on stderr and reports the team calls read before.

Exit codes are the shared ones (``desktop.commands.exits``): 0 done; 1 unusable options or dates;
5 no call with that id; 8 the database cannot be read; 9 the output file cannot be written;
12 ``--team`` without a team hub configured.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from desktop.commands import exits

if TYPE_CHECKING:
    from desktop.core.stats import Report, StatsFilter
    from desktop.core.store import Call, CallStore

EXIT_OK = exits.OK
EXIT_NOT_FOUND = exits.NOT_FOUND
EXIT_DATABASE = exits.DATABASE
EXIT_OUTPUT = exits.OUTPUT
RECENT = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "calls",
        help="saved calls: list them, export one for the CRM, or report on them (stats)",
        description="The calls LinkDesk saved on this computer.",
        epilog=exits.epilog(exits.NOT_FOUND, exits.DATABASE, exits.OUTPUT, exits.NO_TEAM_HUB),
        formatter_class=exits.HelpFormatter,
    )
    actions = p.add_subparsers(dest="calls_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        help=f"the {RECENT} most recent calls, newest first (open and closed)",
        description=f"The {RECENT} most recent saved calls, newest first (open and closed).",
        epilog=exits.epilog(exits.DATABASE),
        formatter_class=exits.HelpFormatter,
    )
    listing.add_argument("--all", action="store_true", help="every saved call, not only the recent")
    listing.add_argument("--open", action="store_true", help="only calls still open")
    listing.add_argument("--json", action="store_true", help="one JSON array of call objects")
    export = actions.add_parser(
        "export",
        help="a call's timeline, problems, checklist and notes",
        description="A saved call's timeline, problems, checklist and notes, for the CRM.",
        epilog=exits.epilog(exits.NOT_FOUND, exits.DATABASE, exits.OUTPUT),
        formatter_class=exits.HelpFormatter,
    )
    export.add_argument("call_id", metavar="ID", type=int, help="the call number from `calls list`")
    export.add_argument(
        "--format", choices=("markdown", "text"), default="markdown", help="default: markdown"
    )
    export.add_argument(
        "--output", metavar="FILE", default=None, help="write to FILE instead of standard output"
    )
    _register_stats(actions)
    p.set_defaults(run=run)


def _register_stats(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = actions.add_parser(
        "stats",
        help="where customers get stuck: outcomes, the step funnel, time per step, problems",
        description=(
            "A report over the saved calls (practice calls left out unless --practice). "
            "Dates are local calendar days, both included."
        ),
        epilog=exits.epilog(
            exits.DATABASE,
            exits.NO_TEAM_HUB,
            extra="(0 also with --team when the team hub cannot be used, unreachable, refusing the\n"
            "credentials, not answering in time or without the team stream yet: the team calls\n"
            "read before are reported, after one line on stderr saying why.)",
        ),
        formatter_class=exits.HelpFormatter,
    )
    stats.add_argument("--since", metavar="DATE", type=_day, help="from this day (YYYY-MM-DD)")
    stats.add_argument("--until", metavar="DATE", type=_day, help="to this day, included")
    stats.add_argument("--platform", metavar="KEY", help="one platform, by Codat's platform key")
    stats.add_argument("--agent", metavar="NAME", help="one agent's calls (Settings: Your name)")
    stats.add_argument("--practice", action="store_true", help="count practice calls too")
    stats.add_argument(
        "--team",
        action="store_true",
        help="the whole team's calls, read from the team hub, with a breakdown per agent",
    )
    form = stats.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="one JSON object (shape in the README)")
    form.add_argument("--csv", action="store_true", help="one CSV row per figure")


def _day(text: str) -> float:
    """A YYYY-MM-DD day as the epoch seconds of its local midnight."""
    from datetime import date, datetime

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None
    return datetime(day.year, day.month, day.day).astimezone().timestamp()


def _say(message: str) -> None:
    from desktop.commands._common import say

    say("calls", message)


def _open_store() -> CallStore | None:
    """The database read-only; None when no call was ever saved."""
    from desktop.core.paths import default_paths
    from desktop.core.store import CallStore

    path = default_paths().database
    if not path.exists():
        return None
    return CallStore(path, read_only=True)


def run(args: argparse.Namespace) -> int:
    from desktop.core.store import StoreError, UnknownCallError

    if args.calls_action == "stats" and args.team:
        try:
            return _team_stats(args)
        except StoreError as exc:
            _say(exc.plain_message)
            return EXIT_DATABASE
    try:
        store = _open_store()
    except StoreError as exc:
        _say(exc.plain_message)
        return EXIT_DATABASE
    try:
        if args.calls_action == "stats":
            return _stats(store, args)
        if args.calls_action == "list":
            calls = [] if store is None else _listed(store, args)
            _print_list(calls, as_json=args.json)
            return EXIT_OK
        if store is None:
            raise UnknownCallError(args.call_id)
        return _export(store, args)
    except UnknownCallError as exc:
        _say(exc.plain_message + " See `linkdesk calls list --all`.")
        return EXIT_NOT_FOUND
    except StoreError as exc:
        _say(exc.plain_message)
        return EXIT_DATABASE
    finally:
        if store is not None:
            store.close()


def _listed(store: CallStore, args: argparse.Namespace) -> list[Call]:
    return store.list_calls(None if args.all else RECENT, include_closed=not args.open)


def _print_list(calls: list[Call], *, as_json: bool) -> None:
    import json

    from desktop.core.store.timefmt import local

    if as_json:
        print(json.dumps([c.to_json() for c in calls], ensure_ascii=False, indent=2))
        return
    if not calls:
        print("No saved calls.")
        return
    rows = [("ID", "OPENED", "STATE", "COMPANY", "PLATFORM", "OUTCOME")]
    for c in calls:
        state = "open" if c.is_open else "closed"
        if c.is_practice:
            state += " (practice)"
        rows.append(
            (
                str(c.id),
                local(c.opened_at).strftime("%Y-%m-%d %H:%M"),
                state,
                c.company_name,
                c.platform_name or c.platform_key or "-",
                c.outcome or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _export(store: CallStore, args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.core.store import export_call

    text = export_call(store, args.call_id, args.format)
    if args.output is None:
        print(text, end="")
        return EXIT_OK
    target = Path(args.output)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        _say(f"Could not write {target}: {exc.strerror or exc}.")
        return EXIT_OUTPUT
    _say(f"call {args.call_id} exported to {target}")
    return EXIT_OK


def _filters(args: argparse.Namespace) -> StatsFilter:
    from datetime import datetime, timedelta

    from desktop.core.stats import StatsFilter

    until = args.until
    if until is not None:  # the whole of that day: up to the next local midnight
        end = datetime.fromtimestamp(until).astimezone() + timedelta(days=1)
        until = end.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    return StatsFilter(
        since=args.since,
        until=until,
        platform=args.platform,
        agent=args.agent,
        practice=args.practice,
    )


def _stats(store: CallStore | None, args: argparse.Namespace) -> int:
    from desktop.core.stats import compute_report

    filters = _filters(args)
    if store is None:  # nothing saved yet: the same report, with zeroes
        from desktop.core.stats import empty_report

        report = empty_report(filters)
    else:
        report = compute_report(store, filters)
    _print_report(report, args)
    return EXIT_OK


def _print_report(report: Report, args: argparse.Namespace) -> None:
    import json

    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif args.csv:
        print(report.to_csv(), end="")
    else:
        from desktop.core.stats.text import report_text

        print(report_text(report), end="")


def _hub_credential() -> str | None:
    """The team hub's credential from the keyring; a keyring that cannot be read is said in one
    line and the hub is tried without one (a hub that needs one then refuses, and that is said)."""
    from desktop.core.live.credentials import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE
    from desktop.core.secrets import NoKeyring, SecretStore, SecretStoreError

    try:
        return SecretStore(HUB_SECRET_SERVICE).read(HUB_SECRET_ACCOUNT)
    except NoKeyring:
        return None  # nothing can have been saved: a NATS without credentials
    except SecretStoreError as exc:
        _say(f"{exc} The team hub is tried without the credential.")
        return None


def _team_stats(args: argparse.Namespace) -> int:
    """The team's report: read what is new on the stream, then report over the team file."""
    import asyncio

    from desktop.core.live.credentials import connect_options
    from desktop.core.live.hub_url import HUB_URL_REFUSED, RefusedHubUrl, check_hub_url
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings
    from desktop.core.stats.team import compute_team_report
    from desktop.core.store import CallStore
    from desktop.core.team.connection import TeamHubUnreachable
    from desktop.core.team.local_file import TeamFile, team_file_path
    from desktop.core.team.reader import read_team_calls

    paths = default_paths().ensure()
    settings = Settings.load(paths)
    url = str(settings.get("hub_url") or "").strip()
    tls_ca = str(settings.get("hub_tls_ca") or "").strip() or None
    if not url:
        _say(
            "No team hub is configured, so there are no team calls to report. Set the hub's "
            "URL in Settings → Team hub (nats://…), or leave out --team for this computer's calls."
        )
        return exits.NO_TEAM_HUB
    team_file = team_file_path(paths.data)
    try:
        # Each failure below is one line in the status bar's words (never the URL, which may
        # hold a secret), and the team calls read before are reported (exit 0, as --help says).
        try:
            url = check_hub_url(url)
        except RefusedHubUrl as exc:
            raise TeamHubUnreachable("hub URL refused", HUB_URL_REFUSED) from exc
        credential = _hub_credential()
        try:
            options = connect_options(credential, tls_ca)
        except OSError as exc:  # gone or not PEM
            problem = f"the team hub's CA file cannot be read: {tls_ca}"
            raise TeamHubUnreachable("CA file", problem) from exc
        read = asyncio.run(read_team_calls(url, team_file, options=options))
        if read.skipped:
            _say(f"{read.skipped} message(s) on the team stream were not call summaries: skipped.")
    except TeamHubUnreachable as exc:
        problem = exc.problem
        _say(f"{problem[0].upper()}{problem[1:]}; reporting the team calls read before.")
        TeamFile(team_file).close()
    with CallStore(team_file, read_only=True) as store:
        report = compute_team_report(store, _filters(args))
    _print_report(report, args)
    return EXIT_OK
