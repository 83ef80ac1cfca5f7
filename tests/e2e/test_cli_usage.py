"""Usage errors and a missing API key end every command with the code the README's table gives
(``desktop.commands.exits``), each in its own process as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.commands import exits
from tests.e2e.gui_process import gui_env

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=gui_env(home),
        cwd=REPO,
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["calls", "stats", "--since", "2026-13-01"], "'2026-13-01' is not a date like"),
        (["track"], "the following arguments are required: COMPANY_ID"),
        (["calls", "export", "nosuch"], "argument ID: invalid int value: 'nosuch'"),
        (["hub", "register"], "the following arguments are required: --public-url"),
        (["guides"], "the following arguments are required: ACTION"),
        (["link", "Acme", "--no-such-option"], "unrecognized arguments: --no-such-option"),
        (["no-such-command"], "invalid choice: 'no-such-command'"),
        (["sandbox", "--port", "many"], "argument --port: invalid int value: 'many'"),
        (["guides", "check", "--max-age-days", "0"], "--max-age-days must be at least 1"),
        (["sandbox", "--speed", "0"], "--speed must be positive"),
        (["track", "co-1", "--hub", "nats://agent:pa55@hub:4222"], "must not hold a user"),
        (["track", "co-1", "--hub", "https://hub"], "must start with nats:// or tls://"),
        (["hub", "--nats", ","], "no NATS server in it"),
    ],
)
def test_a_usage_error_is_unusable_input(argv: list[str], said: str, linkdesk_home: Path) -> None:
    out = _run(*argv, home=linkdesk_home)
    assert out.returncode == exits.INPUT == 1, out.stderr
    assert said in out.stderr
    assert out.stdout == ""
    assert "pa55" not in out.stderr  # a credential typed in a URL is never repeated


def test_argparse_errors_keep_its_usage_line(linkdesk_home: Path) -> None:
    out = _run("calls", "stats", "--since", "2026-13-01", home=linkdesk_home)
    assert out.stderr.startswith("usage: linkdesk calls stats ")
    assert "linkdesk calls stats: error: argument --since: " in out.stderr


def test_hub_register_without_a_key_is_no_key_as_in_link(linkdesk_home: Path) -> None:
    # Nothing listens at the API base: the command must stop before asking Codat anything.
    base = ("--api-base", "http://127.0.0.1:9")
    register = _run(
        *base, "hub", "register", "--public-url", "https://hub.example.com", home=linkdesk_home
    )
    link = _run(*base, "link", "Acme Ltd", home=linkdesk_home)
    assert register.returncode == link.returncode == exits.AUTH == 2, register.stderr
    assert "No Codat API key" in register.stderr


def test_hub_register_says_why_a_secret_file_cannot_be_written(tmp_path: Path) -> None:
    from desktop.sandbox.server import DEFAULT_API_KEY, SandboxServer

    home = tmp_path / "home"
    target = tmp_path / "no-such-folder" / "secret"
    env = {**gui_env(home), "LINKDESK_API_KEY": DEFAULT_API_KEY}
    env = {k: v for k, v in env.items() if "proxy" not in k.lower()}
    with SandboxServer() as sandbox:
        out = subprocess.run(
            [sys.executable, "-m", "desktop", "--api-base", sandbox.base_url, "hub", "register",
             "--public-url", "http://127.0.0.1:9", "--sandbox-secret-file", str(target)],
            capture_output=True, text=True, timeout=60, env=env, cwd=REPO,
        )  # fmt: skip
    assert out.returncode == exits.OUTPUT == 9, out.stderr
    assert f"Could not write {target}" in out.stderr
    assert "Traceback" not in out.stderr
