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


def load_keyring_module() -> None:
    """Import keyring without resolving a backend (resolving may mean a D-Bus round trip)."""
    _keyring()


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
