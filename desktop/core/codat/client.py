"""An async client for the parts of Codat's Platform API that LinkDesk uses.

One injected ``httpx.AsyncClient`` carries every call; the caller owns it (and closes it). The
client never retries: the caller decides, from ``CodatError.retryable`` and ``retry_after``, when
to ask again, so a polling loop keeps full control of its request budget.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from desktop.core.codat.errors import CodatError, ErrorKind, parse_retry_after
from desktop.core.codat.models import (
    Company,
    Connection,
    ConnectionStatus,
    DataStatus,
    Integration,
    Page,
    Profile,
    PullOperation,
    RateLimit,
    ShapeError,
    data_statuses_from_json,
)

T = TypeVar("T")

_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError)


def _seg(value: str) -> str:
    """One path segment, escaped so an id can never reach another path."""
    return quote(value, safe="")


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def _str_or_none(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _int_or_none(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _filters(query: str | None, order_by: str | None) -> dict[str, str]:
    filters: dict[str, str] = {}
    if query is not None:
        filters["query"] = query
    if order_by is not None:
        filters["orderBy"] = order_by
    return filters


@dataclass(frozen=True)
class _Listing(Generic[T]):
    """One of Codat's paged lists: where it is, how one item reads, what an error calls it."""

    path: str
    item: Callable[[Mapping[str, Any]], T]
    resource: str


_COMPANIES = _Listing("/companies", Company.from_json, "the company list")
_INTEGRATIONS = _Listing("/integrations", Integration.from_json, "the integration list")


class CodatClient:
    """Codat's Platform API (``https://api.codat.io``), the calls LinkDesk makes.

    ``base_url`` is the API's root (Codat's, or the embedded sandbox's); ``api_key`` is sent as
    Codat asks, ``Authorization: Basic`` + base64 of the key alone. Every method raises
    ``CodatError`` on failure: ``kind`` says whether Codat answered (``HTTP``, with
    ``status_code``, Codat's ``error`` text and ``correlation_id``), did not answer in time or at
    all (``TIMEOUT``, ``CONNECT``, ``DROPPED``), or answered with a body that is not the JSON the
    spec describes (``MALFORMED``). ``last_rate_limit`` keeps the ``X-Rate-Limit-*`` headers of
    the newest answer. Source: Codat's OpenAPI spec (spec/codat/Codat-Platform.json); the
    operation of each method is named in its docstring.
    """

    def __init__(
        self, http: httpx.AsyncClient, base_url: str, api_key: str, *, timeout: float = 10.0
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        # Codat's scheme: "Basic " + base64 of the key alone (not HTTP Basic's "user:password").
        token = base64.b64encode(api_key.encode("utf-8")).decode("ascii")
        self._headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        self.timeout = timeout
        self.last_rate_limit: RateLimit | None = None
        base = urlsplit(self.base_url)
        self._origin = (base.scheme, base.netloc)

    # -- companies -------------------------------------------------------------------------

    async def list_companies(
        self,
        page: int = 1,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> Page[Company]:
        """One page of the companies (``list-companies``, GET /companies).

        ``page`` counts from 1; ``page_size`` is at most 5,000 by Codat's spec. ``query`` is Codat's
        query language (for example ``name~bakery``), ``order_by`` a field with ``-`` for descending.
        Raises ``CodatError``.
        """
        return await self._page(_COMPANIES, page, page_size, query, order_by)

    def iter_companies(
        self, page_size: int = 100, query: str | None = None, order_by: str | None = None
    ) -> AsyncIterator[Company]:
        """Every company, page after page, as they come (``list-companies``). Raises ``CodatError``."""
        return self._iter_pages(_COMPANIES, page_size, query, order_by)

    async def create_company(self, name: str, description: str | None = None) -> Company:
        """A new company named ``name`` (``create-company``, POST /companies); its ``redirect`` is
        the Link URL to send the customer. Raises ``CodatError`` (400 when Codat refuses the name).
        """
        body: dict[str, Any] = {"name": name}
        if description is not None:
            body["description"] = description
        data = await self._json("POST", "/companies", json_body=body, resource="new companies")
        return self._parse(Company.from_json, data)

    async def get_company(self, company_id: str) -> Company:
        """The company with its data connections (``get-company``). Raises ``CodatError`` (404 if
        there is no such company).
        """
        data = await self._json(
            "GET", f"/companies/{_seg(company_id)}", resource=self._company(company_id)
        )
        return self._parse(Company.from_json, data)

    async def delete_company(self, company_id: str) -> None:
        """Delete the company and its data (``delete-company``). Raises ``CodatError``."""
        await self._send(
            "DELETE", f"/companies/{_seg(company_id)}", resource=self._company(company_id)
        )

    # -- connections -----------------------------------------------------------------------

    async def list_connections(
        self,
        company_id: str,
        page: int = 1,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> Page[Connection]:
        """One page of a company's data connections (``list-connections``), each with its status
        (``PendingAuth``, ``Linked``, ``Deauthorized``, ``Unlinked``) and data connection errors.
        Raises ``CodatError``.
        """
        return await self._page(self._connections_of(company_id), page, page_size, query, order_by)

    def iter_connections(
        self,
        company_id: str,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> AsyncIterator[Connection]:
        """Every data connection of a company, page after page (``list-connections``)."""
        return self._iter_pages(self._connections_of(company_id), page_size, query, order_by)

    async def create_connection(self, company_id: str, platform_key: str) -> Connection:
        """A new data connection for ``platform_key`` (a 4-letter key such as ``gbol`` for Xero;
        ``create-connection``): the agent picks the software, the customer only signs in.
        Raises ``CodatError`` (404: no such company, or no such platform).
        """
        data = await self._json(
            "POST",
            f"/companies/{_seg(company_id)}/connections",
            json_body={"platformKey": platform_key},
            # A 404 here may mean either one; Codat's own text says which.
            resource=f"{self._company(company_id)} or the platform {platform_key!r}",
        )
        return self._parse(Connection.from_json, data)

    async def get_connection(self, company_id: str, connection_id: str) -> Connection:
        """One data connection (``get-connection``). Raises ``CodatError``."""
        data = await self._json(
            "GET",
            f"/companies/{_seg(company_id)}/connections/{_seg(connection_id)}",
            resource=self._connection(company_id, connection_id),
        )
        return self._parse(Connection.from_json, data)

    async def unlink_connection(self, company_id: str, connection_id: str) -> Connection:
        """Set a data connection's status to ``Unlinked`` (``unlink-connection``, PATCH). Raises
        ``CodatError``.
        """
        data = await self._json(
            "PATCH",
            f"/companies/{_seg(company_id)}/connections/{_seg(connection_id)}",
            json_body={"status": ConnectionStatus.UNLINKED.value},
            resource=self._connection(company_id, connection_id),
        )
        return self._parse(Connection.from_json, data)

    # -- integrations ----------------------------------------------------------------------

    async def list_integrations(
        self,
        page: int = 1,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> Page[Integration]:
        """One page of the integrations (platforms) this account offers (``list-integrations``)."""
        return await self._page(_INTEGRATIONS, page, page_size, query, order_by)

    def iter_integrations(
        self, page_size: int = 100, query: str | None = None, order_by: str | None = None
    ) -> AsyncIterator[Integration]:
        """Every integration, page after page (``list-integrations``)."""
        return self._iter_pages(_INTEGRATIONS, page_size, query, order_by)

    async def get_integration(self, key: str) -> Integration:
        """The integration with this platform key (``get-integration``). Raises ``CodatError``."""
        data = await self._json(
            "GET", f"/integrations/{_seg(key)}", resource=f"the integration {key!r}"
        )
        return self._parse(Integration.from_json, data)

    # -- data ------------------------------------------------------------------------------

    async def get_data_status(self, company_id: str) -> dict[str, DataStatus]:
        """The company's data status by data type (``get-company-data-status``): for each type,
        its ``currentStatus`` and the newest sync. Raises ``CodatError``.
        """
        data = await self._json(
            "GET",
            f"/companies/{_seg(company_id)}/dataStatus",
            resource=f"the data status of {self._company(company_id)}",
        )
        return self._parse(data_statuses_from_json, data)

    async def list_pull_operations(
        self,
        company_id: str,
        page: int = 1,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> Page[PullOperation]:
        """One page of the company's pull operations (``list-pull-operations``, the data history):
        status, progress (percent), requested and completed times, Codat's error message.
        Raises ``CodatError``.
        """
        return await self._page(self._history_of(company_id), page, page_size, query, order_by)

    def iter_pull_operations(
        self,
        company_id: str,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> AsyncIterator[PullOperation]:
        """Every pull operation of a company, page after page (``list-pull-operations``)."""
        return self._iter_pages(self._history_of(company_id), page_size, query, order_by)

    async def get_pull_operation(self, company_id: str, dataset_id: str) -> PullOperation:
        """One pull operation by its dataset id (``get-pull-operation``). Raises ``CodatError``."""
        data = await self._json(
            "GET",
            f"/companies/{_seg(company_id)}/data/history/{_seg(dataset_id)}",
            resource=f"pull operation {_short(dataset_id)} of {self._company(company_id)}",
        )
        return self._parse(PullOperation.from_json, data)

    async def refresh_all_data(self, company_id: str) -> None:
        """Ask Codat to pull every data type again (``refresh-company-data``, POST
        /companies/{companyId}/data/all). Raises ``CodatError``.
        """
        await self._send(
            "POST",
            f"/companies/{_seg(company_id)}/data/all",
            resource=f"a data refresh for {self._company(company_id)}",
        )

    async def get_profile(self) -> Profile:
        """The account's profile (``get-profile``); also a cheap check that the key works. Raises
        ``CodatError`` (401 for a key Codat does not accept).
        """
        data = await self._json("GET", "/profile", resource="the account profile")
        return self._parse(Profile.from_json, data)

    # -- plumbing --------------------------------------------------------------------------

    @staticmethod
    def _company(company_id: str) -> str:
        return f"company {_short(company_id)}"

    @staticmethod
    def _connection(company_id: str, connection_id: str) -> str:
        return f"connection {_short(connection_id)} of company {_short(company_id)}"

    @classmethod
    def _connections_of(cls, company_id: str) -> _Listing[Connection]:
        return _Listing(
            f"/companies/{_seg(company_id)}/connections",
            Connection.from_json,
            f"the connections of {cls._company(company_id)}",
        )

    @classmethod
    def _history_of(cls, company_id: str) -> _Listing[PullOperation]:
        return _Listing(
            f"/companies/{_seg(company_id)}/data/history",
            PullOperation.from_json,
            f"the pull history of {cls._company(company_id)}",
        )

    @staticmethod
    def _parse(parse: Callable[[Any], T], data: Any) -> T:
        try:
            return parse(data)
        except ShapeError as exc:
            raise CodatError(ErrorKind.MALFORMED, detail=str(exc)) from exc

    def _url(self, path_or_href: str) -> str:
        """An absolute URL for a path or a ``_links`` href; refuses to leave Codat's origin."""
        parts = urlsplit(path_or_href)
        if parts.scheme or parts.netloc:
            if (parts.scheme, parts.netloc) != self._origin:
                # Following it would send the API key to another host.
                raise CodatError(
                    ErrorKind.MALFORMED, detail=f"link to another host: {path_or_href!r}"
                )
            return path_or_href
        if not path_or_href.startswith("/"):
            path_or_href = "/" + path_or_href
        return self.base_url + path_or_href

    async def _send(
        self,
        method: str,
        path_or_href: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        resource: str | None = None,
    ) -> httpx.Response:
        url = self._url(path_or_href)
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=self._headers,
                timeout=httpx.Timeout(self.timeout),
            )
        except httpx.TimeoutException as exc:
            raise CodatError(
                ErrorKind.TIMEOUT, detail=repr(exc), timeout=self.timeout, resource=resource
            ) from exc
        except httpx.ConnectError as exc:
            raise CodatError(ErrorKind.CONNECT, detail=repr(exc), resource=resource) from exc
        except _DROPPED as exc:
            raise CodatError(ErrorKind.DROPPED, detail=repr(exc), resource=resource) from exc
        except httpx.TransportError as exc:
            # Proxy failures and unusable URLs: Codat was never reached.
            raise CodatError(ErrorKind.CONNECT, detail=repr(exc), resource=resource) from exc

        rate_limit = RateLimit.from_headers(response.headers)
        if rate_limit is not None:
            self.last_rate_limit = rate_limit
        status = response.status_code
        if status >= 400:
            raise self._http_error(response, rate_limit, resource)
        if not 200 <= status < 300:
            raise CodatError(
                ErrorKind.MALFORMED,
                status_code=status,
                detail=f"unexpected HTTP {status} from {method} {url}",
                rate_limit=rate_limit,
                resource=resource,
            )
        return response

    async def _json(
        self,
        method: str,
        path_or_href: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        resource: str | None = None,
    ) -> Any:
        response = await self._send(
            method, path_or_href, params=params, json_body=json_body, resource=resource
        )
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CodatError(
                ErrorKind.MALFORMED,
                status_code=response.status_code,
                detail=f"{method} {response.request.url}: body is not JSON ({exc})",
                rate_limit=RateLimit.from_headers(response.headers),
                resource=resource,
            ) from exc

    @staticmethod
    def _http_error(
        response: httpx.Response, rate_limit: RateLimit | None, resource: str | None
    ) -> CodatError:
        body: Mapping[str, Any] = {}
        try:
            parsed = json.loads(response.content) if response.content else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        if isinstance(parsed, Mapping):
            body = parsed
        validation = body.get("validation")
        text = _str_or_none(body, "error")
        return CodatError(
            ErrorKind.HTTP,
            # The HTTP status wins over the body's statusCode: Codat's own 402 and 503 examples
            # carry 429 and 500 in the body.
            status_code=response.status_code,
            service=_str_or_none(body, "service"),
            error=text,
            correlation_id=_str_or_none(body, "correlationId"),
            can_be_retried=_str_or_none(body, "canBeRetried"),
            validation=dict(validation) if isinstance(validation, Mapping) else None,
            detailed_error_code=_int_or_none(body, "detailedErrorCode"),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            rate_limit=rate_limit,
            resource=resource,
            # A proxy's HTML page or plain text: keep a short piece for the log.
            detail=(
                None
                if body
                else f"non-JSON error body: {response.content[:200].decode('utf-8', 'replace')!r}"
            ),
        )

    async def _page(
        self,
        listing: _Listing[T],
        page: int,
        page_size: int,
        query: str | None,
        order_by: str | None,
    ) -> Page[T]:
        params: dict[str, str | int] = {"page": page, "pageSize": page_size}
        params.update(_filters(query, order_by))
        data = await self._json("GET", listing.path, params=params, resource=listing.resource)
        return self._parse(lambda d: Page.from_json(d, listing.item), data)

    async def _iter_pages(
        self,
        listing: _Listing[T],
        page_size: int,
        query: str | None,
        order_by: str | None,
    ) -> AsyncIterator[T]:
        page = await self._page(listing, 1, page_size, query, order_by)
        extra: dict[str, str] = {"pageSize": str(page_size), **_filters(query, order_by)}
        seen = 0
        # Guards against a server whose links never end: never fetch more pages than
        # totalResults can fill, plus one.
        budget = page.total_results // max(page_size, 1) + 2
        while True:
            for result in page.results:
                yield result
            seen += len(page.results)
            budget -= 1
            if seen >= page.total_results or not page.results or budget <= 0:
                return
            href = page.next_href
            if href is None:
                # No next link although results remain: ask for the following page by number.
                page = await self._page(listing, page.page_number + 1, page_size, query, order_by)
                continue
            url = self._with_params(href, extra)
            data = await self._json("GET", url, resource=listing.resource)
            page = self._parse(lambda d: Page.from_json(d, listing.item), data)

    @staticmethod
    def _with_params(href: str, extra: Mapping[str, str]) -> str:
        """The href with our filters added where Codat's link left them out."""
        parts = urlsplit(href)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        present = {k for k, _ in pairs}
        pairs.extend((k, v) for k, v in extra.items() if k not in present)
        return urlunsplit(parts._replace(query=urlencode(pairs)))
