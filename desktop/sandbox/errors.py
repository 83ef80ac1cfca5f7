"""Codat's ErrorMessage body, with a fresh correlation id for every error."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

NOT_FOUND_COMPANY = "No company was found with ID {id}"
NOT_FOUND_CONNECTION = "Data connection {id} not found"
NOT_FOUND_PULL = "Pull operation {id} not found"
NOT_FOUND_INTEGRATION = "Integration {id} not found"
UNAUTHORIZED = "Unauthorized"
TOO_MANY = "You have made too many requests in a given amount of time; please retry later."
SERVER_ERROR = "There is a problem with our server. Please try again later."
UNAVAILABLE = "The Codat API is temporarily offline for maintenance. Please try again later."


def validation_item(item_id: str, message: str, validator: str) -> dict[str, str]:
    return {"itemId": item_id, "message": message, "validatorName": validator}


def error_body(
    status: int,
    error: str,
    *,
    service: str = "PublicApi",
    validation: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "statusCode": status,
        "service": service,
        "error": error,
        "correlationId": uuid.uuid4().hex,
        "canBeRetried": "Unknown",
        "detailedErrorCode": 0,
    }
    if validation is not None:
        body["validation"] = {"errors": validation, "warnings": []}
    return body


def error_response(
    status: int,
    error: str,
    *,
    service: str = "PublicApi",
    validation: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = error_body(status, error, service=service, validation=validation)
    return JSONResponse(body, status_code=status, headers=headers)


def bad_request(
    item: str, message: str, validator: str, *, service: str = "PublicApi"
) -> JSONResponse:
    return error_response(
        400,
        "Error processing request - not valid.",
        service=service,
        validation=[validation_item(item, message, validator)],
    )
