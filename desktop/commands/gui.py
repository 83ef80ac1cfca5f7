"""``linkdesk gui``: the desktop app."""

from __future__ import annotations

import argparse

from desktop.commands import exits


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gui",
        help="open the desktop app (the default)",
        description="Open the desktop app. One LinkDesk uses a home (LINKDESK_HOME) at a time: "
        "a second start brings the open window to the front and exits 0.",
        epilog=exits.epilog(
            exits.INPUT,
            exits.HOME_IN_USE,
            extra="(0 also when the open window was brought to the front)",
        ),
        formatter_class=exits.HelpFormatter,
    )
    p.add_argument(
        "--sandbox",
        action="store_true",
        help="use the embedded Codat sandbox even if an API key is set",
    )
    p.add_argument(
        "--smoke", action="store_true", help="show the main window, let it paint once, exit 0"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from desktop.app.root import run_gui

    return run_gui(args)
