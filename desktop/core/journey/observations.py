"""What the journey model is fed: what an API call showed, a failed call, or what the agent saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop.core.codat.errors import CodatError
from desktop.core.codat.models import Company, Connection, DataStatus, PullOperation
from desktop.core.journey.model import CONFIRMABLE_STEPS, Step


@dataclass(frozen=True)
class CompanySeen:
    at: float
    company: Company
    # Codat may leave dataConnections out of a company; only read them when they were sent.
    includes_connections: bool = True


@dataclass(frozen=True)
class ConnectionsSeen:
    at: float
    connections: tuple[Connection, ...]


@dataclass(frozen=True)
class DataStatusSeen:
    at: float
    statuses: Mapping[str, DataStatus]


@dataclass(frozen=True)
class PullOperationsSeen:
    at: float
    operations: tuple[PullOperation, ...]


@dataclass(frozen=True)
class RequestFailed:
    at: float
    error: CodatError


@dataclass(frozen=True)
class AgentConfirmed:
    """The agent saw on the shared screen that the customer finished step 1 or step 3."""

    at: float
    step: Step

    def __post_init__(self) -> None:
        if Step(self.step) not in CONFIRMABLE_STEPS:
            raise ValueError(
                f"only steps {sorted(int(s) for s in CONFIRMABLE_STEPS)} can be confirmed; "
                f"the API shows the others"
            )


@dataclass(frozen=True)
class TimePassed:
    """Nothing new, but time went by (lets a stall be noticed between answers)."""

    at: float


Observation = (
    CompanySeen
    | ConnectionsSeen
    | DataStatusSeen
    | PullOperationsSeen
    | RequestFailed
    | AgentConfirmed
    | TimePassed
)
