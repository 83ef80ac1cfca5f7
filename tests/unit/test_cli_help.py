"""Every command's and action's ``--help``: its parser exits 1 on a usage error, lists its exit
codes from ``desktop.commands.exits``, and says what each option is for."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from desktop.cli import build_parser
from desktop.commands import exits


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every command's and action's parser under it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases: each parser once
                yield from _parsers(sub)


COMMAND_PARSERS = [p for p in _parsers(build_parser()) if p.prog != "linkdesk"]


def _help_of(prog: str) -> str:
    return next(p for p in COMMAND_PARSERS if p.prog == prog).format_help()


@pytest.mark.parametrize("parser", COMMAND_PARSERS, ids=lambda p: p.prog)
def test_a_usage_error_exits_unusable_input(parser: argparse.ArgumentParser) -> None:
    assert isinstance(parser, exits.Parser)
    with pytest.raises(SystemExit) as ended:
        parser.parse_args(["--no-such-option"])
    assert ended.value.code == exits.INPUT


@pytest.mark.parametrize("parser", COMMAND_PARSERS, ids=lambda p: p.prog)
def test_help_lists_exit_codes_and_a_description(parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert parser.description, parser.prog
    assert "exit codes (the same cause has the same code in every linkdesk command):" in text
    assert f"   {exits.OK}  done" in text
    assert f"   {exits.INPUT}  unusable input" in text


@pytest.mark.parametrize("parser", COMMAND_PARSERS, ids=lambda p: p.prog)
def test_every_option_says_what_it_is_for(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):  # each action's line has the help
            for choice in action._choices_actions:
                assert choice.help, (parser.prog, choice.dest)
        else:
            assert action.help and action.help != argparse.SUPPRESS, (parser.prog, action.dest)


def test_hub_register_lists_what_codat_and_a_missing_key_end_it_with() -> None:
    text = _help_of("linkdesk hub register")
    for code in (exits.AUTH, exits.NOT_FOUND, exits.API, exits.UNREACHABLE, exits.OUTPUT):
        assert f"\n  {code:>2}  " in text, code
    assert f"\n  {exits.NATS_REFUSED}  " not in text  # the hub's own, not register's


def test_hub_lists_its_own_codes_and_register_s() -> None:
    text = _help_of("linkdesk hub")
    for code in (exits.AUTH, exits.NATS_REFUSED, exits.HUB_START, exits.UNREACHABLE):
        assert f"\n  {code:>2}  " in text, code
    assert "from hub register only" in text


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--webhook-secret-file", ("mode 600", "$LINKDESK_HUB_WEBHOOK_SECRET")),
        ("--stream-max-age", ("days", "default 7")),
        ("--stream-max-bytes", ("bytes", "default 1073741824")),
        ("--tolerance", ("seconds", "default 300")),
    ],
)
def test_hub_options_give_units_and_defaults(option: str, words: tuple[str, ...]) -> None:
    hub = next(p for p in COMMAND_PARSERS if p.prog == "linkdesk hub")
    action = next(a for a in hub._actions if option in a.option_strings)
    for word in words:
        assert word in str(action.help), (option, word)


def test_a_description_is_filled_and_the_exit_codes_keep_their_lines() -> None:
    text = _help_of("linkdesk guides")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "\n   0  done" in text and "\n   1  unusable input" in text


def test_sandbox_help_names_the_demo_key_and_the_quota() -> None:
    text = " ".join(_help_of("linkdesk sandbox").split())
    assert "linkdesk-sandbox" in text
    assert "--daily-quota N" in text and "429" in text
