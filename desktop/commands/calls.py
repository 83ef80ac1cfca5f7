"""``linkdesk calls list`` and ``linkdesk calls export ID``: the saved calls from the shell.

The database is opened read-only: these commands never change it, never upgrade it and never move
a damaged file aside, so they are safe to run while the app is open.

Exit codes are the shared ones (``desktop.commands.exits``): 0 done; 5 no call with that id;
8 the database cannot be read; 9 the output file cannot be written.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from desktop.commands import exits

if TYPE_CHECKING:
    from desktop.core.store import Call, CallStore

EXIT_OK = exits.OK
EXIT_NOT_FOUND = exits.NOT_FOUND
EXIT_DATABASE = exits.DATABASE
EXIT_OUTPUT = exits.OUTPUT
RECENT = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "calls",
        help="list saved calls or export one for the CRM",
        description="The calls LinkDesk saved on this computer.",
        epilog=exits.epilog(exits.NOT_FOUND, exits.DATABASE, exits.OUTPUT),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="calls_action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help=f"the {RECENT} most recent calls, newest first (open and closed)"
    )
    listing.add_argument("--all", action="store_true", help="every saved call, not only the recent")
    listing.add_argument("--open", action="store_true", help="only calls still open")
    listing.add_argument("--json", action="store_true", help="one JSON array of call objects")
    export = actions.add_parser("export", help="a call's timeline, problems, checklist and notes")
    export.add_argument("call_id", metavar="ID", type=int, help="the call number from `calls list`")
    export.add_argument(
        "--format", choices=("markdown", "text"), default="markdown", help="default: markdown"
    )
    export.add_argument(
        "--output", metavar="FILE", default=None, help="write to FILE instead of standard output"
    )
    p.set_defaults(run=run)


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

    try:
        store = _open_store()
    except StoreError as exc:
        _say(exc.plain_message)
        return EXIT_DATABASE
    try:
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
