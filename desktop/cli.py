"""The command line: ``linkdesk [global options] [command]``.

Each command lives in ``desktop/commands/<name>.py`` with ``register(subparsers)`` and ``run(args)``.
Command modules import only argparse at module level, so ``--help`` and the GUI start stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktop import __version__
from desktop.commands.exits import Parser
from desktop.core.settings import CODAT_API_BASE

# Order is the order in --help. Add a command here only when it works.
COMMANDS: tuple[str, ...] = ("gui", "link", "guides", "sandbox", "track", "calls", "hub", "doctor")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with ``only`` that one (see ``command_named``)."""
    # Parser: a usage error exits 1 (unusable input) in every command and action, as documented.
    parser = Parser(
        prog="linkdesk",
        description="LinkDesk: follow a customer's Codat connection step by step.",
    )
    parser.add_argument("--version", action="version", version=f"LinkDesk {__version__}")
    parser.add_argument(
        "--api-base",
        metavar="URL",
        default=None,
        help=f"Codat API base URL (default: the profile's setting, else {CODAT_API_BASE})",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=None,
        help="settings profile to use (default: the last used)",
    )
    parser.add_argument(
        "--insecure-http",
        action="store_true",
        help="send the API key to an http:// API base off this computer (unencrypted)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            module = importlib.import_module(f"desktop.commands.{name}")
            module.register(sub)
    return parser


def command_named(argv: Sequence[str]) -> str | None:
    """The command the line names ("gui" when it names none), so that only its parser is built:
    building all of them took 10 ms of every start. None (build them all) for ``--help`` before a
    command, or when the first word is no command (argparse then says which ones there are)."""
    takes_value = ("--api-base", "--profile")
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token.startswith("-"):
            if token in ("-h", "--help"):
                return None
            # argparse accepts any unambiguous prefix of an option ("--prof NAME").
            skip = len(token) > 2 and any(option.startswith(token) for option in takes_value)
        else:
            return token if token in COMMANDS else None
    return "gui"


def main(argv: Sequence[str] | None = None) -> int:
    from desktop.core import env_key

    env_key.withhold()  # no child process (a browser, say) inherits the key
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_named(given))
    args = parser.parse_args(given)
    if args.command is None:
        args = parser.parse_args([*given, "gui"])
    result: int = args.run(args)
    return result
