"""The tracker's Codat client, fetched when first asked: the embedded sandbox may not be up yet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from desktop.core.codat.client import CodatClient
from desktop.core.codat.models import (
    Company,
    Connection,
    DataStatus,
    Page,
    PullOperation,
    RateLimit,
)

_T = TypeVar("_T")


class LazyClient:
    """The tracker's client, asking the app for the real one of each company on every call.

    The app's client may not exist yet when the tracker is built (the embedded sandbox starts in
    the background); each call is followed against the API it was made with (its profile, Codat
    or the sandbox), whatever the agent uses now. ``factory(company_id)`` gives that client.
    """

    def __init__(self, factory: Callable[[str], Awaitable[CodatClient]]) -> None:
        self._factory = factory
        self.last_rate_limit: RateLimit | None = None
        self.base_url: str | None = None  # the API last asked (the tracker meters Codat only)

    async def _call(self, company_id: str, ask: Callable[[CodatClient], Awaitable[_T]]) -> _T:
        client = await self._factory(company_id)
        try:
            return await ask(client)
        finally:
            self.last_rate_limit = client.last_rate_limit
            self.base_url = client.base_url

    async def get_company(self, company_id: str) -> Company:
        return await self._call(company_id, lambda c: c.get_company(company_id))

    async def list_connections(self, company_id: str, *, page_size: int) -> Page[Connection]:
        return await self._call(
            company_id, lambda c: c.list_connections(company_id, page_size=page_size)
        )

    async def get_data_status(self, company_id: str) -> dict[str, DataStatus]:
        return await self._call(company_id, lambda c: c.get_data_status(company_id))

    async def list_pull_operations(
        self, company_id: str, *, page_size: int, order_by: str
    ) -> Page[PullOperation]:
        return await self._call(
            company_id,
            lambda c: c.list_pull_operations(company_id, page_size=page_size, order_by=order_by),
        )
