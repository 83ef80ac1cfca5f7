"""One LinkDesk per home: an exclusive lock on a file in the data folder (no Qt here).

Two windows on one ``LINKDESK_HOME`` would resume the same calls, poll Codat twice and write
timeline rows twice, and their notes would overwrite each other. The first process to start takes
``linkdesk.lock`` in the data folder and keeps it until it exits; the operating system releases it
when the process ends in any way (even SIGKILL), so a crash never leaves a stale lock behind. The
lock file holds the holder's process id and role ("window", or a command's name) so that a second
start can say who is there.

POSIX: ``fcntl.flock`` on the file. Windows: ``msvcrt.locking`` on one byte far past the text.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

LOCK_NAME = "linkdesk.lock"
# Exit code of a command refused because another LinkDesk holds the home (documented in --help).
_WINDOWS_BYTE = 1 << 20  # locked on Windows; beyond the holder text, which stays readable


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as written in the lock file (pid 0 and role "" when unreadable)."""

    pid: int
    role: str

    def describe(self) -> str:
        what = "the LinkDesk window" if self.role == "window" else f"linkdesk {self.role}"
        return f"{what} (process {self.pid})" if self.pid else "another LinkDesk"


class HomeInUse(Exception):
    """Another process holds this home's lock."""

    def __init__(self, folder: Path, holder: Holder) -> None:
        self.folder = folder
        self.holder = holder
        super().__init__(
            f"{holder.describe()} is already using {folder}; only one LinkDesk may use a home "
            "at a time"
        )


class HomeLock:
    """The exclusive lock of one data folder. ``acquire`` once; ``release`` (or exit) frees it."""

    def __init__(self, data_folder: Path) -> None:
        self.folder = data_folder
        self.path = data_folder / LOCK_NAME
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, role: str) -> None:
        """Take the lock for ``role`` without waiting.

        Raises HomeInUse when another process holds it, OSError when the file cannot be made.
        """
        if self._file is not None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # "a+" creates the file without truncating what the holder wrote.
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while held
        try:
            _lock(handle)
        except OSError:
            handle.close()
            raise HomeInUse(self.folder, self.read_holder()) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {role}\n")
        handle.flush()
        self._file = handle

    def read_holder(self) -> Holder:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return Holder(0, "")
        pid, _, role = text.strip().partition(" ")
        return Holder(int(pid), role) if pid.isdigit() else Holder(0, "")

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            _unlock(handle)
            handle.close()

    def server_name(self) -> str:
        """A name for the local socket on which the window holding this home listens.

        Derived from the folder (short: Unix socket paths are limited to about 100 bytes).
        """
        import hashlib  # deferred: it loads OpenSSL, which the first frame does not need

        digest = hashlib.sha256(str(self.folder.resolve()).encode("utf-8")).hexdigest()
        return f"linkdesk-{digest[:20]}"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(_WINDOWS_BYTE)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(_WINDOWS_BYTE)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
