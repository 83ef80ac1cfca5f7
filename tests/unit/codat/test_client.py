"""CodatClient against httpx.MockTransport: requests sent, answers read, every failure mapped."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from email.utils import formatdate
from typing import Any

import httpx
import pytest
import pytest_asyncio

from desktop.core.codat.client import CodatClient
from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import RateLimit
from tests.unit.codat.spec import error_example, response_example, response_examples, schema_example

BASE = "https://codat.test"
KEY = "sartANTjHAkLdbyDfaynoTQb7pkmj6hXHmnQKMrB"
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class Recorder:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        result = self.handler(request)
        if not isinstance(result, httpx.Response):
            result = await result
        return result


@pytest_asyncio.fixture
async def http() -> AsyncIterator[Callable[[Handler], tuple[CodatClient, Recorder]]]:
    clients: list[httpx.AsyncClient] = []

    def make(handler: Handler, timeout: float = 10.0) -> tuple[CodatClient, Recorder]:
        recorder = Recorder(handler)
        ac = httpx.AsyncClient(transport=httpx.MockTransport(recorder), trust_env=False)
        clients.append(ac)
        return CodatClient(ac, BASE + "/", KEY, timeout=timeout), recorder

    yield make
    for ac in clients:
        await ac.aclose()


Make = Callable[..., tuple[CodatClient, Recorder]]


def company_json(i: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{i:012d}",
        "name": f"Company {i}",
        "redirect": f"https://link.codat.io/company/{i}",
    }


# -- requests ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_auth_header_is_basic_base64_of_key_alone(http: Make) -> None:
    client, rec = http(lambda r: httpx.Response(200, json=schema_example("Profile")))
    await client.get_profile()
    expected = "Basic " + base64.b64encode(KEY.encode()).decode()
    assert rec.requests[0].headers["Authorization"] == expected
    assert ":" not in base64.b64decode(expected.split()[1]).decode()
    assert str(rec.requests[0].url) == f"{BASE}/profile"


@pytest.mark.asyncio
async def test_auth_header_for_short_key(http: Make) -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=schema_example("Profile")))
    async with httpx.AsyncClient(transport=httpx.MockTransport(rec), trust_env=False) as ac:
        await CodatClient(ac, BASE, "k").get_profile()
    assert rec.requests[0].headers["Authorization"] == "Basic aw=="


@pytest.mark.asyncio
async def test_every_call_carries_the_explicit_timeout(http: Make) -> None:
    client, rec = http(lambda r: httpx.Response(200, json=schema_example("Profile")), timeout=2.5)
    await client.get_profile()
    assert rec.requests[0].extensions["timeout"] == {
        "connect": 2.5,
        "read": 2.5,
        "write": 2.5,
        "pool": 2.5,
    }


@pytest.mark.asyncio
async def test_create_company_sends_the_name(http: Make) -> None:
    example = response_examples("/companies", "post", "200")["With no description"]
    client, rec = http(lambda r: httpx.Response(200, json=example))
    company = await client.create_company("Technicalium")
    req = rec.requests[0]
    assert req.method == "POST"
    assert req.url.path == "/companies"
    assert json.loads(req.content) == {"name": "Technicalium"}
    assert company.id == example["id"]
    assert company.redirect == example["redirect"]

    await client.create_company("Acme", description="ticket 42")
    assert json.loads(rec.requests[1].content) == {"name": "Acme", "description": "ticket 42"}


@pytest.mark.asyncio
async def test_connection_calls(http: Make) -> None:
    conn = schema_example("Connection")
    client, rec = http(lambda r: httpx.Response(200, json=conn))
    created = await client.create_connection("c1", "gbol")
    assert (rec.requests[0].method, rec.requests[0].url.path) == (
        "POST",
        "/companies/c1/connections",
    )
    assert json.loads(rec.requests[0].content) == {"platformKey": "gbol"}
    assert created.link_url == conn["linkUrl"]

    await client.get_connection("c1", "d1")
    assert (rec.requests[1].method, rec.requests[1].url.path) == (
        "GET",
        "/companies/c1/connections/d1",
    )
    await client.unlink_connection("c1", "d1")
    assert rec.requests[2].method == "PATCH"
    assert json.loads(rec.requests[2].content) == {"status": "Unlinked"}


@pytest.mark.asyncio
async def test_ids_cannot_escape_their_path_segment(http: Make) -> None:
    client, rec = http(lambda r: httpx.Response(200, json=company_json(1)))
    await client.get_company("../profile?x=1")
    assert rec.requests[0].url.raw_path == b"/companies/..%2Fprofile%3Fx%3D1"


@pytest.mark.asyncio
async def test_no_content_calls(http: Make) -> None:
    client, rec = http(lambda r: httpx.Response(204))
    await client.refresh_all_data("c1")
    await client.delete_company("c1")
    assert [(r.method, r.url.path) for r in rec.requests] == [
        ("POST", "/companies/c1/data/all"),
        ("DELETE", "/companies/c1"),
    ]


@pytest.mark.asyncio
async def test_list_params(http: Make) -> None:
    client, rec = http(
        lambda r: httpx.Response(
            200,
            json={
                "results": [schema_example("Integration")],
                "pageNumber": 2,
                "pageSize": 5,
                "totalResults": 6,
                "_links": {"self": {"href": "/integrations"}},
            },
        )
    )
    page = await client.list_integrations(
        page=2, page_size=5, query="sourceType=Accounting", order_by="name"
    )
    assert dict(rec.requests[0].url.params) == {
        "page": "2",
        "pageSize": "5",
        "query": "sourceType=Accounting",
        "orderBy": "name",
    }
    assert page.results[0].key == "gbol"
    assert page.total_results == 6


@pytest.mark.asyncio
async def test_single_object_calls(http: Make) -> None:
    responses = {
        "/integrations/gbol": schema_example("Integration"),
        "/companies/c1/data/history/p1": schema_example("PullOperation"),
        "/companies/c1/data/history": response_example(
            "/companies/{companyId}/data/history", "get", "200"
        ),
        "/companies/c1": company_json(1),
    }
    client, _ = http(lambda r: httpx.Response(200, json=responses[r.url.path]))
    assert (await client.get_integration("gbol")).name == "Xero"
    assert (await client.get_pull_operation("c1", "p1")).progress == 10
    assert (await client.list_pull_operations("c1")).results[0].data_type == "invoices"
    assert (await client.get_company("c1")).name == "Company 1"


@pytest.mark.asyncio
async def test_data_status_map(http: Make) -> None:
    example = response_example("/companies/{companyId}/dataStatus", "get", "200")
    client, rec = http(lambda r: httpx.Response(200, json=example))
    statuses = await client.get_data_status("c1")
    assert rec.requests[0].url.path == "/companies/c1/dataStatus"
    assert set(statuses) == set(example)
    assert statuses["bills"].current_status == example["bills"]["currentStatus"]


@pytest.mark.asyncio
async def test_unknown_enum_values_pass_through(http: Make) -> None:
    conn = {**schema_example("Connection"), "status": "Hibernating", "sourceType": "Payroll"}
    client, _ = http(lambda r: httpx.Response(200, json=conn))
    got = await client.get_connection("c", "d")
    assert (got.status, got.source_type) == ("Hibernating", "Payroll")


# -- paging -----------------------------------------------------------------------------------


def paged(
    items: list[dict[str, Any]], size: int, path: str = "/companies", absolute: bool = False
) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        chunk = items[(number - 1) * size : number * size]
        links: dict[str, Any] = {
            "self": {"href": path},
            "current": {"href": f"{path}?page={number}&pageSize={size}"},
        }
        if number * size < len(items):
            href = f"{path}?page={number + 1}&pageSize={size}"
            links["next"] = {"href": (BASE + href) if absolute else href}
        return httpx.Response(
            200,
            json={
                "results": chunk,
                "pageNumber": number,
                "pageSize": size,
                "totalResults": len(items),
                "_links": links,
            },
        )

    return handler


@pytest.mark.asyncio
async def test_iter_companies_follows_next_links(http: Make) -> None:
    items = [company_json(i) for i in range(5)]
    client, rec = http(paged(items, 2))
    got = [c async for c in client.iter_companies(page_size=2, query="name~Co")]
    assert [c.name for c in got] == [f"Company {i}" for i in range(5)]
    assert [r.url.params["page"] for r in rec.requests] == ["1", "2", "3"]
    # The filter is kept when Codat's next link leaves it out.
    assert all(r.url.params["query"] == "name~Co" for r in rec.requests)
    assert all(r.url.host == "codat.test" for r in rec.requests)


@pytest.mark.asyncio
async def test_iter_accepts_absolute_next_on_same_host(http: Make) -> None:
    client, rec = http(paged([company_json(i) for i in range(3)], 2, absolute=True))
    assert len([c async for c in client.iter_companies(page_size=2)]) == 3
    assert len(rec.requests) == 2


@pytest.mark.asyncio
async def test_iter_refuses_next_link_to_another_host(http: Make) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "results": [company_json(1)],
                "pageNumber": 1,
                "pageSize": 1,
                "totalResults": 2,
                "_links": {"next": {"href": "https://evil.test/companies?page=2"}},
            },
        )

    client, rec = http(handler)
    with pytest.raises(CodatError) as info:
        _ = [c async for c in client.iter_companies(page_size=1)]
    assert info.value.kind is ErrorKind.MALFORMED
    assert [r.url.host for r in rec.requests] == ["codat.test"]


@pytest.mark.asyncio
async def test_iter_stops_at_total_results_even_if_a_next_link_remains(http: Make) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "results": [company_json(1), company_json(2)],
                "pageNumber": 1,
                "pageSize": 2,
                "totalResults": 2,
                "_links": {"next": {"href": "/companies?page=2&pageSize=2"}},
            },
        )

    client, rec = http(handler)
    assert len([c async for c in client.iter_companies(page_size=2)]) == 2
    assert len(rec.requests) == 1


@pytest.mark.asyncio
async def test_iter_without_next_link_asks_for_next_page_number(http: Make) -> None:
    items = [company_json(i) for i in range(3)]

    def handler(request: httpx.Request) -> httpx.Response:
        response = paged(items, 2)(request)
        assert isinstance(response, httpx.Response)
        body = json.loads(response.content)
        body["_links"].pop("next", None)
        return httpx.Response(200, json=body)

    client, rec = http(handler)
    assert [c.name async for c in client.iter_companies(page_size=2)] == [
        "Company 0",
        "Company 1",
        "Company 2",
    ]
    assert [r.url.params["page"] for r in rec.requests] == ["1", "2"]


@pytest.mark.asyncio
async def test_iter_stops_on_an_empty_page(http: Make) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json={
                "results": [],
                "pageNumber": 1,
                "pageSize": 2,
                "totalResults": 10,
                "_links": {"next": {"href": "/companies?page=2"}},
            },
        )

    client, rec = http(handler)
    assert [c async for c in client.iter_companies(page_size=2)] == []
    assert len(rec.requests) == 1


@pytest.mark.asyncio
async def test_iter_connections_and_integrations(http: Make) -> None:
    conns = [{**schema_example("Connection"), "id": f"d{i}"} for i in range(3)]
    client, rec = http(paged(conns, 1, path="/companies/c1/connections"))
    assert [c.id async for c in client.iter_connections("c1", page_size=1)] == ["d0", "d1", "d2"]
    assert len(rec.requests) == 3
    integrations = [{**schema_example("Integration"), "key": k} for k in ("aaaa", "bbbb")]
    client2, _ = http(paged(integrations, 1, path="/integrations"))
    assert [i.key async for i in client2.iter_integrations(page_size=1)] == ["aaaa", "bbbb"]


# -- rate limits ------------------------------------------------------------------------------

RL_HEADERS = {
    "X-Rate-Limit-Limit": "12000",
    "X-Rate-Limit-Remaining": "11999",
    "X-Rate-Limit-Reset": "2026-03-03T00:00:00Z",
}


@pytest.mark.asyncio
async def test_rate_limit_headers_exposed_on_success_and_error(http: Make) -> None:
    statuses = iter([200, 200, 429])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        if status == 429:
            headers = {**RL_HEADERS, "X-Rate-Limit-Remaining": "0", "Retry-After": "60"}
            return httpx.Response(429, json=error_example("Too-Many-Requests"), headers=headers)
        if request.url.path == "/companies/plain":
            return httpx.Response(200, json=company_json(1))
        return httpx.Response(200, json=company_json(1), headers=RL_HEADERS)

    client, _ = http(handler)

    def current() -> RateLimit | None:
        return client.last_rate_limit

    assert current() is None
    await client.get_company("c1")
    assert current() == RateLimit(12000, 11999, "2026-03-03T00:00:00Z")
    await client.get_company("plain")  # no headers: the last known figures stay
    assert current() == RateLimit(12000, 11999, "2026-03-03T00:00:00Z")
    with pytest.raises(CodatError) as info:
        await client.get_company("c1")
    assert current() == RateLimit(12000, 0, "2026-03-03T00:00:00Z")
    assert info.value.rate_limit == current()


# -- HTTP errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "component"),
    [
        (400, "Bad-Request"),
        (400, "Malformed-Query"),
        (401, "Unauthorized"),
        (402, "Payment-Required"),
        (403, "Forbidden"),
        (404, "Not-Found"),
        (429, "Too-Many-Requests"),
        (451, "Legal-Reasons"),
        (500, "Internal-Server-Error"),
        (503, "Service-Unavailable"),
    ],
)
@pytest.mark.asyncio
async def test_spec_error_bodies(http: Make, status: int, component: str) -> None:
    body = error_example(component)
    client, _ = http(lambda r: httpx.Response(status, json=body))
    with pytest.raises(CodatError) as info:
        await client.get_company("846ed55c")
    err = info.value
    assert err.kind is ErrorKind.HTTP
    assert err.status_code == status  # the HTTP status, even where the example body disagrees
    assert err.service == body["service"]
    assert err.error == body["error"]
    assert err.correlation_id == body["correlationId"]
    assert err.can_be_retried == "Unknown"
    assert err.detailed_error_code == 0
    assert err.validation is None
    assert err.retryable is (status in (429, 500, 503))
    assert f"({status})" in err.plain_message
    cid = body["correlationId"]
    assert err.plain_message.endswith(
        f"Correlation ID {cid}: quote it to Codat support if this keeps happening."
    )


@pytest.mark.asyncio
async def test_400_with_validation(http: Make) -> None:
    body = {
        "statusCode": 400,
        "service": "ClientsApi",
        "error": "CompanyValidationException",
        "correlationId": "c0ffee",
        "canBeRetried": "False",
        "detailedErrorCode": 17,
        "validation": {
            "errors": [
                {"itemId": "name", "message": "Name must not be empty", "validatorName": "Required"}
            ],
            "warnings": [],
        },
    }
    client, _ = http(lambda r: httpx.Response(400, json=body))
    with pytest.raises(CodatError) as info:
        await client.create_company("")
    err = info.value
    assert err.validation == body["validation"]
    assert err.detailed_error_code == 17
    assert err.can_be_retried == "False"
    assert "Name must not be empty" in err.plain_message


@pytest.mark.asyncio
async def test_401_and_403_messages(http: Make) -> None:
    client, _ = http(lambda r: httpx.Response(401, json=error_example("Unauthorized")))
    with pytest.raises(CodatError) as info:
        await client.list_companies()
    assert "rejected the API key" in info.value.plain_message
    client, _ = http(lambda r: httpx.Response(403, json=error_example("Forbidden")))
    with pytest.raises(CodatError) as info:
        await client.get_company("abc")
    assert "not allowed to use company abc" in info.value.plain_message


@pytest.mark.asyncio
async def test_404_says_what_was_not_found(http: Make) -> None:
    client, _ = http(lambda r: httpx.Response(404, json=error_example("Not-Found")))
    with pytest.raises(CodatError) as info:
        await client.get_connection("comp-1", "conn-2")
    assert "could not find connection conn-2 of company comp-1" in info.value.plain_message
    with pytest.raises(CodatError) as info:
        await client.get_integration("zzzz")
    assert "could not find the integration 'zzzz'" in info.value.plain_message


@pytest.mark.asyncio
async def test_409_not_ready(http: Make) -> None:
    body = {"statusCode": 409, "service": "PullApi", "error": "Busy", "correlationId": "x9"}
    client, _ = http(lambda r: httpx.Response(409, json=body))
    with pytest.raises(CodatError) as info:
        await client.refresh_all_data("c1")
    assert info.value.status_code == 409
    assert "not ready" in info.value.plain_message
    assert not info.value.retryable


@pytest.mark.asyncio
async def test_429_retry_after_seconds(http: Make) -> None:
    client, _ = http(
        lambda r: httpx.Response(
            429, json=error_example("Too-Many-Requests"), headers={"Retry-After": "42"}
        )
    )
    with pytest.raises(CodatError) as info:
        await client.list_companies()
    assert info.value.retry_after == 42.0
    assert "Try again in 42 seconds" in info.value.plain_message


@pytest.mark.asyncio
async def test_429_retry_after_http_date(http: Make) -> None:
    when = formatdate(time.time() + 3600, usegmt=True)
    client, _ = http(
        lambda r: httpx.Response(
            429, json=error_example("Too-Many-Requests"), headers={"Retry-After": when}
        )
    )
    with pytest.raises(CodatError) as info:
        await client.list_companies()
    assert info.value.retry_after is not None
    assert 3500 < info.value.retry_after <= 3600
    assert (
        "in about 60 minutes" in info.value.plain_message
        or "in about 59 minutes" in info.value.plain_message
    )


@pytest.mark.parametrize(
    "content", [b"", b"<html><body>Bad gateway</body></html>", b"[1,2]", b"\xff\xfe"]
)
@pytest.mark.asyncio
async def test_error_without_json_body_is_still_an_http_error(http: Make, content: bytes) -> None:
    client, _ = http(lambda r: httpx.Response(502, content=content))
    with pytest.raises(CodatError) as info:
        await client.get_company("c1")
    err = info.value
    assert (err.kind, err.status_code) == (ErrorKind.HTTP, 502)
    assert err.correlation_id is None and err.error is None
    assert "(502)" in err.plain_message and "Correlation" not in err.plain_message


# -- malformed success bodies -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b'{"id": "x", "name": ',
        b"[]",
        b'{"name": "no id"}',
        b"\xff\xfe\x00",
    ],
)
@pytest.mark.asyncio
async def test_malformed_company(http: Make, content: bytes) -> None:
    client, _ = http(lambda r: httpx.Response(200, content=content))
    with pytest.raises(CodatError) as info:
        await client.get_company("c1")
    assert info.value.kind is ErrorKind.MALFORMED
    assert not info.value.retryable
    assert "could not read" in info.value.plain_message


@pytest.mark.parametrize(
    "body",
    [
        {"results": [company_json(1)]},
        {"results": "nope", "pageNumber": 1, "pageSize": 1, "totalResults": 1, "_links": {}},
        {"results": [{"name": "no id"}], "pageNumber": 1, "pageSize": 1, "totalResults": 1},
        [company_json(1)],
    ],
)
@pytest.mark.asyncio
async def test_malformed_page(http: Make, body: Any) -> None:
    client, _ = http(lambda r: httpx.Response(200, json=body))
    with pytest.raises(CodatError) as info:
        await client.list_companies()
    assert info.value.kind is ErrorKind.MALFORMED


@pytest.mark.asyncio
async def test_data_status_wrong_shape(http: Make) -> None:
    client, _ = http(lambda r: httpx.Response(200, json={"bills": "Complete"}))
    with pytest.raises(CodatError) as info:
        await client.get_data_status("c1")
    assert info.value.kind is ErrorKind.MALFORMED


@pytest.mark.asyncio
async def test_redirect_is_not_followed_and_is_malformed(http: Make) -> None:
    client, rec = http(lambda r: httpx.Response(302, headers={"Location": "https://login.test/"}))
    with pytest.raises(CodatError) as info:
        await client.get_profile()
    assert (info.value.kind, info.value.status_code) == (ErrorKind.MALFORMED, 302)
    assert len(rec.requests) == 1


# -- transport failures -----------------------------------------------------------------------


def raising(exc_type: type[httpx.TransportError], text: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(text, request=request)

    return handler


@pytest.mark.parametrize(
    ("exc_type", "kind"),
    [
        (httpx.ConnectTimeout, ErrorKind.TIMEOUT),
        (httpx.ReadTimeout, ErrorKind.TIMEOUT),
        (httpx.PoolTimeout, ErrorKind.TIMEOUT),
        (httpx.ConnectError, ErrorKind.CONNECT),
        (httpx.ProxyError, ErrorKind.CONNECT),
        (httpx.RemoteProtocolError, ErrorKind.DROPPED),
        (httpx.ReadError, ErrorKind.DROPPED),
        (httpx.WriteError, ErrorKind.DROPPED),
    ],
)
@pytest.mark.asyncio
async def test_transport_errors(
    http: Make, exc_type: type[httpx.TransportError], kind: ErrorKind
) -> None:
    client, _ = http(raising(exc_type, "boom"), timeout=3.0)
    with pytest.raises(CodatError) as info:
        await client.list_companies()
    err = info.value
    assert err.kind is kind
    assert err.status_code is None
    assert err.retryable
    assert isinstance(err.__cause__, exc_type)
    if kind is ErrorKind.TIMEOUT:
        assert "within 3 seconds" in err.plain_message


@pytest.mark.asyncio
async def test_no_retries_inside_the_client(http: Make) -> None:
    client, rec = http(lambda r: httpx.Response(503, json=error_example("Service-Unavailable")))
    with pytest.raises(CodatError):
        await client.get_profile()
    assert len(rec.requests) == 1
