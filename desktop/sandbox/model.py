"""The sandbox's records: companies, connections, pull operations, autopilot steps.

Times are epoch seconds from the injected clock. Every record round-trips through plain JSON so the
whole state can be written to ``--state FILE`` and read back after a restart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

# Stages of the customer's journey in Link (the sandbox's own words, reported by the control API).
STAGE_CREATED = "created"
STAGE_LINK_OPENED = "link_opened"
STAGE_PLATFORM_SELECTED = "platform_selected"
STAGE_CONSENTED = "consented"
STAGE_LINKED = "linked"
STAGE_SYNCING = "syncing"
STAGE_SYNCED = "synced"
STAGE_CANCELLED = "cancelled"
STAGE_FAILED = "failed"
STAGE_DEAUTHORIZED = "deauthorized"
STAGE_UNLINKED = "unlinked"

PENDING = "PendingAuth"
LINKED = "Linked"
UNLINKED = "Unlinked"
DEAUTHORIZED = "Deauthorized"


def iso(epoch: float) -> str:
    """Codat-style UTC timestamp with seven fractional digits, e.g. 2022-11-10T10:45:18.1950523Z."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


@dataclass
class LinkError:
    status_code: str
    status_text: str
    error_message: str
    errored_on: float
    status: str = "Active"
    resolved_on: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "statusCode": self.status_code,
            "statusText": self.status_text,
            "errorMessage": self.error_message,
            "erroredOnUtc": iso(self.errored_on),
            "status": self.status,
        }
        if self.resolved_on is not None:
            out["resolvedOnUtc"] = iso(self.resolved_on)
        return out


@dataclass
class PullOp:
    """One data type's pull; its status at any moment follows from the three times and the outcome."""

    id: str
    company_id: str
    connection_id: str
    data_type: str
    requested: float
    fetch_start: float
    fetch_end: float
    outcome: str = "Complete"
    error_message: str | None = None
    announced: int = 0  # how many of the (Fetching, final) transitions the journal has recorded

    def status_at(self, now: float) -> str:
        if now < self.fetch_start:
            return "Queued"
        if now < self.fetch_end:
            return "Fetching"
        return self.outcome

    def progress_at(self, now: float) -> int:
        if now < self.fetch_start:
            return 0
        if now >= self.fetch_end:
            return 100
        span = max(self.fetch_end - self.fetch_start, 1e-9)
        return max(1, min(99, int(100 * (now - self.fetch_start) / span)))

    def done_at(self, now: float) -> bool:
        return now >= self.fetch_end

    @property
    def succeeded(self) -> bool:
        return self.outcome == "Complete"

    @property
    def errored(self) -> bool:
        """Codat's spec finds failed pulls with ``status!=Complete&&status!=NotSupported``."""
        return self.outcome not in ("Complete", "NotSupported")


@dataclass
class Connection:
    id: str
    company_id: str
    platform_key: str
    status: str
    created: float
    modified: float
    errors: list[LinkError] = field(default_factory=list)


@dataclass
class Step:
    """One autopilot step. ``after_sync`` steps wait for the first sync to end before their delay."""

    action: str
    delay: float
    params: dict[str, Any] = field(default_factory=dict)
    after_sync: bool = False


@dataclass
class Autopilot:
    scenario: str
    steps: list[Step]
    next_at: float | None  # due time of steps[0]; None while an after_sync step waits for the sync


@dataclass
class Company:
    id: str
    name: str
    description: str | None
    tags: dict[str, str]
    created: float
    modified: float
    stage: str = STAGE_CREATED
    current_connection_id: str | None = None
    connections: list[Connection] = field(default_factory=list)
    pulls: list[PullOp] = field(default_factory=list)
    sync_pace: float = 1.0
    failing_data_type: str | None = None
    # How a data type's pulls end when not "Complete" (e.g. {"bills": "PermissionsError"}).
    outcomes: dict[str, str] = field(default_factory=dict)
    # Data types in the data status that were never synced: Codat sends no currentStatus.
    never_synced: list[str] = field(default_factory=list)
    autopilot: Autopilot | None = None

    def connection(self, connection_id: str) -> Connection | None:
        return next((c for c in self.connections if c.id == connection_id), None)

    @property
    def current(self) -> Connection | None:
        if self.current_connection_id is None:
            return None
        return self.connection(self.current_connection_id)


def company_to_json(company: Company) -> dict[str, Any]:
    return asdict(company)


def company_from_json(data: dict[str, Any]) -> Company:
    raw = dict(data)
    connections = [
        Connection(**{**c, "errors": [LinkError(**e) for e in c.get("errors", [])]})
        for c in raw.pop("connections", [])
    ]
    pulls = [PullOp(**p) for p in raw.pop("pulls", [])]
    pilot_raw = raw.pop("autopilot", None)
    pilot = None
    if pilot_raw is not None:
        pilot = Autopilot(
            scenario=pilot_raw["scenario"],
            steps=[Step(**s) for s in pilot_raw["steps"]],
            next_at=pilot_raw["next_at"],
        )
    return Company(**raw, connections=connections, pulls=pulls, autopilot=pilot)
