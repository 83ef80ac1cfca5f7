"""The hub's settings: where NATS is, the stream's limits, and how webhooks are checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DAY = 86400.0
MAX_TOLERANCE = 300.0  # seconds: Svix's own verify allows no more (svix webhooks.py, 5 minutes)


@dataclass(frozen=True)
class StreamSettings:
    """The JetStream stream the events are kept in.

    ``duplicate_window``: how long a ``Nats-Msg-Id`` (the svix-id) is remembered, so that a
    webhook Codat delivers again within it is stored once (it may not exceed ``max_age``).

    ``given``: the fields the operator asked for (their command-line options were passed). On a
    stream that is already there only those are applied; any other field the server holds at
    another value (an operator's edit with the nats CLI) is kept, and one log line names it.
    ``replicas`` is the team calls' stream's (``LINKDESK_CALLS``) replica count too.
    """

    name: str = "CODAT"
    max_age: float = 7 * DAY  # seconds an event is kept
    max_bytes: int = 1 << 30  # the stream's size limit, bytes
    replicas: int = 1  # 3 on a 3-node cluster (R3)
    duplicate_window: float = DAY
    given: frozenset[str] = frozenset()  # of "max_age", "max_bytes", "replicas", "duplicate_window"

    def __post_init__(self) -> None:
        if self.replicas < 1 or self.replicas > 5:
            raise ValueError("replicas must be 1 to 5")
        if self.max_age <= 0 or self.max_bytes <= 0:
            raise ValueError("the stream's max age and size must be positive")
        if self.duplicate_window > self.max_age:
            raise ValueError("the duplicate window cannot be longer than the max age")


@dataclass(frozen=True)
class NatsSettings:
    """How to reach NATS. Credentials come from a NATS ``.creds`` file (its path is kept here),
    or a user and password, or a token, read from the environment by the command; they are left
    out of this object's repr, so a logged settings object shows none of them."""

    url: str = "nats://127.0.0.1:4222"
    creds_file: Path | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    tls_ca: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None


@dataclass(frozen=True)
class ReceiverSettings:
    """How webhooks are checked (Codat's docs: verify with Svix; 5 minutes is Svix's tolerance)."""

    secrets: tuple[str, ...] = field(default=(), repr=False)  # whsec_…; several while rotating
    tolerance: float = 300.0  # seconds between svix-timestamp and now
    max_body: int = 1 << 20  # bytes
    publish_timeout: float = 3.0  # seconds to wait for JetStream's ack
    retry_after: int = 5  # seconds, in a 503's Retry-After
    heartbeat: float = 5.0  # seconds between the hub's heartbeats to the desktops

    def __post_init__(self) -> None:
        # Svix's verify refuses a timestamp over 5 minutes off on its own: a longer tolerance
        # would pass the hub's check and then fail as bad_signature.
        if not 0 < self.tolerance <= MAX_TOLERANCE:
            raise ValueError(f"the tolerance must be over 0 and at most {MAX_TOLERANCE:g} seconds")
