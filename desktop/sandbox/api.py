"""Codat's Platform API paths, served at the root with Codat's field names and status codes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from desktop.sandbox import errors as e
from desktop.sandbox import journey, wire
from desktop.sandbox import model as m
from desktop.sandbox.early import Early, answers
from desktop.sandbox.model import iso
from desktop.sandbox.platforms import BY_KEY, PLATFORMS, Platform
from desktop.sandbox.query import QueryError, compile_query, order_key, page_envelope, sort_items
from desktop.sandbox.state import NotFound, SandboxState, clean_company_name

MAX_PAGE_SIZE = 5000
# Codat's PagingInfo schema caps the reported pageSize at 2000 while the parameter allows 5000;
# the sandbox accepts up to 5000 and serves at most 2000 a page so every answer fits the schema.
SERVED_PAGE_SIZE = 2000
_KEY = re.compile(r"^[a-z]{4}$")

COMPANY_FIELDS = frozenset(
    {
        "id",
        "name",
        "description",
        "redirect",
        "created",
        "lastSync",
        "createdByUserName",
        "modifiedDate",
        "dataConnections.id",
        "dataConnections.status",
        "dataConnections.integrationKey",
        "dataConnections.integrationId",
        "dataConnections.sourceId",
        "dataConnections.platformName",
        "dataConnections.sourceType",
        "dataConnections.created",
        "dataConnections.lastSync",
    }
)
CONNECTION_FIELDS = frozenset(
    {
        "id",
        "integrationId",
        "integrationKey",
        "sourceId",
        "platformName",
        "status",
        "created",
        "lastSync",
        "sourceType",
        "modifiedDate",
    }
)
INTEGRATION_FIELDS = frozenset(
    {
        "key",
        "name",
        "enabled",
        "sourceId",
        "sourceType",
        "integrationId",
        "isOfflineConnector",
        "isBeta",
    }
)
PULL_FIELDS = frozenset(
    {"id", "companyId", "connectionId", "dataType", "status", "requested", "completed", "progress"}
)


def base_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        limits = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise Early(e.bad_request(name, f"{name} must be a whole number {limits}.", "Range"))
    return value


def _listing(
    request: Request,
    items: list[dict[str, Any]],
    fields: frozenset[str],
    entity: str,
    service: str,
    hidden: tuple[str, ...] = (),
) -> Response:
    """Filter, order and page ``items`` per the request's page/pageSize/query/orderBy."""
    try:
        page = _int_param(request, "page", 1, 1, None)
        size = _int_param(request, "pageSize", 100, 1, MAX_PAGE_SIZE)
    except Early as early:
        return early.response
    query = request.query_params.get("query") or None
    order_by = request.query_params.get("orderBy") or None
    try:
        if query:
            match = compile_query(query, fields, entity)
            items = [i for i in items if match(i)]
        if order_by:
            name, descending = order_key(order_by, fields, entity)
            items = sort_items(items, name, descending)
    except QueryError as exc:
        return e.error_response(
            400,
            exc.message,
            service=service,
            validation=[e.validation_item("query" if query else "orderBy", exc.detail, "Query")],
        )
    for item in items:
        for name in hidden:
            item.pop(name, None)
    envelope = page_envelope(
        items,
        path=request.url.path,
        page=page,
        page_size=min(size, SERVED_PAGE_SIZE),
        query=query,
        order_by=order_by,
    )
    return JSONResponse(envelope)


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        raise Early(e.bad_request("body", "The request body is not valid JSON.", "Json")) from None
    if not isinstance(data, dict):
        raise Early(e.bad_request("body", "The request body must be a JSON object.", "Json"))
    return data


def _company_missing(company_id: str) -> Response:
    return e.error_response(404, e.NOT_FOUND_COMPANY.format(id=company_id), service="ClientsApi")


def _connection_missing(connection_id: str) -> Response:
    return e.error_response(404, e.NOT_FOUND_CONNECTION.format(id=connection_id))


def _company(state: SandboxState, company_id: str) -> m.Company:
    """The company, or ``Early`` with Codat's 404; call inside ``state.view()``."""
    try:
        return state.company(company_id)
    except NotFound:
        raise Early(_company_missing(company_id)) from None


def _missing(state: SandboxState, exc: NotFound, company_id: str, connection_id: str) -> Response:
    """The 404 for a NotFound raised while looking up a company's connection."""
    if exc.args[0] == company_id and company_id not in state.companies:
        return _company_missing(company_id)
    return _connection_missing(connection_id)


def _company_command(request: Request, command: Callable[[SandboxState, str], None]) -> Response:
    """Run ``command`` on the path's company: 204, or Codat's 404 when there is no such company."""
    company_id = request.path_params["companyId"]
    try:
        command(_state(request), company_id)
    except NotFound:
        return _company_missing(company_id)
    return Response(status_code=204)


# -- companies ---------------------------------------------------------------------------------


async def list_companies(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    with state.view() as now:
        items = []
        for company in state.companies.values():
            item = wire.company_json(company, now, base)
            item["modifiedDate"] = _iso_modified(company.modified)
            items.append(item)
    return _listing(request, items, COMPANY_FIELDS, "Company", "ClientsApi", ("modifiedDate",))


def _iso_modified(epoch: float) -> str:
    return iso(epoch)


def _validate_company_body(data: dict[str, Any]) -> tuple[str, str | None, dict[str, str]]:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Early(e.bad_request("name", "A company name is required.", "Required"))
    cleaned = clean_company_name(name)
    if not cleaned:
        message = (
            "The company name has no allowed characters: use letters, digits, spaces and "
            "- ' , & @ . ? !"
        )
        raise Early(e.bad_request("name", message, "RegularExpression"))
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise Early(e.bad_request("description", "description must be a string.", "Type"))
    tags = data.get("tags") or {}
    ok_tags = (
        isinstance(tags, dict)
        and len(tags) <= 10
        and all(
            isinstance(k, str) and 1 <= len(k) <= 27 and isinstance(v, str) and len(v) <= 100
            for k, v in tags.items()
        )
    )
    if not ok_tags:
        message = "tags: at most 10 string pairs, keys 1-27 characters, values up to 100."
        raise Early(e.bad_request("tags", message, "Tags"))
    return cleaned, description, tags


@answers
async def create_company(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    name, description, tags = _validate_company_body(await _json_object(request))
    company = state.create_company(name, description, tags)
    with state.view() as now:
        return JSONResponse(wire.company_json(company, now, base))


@answers
async def get_company(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    with state.view() as now:
        company = _company(state, request.path_params["companyId"])
        return JSONResponse(wire.company_json(company, now, base))


@answers
async def update_company(request: Request) -> Response:
    """PUT replaces name/description/tags; PATCH changes only the fields given."""
    state, base = _state(request), base_of(request)
    data = await _json_object(request)
    keep_name = request.method == "PATCH" and "name" not in data
    name, description, tags = _validate_company_body(
        {"name": "placeholder", **data} if keep_name else data
    )
    with state.view() as now:
        company = _company(state, request.path_params["companyId"])
        if not keep_name:
            company.name = name
        if request.method == "PUT" or "description" in data:
            company.description = description
        if request.method == "PUT" or "tags" in data:
            company.tags = dict(tags)
        company.modified = now
        state.mark_dirty()
        return JSONResponse(wire.company_json(company, now, base))


async def delete_company(request: Request) -> Response:
    return _company_command(request, SandboxState.delete_company)


# -- connections -------------------------------------------------------------------------------


@answers
async def list_connections(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    with state.view() as now:
        company = _company(state, request.path_params["companyId"])
        items = []
        for conn in company.connections:
            item = wire.connection_json(conn, company, now, base)
            item["modifiedDate"] = _iso_modified(conn.modified)
            items.append(item)
    return _listing(
        request, items, CONNECTION_FIELDS, "DataConnection", "PublicApi", ("modifiedDate",)
    )


@answers
async def create_connection(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    company_id = request.path_params["companyId"]
    data = await _json_object(request)
    key = data.get("platformKey")
    if not isinstance(key, str) or not _KEY.match(key):
        message = "platformKey is required: the 4-letter key of an integration (see /integrations)."
        return e.bad_request("platformKey", message, "PlatformKey")
    with state.view():
        if company_id not in state.companies:
            return _company_missing(company_id)
    if key not in BY_KEY:
        return e.error_response(404, e.NOT_FOUND_INTEGRATION.format(id=key))
    try:
        conn = state.create_connection(company_id, key)
    except NotFound:
        return _company_missing(company_id)
    with state.view() as now:
        company = state.company(company_id)
        return JSONResponse(wire.connection_json(conn, company, now, base))


async def get_connection(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    company_id = request.path_params["companyId"]
    connection_id = request.path_params["connectionId"]
    with state.view() as now:
        try:
            conn = state.connection(company_id, connection_id)
        except NotFound as exc:
            return _missing(state, exc, company_id, connection_id)
        company = state.company(company_id)
        return JSONResponse(wire.connection_json(conn, company, now, base))


@answers
async def unlink_connection(request: Request) -> Response:
    state, base = _state(request), base_of(request)
    company_id = request.path_params["companyId"]
    connection_id = request.path_params["connectionId"]
    data = await _json_object(request)
    if set(data) - {"status"} or data.get("status") != "Unlinked":
        return e.bad_request(
            "status", 'The only change allowed is {"status": "Unlinked"}.', "UpdateConnectionStatus"
        )
    try:
        conn = state.unlink_connection(company_id, connection_id)
    except NotFound as exc:
        return _missing(state, exc, company_id, connection_id)
    except journey.Conflict as exc:
        return e.bad_request("status", str(exc), "ConnectionStatus")
    with state.view() as now:
        return JSONResponse(wire.connection_json(conn, state.company(company_id), now, base))


async def delete_connection(request: Request) -> Response:
    state = _state(request)
    company_id = request.path_params["companyId"]
    connection_id = request.path_params["connectionId"]
    try:
        state.delete_connection(company_id, connection_id)
    except NotFound as exc:
        return _missing(state, exc, company_id, connection_id)
    return Response(status_code=200)


# -- data status and pull operations -----------------------------------------------------------


@answers
async def data_status(request: Request) -> Response:
    state = _state(request)
    with state.view() as now:
        company = _company(state, request.path_params["companyId"])
        return JSONResponse(wire.data_status_json(company, now))


@answers
async def list_pulls(request: Request) -> Response:
    state = _state(request)
    with state.view() as now:
        company = _company(state, request.path_params["companyId"])
        items = [wire.pull_json(op, now) for op in company.pulls]
    return _listing(request, items, PULL_FIELDS, "Dataset", "PullApi")


@answers
async def get_pull(request: Request) -> Response:
    state = _state(request)
    dataset_id = request.path_params["datasetId"]
    with state.view() as now:
        company = _company(state, request.path_params["companyId"])
        op = next((p for p in company.pulls if p.id == dataset_id), None)
        if op is None:
            return e.error_response(404, e.NOT_FOUND_PULL.format(id=dataset_id), service="PullApi")
        return JSONResponse(wire.pull_json(op, now))


async def refresh_all(request: Request) -> Response:
    return _company_command(request, SandboxState.refresh_all)


# -- integrations and profile ------------------------------------------------------------------


async def list_integrations(request: Request) -> Response:
    base = base_of(request)
    items = [wire.integration_json(p, base) for p in PLATFORMS]
    return _listing(request, items, INTEGRATION_FIELDS, "Integration", "PublicApi")


def _platform(request: Request) -> Platform:
    key = request.path_params["platformKey"]
    platform = BY_KEY.get(key)
    if platform is None:
        raise Early(e.error_response(404, e.NOT_FOUND_INTEGRATION.format(id=key)))
    return platform


@answers
async def get_integration(request: Request) -> Response:
    return JSONResponse(wire.integration_json(_platform(request), base_of(request)))


@answers
async def get_branding(request: Request) -> Response:
    return JSONResponse(wire.branding_json(_platform(request), base_of(request)))


async def get_profile(request: Request) -> Response:
    return JSONResponse(wire.profile_json(base_of(request)))


ROUTES = [
    Route("/companies", list_companies, methods=["GET"]),
    Route("/companies", create_company, methods=["POST"]),
    Route("/companies/{companyId}", get_company, methods=["GET"]),
    Route("/companies/{companyId}", update_company, methods=["PUT", "PATCH"]),
    Route("/companies/{companyId}", delete_company, methods=["DELETE"]),
    Route("/companies/{companyId}/connections", list_connections, methods=["GET"]),
    Route("/companies/{companyId}/connections", create_connection, methods=["POST"]),
    Route("/companies/{companyId}/connections/{connectionId}", get_connection, methods=["GET"]),
    Route(
        "/companies/{companyId}/connections/{connectionId}", unlink_connection, methods=["PATCH"]
    ),
    Route(
        "/companies/{companyId}/connections/{connectionId}", delete_connection, methods=["DELETE"]
    ),
    Route("/companies/{companyId}/dataStatus", data_status, methods=["GET"]),
    Route("/companies/{companyId}/data/history", list_pulls, methods=["GET"]),
    Route("/companies/{companyId}/data/history/{datasetId}", get_pull, methods=["GET"]),
    Route("/companies/{companyId}/data/all", refresh_all, methods=["POST"]),
    Route("/integrations", list_integrations, methods=["GET"]),
    Route("/integrations/{platformKey}", get_integration, methods=["GET"]),
    Route("/integrations/{platformKey}/branding", get_branding, methods=["GET"]),
    Route("/profile", get_profile, methods=["GET"]),
]
