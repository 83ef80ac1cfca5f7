"""The journey's vocabulary: steps, statuses, provenance, problems, sync progress and the state.

Everything here is an immutable value. Times are epoch seconds (floats) taken from the observations,
never from a clock of this module's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any

from desktop.core.codat.models import DataStatus, PullOperation


class Step(IntEnum):
    OPEN_LINK = 1
    CHOOSE_SOFTWARE = 2
    REVIEW_AND_START = 3
    SIGN_IN = 4
    COMPLETE = 5


STEP_TITLES: dict[Step, str] = {
    Step.OPEN_LINK: "Open the link",
    Step.CHOOSE_SOFTWARE: "Choose software",
    Step.REVIEW_AND_START: "Review and start",
    Step.SIGN_IN: "Sign in and approve",
    Step.COMPLETE: "Complete and first sync",
}

# Codat's API shows nothing while the customer is on these screens.
INVISIBLE_STEPS: frozenset[Step] = frozenset({Step.OPEN_LINK, Step.REVIEW_AND_START})
CONFIRMABLE_STEPS = INVISIBLE_STEPS


class StepStatus(StrEnum):
    WAITING = "waiting"
    CURRENT = "current"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


# How far along a status is; a step whose rank falls has gone backwards.
STATUS_RANK: dict[StepStatus, int] = {
    StepStatus.WAITING: 0,
    StepStatus.CURRENT: 1,
    StepStatus.FAILED: 1,
    StepStatus.DONE: 2,
    StepStatus.SKIPPED: 2,
}


class Provenance(StrEnum):
    OBSERVED = "observed"  # the API showed it
    INFERRED = "inferred"  # a later step was seen, so this one must have happened
    AGENT_CONFIRMED = "agent-confirmed"  # the agent saw it on the shared screen


class Phase(StrEnum):
    """What the tracker should expect next, which decides how often it asks."""

    AWAITING_CUSTOMER = "awaiting_customer"  # Link URL sent, the customer has not started
    LINKING = "linking"  # the customer is in Link: a connection may appear or change any moment
    SYNCING = "syncing"  # linked; the first sync is running or about to
    IDLE = "idle"  # nothing has moved for a long while
    FINISHED = "finished"  # Linked now (or a completed one-time sync) and the first sync is done
    # Nothing more can happen: the company was deleted, or Codat refuses our API key. Anything the
    # customer can still change (access lost, unlinked, a connection error, a failed sync) is a
    # problem on an open journey instead, waited on at the AWAITING_CUSTOMER pace.
    FAILED = "failed"


ACTIVE_PHASES: frozenset[Phase] = frozenset(
    {Phase.AWAITING_CUSTOMER, Phase.LINKING, Phase.SYNCING, Phase.IDLE}
)


class ProblemKey(StrEnum):
    # These exact strings are the troubleshooting keys of the guides.
    CANCELLED = "cancelled"
    CONNECTION_ERROR = "connection_error"
    DEAUTHORIZED = "deauthorized"
    UNLINKED = "unlinked"
    SYNC_FAILED = "sync_failed"
    STALLED = "stalled"
    API_UNREACHABLE = "api_unreachable"
    COMPANY_GONE = "company_gone"  # 404: the company was deleted (or the ID is wrong)
    API_KEY_REFUSED = "api_key_refused"  # 401/403


class Reason(StrEnum):
    """Why a connection failed, when the error text (or the stall) says enough to tell."""

    TBA_DISABLED = "tba_disabled"
    NOT_ADMIN = "not_admin"
    TRIAL_ACCOUNT = "trial_account"
    WRONG_PASSWORD = "wrong_password"
    FIREWALL = "firewall"
    POPUP_BLOCKED = "popup_blocked"
    SLOW_FIRST_SYNC = "slow_first_sync"


# Problems after which nothing more can happen on this journey: tracking ends.
FINAL_PROBLEMS: frozenset[ProblemKey] = frozenset(
    {ProblemKey.COMPANY_GONE, ProblemKey.API_KEY_REFUSED}
)
# Problems someone can fix while the call goes on: the journey stays open and is watched.
ACTIONABLE_PROBLEMS: frozenset[ProblemKey] = frozenset(
    {ProblemKey.DEAUTHORIZED, ProblemKey.UNLINKED, ProblemKey.SYNC_FAILED}
)

# On-premise connectors that can be set to sync once; the connector then removes itself and the
# connection becomes Deauthorized by design (docs.codat.io/integrations/accounting/offline-connectors,
# .../quickbooksdesktop/installing-the-quickbooks-connector §5, .../sage50/installing-the-sage-50-connector).
ONE_TIME_SYNC_PLATFORMS: dict[str, str] = {"pqsw": "QuickBooks Desktop", "hbql": "Sage 50"}


@dataclass(frozen=True)
class Problem:
    key: ProblemKey
    message: str  # plain words for the agent
    since: float
    reason: Reason | None = None
    detail: str | None = None  # Codat's own words, when it gave any
    step: Step | None = None
    fix: str | None = None  # what to do, when the status table says
    needs: str | None = None  # who must act: a statuses.Meaning value ("needs the customer", ...)

    @property
    def guide_keys(self) -> tuple[str, ...]:
        """Troubleshooting keys to look up, the most specific first."""
        return (self.reason.value, self.key.value) if self.reason else (self.key.value,)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key.value,
            "reason": self.reason.value if self.reason else None,
            "message": self.message,
            "detail": self.detail,
            "step": int(self.step) if self.step else None,
            "since": iso(self.since),
            "fix": self.fix,
            "needs": self.needs,
        }


@dataclass(frozen=True)
class StepState:
    step: Step
    status: StepStatus
    provenance: Provenance | None  # None until the step is done
    started_at: float | None  # when it became current (or was passed)
    seen_at: float | None  # when it was first seen done, failed or skipped

    @property
    def title(self) -> str:
        return STEP_TITLES[self.step]

    def to_json(self) -> dict[str, Any]:
        return {
            "step": int(self.step),
            "title": self.title,
            "status": self.status.value,
            "provenance": self.provenance.value if self.provenance else None,
            "started_at": iso(self.started_at),
            "seen_at": iso(self.seen_at),
        }


class SyncStatus(StrEnum):
    QUEUED = "queued"
    FETCHING = "fetching"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class SyncItem:
    data_type: str
    status: SyncStatus
    codat_status: str
    since: float  # when this status was first seen
    progress: int | None = None  # percent, from the pull operation
    message: str | None = None  # Codat's message for a failure, or the status's plain words
    synced_once: bool = False  # this connection has had a successful sync of this data type
    meaning: str = ""  # statuses.Meaning value of codat_status

    def to_json(self) -> dict[str, Any]:
        return {
            "data_type": self.data_type,
            "status": self.status.value,
            "codat_status": self.codat_status,
            "progress": self.progress,
            "message": self.message,
            "since": iso(self.since),
            "meaning": self.meaning,
        }


@dataclass(frozen=True)
class Platform:
    key: str | None
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name}


@dataclass(frozen=True)
class ConnectionView:
    """What the journey remembers of one of the company's connections."""

    id: str
    status: str
    platform: Platform
    created: float | None
    activity: float  # the newest thing the customer did on it (created, or an error)
    active_error: tuple[str | None, str | None, str | None] | None  # (code, text, message)


@dataclass(frozen=True)
class JourneyConfig:
    """Per-step stall thresholds (seconds) and what the agent set up before the call."""

    stall_seconds: Mapping[int, float] = field(
        default_factory=lambda: {1: 180.0, 2: 300.0, 3: 300.0, 4: 600.0, 5: 1800.0}
    )
    # The agent created the connection for a given platform: the customer never chooses software.
    preselected_platform: str | None = None


class EventKind(StrEnum):
    FOLLOWING = "following"  # the connection followed changed
    CONNECTION = "connection"  # the followed connection's status changed
    PLATFORM = "platform"
    STEP = "step"
    SYNC = "sync"
    PROBLEM = "problem"
    PROBLEM_CLEARED = "problem_cleared"
    PHASE = "phase"
    NOTE = "note"  # worth knowing, not a problem (a completed one-time sync)


@dataclass(frozen=True)
class JourneyEvent:
    at: float
    kind: EventKind
    message: str
    step: Step | None = None
    status: StepStatus | None = None
    provenance: Provenance | None = None
    problem: Problem | None = None
    connection_id: str | None = None
    data_type: str | None = None
    phase: Phase | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "observed": iso(self.at),
            "kind": self.kind.value,
            "message": self.message,
            "step": int(self.step) if self.step else None,
            "status": self.status.value if self.status else None,
            "provenance": self.provenance.value if self.provenance else None,
            "problem": self.problem.to_json() if self.problem else None,
            "connection_id": self.connection_id,
            "data_type": self.data_type,
            "phase": self.phase.value if self.phase else None,
        }


@dataclass(frozen=True)
class JourneyState:
    company_id: str
    started_at: float
    updated_at: float  # the newest observation applied
    changed_at: float  # the newest change on the customer's side (stalls count from here)
    steps: tuple[StepState, ...]
    phase: Phase
    company_name: str | None = None
    platform: Platform | None = None
    connection_id: str | None = None
    connection_status: str | None = None
    sync: tuple[SyncItem, ...] = ()
    problem: Problem | None = None
    # Facts kept so that every new observation can be read in context.
    connections: tuple[ConnectionView, ...] = ()
    data_status: tuple[DataStatus, ...] = ()
    pull_operations: tuple[PullOperation, ...] = ()
    confirmations: tuple[tuple[Step, float], ...] = ()
    linked_seen: bool = False  # the followed connection has been Linked at least once
    first_sync_done_at: float | None = None
    unreachable_since: float | None = None
    unreachable_detail: str | None = None
    status_since: float | None = None  # when the followed connection's status was first seen
    data_status_at: float | None = None  # when data status was last read
    # The followed on-premise connection is Deauthorized because its one-time sync completed.
    one_time_sync: bool = False
    note: str | None = None
    final: Problem | None = None  # nothing more can happen (404, or our API key refused)

    def step(self, step: Step | int) -> StepState:
        return self.steps[int(step) - 1]

    @property
    def current_step(self) -> StepState | None:
        """The step the customer is on (or stuck at); None once all are done."""
        for s in self.steps:
            if s.status in (StepStatus.CURRENT, StepStatus.FAILED):
                return s
        return None

    @property
    def linked(self) -> bool:
        """A connection is Linked now (one that was Linked once and lost access does not count)."""
        return self.connection_status == "Linked"

    @property
    def first_sync_done(self) -> bool:
        """The followed connection's first sync completed at some point (it may have lost access
        since). A journey rebuilt from a call's record (calls/history.py) knows it from step 5."""
        return self.first_sync_done_at is not None or self.synced_on_record

    @property
    def synced_on_record(self) -> bool:
        return self.step(Step.COMPLETE).status is StepStatus.DONE

    @property
    def synced(self) -> bool:
        """The goal: Linked now with its first sync complete, or a completed one-time sync.

        Before anything is known of the connection (a call rebuilt from its record, the tracker
        not answered yet) the record decides.
        """
        known = self.connection_status is not None
        return self.first_sync_done and (self.linked or self.one_time_sync or not known)

    @property
    def confirmed_steps(self) -> frozenset[Step]:
        return frozenset(s for s, _ in self.confirmations)

    def to_json(self) -> dict[str, Any]:
        current = self.current_step
        return {
            "company_id": self.company_id,
            "company_name": self.company_name,
            "phase": self.phase.value,
            "platform": self.platform.to_json() if self.platform else None,
            "connection_id": self.connection_id,
            "connection_status": self.connection_status,
            "current_step": int(current.step) if current else None,
            "steps": [s.to_json() for s in self.steps],
            "sync": [item.to_json() for item in self.sync],
            "problem": self.problem.to_json() if self.problem else None,
            "linked": self.linked,
            "first_sync_done": self.first_sync_done,
            "synced": self.synced,
            "one_time_sync": self.one_time_sync,
            "note": self.note,
            "started_at": iso(self.started_at),
            "updated_at": iso(self.updated_at),
            "changed_at": iso(self.changed_at),
        }


def iso(epoch: float | None) -> str | None:
    """Epoch seconds as ISO-8601 UTC with milliseconds, the form every JSON output uses."""
    if epoch is None:
        return None
    return (
        datetime.fromtimestamp(epoch, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
