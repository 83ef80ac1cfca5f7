"""Progress of the first sync of the followed connection, per data type.

Data status is per company, so it may still describe an older connection's sync. An entry counts
for this journey when its latest sync is a pull operation of the followed connection, or when it is
not a clean finish from before the connection was created.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.core.codat.models import (
    PULL_DONE,
    PULL_ERROR,
    DataStatus,
    PullOperation,
    PullStatus,
)
from desktop.core.journey.model import SyncItem, SyncStatus

_QUEUED = frozenset({PullStatus.INITIAL, PullStatus.QUEUED})


def sync_status(codat_status: str) -> SyncStatus:
    if codat_status in PULL_DONE:
        return SyncStatus.DONE
    if codat_status in PULL_ERROR:
        return SyncStatus.FAILED
    if codat_status in _QUEUED:
        return SyncStatus.QUEUED
    # Every other status, known or not yet known, means Codat is still working on it.
    return SyncStatus.FETCHING


def _latest_by_type(operations: Iterable[PullOperation]) -> dict[str, PullOperation]:
    latest: dict[str, PullOperation] = {}
    for op in operations:
        seen = latest.get(op.data_type)
        if seen is None or _op_key(op) > _op_key(seen):
            latest[op.data_type] = op
    return latest


def _op_key(op: PullOperation) -> tuple[float, str]:
    return (op.requested.timestamp() if op.requested else 0.0, op.id)


def _failure_message(op: PullOperation | None, codat_status: str) -> str:
    if op is not None:
        for text in (op.error_message, op.status_description):
            if text:
                return text
    return f"Codat reports {codat_status}."


def derive_sync(
    connection_id: str,
    connection_created: float | None,
    statuses: Iterable[DataStatus],
    operations: Iterable[PullOperation],
    previous: Iterable[SyncItem],
    at: float,
) -> tuple[SyncItem, ...]:
    ops = tuple(operations)
    mine = _latest_by_type(op for op in ops if op.connection_id == connection_id)
    my_ids = {op.id for op in ops if op.connection_id == connection_id}
    other_ids = {op.id for op in ops if op.connection_id != connection_id}
    before = {item.data_type: item for item in previous}

    found: dict[str, tuple[str, PullOperation | None]] = {}
    for ds in statuses:
        if ds.latest_sync_id and ds.latest_sync_id in other_ids:
            continue
        ours = ds.latest_sync_id is not None and ds.latest_sync_id in my_ids
        last = ds.last_successful_sync.timestamp() if ds.last_successful_sync else None
        # A clean finish dated before this connection existed belongs to an older one. A failure
        # carries no date: it counts until a pull operation shows it is another connection's.
        if (
            not ours
            and ds.current_status in PULL_DONE
            and connection_created is not None
            and (last is None or last < connection_created)
            and ds.data_type not in mine
        ):
            continue
        op = mine.get(ds.data_type)
        found[ds.data_type] = (ds.current_status, op)
    for data_type, op in mine.items():
        if data_type not in found:
            found[data_type] = (op.status, op)

    items: list[SyncItem] = []
    for data_type in sorted(found):
        codat_status, op = found[data_type]
        status = sync_status(codat_status)
        # The pull operation may be older than the data status; use its details only if they agree.
        agrees = op is not None and op.status == codat_status
        old = before.get(data_type)
        since = old.since if old is not None and old.status is status else at
        items.append(
            SyncItem(
                data_type=data_type,
                status=status,
                codat_status=codat_status,
                since=since,
                progress=op.progress if agrees and op is not None else None,
                message=_failure_message(op if agrees else None, codat_status)
                if status is SyncStatus.FAILED
                else None,
            )
        )
    return tuple(items)
