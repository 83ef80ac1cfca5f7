"""In-memory keyring backends, so tests never touch a real keyring."""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # only used when selected explicitly

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's __init__ is unannotated
        self.store: dict[tuple[str, str], str] = {}
        self.threads: list[threading.Thread] = []  # the thread of each call, in order

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.append(threading.current_thread())
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.threads.append(threading.current_thread())
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.threads.append(threading.current_thread())
        try:
            del self.store[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"{service}/{username} not found") from None


class LockedKeyring(MemoryKeyring):
    """A keyring waiting for the user to unlock it (a Secret Service prompt): every read blocks
    until ``unlock`` is set. ``asked`` is set when a read starts waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.unlock = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.asked.set()
        if not self.unlock.wait(timeout=30):  # bounded, so a failing test cannot hang the run
            raise TimeoutError("the test never unlocked the keyring")
        return super().get_password(service, username)
