"""Helpers shared by the tracker benchmarks: a Codat client and a control client on the sandbox."""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from desktop.core.codat import CodatClient
from desktop.sandbox.server import control_headers

API_KEY = "linkdesk-bench"


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
