"""The command line builds only the parser of the command it names, and parses as the full one does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.cli import build_parser, command_named


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], "gui"),
        (["--smoke"], "gui"),
        (["--profile", "link"], "gui"),  # a profile that happens to be called "link"
        (["--prof", "track", "link", "Harbour Bakery"], "link"),  # an abbreviated option
        (["--api-base=http://127.0.0.1:9", "calls", "list"], "calls"),
        (["--api-base", "http://127.0.0.1:9", "doctor"], "doctor"),
        (["guides", "--help"], "guides"),
        (["--help"], None),
        (["--version"], "gui"),
        (["no-such-command"], None),
    ],
)
def test_the_command_named(argv: list[str], command: str | None) -> None:
    assert command_named(argv) == command


@pytest.mark.parametrize(
    "argv",
    [
        ["gui", "--sandbox"],
        ["--profile", "link", "gui", "--smoke"],
        ["--prof", "track", "link", "Harbour Bakery", "--platform", "gbol"],
        ["--api-base", "http://127.0.0.1:9", "track", "c0ffee", "--until", "linked"],
        ["guides", "list"],
        ["calls", "export", "3", "--format", "text"],
        ["doctor"],
    ],
)
def test_only_its_parser_parses_as_the_full_one(argv: list[str]) -> None:
    assert build_parser(command_named(argv)).parse_args(argv) == build_parser().parse_args(argv)


def test_a_start_imports_no_other_command() -> None:
    code = (
        "import sys\n"
        "from desktop.cli import build_parser, command_named\n"
        "build_parser(command_named(['--profile', 'link', 'gui', '--smoke']))\n"
        "print(sorted(m for m in sys.modules if m.startswith('desktop.commands.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # exits: the exit codes every command shares (a few constants, no imports).
    assert out.stdout.strip() == "['desktop.commands.exits', 'desktop.commands.gui']"
