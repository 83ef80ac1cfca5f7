"""The sandbox as an ASGI app (``create_app``) and as a loopback server on a thread (``SandboxServer``)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from desktop.sandbox import api, control, link_pages, webhook_routes
from desktop.sandbox import errors as e
from desktop.sandbox.faults import FaultConfig, FaultInjector, parse_spec
from desktop.sandbox.gate import CodatGate, is_api_path
from desktop.sandbox.guard import SandboxGuard
from desktop.sandbox.ratelimit import RateLimiter
from desktop.sandbox.state import Clock, SandboxState
from desktop.sandbox.webhooks import DeliveryFaults, WebhookService
from desktop.serving import ServerExited, ServerTooSlow, ThreadedServer, serve_on_thread

DEFAULT_API_KEY = "linkdesk-sandbox"


def control_headers(api_key: str) -> dict[str, str]:
    """``Authorization: Basic base64(key)``, Codat's scheme, for a client of the control API."""
    import base64

    return {"Authorization": "Basic " + base64.b64encode(api_key.encode("utf-8")).decode("ascii")}


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    path = request.url.path
    if path.startswith("/link"):
        return HTMLResponse(link_pages.error_page("This page does not exist."), status_code=status)
    if not is_api_path(path):
        return JSONResponse(
            {"error": f"{request.method} {path}: no such route"}, status_code=status
        )
    if status == 405:
        return e.error_response(405, f"The method {request.method} is not allowed on {path}.")
    return e.error_response(404, f"The resource {path} was not found.")


@dataclass(frozen=True, kw_only=True)
class SandboxOptions:
    """Every option of the sandbox: ``create_app`` and ``SandboxServer`` take these as keywords."""

    host: str = "127.0.0.1"
    port: int = 0
    api_key: str = DEFAULT_API_KEY
    scenario: str | None = None
    speed: float = 1.0
    faults: str | FaultConfig | None = None
    seed: int | None = None
    state_file: str | os.PathLike[str] | None = None
    clock: Clock | None = None
    latency: float = 0.0
    daily_quota: int | None = None


def create_app(**options: Any) -> Starlette:
    """Build the app from SandboxOptions keywords; ``host``/``port`` are accepted and unused."""
    return build_app(SandboxOptions(**options))


def build_app(options: SandboxOptions) -> Starlette:
    clock = options.clock or time.time
    state = SandboxState(
        clock=clock, speed=options.speed, scenario=options.scenario, state_file=options.state_file
    )
    faults = options.faults
    config = parse_spec(faults) if isinstance(faults, str) or faults is None else faults
    if options.latency and not config.latency:
        config.latency = options.latency
    if options.daily_quota is not None:
        config.quota = options.daily_quota
    injector = FaultInjector(config, options.seed)
    limiter = RateLimiter(clock, state.linked_company_count)
    api_key = options.api_key

    def tick_state() -> None:
        with state.view():
            pass

    webhooks = WebhookService(
        tick_state=tick_state,
        faults=lambda: DeliveryFaults.from_config(injector.config.webhook),
        seed=options.seed,
    )
    state.listeners.append(webhooks.on_journal)
    app = Starlette(
        routes=[*api.ROUTES, *webhook_routes.ROUTES, *control.ROUTES, *link_pages.ROUTES],
        middleware=[
            # The guard is outermost: a request for another Host never reaches faults or quota.
            Middleware(SandboxGuard, api_key=api_key, host=options.host),
            Middleware(CodatGate, api_key=api_key, faults=injector, limiter=limiter),
        ],
        exception_handlers={404: _not_found, 405: _not_found},
    )
    app.state.sandbox = state
    app.state.faults = injector
    app.state.limiter = limiter
    app.state.api_key = api_key
    app.state.webhooks = webhooks
    return app


class SandboxServer:
    """Serve the sandbox on a daemon thread with its own event loop; ``start()`` gives the base URL."""

    def __init__(self, **options: Any) -> None:
        """Takes SandboxOptions keywords."""
        self.options = SandboxOptions(**options)
        self.host = self.options.host
        self.port = self.options.port
        self.api_key = self.options.api_key
        self.app = build_app(self.options)
        self._serving: ThreadedServer | None = None
        self._base_url: str | None = None
        self._lock = threading.Lock()

    def control_headers(self) -> dict[str, str]:
        """The Authorization header the control API (/_sandbox) needs, as the Codat paths do."""
        return control_headers(self.api_key)

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def webhooks(self) -> WebhookService:
        service: WebhookService = self.app.state.webhooks
        return service

    @property
    def faults(self) -> FaultInjector:
        injector: FaultInjector = self.app.state.faults
        return injector

    @property
    def base_url(self) -> str:
        """The URL of the running server (after stop(), the URL it had)."""
        if self._base_url is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._base_url

    def start(self, timeout: float = 10.0) -> str:
        with self._lock:
            if self._serving is not None and self._base_url is not None:
                return self._base_url
            try:
                serving = serve_on_thread(
                    self.app,
                    host=self.host,
                    port=self.port,
                    lifespan="off",
                    thread_name="linkdesk-sandbox",
                    timeout=timeout,
                )
            except ServerExited as exc:
                raise RuntimeError(
                    f"the sandbox could not listen on {self.host}:{self.port}"
                ) from exc
            except ServerTooSlow as exc:
                raise RuntimeError("the sandbox did not start in time") from exc
            port = serving.port
            shown = f"[{self.host}]" if ":" in self.host else self.host
            self._serving = serving
            self._base_url = f"http://{shown}:{port}"
            return self._base_url

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            serving, self._serving = self._serving, None
        self.webhooks.stop()
        if serving is not None:
            serving.stop(timeout)

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
