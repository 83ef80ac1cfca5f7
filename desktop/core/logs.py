"""Logging to a rotating file, with every secret scrubbed from every record.

The filter sits on the handlers, not on loggers, so records from any library (httpx logs request
headers at DEBUG) pass through it before they reach a file or the console.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import re
import sys
import threading
from pathlib import Path

REDACTED = "[redacted]"
# An Authorization header's value, however it was formatted into the message.
_AUTH_HEADER = re.compile(
    r"(?i)(authorization['\"]?\s*[:=,]\s*\(?\s*b?['\"]?)([^'\"\s,)]+(?:\s+[^'\"\s,)]+)?)"
)
_BASIC = re.compile(r"(?i)\bBasic\s+[A-Za-z0-9+/=_-]{8,}")


class SecretFilter(logging.Filter):
    """Removes registered secrets (and their base64 forms) and Authorization values from records."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()

    def add_secret(self, secret: str | None) -> None:
        if not secret:
            return
        forms = {secret, base64.b64encode(secret.encode()).decode()}
        forms.add(base64.b64encode(secret.encode()).decode().rstrip("="))
        with self._lock:
            # Longest first, so a base64 form is removed before any shorter form inside it.
            self._secrets = tuple(sorted(set(self._secrets) | forms, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
        return _BASIC.sub("Basic " + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.scrub(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, scrubbed, so no handler formats the raw one later.
            formatter = logging.Formatter()
            record.exc_text = self.scrub(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


class RotatingLog(logging.FileHandler):
    """A log file that moves to ``.1`` (``.1`` to ``.2`` and so on) once it has reached ``max_bytes``.

    Ours rather than ``logging.handlers.RotatingFileHandler``: that module also loads socket, pickle
    and queue for its other handlers, about 1 MiB and 4 ms of a start-up we keep short.

    Logging never takes the app down: when the file cannot be opened, written, flushed, rotated or
    closed (a read-only home, a full disk, a reopen after rotation that fails), the handler says so
    once on stderr, keeps the reason in ``failure`` for the window to show, and drops later records
    instead of raising into whatever code was logging.
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups
        self.failure: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.failure is not None:
            return
        try:
            text = self.format(record)
        except Exception:  # a bad format string in some library: logging's usual report
            self.handleError(record)
            return
        try:
            # Checked before writing, so the live file always holds the newest record.
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self._rotate()
            if self.stream is None:
                self.stream = self._open()
            self.stream.write(text + self.terminator)
            self.stream.flush()
        except OSError as exc:
            self._give_up(exc)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            self._give_up(exc)

    def close(self) -> None:
        try:
            super().close()
        except OSError as exc:
            self._give_up(exc)
            self.stream = None

    def _give_up(self, exc: OSError) -> None:
        """Stop writing, close the file without raising, and say so once."""
        if self.failure is not None:
            return
        reason = exc.strerror or str(exc)
        self.failure = f"cannot write the log file {self.baseFilename}: {reason}"
        stream, self.stream = self.stream, None
        if stream is not None:
            # The buffered lines are lost with the disk; the file handle is closed all the same.
            with contextlib.suppress(OSError):
                stream.close()
        if sys.stderr is not None:  # None in a windowed build without a console
            with contextlib.suppress(OSError, ValueError):
                print(f"linkdesk: {self.failure}; logging is off for this session", file=sys.stderr)

    def _rotate(self) -> None:
        self.acquire()
        try:
            if self.stream is not None:
                self.stream.close()
            self.stream = None  # reopened by emit
            base = self.baseFilename
            for n in range(self.backups - 1, 0, -1):
                if os.path.exists(f"{base}.{n}"):
                    os.replace(f"{base}.{n}", f"{base}.{n + 1}")
            if self.backups > 0:
                os.replace(base, f"{base}.1")
            else:
                os.remove(base)
        finally:
            self.release()


def log_failure() -> str | None:
    """Why LinkDesk's log file cannot be written (None when it can, or before setup_logging)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_linkdesk", False) and isinstance(handler, RotatingLog):
            return handler.failure
    return None


SECRET_FILTER = SecretFilter()
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    """Idempotent: a second call replaces LinkDesk's handlers instead of adding more."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_linkdesk", False):
            root.removeHandler(handler)
            handler.close()
    with contextlib.suppress(OSError):  # if so, the handler's first write fails and says so
        log_file.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [RotatingLog(log_file, max_bytes=2_000_000, backups=5)]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(SECRET_FILTER)
        handler._linkdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    # httpx/httpcore log every request line at INFO/DEBUG; keep them out unless debugging.
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def close_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_linkdesk", False):
            root.removeHandler(handler)
            handler.close()
