"""``linkdesk track`` when Codat's quota is spent: it says so, holds (bounded), and asks no more."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop.sandbox.server import SandboxServer

KEY = "linkdesk-sandbox"


@pytest.fixture
def spent_sandbox() -> Iterator[SandboxServer]:
    # Two requests a day: creating the company and the tracker's first look spend it all.
    with SandboxServer(api_key=KEY, speed=20.0, faults="quota=2") as server:
        yield server


def test_track_says_the_quota_is_spent_and_when_it_looks_again(
    spent_sandbox: SandboxServer, linkdesk_home: Path
) -> None:
    token = base64.b64encode(KEY.encode()).decode()
    with httpx.Client(
        base_url=spent_sandbox.base_url,
        trust_env=False,
        headers={"Authorization": f"Basic {token}"},
    ) as api:
        created = api.post("/companies", json={"name": "Quota Test"})
        created.raise_for_status()
        company = str(created.json()["id"])
    env = dict(os.environ, LINKDESK_API_KEY=KEY, LINKDESK_HOME=str(linkdesk_home))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "--api-base",
            spent_sandbox.base_url,
            "track",
            company,
            "--timeout",
            "4",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 4, proc.stderr  # timed out waiting, never crashed or spun
    assert "Codat's request quota is used up for now; next check in" in proc.stderr
    # The wait is bounded: never the hours to Codat's midnight reset.
    said = next(line for line in proc.stderr.splitlines() if "quota is used up" in line)
    assert " h" not in said.split("next check in", 1)[1].split(".")[0]
