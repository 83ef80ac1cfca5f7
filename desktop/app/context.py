"""The services one running LinkDesk shares: settings, secrets, tasks, the HTTP client, the API target.

Qt-free on purpose: the GUI and the CLI both build one of these. The embedded sandbox is started here
(lazily, in its own thread) when no API key is configured, so a fresh install shows a working app.
"""

from __future__ import annotations

import linecache
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from desktop.core.crash import CrashHandler
from desktop.core.logs import SECRET_FILTER
from desktop.core.paths import Paths
from desktop.core.secrets import ENV_KEY, SecretStore, aresolve_api_key
from desktop.core.settings import Settings
from desktop.core.tasks import BackgroundTasks

if TYPE_CHECKING:
    import asyncio

    import httpx

    from desktop.core.codat import CodatClient
    from desktop.core.guides import GuideLibrary

log = logging.getLogger(__name__)
HTTP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class ApiTarget:
    kind: Literal["sandbox", "codat", "unknown"]  # unknown: the key is still being read
    base_url: str | None  # None while the embedded sandbox is starting
    profile: str

    @property
    def label(self) -> str:
        if self.kind == "unknown":
            return "Checking the key…"
        if self.kind == "sandbox":
            where = self.base_url or "starting…"
            return f"Embedded sandbox ({where})"
        return f"Codat at {self.base_url}"


class AppContext:
    def __init__(
        self,
        paths: Paths,
        settings: Settings,
        *,
        profile: str | None = None,
        force_sandbox: bool = False,
        api_base_override: str | None = None,
        secrets: SecretStore | None = None,
        crash: CrashHandler | None = None,
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.secrets = secrets or SecretStore()
        self.crash = crash or CrashHandler()
        self.tasks = BackgroundTasks(on_error=self.crash.handle)
        self.profile = profile or settings.current_profile
        self.force_sandbox = force_sandbox
        self.api_base_override = api_base_override
        self._http: httpx.AsyncClient | None = None
        self._sandbox: Any = None
        self._sandbox_key: str | None = None
        # asyncio loads after the first frame is painted, so the lock is made on first use.
        self._sandbox_lock: asyncio.Lock | None = None
        self._closed = False
        self._key_loaded = False
        self._key: str | None = None
        self._key_read: asyncio.Future[str | None] | None = None
        self.key_problem: str | None = None  # why the last key read failed, in plain words
        env_key = os.environ.get(ENV_KEY, "").strip()
        if env_key:  # known without asking the keyring (resolve_api_key prefers it too)
            self._key, self._key_loaded = env_key, True
            SECRET_FILTER.add_secret(env_key)
        self._guides: GuideLibrary | None = None

    # -- the guide library ----------------------------------------------------------------------
    def guide_library(self) -> GuideLibrary:
        """The built-in guides, overridden by the team's, parsed once; broken files are in errors."""
        if self._guides is None:
            from pathlib import Path

            from desktop.app.guide_cache import load_library_cached
            from desktop.core.guides import builtin_guides_dir

            team = str(self.settings.get("team_guides_dir") or "")
            self._guides = load_library_cached(
                builtin_guides_dir(),
                Path(team) if team else self.paths.team_guides,
                self.paths.cache,
            )
        return self._guides

    # -- the API target -------------------------------------------------------------------------
    async def load_api_key(self) -> str | None:
        """The profile's key, read once in a worker thread; concurrent callers share the read.

        A keyring read may be a D-Bus round trip, or wait for the user to unlock a Secret Service
        collection: it never runs on the GUI thread. ``LINKDESK_API_KEY`` wins over the keyring.
        """
        import asyncio

        while not self._key_loaded:
            if self._key_read is None:
                self._key_read = asyncio.ensure_future(aresolve_api_key(self.profile, self.secrets))
            read = self._key_read
            try:
                key = await asyncio.shield(read)
                self.key_problem = None
            except Exception as exc:  # a broken keyring: say so, and carry on without a key
                log.warning("The keyring could not be read: %r", exc)
                key = None
                self.key_problem = (
                    f"The system keyring could not be read ({exc.__class__.__name__})."
                )
            # keyring's modules were imported after PySide6, whose import hook leaves their
            # whole sources in linecache (MiBs); tracebacks read the lines they need again.
            linecache.clearcache()
            if read is self._key_read:  # not forgotten (profile changed) while it was read
                self._key = key
                SECRET_FILTER.add_secret(key)
                self._key_loaded = True
        return self._key

    async def decide_target(self) -> ApiTarget:
        """The API target, reading the key first (off the GUI thread) when it decides it."""
        if not self.key_known:
            await self.load_api_key()
        return self.target

    @property
    def key_known(self) -> bool:
        """Whether the API target is decided: the key was read, or the sandbox is forced."""
        return self.force_sandbox or self._key_loaded

    def api_key(self) -> str | None:
        """The key read by ``load_api_key``; never touches the keyring itself.

        Raises RuntimeError when called before the key was read (a bug: await load_api_key()).
        """
        if not self._key_loaded:
            raise RuntimeError("the API key has not been read yet: await load_api_key() first")
        return self._key

    def forget_api_key(self) -> None:
        """After the key or the profile changed in Settings: read it again on next use."""
        self._key_loaded = False
        self._key = None
        self._key_read = None

    def uses_sandbox(self) -> bool:
        """Raises RuntimeError before the key was read, unless the sandbox is forced."""
        return self.force_sandbox or not self.api_key()

    @property
    def target(self) -> ApiTarget:
        if not self.key_known:
            return ApiTarget("unknown", None, self.profile)
        if self.uses_sandbox():
            base = self._sandbox.base_url if self._sandbox is not None else None
            return ApiTarget("sandbox", base, self.profile)
        base = self.api_base_override or str(self.settings.get("api_base", self.profile))
        return ApiTarget("codat", base.rstrip("/"), self.profile)

    async def ensure_sandbox(self, **options: Any) -> str:
        """Start the embedded sandbox once, off the UI thread; returns its base URL."""
        import asyncio

        if self._sandbox_lock is None:
            self._sandbox_lock = asyncio.Lock()
        async with self._sandbox_lock:
            if self._sandbox is None:
                import secrets as pysecrets

                from desktop.sandbox.server import SandboxServer

                self._sandbox_key = pysecrets.token_urlsafe(24)
                SECRET_FILTER.add_secret(self._sandbox_key)
                server = SandboxServer(api_key=self._sandbox_key, **options)
                await asyncio.to_thread(server.start)
                self._sandbox = server
                log.info("Embedded sandbox listening at %s", server.base_url)
            return str(self._sandbox.base_url)

    @property
    def sandbox(self) -> Any:
        return self._sandbox

    @property
    def sandbox_key(self) -> str | None:
        return self._sandbox_key

    def http(self) -> httpx.AsyncClient:
        """The one HTTP client of this process, created on first use."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(HTTP_TIMEOUT_SECONDS, connect=5.0),
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
                trust_env=False,
            )
        return self._http

    async def codat(self) -> CodatClient:
        from desktop.core.codat import CodatClient

        await self.decide_target()
        if self.uses_sandbox():
            base = await self.ensure_sandbox()
            key = self._sandbox_key or ""
        else:
            target = self.target
            base = target.base_url or ""
            key = self.api_key() or ""
        return CodatClient(self.http(), base, key)

    # -- shutdown ---------------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Idempotent: safe to call from aboutToQuit, from a window close and from a test."""
        import asyncio

        if self._closed:
            return
        self._closed = True
        await self.tasks.cancel_all()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._sandbox is not None:
            await asyncio.to_thread(self._sandbox.stop)
            self._sandbox = None
        try:
            self.settings.save()
        except OSError as exc:
            log.error("Could not save settings: %s", exc)
