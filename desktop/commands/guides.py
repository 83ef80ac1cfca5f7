"""``linkdesk guides check [PATH]`` and ``linkdesk guides list``: the guide library from the shell."""

from __future__ import annotations

import argparse

from desktop.commands import exits

_CHECK_EPILOG = exits.epilog(
    extra=f"({exits.INPUT} also: a guide file has an error, or with --strict a warning; "
    "no such file or folder.)"
)
_LIST_EPILOG = exits.epilog(extra=f"({exits.INPUT} also: a guide, built-in or team, has an error.)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "guides",
        help="check or list the platform guides",
        description="The platform guides LinkDesk shows during a call: check guide files "
        "before they are shared with the team (guides check), or list the guides with the Codat "
        "platform keys each one covers (guides list). `linkdesk guides ACTION --help` says more.",
        epilog=exits.epilog(
            extra=f"({exits.INPUT} also: check found an error, or with --strict a warning; "
            "list found a guide with an error.)"
        ),
        formatter_class=exits.HelpFormatter,
    )
    actions = p.add_subparsers(dest="guides_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="validate guide files; exit 1 on any error",
        description=(
            "Validate guide files and warn about any without 'sources' or 'checked', or checked "
            "longer ago than the team's limit (the guides_max_age_days setting)."
        ),
        epilog=_CHECK_EPILOG,
        formatter_class=exits.HelpFormatter,
    )
    check.add_argument(
        "path",
        nargs="?",
        default=None,
        help="a guide file or folder (default: the built-in guides)",
    )
    check.add_argument(
        "--max-age-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="warn about files checked longer ago than this (default: the guides_max_age_days "
        "setting)",
    )
    check.add_argument(
        "--strict", action="store_true", help="exit 1 on warnings too, not only on errors"
    )
    listing = actions.add_parser(
        "list",
        help="list the guides with their platform keys",
        description="List the guides, one a line: key, Codat platform keys, name, and (team) "
        "for those from a team folder; then any errors.",
        epilog=_LIST_EPILOG,
        formatter_class=exits.HelpFormatter,
    )
    listing.add_argument(
        "--team", metavar="DIR", default=None, help="also merge this team guides folder"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.guides_action == "check":
        return _check(args.path, args.max_age_days, args.strict)
    return _list(args.team)


def _max_age_days() -> int:
    """The team's limit from the settings file (its default when the file has none)."""
    from desktop.commands._common import say
    from desktop.core.paths import default_paths
    from desktop.core.settings import Settings

    settings = Settings.load(default_paths())
    if settings.warning:
        say("guides check", settings.warning)
    return int(settings.get("guides_max_age_days"))


def _check(path_text: str | None, max_age_days: int | None, strict: bool) -> int:
    import os
    from datetime import date
    from pathlib import Path

    from desktop.core.guides import builtin_guides_dir, guide_files, parse_file
    from desktop.core.guides.freshness import folder_warnings
    from desktop.core.guides.library import load_library

    path = Path(path_text) if path_text else builtin_guides_dir()
    if not os.path.lexists(path):
        print(f"{path}:0: no such file or folder")
        return exits.INPUT
    if max_age_days is not None and max_age_days < 1:
        from desktop.commands._common import say

        say("guides check", "--max-age-days must be at least 1")
        return exits.INPUT
    limit = max_age_days if max_age_days is not None else _max_age_days()
    files = guide_files(path)
    # A folder goes through the loader, which also catches clashes between files; anything else
    # (a file, a FIFO, a link loop) is read as one guide, which reports what is wrong with it.
    errors = load_library(path).errors if path.is_dir() else parse_file(path)[1]
    warnings = folder_warnings(files, date.today(), limit)
    for error in errors:
        print(error)
    for warning in warnings:
        print(warning)
    counted = f", {len(warnings)} warning(s)" if warnings else ""
    if errors:
        print(f"{len(errors)} error(s) in {len(files)} file(s){counted}")
        return 1
    print(f"ok: {len(files)} file(s) checked, no errors{counted}")
    return 1 if strict and warnings else 0


def _list(team: str | None) -> int:
    from pathlib import Path

    from desktop.core.guides import builtin_guides_dir, load_library

    library = load_library(builtin_guides_dir(), Path(team) if team else None)
    for guide in library.guides:
        mark = " (team)" if guide.origin == "team" else ""
        print(f"{guide.key:36} {','.join(guide.platform_keys):10} {guide.name}{mark}")
    for error in library.errors:
        print(error)
    return 1 if library.errors else 0
