"""Check every Codat API answer the sandbox tests receive against Codat's own OpenAPI spec.

A status code the spec does not declare for an operation (Codat's spec lists only some of the
errors it really returns) must still carry a valid ErrorMessage body: it is checked as if it were
the declared 400 of POST /companies, whose body is exactly an ErrorMessage.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse

from tests.codat_spec import require_spec

SPEC_HOST = "https://api.codat.io"
OPEN_PREFIXES = ("/_sandbox", "/link")


@lru_cache(maxsize=1)
def codat_spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(require_spec()))


def is_codat_path(path: str) -> bool:
    return not any(path == p or path.startswith(p + "/") for p in OPEN_PREFIXES)


def _mock_request(method: str, path: str, query: str, request: httpx.Request) -> MockRequest:
    return MockRequest(
        SPEC_HOST,
        method,
        path,
        args=dict(parse_qsl(query, keep_blank_values=True)),
        headers=dict(request.headers),
        data=request.content or None,
        content_type=request.headers.get("content-type", "application/json"),
    )


def _mock_response(response: httpx.Response) -> MockResponse:
    content_type = response.headers.get("content-type", "application/json").split(";")[0]
    return MockResponse(
        response.content,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=content_type,
    )


def check_response(response: httpx.Response) -> None:
    """Raise AssertionError when a Codat-path answer does not conform to Codat's spec."""
    url = urlsplit(str(response.request.url))
    if not is_codat_path(url.path):
        return
    spec = codat_spec()
    request = _mock_request(response.request.method, url.path, url.query, response.request)
    try:
        spec.validate_response(request, _mock_response(response))
        return
    except (ResponseNotFound, PathNotFound, OperationNotFound):
        if response.status_code < 400:
            raise AssertionError(
                f"{response.request.method} {url.path} answered {response.status_code}, "
                "which Codat's spec does not declare"
            ) from None
    except Exception as exc:
        raise AssertionError(_explain(response, exc)) from exc
    stand_in = MockRequest(SPEC_HOST, "post", "/companies", data=b"{}")
    try:
        spec.validate_response(stand_in, _mock_response(_as_status(response, 400)))
    except Exception as exc:
        raise AssertionError(_explain(response, exc)) from exc


def _as_status(response: httpx.Response, status: int) -> httpx.Response:
    return httpx.Response(status, headers=response.headers, content=response.content)


def _explain(response: httpx.Response, exc: Exception) -> str:
    details: list[Any] = [exc]
    cause = exc.__cause__ or exc.__context__
    while cause is not None and len(details) < 4:
        details.append(cause)
        errors = getattr(cause, "schema_errors", None)
        if errors:
            details.extend(str(e.message) for e in errors)
        cause = cause.__cause__ or cause.__context__
    body = response.text[:600]
    return (
        f"{response.request.method} {response.request.url} -> {response.status_code} does not "
        f"conform to Codat's spec: {details}\nbody: {body}"
    )


class CheckedClient(httpx.Client):
    """An httpx client whose every Codat-path response is checked against the spec."""

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = super().send(request, **kwargs)
        if not kwargs.get("stream"):
            response.read()
            check_response(response)
        return response
