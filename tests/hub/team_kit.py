"""Three simulated agents, each with a call database of hand-built calls, for the team tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nats

from desktop.core.paths import Paths, default_paths
from desktop.core.store import CallStore
from desktop.core.team.local_file import team_file_path
from desktop.core.team.publisher import TeamPublisher
from desktop.hub.publisher import keep_stream, team_stream_config
from tests.unit.stats.builders import (
    CALL_A,
    CALL_B,
    CALL_C,
    CALL_D,
    CALL_E,
    CALL_F,
    CallSpec,
    Clock,
    add_call,
)

# A name no subject token may hold as it is: dots, '*', '>', spaces, an apostrophe, non-ASCII.
CAT = "Cát O'Neil. *>"
# Cat's call: QuickBooks, steps 1-2 done (45 s and 15 s), cancelled, the customer will retry.
CALL_CAT = CallSpec(
    40_000,
    "qbo",
    CAT,
    steps=[(40_045, 1, "done"), (40_045, 2, "current"), (40_060, 2, "done")],
    problems=[(40_100, "cancelled")],
    outcome="Customer will retry",
)
AGENTS: dict[str, tuple[CallSpec, ...]] = {
    "ana": (CALL_A, CALL_B, CALL_C, CALL_E, CALL_F),  # E practice, F still open
    "ben": (CALL_D,),
    "cat": (CALL_CAT,),
}


async def make_team_stream(url: str, **options: Any) -> None:
    """The team calls' stream, made as the team hub makes it (desktops never make it)."""
    nc = await nats.connect(url, allow_reconnect=False, **options)
    try:
        await keep_stream(nc.jetstream(), team_stream_config(1), frozenset(), team=True)
    finally:
        await nc.close()


def make_team_stream_now(url: str, **options: Any) -> None:
    """``make_team_stream`` from a synchronous fixture: on a thread of its own, so no event loop
    of the test's (pytest-asyncio's, qasync's) is touched."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(make_team_stream(url, **options))
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if failed:
        raise failed[0]


@dataclass
class Agent:
    home: Path
    paths: Paths
    call_ids: list[int]

    @property
    def team_file(self) -> Path:
        return team_file_path(self.paths.data)

    def publisher(self, url: str, **options: object) -> TeamPublisher:
        return TeamPublisher(
            url,
            database=self.paths.database,
            team_file=self.team_file,
            **options,  # type: ignore[arg-type]
        )

    def finished(self) -> list[int]:
        with CallStore(self.paths.database, read_only=True) as store:
            return [i for i in self.call_ids if store.get_call(i).closed_at is not None]


def make_agent(root: Path, name: str) -> Agent:
    home = root / name
    paths = default_paths({"LINKDESK_HOME": str(home)}).ensure()
    clock = Clock()
    with CallStore(paths.database, clock=clock) as store:
        ids = [add_call(store, clock, spec) for spec in AGENTS[name]]
    return Agent(home, paths, ids)


def combined_store(path: Path) -> CallStore:
    """Every finished call of the three agents in one call database: the expected answers."""
    clock = Clock()
    store = CallStore(path, clock=clock)
    for specs in AGENTS.values():
        for spec in specs:
            if spec.closed:
                add_call(store, clock, replace(spec))
    return store


def write_settings(home: Path, **values: object) -> None:
    import json

    paths = default_paths({"LINKDESK_HOME": str(home)}).ensure()
    data = {
        "version": 2,
        "current_profile": "default",
        "global": values,
        "profiles": {"default": {}},
    }
    paths.settings_file.write_text(json.dumps(data), encoding="utf-8")


def linkdesk(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["LINKDESK_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    env.pop("LINKDESK_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
