"""Practice calls for trainers: a company on the embedded sandbox with a scripted customer.

This talks to the sandbox's own control API over HTTP (never by importing it), so the same code
would drive a sandbox run elsewhere with `linkdesk sandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from desktop.core.codat.client import CodatClient
    from desktop.core.codat.models import Company


class PracticeError(Exception):
    pass


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    platform_key: str
    takes_platform: bool


def scenarios_from_json(data: Any) -> list[Scenario]:
    """The scenarios in the answer of the sandbox's ``/_sandbox/scenarios``."""
    items = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise PracticeError("The sandbox answered without a list of scenarios.")
    return [
        Scenario(
            str(item["name"]),
            str(item.get("summary", "")),
            str(item.get("platformKey", "mqjo")),
            bool(item.get("takesPlatform", False)),
        )
        for item in items
        if isinstance(item, dict) and "name" in item
    ]


async def list_scenarios(http: httpx.AsyncClient, sandbox_base: str) -> list[Scenario]:
    response = await http.get(f"{sandbox_base}/_sandbox/scenarios")
    if response.status_code != 200:
        raise PracticeError(f"The sandbox did not list its scenarios ({response.status_code}).")
    return scenarios_from_json(response.json())


def scenario_spec(scenario: Scenario, platform_key: str | None = None) -> str:
    """The scenario as the sandbox takes it, and as a practice call records it: ``name[:platform]``."""
    if platform_key and scenario.takes_platform:
        return f"{scenario.name}:{platform_key}"
    return scenario.name


async def start_practice(
    client: CodatClient,
    http: httpx.AsyncClient,
    sandbox_base: str,
    scenario: Scenario,
    platform_key: str | None = None,
) -> Company:
    """Create the practice company and put its simulated customer on autopilot."""
    company = await client.create_company(f"Practice {scenario.name.replace('-', ' ')}")
    spec = scenario_spec(scenario, platform_key)
    response = await http.post(
        f"{sandbox_base}/_sandbox/companies/{company.id}/scenario", json={"scenario": spec}
    )
    if response.status_code != 200:
        detail = response.json().get("error", "") if response.content else ""
        raise PracticeError(f"The sandbox refused the scenario {spec!r}: {detail}")
    return company
