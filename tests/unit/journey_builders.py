"""Codat JSON for journey tests, built the way Codat sends it (camelCase, ISO times)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypedDict

from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import Connection, DataStatus, PullOperation
from desktop.core.journey import (
    ConnectionsSeen,
    DataStatusSeen,
    PullOperationsSeen,
    RequestFailed,
)

T0 = 1_750_000_000.0
COMPANY = "c0ffee00-0000-4000-8000-000000000001"


def when(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).isoformat().replace("+00:00", "Z")


class Platform(TypedDict):
    """A connection's platform, as ``connection``'s keywords (``**platform``)."""

    key: str
    name: str


def connection(
    cid: str,
    status: str,
    created: float,
    *,
    key: str = "akxx",
    name: str = "Oracle NetSuite",
    errors: list[dict[str, Any]] | None = None,
) -> Connection:
    return Connection.from_json(
        {
            "id": cid,
            "integrationId": "00000000-0000-4000-8000-0000000000aa",
            "integrationKey": key,
            "sourceId": "9815b998-024d-4415-a40b-89903b2cad6f",
            "platformName": name,
            "linkUrl": f"https://link-api.codat.io/companies/{COMPANY}/connections/{cid}/start",
            "status": status,
            "created": when(created),
            "sourceType": "Accounting",
            "dataConnectionErrors": errors or [],
        }
    )


def error(
    code: str, text: str, message: str, at: float, status: str | None = "Active"
) -> dict[str, Any]:
    return {
        "statusCode": code,
        "statusText": text,
        "errorMessage": message,
        "erroredOnUtc": when(at),
        "status": status,
        "resolvedOnUtc": None,
    }


def conns(at: float, *items: Connection) -> ConnectionsSeen:
    return ConnectionsSeen(at=at, connections=tuple(items))


def status(
    data_type: str, current: str, *, sync_id: str | None = None, last: float | None = None
) -> DataStatus:
    return DataStatus.from_json(
        {
            "dataType": data_type,
            "currentStatus": current,
            "latestSyncId": sync_id,
            "lastSuccessfulSync": when(last) if last is not None else None,
        }
    )


def data_status(at: float, *items: DataStatus) -> DataStatusSeen:
    return DataStatusSeen(at=at, statuses={d.data_type: d for d in items})


def pull(
    op_id: str,
    connection_id: str,
    data_type: str,
    status_: str,
    requested: float,
    *,
    progress: int = 0,
    message: str | None = None,
) -> PullOperation:
    return PullOperation.from_json(
        {
            "id": op_id,
            "companyId": COMPANY,
            "connectionId": connection_id,
            "dataType": data_type,
            "status": status_,
            "requested": when(requested),
            "progress": progress,
            "isCompleted": status_ == "Complete",
            "isErrored": message is not None,
            "errorMessage": message,
        }
    )


def pulls(at: float, *ops: PullOperation) -> PullOperationsSeen:
    return PullOperationsSeen(at=at, operations=tuple(ops))


def failed(
    at: float, kind: ErrorKind = ErrorKind.CONNECT, status_code: int | None = None
) -> RequestFailed:
    return RequestFailed(at=at, error=CodatError(kind, status_code=status_code))
