"""Fault injection and the daily quota: each kind, reproducibility, and what it never touches."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from desktop.sandbox.faults import FaultConfig, parse_spec
from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import START, FakeClock, auth_header, client_for, new_company


def _set_faults(server: SandboxServer, **body: object) -> dict[str, object]:
    response = httpx.put(
        f"{server.base_url}/_sandbox/faults", json=body, headers=auth_header(), trust_env=False
    )
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def test_spec_syntax() -> None:
    config = parse_spec("5xx=0.1,429=0.05,timeout=0.05,drop=0.05,malformed=0.05,latency=0.2")
    assert config.rates == {
        "5xx": 0.1,
        "429": 0.05,
        "timeout": 0.05,
        "drop": 0.05,
        "malformed": 0.05,
    }
    assert config.latency == 0.2 and config.timeout_hold == 30.0
    assert parse_spec(config.spec()) == config
    assert parse_spec("timeout_hold=2, retry_after=5 ,quota=10").quota == 10
    assert parse_spec("") == FaultConfig()
    for bad in ("5xx=2", "boom=0.1", "5xx", "latency=-1", "5xx=0.6,429=0.6", "quota=x"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_faults_from_options_and_control_api(make_sandbox: Callable[..., SandboxServer]) -> None:
    server = make_sandbox(faults="429=0.25,latency=0.01", seed=9)
    current = httpx.get(
        f"{server.base_url}/_sandbox/faults", headers=auth_header(), trust_env=False
    ).json()
    assert current["429"] == 0.25 and current["latency"] == 0.01 and current["seed"] == 9
    changed = _set_faults(server, spec="5xx=0.5", drop=0.1)
    assert changed["5xx"] == 0.5 and changed["drop"] == 0.1 and changed["429"] == 0.25
    reset = _set_faults(server, reset=True)
    assert reset["spec"] == ""
    refused = httpx.put(
        f"{server.base_url}/_sandbox/faults",
        json={"spec": "5xx=7"},
        headers=auth_header(),
        trust_env=False,
    )
    assert refused.status_code == 400 and "5xx" in refused.json()["error"]


def test_5xx(sandbox: SandboxServer, api: httpx.Client) -> None:
    _set_faults(sandbox, spec="5xx=1")
    codes = set()
    for _ in range(20):
        response = api.get("/companies")
        codes.add(response.status_code)
        assert response.json()["statusCode"] == response.status_code
        assert "X-Rate-Limit-Remaining" in response.headers
    assert codes == {500, 503}


def test_429_with_retry_after(sandbox: SandboxServer, api: httpx.Client) -> None:
    _set_faults(sandbox, spec="429=1,retry_after=7")
    response = api.get("/integrations")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"].startswith("You have made too many requests")


def test_timeout_holds_the_request(sandbox: SandboxServer) -> None:
    _set_faults(sandbox, spec="timeout=1,timeout_hold=1.5")
    with client_for(sandbox) as impatient:
        impatient.timeout = httpx.Timeout(0.2)
        with pytest.raises(httpx.ReadTimeout):
            impatient.get("/companies")
    with client_for(sandbox) as patient:
        assert patient.get("/companies").status_code == 200  # held, then answered


def test_drop_closes_mid_answer(sandbox: SandboxServer, api: httpx.Client) -> None:
    _set_faults(sandbox, spec="drop=1")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/companies")


def test_malformed_body(sandbox: SandboxServer) -> None:
    _set_faults(sandbox, spec="malformed=1")
    with httpx.Client(base_url=sandbox.base_url, headers=auth_header(), trust_env=False) as raw:
        response = raw.get("/integrations")
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
        empty = raw.post("/companies", json={"name": "x"})
        assert empty.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(empty.content)


def test_latency_delays_every_api_answer(sandbox: SandboxServer) -> None:
    _set_faults(sandbox, spec="latency=1.5")
    with client_for(sandbox) as api:
        api.timeout = httpx.Timeout(0.2)
        with pytest.raises(httpx.ReadTimeout):
            api.get("/profile")


def test_faults_never_touch_control_or_link(sandbox: SandboxServer, api: httpx.Client) -> None:
    company = new_company(api)
    _set_faults(sandbox, spec="5xx=0.5,drop=0.5")
    with httpx.Client(base_url=sandbox.base_url, trust_env=False) as plain:
        for _ in range(10):
            assert plain.get("/_sandbox/events", headers=auth_header()).status_code == 200
            assert plain.get(f"/link/company/{company['id']}").status_code == 200
            assert plain.get("/_sandbox/logos/gbol.svg").status_code == 200


def _statuses(server: SandboxServer, count: int) -> list[int]:
    with httpx.Client(base_url=server.base_url, headers=auth_header(), trust_env=False) as raw:
        return [raw.get("/profile").status_code for _ in range(count)]


def test_faults_are_reproducible_with_a_seed(make_sandbox: Callable[..., SandboxServer]) -> None:
    spec = "5xx=0.3,429=0.3"
    first = _statuses(make_sandbox(faults=spec, seed=42), 40)
    second = _statuses(make_sandbox(faults=spec, seed=42), 40)
    other = _statuses(make_sandbox(faults=spec, seed=7), 40)
    assert first == second
    assert first != other
    assert {200, 429} <= set(first) and set(first) & {500, 503}
    server = make_sandbox(faults=spec, seed=42)
    _statuses(server, 5)
    _set_faults(server, seed=42)  # re-seeding starts the same sequence again
    assert _statuses(server, 40) == first


def test_daily_quota_gives_429_until_midnight(
    make_sandbox: Callable[..., SandboxServer], clock: FakeClock
) -> None:
    server = make_sandbox(daily_quota=3)
    with client_for(server) as api:
        remaining = [api.get("/profile").headers["X-Rate-Limit-Remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        refused = api.get("/companies")
        assert refused.status_code == 429
        midnight = START - START % 86400 + 86400
        assert refused.headers["Retry-After"] == str(int(midnight - clock.now))
        assert refused.headers["X-Rate-Limit-Limit"] == "3"
        assert refused.headers["X-Rate-Limit-Remaining"] == "0"
        clock.now = midnight + 1
        assert api.get("/companies").status_code == 200


def test_quota_can_be_set_at_run_time(sandbox: SandboxServer, api: httpx.Client) -> None:
    assert api.get("/profile").status_code == 200
    _set_faults(sandbox, quota=1)
    assert api.get("/profile").status_code == 429  # the call before spent it
    _set_faults(sandbox, quota=None)
    assert api.get("/profile").status_code == 200
