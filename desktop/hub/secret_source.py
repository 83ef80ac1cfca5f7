"""Secrets for the hub from the environment or from a file only the service user can read.

A secret never reaches a log line: callers get plain strings and log only that one was loaded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

WEBHOOK_SECRET_ENV = "LINKDESK_HUB_WEBHOOK_SECRET"
NATS_USER_ENV = "LINKDESK_HUB_NATS_USER"
NATS_PASSWORD_ENV = "LINKDESK_HUB_NATS_PASSWORD"
NATS_TOKEN_ENV = "LINKDESK_HUB_NATS_TOKEN"


class SecretError(ValueError):
    """The secret is missing, or its file can be read by others."""


def read_private_file(path: Path) -> str:
    """The file's text, refusing a file that its group or others may read or write."""
    try:
        info = path.stat()
    except OSError as exc:
        raise SecretError(f"cannot read {path}: {exc.strerror}") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"{path} can be read by other users (mode {stat.filemode(info.st_mode)}); "
            f"run: chmod 600 {path}"
        )
    return path.read_text(encoding="utf-8")


def webhook_secrets(file: Path | None) -> tuple[str, ...]:
    """The webhook signing secrets (``whsec_…``, whitespace-separated: several while rotating)."""
    text = read_private_file(file) if file is not None else os.environ.get(WEBHOOK_SECRET_ENV, "")
    found = tuple(text.split())
    if not found:
        where = str(file) if file is not None else f"${WEBHOOK_SECRET_ENV}"
        raise SecretError(f"no webhook signing secret in {where}")
    for secret in found:
        if not secret.startswith("whsec_"):
            raise SecretError(
                "a webhook signing secret starts with whsec_ (Codat's Portal shows it)"
            )
    return found
