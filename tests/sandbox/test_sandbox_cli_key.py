"""``linkdesk sandbox`` takes its key from the environment too, and never prints a key it is given;
it prints its fixed demo key, no secret, so that a user can paste it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from desktop.sandbox.server import DEFAULT_API_KEY
from tests.sandbox.conftest import auth_header

REPO = Path(__file__).resolve().parents[2]
SECRET = "sbx-Very-Secret-4242-key"


def _serve(tmp_path: Path, env_key: str | None, *args: str) -> tuple[int, str, str]:
    """Start it, check which key it wants, stop it: (exit code, first line, all of stderr)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("LINKDESK_SANDBOX_API_KEY", None)
    if env_key is not None:
        env["LINKDESK_SANDBOX_API_KEY"] = env_key
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", "sandbox", "--port", "0", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        with httpx.Client(base_url=url, trust_env=False) as client:
            wanted = SECRET if (env_key or args) else DEFAULT_API_KEY
            assert client.get("/profile", headers=auth_header(wanted)).status_code == 200
            assert client.get("/profile", headers=auth_header("guess")).status_code == 401
            info = client.get("/_sandbox/info", headers=auth_header(wanted))
            assert info.status_code == 200
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        proc.stdout.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, url, errors.read_text()


@pytest.mark.parametrize(
    ("env_key", "args", "said"),
    [
        (SECRET, (), "the one in $LINKDESK_SANDBOX_API_KEY"),
        (None, ("--api-key", SECRET), "the one given with --api-key"),
        (None, (), f"API key: {DEFAULT_API_KEY} (the sandbox's fixed demo key)"),
    ],
)
def test_the_key_comes_from_the_environment_or_the_option_and_is_never_printed(
    tmp_path: Path, env_key: str | None, args: tuple[str, ...], said: str
) -> None:
    code, url, stderr = _serve(tmp_path, env_key, *args)
    assert code == 0
    assert url.startswith("http://127.0.0.1:")
    assert said in stderr
    assert SECRET not in stderr and SECRET not in url
    if env_key or args:
        assert DEFAULT_API_KEY not in stderr


def test_the_command_s_demo_key_is_the_sandbox_s() -> None:
    from desktop.commands.sandbox import DEFAULT_KEY

    assert DEFAULT_KEY == DEFAULT_API_KEY
