"""The team hub's NATS credentials: kept in the OS keyring only, as nats-py connect options.

One keyring entry (service ``LinkDesk team hub``, account ``nats``) holds either a NATS token or
``user:password``. The hub's URL never carries them: it is kept in the plaintext settings file,
so ``hub_url.check_hub_url`` refuses ``nats://user:password@host``. A team whose NATS
has a certificate from its own CA gives that CA's PEM file (Settings › Team hub, ``hub_tls_ca``).
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

from desktop.core.logs import SECRET_FILTER

HUB_SECRET_SERVICE = "LinkDesk team hub"
HUB_SECRET_ACCOUNT = "nats"


def connect_options(credential: str | None, tls_ca: str | Path | None = None) -> dict[str, Any]:
    """nats-py ``connect`` keywords for the stored credential (none when there is none) and,
    with ``tls_ca``, TLS verified against that CA (PEM) instead of the system's CAs.

    The credential (whole, and its password) is registered with ``logs.SECRET_FILTER`` as it is
    read, so no log line can ever hold it, whatever carries it there.

    Raises ``OSError`` (``ssl.SSLError``) when ``tls_ca`` cannot be read as PEM."""
    options: dict[str, Any] = {}
    if tls_ca:
        options["tls"] = ssl.create_default_context(cafile=str(tls_ca))
    text = (credential or "").strip()
    if not text:
        return options
    SECRET_FILTER.add_secret(text)
    user, colon, password = text.partition(":")
    if colon:
        if len(password) >= 4:  # a shorter one would blank every match of it in every line
            SECRET_FILTER.add_secret(password)
        return {**options, "user": user, "password": password}
    return {**options, "token": text}
