"""One exit code per cause, the same in every command, and the lines each ``--help`` shows.

Like the command modules, this imports nothing heavy: ``linkdesk --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

OK = 0
INPUT = 1  # unusable options, name, platform key or settings
AUTH = 2  # no API key, or Codat refused it (401 Unauthorized / 403 Forbidden)
JOURNEY = 3  # track --stop-on-problem: a problem needs the customer, the agent or Codat support
TIMEOUT = 4  # track --timeout passed first
NOT_FOUND = 5  # Codat answered 404 (company, connection, platform), or no such saved call
API = 6  # Codat answered with another error (5xx, 429, an answer that could not be read)
UNREACHABLE = 7  # Codat could not be reached (connection refused, timeout, cut off)
DATABASE = 8  # the saved calls cannot be read
OUTPUT = 9  # the output file cannot be written
UNSAFE_LINK = (
    10  # Codat's answer held a Link URL not to send a customer (not https, nor loopback http)
)
HOME_IN_USE = 11  # another LinkDesk holds this home (LINKDESK_HOME) and did not answer
NO_TEAM_HUB = 12  # calls stats --team: no team hub is configured (Settings → Team hub)
NATS_REFUSED = 13  # linkdesk hub: NATS refused its credentials, or NATS's TLS is not trusted
HUB_START = 14  # linkdesk hub: could not start (nats-server missing or failed, port taken)

_WORDS = {
    OK: "done (track: the --until state was reached)",
    INPUT: "unusable input (options, name, platform key, settings)",
    AUTH: "no API key, or Codat refused it (401 Unauthorized / 403 Forbidden)",
    JOURNEY: "with --stop-on-problem: the journey needs the customer, the agent or Codat support",
    TIMEOUT: "--timeout passed before the --until state was reached",
    NOT_FOUND: "not found: Codat answered 404 (company, connection or platform), or no such call",
    API: "Codat answered with another error (5xx, 429, or an answer that could not be read)",
    UNREACHABLE: "Codat could not be reached (refused, timed out, or cut off)",
    DATABASE: "the saved calls cannot be read",
    OUTPUT: "the output file cannot be written",
    UNSAFE_LINK: "the Link URL Codat sent is not https:// (nor http:// on this computer): not shown",
    HOME_IN_USE: "another LinkDesk holds this home and did not answer (see the message)",
    NO_TEAM_HUB: "--team: no team hub is configured (Settings → Team hub → its URL)",
    NATS_REFUSED: "NATS refused the hub's credentials, or its TLS certificate is not trusted",
    HUB_START: "the hub could not start (nats-server missing or failed, or the port is taken)",
}


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a usage error (an unknown option, a missing argument, a value its
    ``type`` refuses) exits INPUT, not argparse's 2, which here means "no API key".

    ``add_subparsers`` makes its parsers of the parent's class, so the top-level parser of
    ``desktop.cli`` being one makes every command's and action's parser one too.
    """

    def error(self, message: str) -> NoReturn:
        # argparse's own message and usage line, with the exit code of unusable input.
        self.print_usage(sys.stderr)
        self.exit(INPUT, f"{self.prog}: error: {message}\n")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Fills a one-paragraph description to the terminal's width, as argparse does; keeps the
    lines of a text laid out by hand (an epilog: the exit codes and the like) as they are."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text.strip():
            return argparse.HelpFormatter._fill_text(self, text, width, indent)
        return super()._fill_text(text, width, indent)


def epilog(*codes: int, extra: str = "") -> str:
    """The ``exit codes:`` block for a command's ``--help`` (argparse.RawDescriptionHelpFormatter).

    0 and 1 are always listed: every command can be given unusable options. The codes come in
    ascending order, each once.
    """
    lines = ["exit codes (the same cause has the same code in every linkdesk command):"]
    lines += [f"  {code:>2}  {_WORDS[code]}" for code in sorted({OK, INPUT, *codes})]
    text = "\n".join(lines) + "\nEvery non-zero exit says why on stderr."
    return f"{text}\n{extra}" if extra else text


def for_codat_error(error: object) -> int:
    """The exit code for a ``CodatError`` (duck-typed: ``kind`` and ``status_code``)."""
    kind = str(getattr(error, "kind", ""))
    status = getattr(error, "status_code", None)
    if kind in ("timeout", "connect", "dropped"):
        return UNREACHABLE
    if status in (401, 403):
        return AUTH
    if status == 404:
        return NOT_FOUND
    return API
