"""Secrets for the hub from the environment or from a file only the service user can read.

A secret never reaches a log line: callers get plain strings and log only that one was loaded.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from svix.webhooks import Webhook

WEBHOOK_SECRET_ENV = "LINKDESK_HUB_WEBHOOK_SECRET"
NATS_USER_ENV = "LINKDESK_HUB_NATS_USER"
NATS_PASSWORD_ENV = "LINKDESK_HUB_NATS_PASSWORD"
NATS_TOKEN_ENV = "LINKDESK_HUB_NATS_TOKEN"

# Every variable the hub reads a credential from: taken out of the environment once read, so no
# child (the embedded nats-server, a uvicorn worker) inherits them; workers get the settings
# through multiprocessing's pipe (app.AppFactory).
HUB_CREDENTIAL_ENVS = (WEBHOOK_SECRET_ENV, NATS_USER_ENV, NATS_PASSWORD_ENV, NATS_TOKEN_ENV)


def withhold_from_children() -> None:
    """Remove the hub's credential variables from this process's environment (call it once they
    have been read)."""
    for name in HUB_CREDENTIAL_ENVS:
        os.environ.pop(name, None)


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


def webhook_verifier(secret: str, which: str) -> Webhook:
    """Svix's verifier for one signing secret; ``which`` names it in the error (its position and
    source, never its value).

    Raises SecretError for a secret Svix cannot use: after ``whsec_`` it decodes base64 (a
    truncated secret raises binascii.Error) and refuses an empty key (EmptyWebhookSecretError).
    """
    if not secret.startswith("whsec_"):
        raise SecretError(
            f"{which} does not start with whsec_ (a webhook signing secret does; Codat's Portal "
            "shows it)"
        )
    try:
        return Webhook(secret)
    except Exception:  # Svix raises several kinds; none is worth more than this line
        raise SecretError(
            f"{which} is not a whole webhook signing secret (after whsec_ comes base64 text, "
            "not empty): copy it again from Codat's Portal"
        ) from None


def webhook_secrets(file: Path | None) -> tuple[str, ...]:
    """The webhook signing secrets (``whsec_…``, whitespace-separated: several while rotating),
    each checked with ``webhook_verifier``; SecretError names the one Svix cannot use."""
    text = read_private_file(file) if file is not None else os.environ.get(WEBHOOK_SECRET_ENV, "")
    found = tuple(text.split())
    if not found:
        where = str(file) if file is not None else f"${WEBHOOK_SECRET_ENV}"
        raise SecretError(f"no webhook signing secret in {where}")
    where = str(file) if file is not None else f"${WEBHOOK_SECRET_ENV}"
    for position, secret in enumerate(found, 1):
        webhook_verifier(secret, f"webhook signing secret {position} of {len(found)} in {where}")
    return found
