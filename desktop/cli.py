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

# Order is the order in --help. Add a command here only when it works.
COMMANDS: tuple[str, ...] = ("gui", "link", "guides", "sandbox", "track", "calls", "doctor")
DEFAULT_API_BASE = "https://api.codat.io"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkdesk",
        description="LinkDesk: follow a customer's Codat connection step by step.",
    )
    parser.add_argument("--version", action="version", version=f"LinkDesk {__version__}")
    parser.add_argument(
        "--api-base",
        metavar="URL",
        default=None,
        help=f"Codat API base URL (default: the profile's setting, else {DEFAULT_API_BASE})",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=None,
        help="settings profile to use (default: the last used)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"desktop.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    result: int = args.run(args)
    return result
