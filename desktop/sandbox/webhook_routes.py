"""Codat's webhook consumers API (``/webhooks``) and the sandbox's view of the signing secrets.

Shapes from Codat's spec: ``GET /webhooks`` answers ``{"results": [WebhookConsumer]}``,
``POST /webhooks`` takes ``{url, eventTypes, disabled?, companyTags?}`` and answers 201 with the
consumer, ``DELETE /webhooks/{webhookId}`` answers 204 (404 when unknown). Codat shows a consumer's
signing secret only in its Portal; the sandbox shows it at ``/_sandbox/webhooks/{id}/secret``.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from desktop.sandbox import errors as e
from desktop.sandbox.webhooks import WebhookService


def _service(request: Request) -> WebhookService:
    service: WebhookService = request.app.state.webhooks
    return service


async def list_consumers(request: Request) -> Response:
    return JSONResponse({"results": [c.to_json() for c in _service(request).listing()]})


async def create_consumer(request: Request) -> Response:
    try:
        data = json.loads(await request.body() or b"null")
    except ValueError:
        return e.bad_request("body", "The body is not valid JSON.", "JsonValidator")
    if not isinstance(data, dict):
        return e.bad_request("body", "Expected a JSON object.", "JsonValidator")
    url = data.get("url")
    if not isinstance(url, str):
        url = ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return e.bad_request("url", "url must be an absolute http(s) URL.", "UrlValidator")
    types = data.get("eventTypes")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        return e.bad_request(
            "eventTypes", "eventTypes must list at least one event type.", "EventTypesValidator"
        )
    tags = data.get("companyTags")
    if tags is not None and (
        not isinstance(tags, list) or len(tags) > 10 or not all(isinstance(t, str) for t in tags)
    ):
        return e.bad_request(
            "companyTags", "companyTags must be at most 10 strings.", "CompanyTagsValidator"
        )
    service = _service(request)
    service.base_url = str(request.base_url).rstrip("/")
    try:
        consumer = service.create(
            url, types, disabled=bool(data.get("disabled") or False), company_tags=tags
        )
    except ValueError as exc:
        return e.bad_request("webhooks", str(exc), "ConsumerLimitValidator")
    return JSONResponse(consumer.to_json(), status_code=201)


async def delete_consumer(request: Request) -> Response:
    consumer_id = request.path_params["webhookId"]
    if not _service(request).delete(consumer_id):
        return e.error_response(404, f"Webhook consumer {consumer_id} not found")
    return Response(status_code=204)


async def consumer_secret(request: Request) -> Response:
    consumer_id = request.path_params["webhookId"]
    consumer = _service(request).consumers.get(consumer_id)
    if consumer is None:
        return JSONResponse({"error": f"no webhook consumer {consumer_id}"}, status_code=404)
    return JSONResponse({"id": consumer.id, "secret": consumer.secret})


async def attempts(request: Request) -> Response:
    service = _service(request)
    return JSONResponse(
        {"attempts": [a.to_json() for a in list(service.attempts)], "pending": service.pending()}
    )


ROUTES = [
    Route("/webhooks", list_consumers, methods=["GET"]),
    Route("/webhooks", create_consumer, methods=["POST"]),
    Route("/webhooks/{webhookId}", delete_consumer, methods=["DELETE"]),
    Route("/_sandbox/webhooks/attempts", attempts, methods=["GET"]),
    Route("/_sandbox/webhooks/{webhookId}/secret", consumer_secret, methods=["GET"]),
]
