"""The services one running LinkDesk shares: settings, secrets, tasks, the HTTP client, the API target.

Qt-free on purpose: the GUI and the CLI both build one of these. The embedded sandbox is started here
(lazily, in its own thread) when no API key is configured, so a fresh install shows a working app.
"""

from __future__ import annotations

import linecache
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from desktop.core.crash import CrashHandler
from desktop.core.env_key import env_api_key
from desktop.core.logs import SECRET_FILTER
from desktop.core.paths import Paths
from desktop.core.secrets import SecretStore, aresolve_api_key
from desktop.core.settings import Settings
from desktop.core.tasks import BackgroundTasks

if TYPE_CHECKING:
    import asyncio

    import httpx

    from desktop.core.calls.origin import CallOrigin
    from desktop.core.codat import CodatClient
    from desktop.core.guides import GuideLibrary

log = logging.getLogger(__name__)
HTTP_TIMEOUT_SECONDS = 15.0
# In the data folder: the embedded sandbox's companies, and the port it listened on, so that it
# comes back as it was after a restart and the Link URLs already sent keep working.
SANDBOX_STATE_FILE = "sandbox-state.json"
SANDBOX_PORT_FILE = "sandbox-port"


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
        self._closed_fully = False  # aclose ran to its end (see close_now)
        self._key_loaded = False
        self._key: str | None = None
        self._key_read: asyncio.Future[str | None] | None = None
        self.key_problem: str | None = None  # why the last key read failed, in plain words
        self._profile_keys: dict[str, str | None] = {}  # other profiles' keys, see load_keys
        env_key = env_api_key()  # the environment's key, withheld from children (core/env_key)
        if env_key:  # known without asking the keyring (resolve_api_key prefers it too)
            self._key, self._key_loaded = env_key, True
            SECRET_FILTER.add_secret(env_key)
        self._guides: GuideLibrary | None = None
        # Set when the embedded sandbox could not come back as it was (another port, lost state):
        # the calls made on it before say so instead of asking for companies it no longer has.
        self.sandbox_notice: str | None = None

    # -- the guide library ----------------------------------------------------------------------
    def guide_library(self) -> GuideLibrary:
        """The built-in guides, overridden by the team's, parsed once; broken files are in errors."""
        if self._guides is None:
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
        self._profile_keys.clear()

    def uses_sandbox(self) -> bool:
        """Raises RuntimeError before the key was read, unless the sandbox is forced."""
        return self.force_sandbox or not self.api_key()

    def call_origin(self) -> CallOrigin:
        """The API a call opened now is made against (read again for every call)."""
        # The call layer and the store load after the first frame: not at module level.
        from desktop.core.calls.origin import CallOrigin
        from desktop.core.store.records import ApiKind

        kind = ApiKind.SANDBOX if self.uses_sandbox() else ApiKind.CODAT
        return CallOrigin(self.profile, kind)

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
        """Start the embedded sandbox once, off the UI thread; returns its base URL.

        It keeps its state in the data folder and listens on the port it had last time when that
        port is free. When it cannot come back as it was, ``sandbox_notice`` says so in plain words.
        """
        import asyncio

        if self._sandbox_lock is None:
            self._sandbox_lock = asyncio.Lock()
        async with self._sandbox_lock:
            if self._sandbox is None:
                self._sandbox = await asyncio.to_thread(self._start_sandbox, options)
                log.info("Embedded sandbox listening at %s", self._sandbox.base_url)
            return str(self._sandbox.base_url)

    def _start_sandbox(self, options: dict[str, Any]) -> Any:
        """Runs in a worker thread: reads the saved state, binds the port, starts serving."""
        import secrets as pysecrets

        from desktop.sandbox.server import SandboxServer

        self._sandbox_key = pysecrets.token_urlsafe(24)
        SECRET_FILTER.add_secret(self._sandbox_key)
        options = dict(options)
        state_file = Path(options.pop("state_file", self.paths.data / SANDBOX_STATE_FILE))
        port_file = self.paths.data / SANDBOX_PORT_FILE
        remembered = _read_port(port_file)
        port = int(options.pop("port", remembered or 0))
        lost: str | None = None
        if port and not _port_free(str(options.get("host", "127.0.0.1")), port):
            log.warning("Embedded sandbox cannot listen on port %d again: it is taken", port)
            lost = f"port {port}, where it listened before, is taken by another program"
            port = 0
        try:
            server = SandboxServer(
                api_key=self._sandbox_key, state_file=state_file, port=port, **options
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            aside = state_file.with_name(state_file.name + ".unreadable")
            log.warning(
                "Embedded sandbox state %s unreadable (%s); kept as %s", state_file, exc, aside
            )
            state_file.replace(aside)
            lost = "its saved companies could not be read"
            server = SandboxServer(
                api_key=self._sandbox_key, state_file=state_file, port=port, **options
            )
        server.start()
        if lost is not None and remembered:
            self.sandbox_notice = (
                f"The embedded sandbox could not come back as it was ({lost}), so the Link URL "
                f"sent for this practice call no longer works and LinkDesk cannot follow it. "
                f"End this call and start a new practice call."
            )
        try:
            port_file.write_text(str(server.base_url.rsplit(":", 1)[1]), encoding="utf-8")
        except OSError as exc:
            log.warning("Could not remember the embedded sandbox's port: %s", exc)
        return server

    @property
    def sandbox(self) -> Any:
        return self._sandbox

    @property
    def sandbox_key(self) -> str | None:
        return self._sandbox_key

    # -- each call's own API -----------------------------------------------------------------------
    def unavailable(self, origin: CallOrigin) -> str | None:
        """Why a call made against ``origin`` cannot be followed now, in plain words; None if it can.

        A practice call needs the embedded sandbox as it was; a real call needs Codat (not
        ``--sandbox``) and an API key for its own profile.
        """
        from desktop.core.store.records import ApiKind

        if origin.api_kind is ApiKind.SANDBOX:
            return self.sandbox_notice
        if self.force_sandbox:
            return (
                f"This call was made against Codat (profile {origin.profile}), and LinkDesk is "
                "running on the embedded sandbox now. It resumes when LinkDesk runs against "
                "Codat again."
            )
        if not self._key_for(origin.profile):
            return (
                f"This call was made against Codat with the profile {origin.profile}, which has "
                "no API key now. Add its key in Settings and the call resumes."
            )
        return None

    async def load_keys(self, profiles: Iterable[str]) -> None:
        """Read the API keys of these profiles and the current one, in a worker thread each.

        What ``unavailable`` and ``codat_for`` know of other profiles' keys comes from here:
        they never touch the keyring themselves (it may block; see ``load_api_key``).
        """
        if not self.force_sandbox:
            await self.load_api_key()
        for profile in sorted(set(profiles) - {self.profile} - set(self._profile_keys)):
            key = await aresolve_api_key(profile, self.secrets)
            SECRET_FILTER.add_secret(key)
            self._profile_keys[profile] = key

    def _key_for(self, profile: str) -> str | None:
        """The key read by ``load_keys`` (None: none stored, or not read yet)."""
        if profile == self.profile:
            return self.api_key() if self._key_loaded else None
        return self._profile_keys.get(profile)

    async def codat_for(self, origin: CallOrigin) -> CodatClient:
        """A client for the API ``origin`` names, whatever profile the agent uses now.

        Raises ``CodatError`` (401) when the profile has no API key any more.
        """
        from desktop.core.codat import CodatClient
        from desktop.core.codat.errors import CodatError, ErrorKind
        from desktop.core.store.records import ApiKind

        if origin.api_kind is ApiKind.SANDBOX:
            base = await self.ensure_sandbox()
            return CodatClient(self.http(), base, self._sandbox_key or "")
        await self.load_keys((origin.profile,))
        key = self._key_for(origin.profile)
        if not key or self.force_sandbox:
            raise CodatError(
                ErrorKind.HTTP,
                status_code=401,
                error=f"No API key for the profile {origin.profile} in this LinkDesk.",
            )
        if origin.profile == self.profile and self.api_base_override:
            base = self.api_base_override
        else:
            base = str(self.settings.get("api_base", origin.profile))
        return CodatClient(self.http(), base.rstrip("/"), key)

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
        insecure = bool(self.settings.get("allow_insecure_http", self.profile))
        return CodatClient(self.http(), base, key, allow_insecure_http=insecure)

    # -- shutdown ---------------------------------------------------------------------------------
    @property
    def shutting_down(self) -> bool:
        """``aclose`` has begun."""
        return self._closed

    def close_now(self) -> None:
        """What must not be lost when ``aclose`` could not run to its end (Qt's loop ended under
        it, e.g. the display went away): stop the embedded sandbox and save the settings. Runs
        without an event loop; does nothing after a complete ``aclose``."""
        if self._closed_fully:
            return
        self._closed_fully = True
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        try:
            self.settings.save()
        except OSError as exc:
            log.error("Could not save settings: %s", exc)

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
        self._closed_fully = True


def _read_port(path: Path) -> int | None:
    """The port the embedded sandbox listened on last time, if it was saved and makes sense."""
    try:
        port = int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return port if 0 < port < 65536 else None


def _port_free(host: str, port: int) -> bool:
    """Whether ``port`` can be listened on now (uvicorn would exit its thread if it cannot)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
