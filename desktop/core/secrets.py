"""The Codat API key, per profile, in the OS keyring and nowhere else.

When the OS has no usable keyring (a headless Linux box, a minimal desktop), the user may keep the key
for this session only: it then lives in this process's memory and is gone when LinkDesk quits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.core.env_key import env_api_key

SERVICE = "LinkDesk"


class SecretStoreError(Exception):
    """The keyring refused an operation; the message says what happened in plain words."""


class NoKeyring(SecretStoreError):
    """This computer has no keyring backend at all (keyring's ``NoKeyringError``): nothing can
    have been saved in it, so there is no secret to read, as opposed to one that cannot be."""


@dataclass(frozen=True)
class BackendInfo:
    name: str
    secure: bool
    usable: bool

    @property
    def description(self) -> str:
        if not self.usable:
            return f"No usable keyring ({self.name}): keys can be kept for this session only"
        if not self.secure:
            return f"{self.name}: not encrypted"
        return self.name


def _keyring() -> Any:
    import keyring  # deferred: the command-line tools that never touch a key do not pay for it

    return keyring


class SecretStore:
    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._session: dict[str, str] = {}

    def backend(self) -> BackendInfo:
        kr = _keyring()
        backend = kr.get_keyring()
        cls = type(backend)
        name = f"{cls.__module__}.{cls.__name__}"
        usable = not (
            name.startswith("keyring.backends.fail") or name.startswith("keyring.backends.null")
        )
        insecure = ("plaintext", "keyrings.alt.file", "null.", "fail.")
        secure = usable and not any(word in name.lower() for word in insecure)
        return BackendInfo(name=name, secure=secure, usable=usable)

    def get(self, profile: str) -> str | None:
        if profile in self._session:
            return self._session[profile]
        kr = _keyring()
        try:
            value: str | None = kr.get_password(self.service, profile)
        except kr.errors.KeyringError:
            return None
        return value or None

    def read(self, account: str) -> str | None:
        """``get()``, but a keyring that fails says so instead of answering "no secret": raises
        ``SecretStoreError`` (one line naming the backend's error class) when the backend raises,
        whether keyring's own ``KeyringError`` (e.g. locked) or its platform library's (D-Bus,
        Secret Service); ``NoKeyring`` (a ``SecretStoreError``) when there is no backend at all.
        For a caller that must not go on as if there were none."""
        if account in self._session:
            return self._session[account]
        kr = _keyring()
        try:
            value: str | None = kr.get_password(self.service, account)
        except kr.errors.NoKeyringError as exc:
            raise NoKeyring("This computer has no system keyring.") from exc
        except Exception as exc:  # backends raise their own kinds, not only KeyringError
            raise SecretStoreError(
                f"The system keyring could not be read ({exc.__class__.__name__})."
            ) from exc
        return value or None

    def set(self, profile: str, key: str, *, session_only: bool = False) -> None:
        key = key.strip()
        if not key:
            raise SecretStoreError("The API key is empty.")
        if session_only:
            self._session[profile] = key
            return
        kr = _keyring()
        try:
            kr.set_password(self.service, profile, key)
        except kr.errors.KeyringError as exc:
            raise SecretStoreError(
                f"The system keyring did not accept the key ({exc.__class__.__name__}). "
                "You can keep it for this session only."
            ) from exc
        self._session.pop(profile, None)

    def delete(self, profile: str) -> None:
        self._session.pop(profile, None)
        kr = _keyring()
        try:
            kr.delete_password(self.service, profile)
        except kr.errors.PasswordDeleteError:
            pass
        except kr.errors.KeyringError as exc:
            raise SecretStoreError(f"The system keyring could not delete the key: {exc}") from exc

    def is_session_only(self, profile: str) -> bool:
        return profile in self._session

    # The same operations in a worker thread, for the GUI: a keyring call may be a D-Bus round
    # trip, or wait for the user to unlock a Secret Service collection, and must not freeze it.
    # A key crosses the thread boundary only inside a closure or a _Concealed: qasync's executor
    # logs the arguments and the result of what it runs, at DEBUG.
    async def abackend(self) -> BackendInfo:
        """``backend()`` off the calling thread."""
        import asyncio

        return await asyncio.to_thread(self.backend)

    async def aget(self, profile: str) -> str | None:
        """``get()`` off the calling thread."""
        import asyncio

        found = await asyncio.to_thread(lambda: _Concealed(self.get(profile)))
        return found.value

    async def aset(self, profile: str, key: str, *, session_only: bool = False) -> None:
        """``set()`` off the calling thread; raises SecretStoreError as ``set()`` does."""
        import asyncio

        await asyncio.to_thread(lambda: self.set(profile, key, session_only=session_only))


class _Concealed:
    """A secret that says nothing about itself when printed or logged."""

    __slots__ = ("value",)

    def __init__(self, value: str | None) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<concealed>"


_default_store: SecretStore | None = None


def default_store() -> SecretStore:
    global _default_store
    if _default_store is None:
        _default_store = SecretStore()
    return _default_store


def resolve_api_key(profile: str, store: SecretStore | None = None) -> str | None:
    """The key for scripts and the app: ``LINKDESK_API_KEY`` first, else the profile's keyring entry."""
    env = env_api_key()
    if env:
        return env
    return (store or default_store()).get(profile)


async def aresolve_api_key(profile: str, store: SecretStore | None = None) -> str | None:
    """``resolve_api_key`` off the calling thread (the keyring may block; see SecretStore.aget)."""
    import asyncio

    found = await asyncio.to_thread(lambda: _Concealed(resolve_api_key(profile, store)))
    return found.value
