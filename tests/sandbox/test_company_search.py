"""Company search keeps every character Codat accepts in a name (issue 13 §3, input 4).

Names are drawn from Codat's own rule for company names (``^[A-Za-z0-9\\s\\-',&@.,?!\\s]+$``, the
create-company description in Codat's spec), created in the sandbox, and each is found by typing
it, through the same ``find_companies`` the Call and Companies pages use.
"""

from __future__ import annotations

import asyncio
import string

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.codat.client import CodatClient
from desktop.core.companies import find_companies, search_query
from desktop.sandbox.server import SandboxServer
from tests.sandbox.conftest import API_KEY, new_company

CODAT_NAME_CHARACTERS = string.ascii_letters + string.digits + " -',&@.?!"


async def _find(base: str, typed: str) -> list[str]:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        client = CodatClient(http, base, API_KEY)
        page = await find_companies(client, typed, page=1, page_size=100)
    return [c.name for c in page.results]


def test_input_4_o_brien_and_sons_is_found_by_its_name(
    sandbox: SandboxServer, api: httpx.Client
) -> None:
    new_company(api, "Someone Else Ltd")
    created = new_company(api, "O'Brien & Sons, Inc.")
    assert search_query("O'Brien & Sons, Inc.") == "name~O'Brien & Sons, Inc."
    assert asyncio.run(_find(sandbox.base_url, "O'Brien & Sons, Inc.")) == [created["name"]]
    assert asyncio.run(_find(sandbox.base_url, "brien &")) == [created["name"]]


def test_a_name_holding_codats_and_operator_is_still_found(
    sandbox: SandboxServer, api: httpx.Client
) -> None:
    new_company(api, "Sons && Brien")  # holds both pieces, not the whole text
    created = new_company(api, "Brien && Sons")
    assert search_query("Brien && Sons") == "name~Brien&&name~Sons"
    assert asyncio.run(_find(sandbox.base_url, "Brien && Sons")) == [created["name"]]


names = st.text(alphabet=CODAT_NAME_CHARACTERS, min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=names)
def test_every_name_codat_accepts_is_found_by_typing_it(
    sandbox: SandboxServer, api: httpx.Client, name: str
) -> None:
    created = new_company(api, name)
    found = asyncio.run(_find(sandbox.base_url, name))
    assert created["name"] in found, (name, search_query(name), found)
