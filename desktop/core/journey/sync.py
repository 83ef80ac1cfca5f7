"""Progress of the first sync of the followed connection, per data type.

Data status is per company, so it may still describe an older connection's sync. An entry counts
for this journey when its latest sync is a pull operation of the followed connection, or when it is
not a clean finish from before the connection was created.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.core.codat.models import DataStatus, PullOperation
from desktop.core.codat.statuses import Meaning, StatusMeaning, pull_status_meaning
from desktop.core.journey.model import SyncItem, SyncStatus

_SYNC_STATUS = {
    Meaning.WAITING: SyncStatus.QUEUED,
    Meaning.PROGRESSING: SyncStatus.FETCHING,
    Meaning.DONE: SyncStatus.DONE,
    Meaning.NOT_A_FAILURE: SyncStatus.DONE,
    # An unknown value is shown as Codat sent it and never holds the first sync open.
    Meaning.UNKNOWN: SyncStatus.DONE,
    Meaning.NEEDS_CUSTOMER: SyncStatus.FAILED,
    Meaning.NEEDS_AGENT: SyncStatus.FAILED,
    Meaning.NEEDS_SUPPORT: SyncStatus.FAILED,
}
# Statuses whose plain words are worth a line beside the bar even though nothing failed.
_WORTH_SAYING = frozenset({Meaning.NOT_A_FAILURE, Meaning.UNKNOWN})


def sync_status(codat_status: str | None) -> SyncStatus:
    """Where a dataset status puts a data type's bar (docs/statuses.md has every value)."""
    return _SYNC_STATUS[pull_status_meaning(codat_status).meaning]


def _latest_by_type(operations: Iterable[PullOperation]) -> dict[str, PullOperation]:
    latest: dict[str, PullOperation] = {}
    for op in operations:
        seen = latest.get(op.data_type)
        if seen is None or _op_key(op) > _op_key(seen):
            latest[op.data_type] = op
    return latest


def _op_key(op: PullOperation) -> tuple[float, str]:
    return (op.requested.timestamp() if op.requested else 0.0, op.id)


def _message(op: PullOperation | None, entry: StatusMeaning, status: SyncStatus) -> str | None:
    if status is SyncStatus.FAILED:
        if op is not None:
            for text in (op.error_message, op.status_description):
                if text:
                    return text
        return f"Codat reports {entry.value}: {entry.words}"
    if entry.meaning in _WORTH_SAYING or entry.value == "RateLimitError":
        return entry.words
    return None


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

    found: dict[str, tuple[str, PullOperation | None, bool]] = {}
    for ds in statuses:
        if ds.latest_sync_id and ds.latest_sync_id in other_ids:
            continue
        ours = ds.latest_sync_id is not None and ds.latest_sync_id in my_ids
        last = ds.last_successful_sync.timestamp() if ds.last_successful_sync else None
        done = pull_status_meaning(ds.current_status).meaning is Meaning.DONE
        # A clean finish dated before this connection existed belongs to an older one. A failure
        # (or NotSupported) carries no date: it counts until a pull operation shows it is another
        # connection's.
        if (
            not ours
            and done
            and connection_created is not None
            and (last is None or last < connection_created)
            and ds.data_type not in mine
        ):
            continue
        # Codat's docs: a data type never synced has no currentStatus. It is not part of this
        # sync, so it must not hold the first sync open.
        if not ds.current_status and ds.data_type not in mine:
            continue
        succeeded = (
            ds.latest_successful_sync_id is not None and ds.latest_successful_sync_id in my_ids
        ) or (last is not None and (connection_created is None or last >= connection_created))
        op = mine.get(ds.data_type)
        found[ds.data_type] = (ds.current_status or (op.status if op else ""), op, succeeded)
    for data_type, op in mine.items():
        if data_type not in found:
            found[data_type] = (op.status, op, False)

    items: list[SyncItem] = []
    for data_type in sorted(found):
        codat_status, op, succeeded = found[data_type]
        entry = pull_status_meaning(codat_status)
        status = _SYNC_STATUS[entry.meaning]
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
                message=_message(op if agrees else None, entry, status),
                synced_once=succeeded or entry.meaning is Meaning.DONE,
                meaning=entry.meaning.value,
            )
        )
    return tuple(items)
