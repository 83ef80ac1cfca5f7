"""The Settings dialog's "Test connection": one cheap authenticated call, answered in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


async def test_connection(
    http: httpx.AsyncClient, base_url: str, api_key: str, *, allow_insecure_http: bool = False
) -> tuple[bool, str]:
    """(reached, what to tell the agent); an http:// base off this computer is refused unsent."""
    from desktop.core.codat import CodatClient, CodatError

    if not base_url:
        return False, "Enter the API base URL first."
    try:
        client = CodatClient(http, base_url, api_key, allow_insecure_http=allow_insecure_http)
        profile = await client.get_profile()
    except CodatError as exc:
        return False, exc.plain_message
    return True, f"Connected to Codat as “{profile.name}”."
