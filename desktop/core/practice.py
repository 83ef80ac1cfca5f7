"""Practice calls for trainers: a company on the embedded sandbox with a scripted customer.

This talks to the sandbox's own control API over HTTP (never by importing it), so the same code
would drive a sandbox run elsewhere with `linkdesk sandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


def control_headers(api_key: str) -> dict[str, str]:
    """The sandbox's control API takes its API key as Codat's paths do: Basic base64(key)."""
    import base64

    return {"Authorization": "Basic " + base64.b64encode(api_key.encode("utf-8")).decode("ascii")}


async def list_scenarios(
    http: httpx.AsyncClient, sandbox_base: str, api_key: str
) -> list[Scenario]:
    response = await http.get(
        f"{sandbox_base}/_sandbox/scenarios", headers=control_headers(api_key)
    )
    if response.status_code != 200:
        raise PracticeError(f"The sandbox did not list its scenarios ({response.status_code}).")
    return scenarios_from_json(response.json())


def scenario_spec(scenario: Scenario, platform_key: str | None = None) -> str:
    """The scenario as the sandbox takes it, and as a practice call records it: ``name[:platform]``."""
    if platform_key and scenario.takes_platform:
        return f"{scenario.name}:{platform_key}"
    return scenario.name


# Words of the scenarios' names that are not plain lower-case words.
_PROPER = {"netsuite": "NetSuite", "tba": "TBA", "xero": "Xero", "qbo": "QBO"}


def practice_company_name(scenario: Scenario, began_at: datetime | None = None) -> str:
    """The practice company's name, as the call list shows it: ``Practice 14.05.09 - NetSuite
    no TBA`` from ``netsuite-no-tba``. The local time it began (``began_at``, now by default)
    comes first, so that two practice calls of one scenario can be told apart where a narrow list
    cuts the name short. Only characters Codat keeps in a company name (letters, digits, spaces
    and ``-',&@.?!``; ``desktop.core.codat.names``)."""
    words = scenario.name.replace("-", " ").split()
    shown = " ".join(_PROPER.get(w, w) for w in words)
    shown = shown[:1].upper() + shown[1:]
    began = (began_at or datetime.now()).strftime("%H.%M.%S")
    return f"Practice {began} - {shown}"


async def start_practice(
    client: CodatClient,
    http: httpx.AsyncClient,
    sandbox_base: str,
    scenario: Scenario,
    platform_key: str | None = None,
    *,
    api_key: str,
) -> Company:
    """Create the practice company and put its simulated customer on autopilot."""
    company = await client.create_company(practice_company_name(scenario))
    spec = scenario_spec(scenario, platform_key)
    response = await http.post(
        f"{sandbox_base}/_sandbox/companies/{company.id}/scenario",
        json={"scenario": spec},
        headers=control_headers(api_key),
    )
    if response.status_code != 200:
        detail = response.json().get("error", "") if response.content else ""
        raise PracticeError(f"The sandbox refused the scenario {spec!r}: {detail}")
    return company
