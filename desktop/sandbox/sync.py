"""The first sync after linking: which data types are pulled, in what order, and how fast.

A pull's whole timeline is fixed when it is queued; status and progress are read off the clock, so
a fake clock can run a long sync in no real time at all.
"""

from __future__ import annotations

import uuid

from desktop.sandbox.model import PullOp

# Spend Insights reads these (Codat's customer FAQ), plus the chart of accounts; seconds of
# fetching each at speed 1 (smaller data sets first, as a real first sync tends to finish them).
SYNC_PLAN: tuple[tuple[str, float], ...] = (
    ("company", 4.0),
    ("chartOfAccounts", 8.0),
    ("taxRates", 3.0),
    ("paymentMethods", 3.0),
    ("suppliers", 10.0),
    ("bills", 20.0),
    ("billPayments", 14.0),
    ("billCreditNotes", 6.0),
    ("directCosts", 10.0),
)
SYNC_DATA_TYPES: tuple[str, ...] = tuple(name for name, _ in SYNC_PLAN)

QUEUE_DELAY = 2.0  # before the first data type starts fetching
STAGGER = 1.5  # between the starts of consecutive data types
FAILURE_MESSAGE = "The source platform returned an error while fetching {data_type}."
# Codat's words per outcome are not published; these say what each status means (docs/statuses.md).
OUTCOME_MESSAGES = {
    "FetchError": FAILURE_MESSAGE,
    "PermissionsError": "The user who authorized the connection does not have permission to read "
    "{data_type}.",
    "PrerequisiteNotMet": "A setting required to read {data_type} is not turned on in the software.",
    "NotSupported": "The platform does not support {data_type}.",
}


def plan_sync(
    *,
    company_id: str,
    connection_id: str,
    start: float,
    speed: float,
    pace: float,
    failing_data_type: str | None,
    outcomes: dict[str, str] | None = None,
) -> list[PullOp]:
    """Queue one pull per data type; ``pace`` > 1 slows it down, ``speed`` > 1 speeds everything."""
    scale = pace / max(speed, 1e-6)
    ops: list[PullOp] = []
    for index, (data_type, duration) in enumerate(SYNC_PLAN):
        fetch_start = start + (QUEUE_DELAY + STAGGER * index) * scale
        outcome = (outcomes or {}).get(data_type)
        if outcome is None and data_type == failing_data_type:
            outcome = "FetchError"
        fails = outcome is not None and outcome != "NotSupported"
        # A failing pull gives up part-way through rather than at the end.
        fetch_end = fetch_start + duration * scale * (0.6 if fails else 1.0)
        message = OUTCOME_MESSAGES.get(outcome or "", FAILURE_MESSAGE) if outcome else None
        ops.append(
            PullOp(
                id=str(uuid.uuid4()),
                company_id=company_id,
                connection_id=connection_id,
                data_type=data_type,
                requested=start,
                fetch_start=fetch_start,
                fetch_end=fetch_end,
                outcome=outcome or "Complete",
                error_message=message.format(data_type=data_type) if message else None,
            )
        )
    return ops


def finish_now(ops: list[PullOp], now: float) -> None:
    """Bring every unfinished pull to its outcome at ``now`` (the control API's complete_sync)."""
    for op in ops:
        if not op.done_at(now):
            op.fetch_start = min(op.fetch_start, now)
            op.fetch_end = now


def latest_run(pulls: list[PullOp], connection_id: str | None = None) -> list[PullOp]:
    """The pulls queued by the most recent sync request (of one connection, if given)."""
    mine = [p for p in pulls if connection_id is None or p.connection_id == connection_id]
    if not mine:
        return []
    last = max(p.requested for p in mine)
    return [p for p in mine if p.requested == last]


def run_end(ops: list[PullOp]) -> float | None:
    return max((op.fetch_end for op in ops), default=None)
