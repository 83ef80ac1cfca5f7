"""The Settings dialog's "Test connection": one cheap authenticated call, answered in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


async def test_connection(http: httpx.AsyncClient, base_url: str, api_key: str) -> tuple[bool, str]:
    from desktop.core.codat import CodatClient, CodatError

    if not base_url:
        return False, "Enter the API base URL first."
    client = CodatClient(http, base_url, api_key)
    try:
        profile = await client.get_profile()
    except CodatError as exc:
        return False, exc.plain_message
    return True, f"Connected to Codat as “{profile.name}”."
