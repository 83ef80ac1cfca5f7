"""Fixtures for the sandbox tests: a fake clock, a live sandbox on loopback, spec-checked clients."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from desktop.sandbox.server import SandboxServer
from tests.sandbox.spec_check import CheckedClient

API_KEY = "test-key-123"
START = 1_800_000_000.0  # 2027-01-15T08:00:00Z, far from midnight so quotas do not reset mid-test


class FakeClock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def auth_header(key: str = API_KEY) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_sandbox(clock: FakeClock) -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []

    def make(**options: Any) -> SandboxServer:
        options.setdefault("clock", clock)
        options.setdefault("api_key", API_KEY)
        server = SandboxServer(**options)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    return make_sandbox()


def client_for(server: SandboxServer, *, key: str | None = API_KEY) -> CheckedClient:
    headers = auth_header(key) if key is not None else {}
    return CheckedClient(base_url=server.base_url, headers=headers, trust_env=False, timeout=10.0)


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[CheckedClient]:
    with client_for(sandbox) as client:
        yield client


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox.base_url, headers=auth_header(), trust_env=False, timeout=10.0
    ) as client:
        yield client


class Journey:
    """Drives the control API for one company and fails the test on any unexpected answer."""

    def __init__(self, control: httpx.Client, company_id: str) -> None:
        self.control = control
        self.company_id = company_id

    def do(self, action: str, expect: int = 200, **params: Any) -> dict[str, Any]:
        response = self.control.post(
            f"/_sandbox/companies/{self.company_id}/journey", json={"action": action, **params}
        )
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        return body


def new_company(api: httpx.Client, name: str = "Acme Ltd") -> dict[str, Any]:
    response = api.post("/companies", json={"name": name})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
