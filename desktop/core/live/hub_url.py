"""The team hub's NATS URL as Settings › Team hub keeps it: in the plaintext settings file, so it
must never carry a credential."""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = ("nats://", "tls://")
# Why a hub URL the settings file holds is not used (a status bar line, and calls stats --team's).
HUB_URL_REFUSED = (
    "the team hub URL in the settings holds a password or is not nats://; set it again in "
    "Settings › Team hub"
)


class RefusedHubUrl(ValueError):
    """A hub URL that cannot be kept; ``str()`` is a line for the agent."""


def check_hub_url(text: str) -> str:
    """The URL to keep (stripped; several servers comma-separated, as nats-py takes them), or
    "" for none. Raises ``RefusedHubUrl`` for a server that is not ``nats://`` or ``tls://``, or
    one carrying userinfo (``nats://user:password@host``, ``nats://token@host``): a credential
    belongs in the keyring (Team hub credentials), never in the settings file."""
    servers = [part.strip() for part in text.split(",") if part.strip()]
    if not all(server.startswith(SCHEMES) for server in servers):
        raise RefusedHubUrl(
            "The team hub URL must start with nats:// or tls:// (several: comma-separated)."
        )
    for server in servers:
        try:
            netloc = urlsplit(server).netloc
        except ValueError as exc:
            raise RefusedHubUrl(f"The team hub URL cannot be read ({exc}).") from exc
        if "@" in netloc:
            raise RefusedHubUrl(
                "The team hub URL must not hold a user, password or token (the part before "
                "@): it would be saved in plain text. Type them in Team hub credentials, which "
                "are kept in the system keyring, and give the URL as nats://host:port."
            )
    return ",".join(servers)
