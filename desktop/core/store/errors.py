"""What can go wrong with the call database, in plain words for the agent.

SQLite reports failures as a handful of exception classes with an error name; the agent needs to
know what happened to their work and what to do, so each failure becomes one ``StoreError`` kind.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum


class StoreErrorKind(StrEnum):
    FULL = "full"  # the disk (or the database's page limit) is full
    READ_ONLY = "read_only"  # the file, its folder or the whole disk cannot be written
    LOCKED = "locked"  # another program held the database longer than the busy timeout
    CORRUPT = "corrupt"  # the file is damaged or is not a database at all
    CANNOT_OPEN = "cannot_open"  # the file or its folder cannot be reached
    DISK = "disk"  # the operating system reported an input/output error
    TOO_NEW = "too_new"  # written by a newer LinkDesk whose schema this one does not know
    OUTDATED = "outdated"  # opened read-only before this LinkDesk could upgrade it
    NOT_FOUND = "not_found"  # no call with that id
    OTHER = "other"


# Writes that fail for these reasons can succeed later without anyone changing the data.
TRANSIENT_KINDS: frozenset[StoreErrorKind] = frozenset(
    {StoreErrorKind.FULL, StoreErrorKind.READ_ONLY, StoreErrorKind.LOCKED, StoreErrorKind.DISK}
)

_ADVICE: dict[StoreErrorKind, str] = {
    StoreErrorKind.FULL: (
        "The disk holding LinkDesk's call database is full. Free some space; LinkDesk keeps what "
        "you typed in memory and saves it as soon as it can."
    ),
    StoreErrorKind.READ_ONLY: (
        "LinkDesk's call database cannot be written (the file, its folder or the disk is "
        "read-only). LinkDesk keeps what you typed in memory and saves it once writing works again."
    ),
    StoreErrorKind.LOCKED: (
        "LinkDesk's call database is busy in another program (perhaps a second LinkDesk window or "
        "a backup tool). LinkDesk keeps what you typed in memory and tries again."
    ),
    StoreErrorKind.CORRUPT: ("LinkDesk's call database is damaged and cannot be read."),
    StoreErrorKind.CANNOT_OPEN: (
        "LinkDesk cannot open its call database: the file or its folder cannot be reached."
    ),
    StoreErrorKind.DISK: (
        "The disk reported an error while LinkDesk saved the call. LinkDesk keeps what you typed "
        "in memory and tries again."
    ),
    StoreErrorKind.TOO_NEW: (
        "The call database was written by a newer version of LinkDesk. Update LinkDesk to open it; "
        "the file has been left untouched."
    ),
    StoreErrorKind.OUTDATED: (
        "The call database has not been set up by this version of LinkDesk yet. Open the LinkDesk "
        "app once, then try again."
    ),
    StoreErrorKind.NOT_FOUND: "There is no saved call with that number.",
    StoreErrorKind.OTHER: "LinkDesk could not use its call database.",
}


class StoreError(Exception):
    """A failure of the call database; ``plain_message`` is what to show the agent."""

    def __init__(
        self,
        kind: StoreErrorKind,
        detail: str = "",
        *,
        path: str | None = None,
        queued: bool = False,
    ) -> None:
        self.kind = kind
        self.detail = detail  # SQLite's or the OS's own words, for the log
        self.path = path
        self.queued = queued  # the write is kept in memory and retried by retry_pending()
        super().__init__(self.plain_message + (f" ({detail})" if detail else ""))

    @property
    def plain_message(self) -> str:
        message = _ADVICE[self.kind]
        if self.path and self.kind in (
            StoreErrorKind.CORRUPT,
            StoreErrorKind.CANNOT_OPEN,
            StoreErrorKind.TOO_NEW,
            StoreErrorKind.OUTDATED,
            StoreErrorKind.READ_ONLY,
            StoreErrorKind.FULL,
        ):
            message += f" File: {self.path}"
        return message

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT_KINDS


class UnknownCallError(StoreError):
    def __init__(self, call_id: int) -> None:
        self.call_id = call_id
        super().__init__(StoreErrorKind.NOT_FOUND, f"call {call_id}")

    @property
    def plain_message(self) -> str:
        return f"There is no saved call number {self.call_id}."


# SQLite's primary result codes (the low byte of an extended code) by name.
_BY_NAME: dict[str, StoreErrorKind] = {
    "SQLITE_FULL": StoreErrorKind.FULL,
    "SQLITE_READONLY": StoreErrorKind.READ_ONLY,
    "SQLITE_PERM": StoreErrorKind.READ_ONLY,
    "SQLITE_BUSY": StoreErrorKind.LOCKED,
    "SQLITE_LOCKED": StoreErrorKind.LOCKED,
    "SQLITE_CORRUPT": StoreErrorKind.CORRUPT,
    "SQLITE_NOTADB": StoreErrorKind.CORRUPT,
    "SQLITE_CANTOPEN": StoreErrorKind.CANNOT_OPEN,
    "SQLITE_IOERR": StoreErrorKind.DISK,
}

# The same, from the message, for errors that carry no code (raised by wrappers or older builds).
_BY_TEXT: tuple[tuple[str, StoreErrorKind], ...] = (
    ("database or disk is full", StoreErrorKind.FULL),
    ("readonly database", StoreErrorKind.READ_ONLY),
    ("read-only", StoreErrorKind.READ_ONLY),
    ("database is locked", StoreErrorKind.LOCKED),
    ("database table is locked", StoreErrorKind.LOCKED),
    ("malformed", StoreErrorKind.CORRUPT),
    ("file is not a database", StoreErrorKind.CORRUPT),
    ("unable to open database", StoreErrorKind.CANNOT_OPEN),
    ("disk i/o error", StoreErrorKind.DISK),
)


def classify(error: sqlite3.Error) -> StoreErrorKind:
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str):
        # Extended names (SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE...) share the primary prefix.
        for prefix, kind in _BY_NAME.items():
            if name == prefix or name.startswith(prefix + "_"):
                return kind
    text = str(error).lower()
    for fragment, kind in _BY_TEXT:
        if fragment in text:
            return kind
    return StoreErrorKind.OTHER


def from_sqlite(
    error: sqlite3.Error, *, path: str | None = None, queued: bool = False
) -> StoreError:
    return StoreError(classify(error), str(error), path=path, queued=queued)
