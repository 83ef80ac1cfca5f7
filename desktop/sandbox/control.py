"""The sandbox's own API under /_sandbox: the customer simulation, the journal, faults, scenarios.

It needs the sandbox's API key, a JSON content type for bodies and the server's own Host
(desktop/sandbox/guard.py); faults never apply to it.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from desktop.sandbox import faults as f
from desktop.sandbox import journey, model, scenarios
from desktop.sandbox.platforms import BY_KEY, logo_svg
from desktop.sandbox.state import NotFound, SandboxState


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _error(status: int, text: str) -> JSONResponse:
    return JSONResponse({"error": text}, status_code=status)


async def _body(request: Request) -> dict[str, Any] | None:
    raw = await request.body()
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def journey_action(request: Request) -> Response:
    company_id = request.path_params["companyId"]
    data = await _body(request)
    if data is None or not isinstance(data.get("action"), str):
        return _error(400, 'expected a JSON object like {"action": "open_link"}')
    params = {k: v for k, v in data.items() if k != "action"}
    try:
        answer = _state(request).act(company_id, data["action"], params)
    except NotFound:
        return _error(404, f"no company with id {company_id}")
    except journey.BadMove as exc:
        return _error(400, str(exc))
    except journey.Conflict as exc:
        return _error(409, str(exc))
    return JSONResponse(answer)


async def start_scenario(request: Request) -> Response:
    company_id = request.path_params["companyId"]
    data = await _body(request)
    spec = data.get("scenario") if data else None
    if not isinstance(spec, str):
        return _error(400, 'expected {"scenario": "NAME"} or {"scenario": "NAME:platformKey"}')
    try:
        answer = _state(request).start_scenario(company_id, spec)
    except NotFound:
        return _error(404, f"no company with id {company_id}")
    except ValueError as exc:
        return _error(400, str(exc))
    return JSONResponse(answer)


async def company_summary(request: Request) -> Response:
    state = _state(request)
    company_id = request.path_params["companyId"]
    with state.view() as now:
        company = state.companies.get(company_id)
        if company is None:
            return _error(404, f"no company with id {company_id}")
        answer = state.summary(company, now)
        pilot = company.autopilot
        answer["scenario"] = pilot.scenario if pilot else None
        return JSONResponse(answer)


async def events(request: Request) -> Response:
    raw = request.query_params.get("since", "0")
    try:
        since = int(raw)
    except ValueError:
        return _error(400, "since must be an integer sequence number")
    return JSONResponse(_state(request).events_since(since))


async def get_faults(request: Request) -> Response:
    return JSONResponse(request.app.state.faults.to_json())


async def put_faults(request: Request) -> Response:
    injector: f.FaultInjector = request.app.state.faults
    data = await _body(request)
    if data is None:
        return _error(400, 'expected a JSON object, e.g. {"spec": "5xx=0.1,latency=0.2"}')
    seed = data.get("seed")
    if seed is not None and not isinstance(seed, int):
        return _error(400, "seed must be an integer")
    try:
        config = f.from_json(data, injector.config)
    except ValueError as exc:
        return _error(400, str(exc))
    injector.replace(config, seed)
    return JSONResponse(injector.to_json())


async def list_scenarios(request: Request) -> Response:
    return JSONResponse({"scenarios": scenarios.describe()})


async def info(request: Request) -> Response:
    state = _state(request)
    with state.view() as now:
        return JSONResponse(
            {
                "time": model.iso(now),
                "epoch": now,
                "speed": state.speed,
                "scenario": state.default_scenario,
                "companies": len(state.companies),
                "lastEvent": state.seq,
            }
        )


async def logo(request: Request) -> Response:
    name: str = request.path_params["name"]
    key = name.removesuffix(".svg")
    platform = BY_KEY.get(key)
    if platform is None or not name.endswith(".svg"):
        return _error(404, f"no logo {name}")
    return Response(
        logo_svg(platform),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


ROUTES = [
    Route("/_sandbox/companies/{companyId}/journey", journey_action, methods=["POST"]),
    Route("/_sandbox/companies/{companyId}/scenario", start_scenario, methods=["POST"]),
    Route("/_sandbox/companies/{companyId}", company_summary, methods=["GET"]),
    Route("/_sandbox/events", events, methods=["GET"]),
    Route("/_sandbox/faults", get_faults, methods=["GET"]),
    Route("/_sandbox/faults", put_faults, methods=["PUT"]),
    Route("/_sandbox/scenarios", list_scenarios, methods=["GET"]),
    Route("/_sandbox/info", info, methods=["GET"]),
    Route("/_sandbox/logos/{name}", logo, methods=["GET"]),
]
