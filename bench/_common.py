"""Helpers shared by the tracker benchmarks: a Codat client and a control client on the sandbox."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from desktop.core.codat import CodatClient
from desktop.core.journey import JourneyEvent, JourneyState, Step
from desktop.core.tracker import Tracker
from desktop.sandbox.server import control_headers

API_KEY = "linkdesk-bench"
# The changes a scripted customer makes that the tracker must observe (``customer``).
CHANGES = ("connection", "linked", "synced")


def codat(http: httpx.AsyncClient, base_url: str) -> CodatClient:
    return CodatClient(http, base_url, API_KEY)


async def act(control: httpx.AsyncClient, company_id: str, action: str, **params: Any) -> float:
    """Drive the simulated customer; returns the server's time of the change (epoch seconds)."""
    response = await control.post(
        f"/_sandbox/companies/{company_id}/journey",
        json={"action": action, **params},
        headers=control_headers(API_KEY),  # the control API needs the sandbox's key
    )
    if response.status_code != 200:
        raise RuntimeError(f"{action} for {company_id}: {response.status_code} {response.text}")
    return float(response.json()["epoch"])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def verdict(value: float, goal: float) -> str:
    return "OK" if value <= goal else "MISSED"


def row(label: str, value: str, goal: str, ok: str) -> str:
    return f"  {label:<34} {value:>12}   goal {goal:<12} {ok}"


# Variables a user's LinkDesk does not normally have, and what each changes.
_UNUSUAL_ENV = {
    "QT_QPA_PLATFORM": "Qt platform plugin forced",
    "LINKDESK_HOME": "all of LinkDesk's files under one folder",
    "LINKDESK_API_KEY": "the API key from the environment instead of the keyring",
    "PYTHON_KEYRING_BACKEND": "a keyring backend forced",
    "PYTHONPATH": "extra import paths",
    "PYTHONDONTWRITEBYTECODE": "no bytecode cache",
}


def where_it_ran(*settings: str, environ: Mapping[str, str] | None = None) -> str:
    """Lines saying what the benchmark ran on (CPUs, Python, PySide6) and what a user lacks.

    ``settings``: what the benchmark itself set that a user's LinkDesk would not, in words.
    ``environ``: the environment of the processes measured, when it is not this one's.
    """
    environ = os.environ if environ is None else environ
    try:
        import PySide6  # the package only: Qt itself is not loaded

        pyside = f"PySide6 {PySide6.__version__}"
    except ImportError:  # the tracker benchmarks do not need it
        pyside = "no PySide6"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    lines = [
        f"Ran on: {os.cpu_count()} CPUs ({usable} usable, load average {load}); "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}; {pyside}"
    ]
    unusual = [
        f"{name}={'(set)' if 'KEY' in name and 'BACKEND' not in name else environ[name]} ({effect})"
        for name, effect in _UNUSUAL_ENV.items()
        if name in environ
    ]
    lines.append("Environment a user would not have: " + ("; ".join(unusual) or "none"))
    lines.extend(f"Set by this benchmark: {text}" for text in settings)
    return "\n".join(lines)


async def customer(
    control: httpx.AsyncClient,
    tracker: Tracker,
    company_id: str,
    rng: random.Random,
    changed: dict[tuple[str, str], float],
    *,
    longest_pause: float,
) -> None:
    """A scripted customer through Link to the first sync, pausing up to ``longest_pause`` s.

    Records in ``changed`` the server time (epoch s) of each change the tracker must observe:
    ``connection``, ``linked`` and ``synced``; the agent confirms steps 1 and 3 as they happen.
    """

    async def pause() -> None:
        await asyncio.sleep(rng.uniform(0.3, longest_pause))

    await pause()
    await act(control, company_id, "open_link")
    tracker.confirm(company_id, Step.OPEN_LINK)
    await pause()
    changed[(company_id, "connection")] = await act(
        control, company_id, "select_platform", platformKey="gbol"
    )
    await pause()
    await act(control, company_id, "consent")
    tracker.confirm(company_id, Step.REVIEW_AND_START)
    await pause()
    changed[(company_id, "linked")] = await act(control, company_id, "approve")
    await pause()
    changed[(company_id, "synced")] = await act(control, company_id, "complete_sync")


async def walk_customers(
    control: httpx.AsyncClient,
    tracker: Tracker,
    companies: list[str],
    rng: random.Random,
    changed: dict[tuple[str, str], float],
    seen: dict[tuple[str, str], float],
    *,
    longest_pause: float,
    wait: float,
) -> None:
    """Every company's ``customer`` at once (each with its own generator seeded from ``rng``),
    then up to ``wait`` seconds more until the tracker has seen every change they made."""
    await asyncio.gather(
        *(
            customer(
                control,
                tracker,
                c,
                random.Random(rng.random()),
                changed,
                longest_pause=longest_pause,
            )
            for c in companies
        )
    )
    deadline = time.monotonic() + wait
    while len(seen) < len(changed) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def latencies(
    changed: dict[tuple[str, str], float], seen: dict[tuple[str, str], float]
) -> dict[str, list[float]]:
    """Per change in ``CHANGES``, seconds from the change on the server to the tracker's
    observation of it; a change never observed counts as infinity (against the goals)."""
    out: dict[str, list[float]] = {name: [] for name in CHANGES}
    for key, at in changed.items():
        out[key[1]].append(seen[key] - at if key in seen else float("inf"))
    return out


def milestone_observer(
    seen: dict[tuple[str, str], float],
) -> Callable[[str, JourneyState, tuple[JourneyEvent, ...]], None]:
    """A tracker ``on_update`` that records, per company, when each milestone was first observed.

    ``seen[(company_id, name)]`` is the journey's ``updated_at`` (epoch s) when ``connection``,
    ``linked`` or ``synced`` was first true.
    """

    def observe(company_id: str, state: JourneyState, events: tuple[JourneyEvent, ...]) -> None:
        marks = {
            "connection": state.connection_id is not None,
            "linked": state.linked,
            "synced": state.synced,
        }
        for name, reached in marks.items():
            if reached:
                seen.setdefault((company_id, name), state.updated_at)

    return observe
