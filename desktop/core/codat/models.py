"""Codat Platform API objects as frozen dataclasses, read from Codat's exact camelCase JSON.

Reading is lenient where Codat may grow (unknown fields stay in ``raw``, unknown enum values stay
plain strings, an unreadable datetime becomes None) and strict only where an object would be
useless without the value (its id), which raises ``ShapeError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ShapeError(ValueError):
    """A JSON document does not have the shape Codat's spec promises."""


class ConnectionStatus(StrEnum):
    PENDING_AUTH = "PendingAuth"
    LINKED = "Linked"
    UNLINKED = "Unlinked"
    DEAUTHORIZED = "Deauthorized"


class SourceType(StrEnum):
    ACCOUNTING = "Accounting"
    BANKING = "Banking"
    BANK_FEED = "BankFeed"
    COMMERCE = "Commerce"
    EXPENSE = "Expense"
    OTHER = "Other"
    UNKNOWN = "Unknown"


class PullStatus(StrEnum):
    INITIAL = "Initial"
    QUEUED = "Queued"
    FETCHING = "Fetching"
    MAP_QUEUED = "MapQueued"
    MAPPING = "Mapping"
    COMPLETE = "Complete"
    FETCH_ERROR = "FetchError"
    MAP_ERROR = "MapError"
    INTERNAL_ERROR = "InternalError"
    PROCESSING_QUEUED = "ProcessingQueued"
    PROCESSING = "Processing"
    PROCESSING_ERROR = "ProcessingError"
    VALIDATION_QUEUED = "ValidationQueued"
    VALIDATING = "Validating"
    VALIDATION_ERROR = "ValidationError"
    AUTH_ERROR = "AuthError"
    CANCELLED = "Cancelled"
    NOT_SUPPORTED = "NotSupported"
    RATE_LIMIT_ERROR = "RateLimitError"
    PERMISSIONS_ERROR = "PermissionsError"
    PREREQUISITE_NOT_MET = "PrerequisiteNotMet"


# Finished without failing. The spec's own advice for finding failed pulls is
# "status!=Complete&&status!=NotSupported", so NotSupported counts as a clean finish.
PULL_DONE: frozenset[str] = frozenset({PullStatus.COMPLETE, PullStatus.NOT_SUPPORTED})
# Finished with a failure; Cancelled is here because the data did not arrive.
PULL_ERROR: frozenset[str] = frozenset(
    {
        PullStatus.FETCH_ERROR,
        PullStatus.MAP_ERROR,
        PullStatus.INTERNAL_ERROR,
        PullStatus.PROCESSING_ERROR,
        PullStatus.VALIDATION_ERROR,
        PullStatus.AUTH_ERROR,
        PullStatus.CANCELLED,
        PullStatus.RATE_LIMIT_ERROR,
        PullStatus.PERMISSIONS_ERROR,
        PullStatus.PREREQUISITE_NOT_MET,
    }
)
# Not finished yet.
PULL_RUNNING: frozenset[str] = frozenset(
    {
        PullStatus.INITIAL,
        PullStatus.QUEUED,
        PullStatus.FETCHING,
        PullStatus.MAP_QUEUED,
        PullStatus.MAPPING,
        PullStatus.PROCESSING_QUEUED,
        PullStatus.PROCESSING,
        PullStatus.VALIDATION_QUEUED,
        PullStatus.VALIDATING,
    }
)


_ISO_RE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<frac>\d+))?(?P<tz>Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO-8601 string as an aware UTC datetime; None for null or anything unreadable.

    Codat sends 7-digit fractions (.NET ticks) and "Z"; a missing offset is taken as UTC.
    """
    if not isinstance(value, str):
        return None
    m = _ISO_RE.match(value.strip())
    if m is None:
        return None
    frac = (m.group("frac") or "")[:6]
    text = f"{m.group('date')}T{m.group('time')}"
    if frac:
        text += "." + frac.ljust(6, "0")
    tz = m.group("tz")
    if tz and tz not in ("Z", "z"):
        text += tz if ":" in tz else f"{tz[:3]}:{tz[3:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _mapping(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ShapeError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _required_str(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ShapeError(f"{what}: missing or invalid {key!r}")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    # Some Codat fields are documented as strings but carry numbers (statusCode); keep the text.
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _opt_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def _int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def _str_tuple(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _objects(data: Mapping[str, Any], key: str, what: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeError(f"{what}: {key!r} is not a list")
    return [_mapping(v, f"{what}.{key}[]") for v in value]


@dataclass(frozen=True)
class DataConnectionError:
    status_code: str | None
    status_text: str | None
    error_message: str | None
    errored_on_utc: datetime | None
    status: str | None
    resolved_on_utc: datetime | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DataConnectionError:
        data = _mapping(data, "DataConnectionError")
        return cls(
            status_code=_opt_str(data, "statusCode"),
            status_text=_opt_str(data, "statusText"),
            error_message=_opt_str(data, "errorMessage"),
            errored_on_utc=parse_datetime(data.get("erroredOnUtc")),
            status=_opt_str(data, "status"),
            resolved_on_utc=parse_datetime(data.get("resolvedOnUtc")),
            raw=data,
        )


@dataclass(frozen=True)
class Connection:
    id: str
    integration_id: str
    integration_key: str | None
    source_id: str
    platform_name: str
    link_url: str
    status: str
    created: datetime | None
    source_type: str
    last_sync: datetime | None
    data_connection_errors: tuple[DataConnectionError, ...]
    connection_info: dict[str, Any] | None = field(hash=False)
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Connection:
        data = _mapping(data, "Connection")
        info = data.get("connectionInfo")
        return cls(
            id=_required_str(data, "id", "Connection"),
            integration_id=_str(data, "integrationId"),
            integration_key=_opt_str(data, "integrationKey"),
            source_id=_str(data, "sourceId"),
            platform_name=_str(data, "platformName"),
            link_url=_str(data, "linkUrl"),
            status=_str(data, "status"),
            created=parse_datetime(data.get("created")),
            source_type=_str(data, "sourceType"),
            last_sync=parse_datetime(data.get("lastSync")),
            data_connection_errors=tuple(
                DataConnectionError.from_json(e)
                for e in _objects(data, "dataConnectionErrors", "Connection")
            ),
            connection_info=dict(info) if isinstance(info, Mapping) else None,
            raw=data,
        )


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    redirect: str
    description: str | None
    created: datetime | None
    last_sync: datetime | None
    created_by_user_name: str | None
    products: tuple[str, ...]
    tags: dict[str, str] = field(hash=False)
    data_connections: tuple[Connection, ...]
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Company:
        data = _mapping(data, "Company")
        tags = data.get("tags")
        return cls(
            id=_required_str(data, "id", "Company"),
            name=_str(data, "name"),
            redirect=_str(data, "redirect"),
            description=_opt_str(data, "description"),
            created=parse_datetime(data.get("created")),
            last_sync=parse_datetime(data.get("lastSync")),
            created_by_user_name=_opt_str(data, "createdByUserName"),
            products=_str_tuple(data, "products"),
            tags=(
                {str(k): str(v) for k, v in tags.items() if v is not None}
                if isinstance(tags, Mapping)
                else {}
            ),
            data_connections=tuple(
                Connection.from_json(c) for c in _objects(data, "dataConnections", "Company")
            ),
            raw=data,
        )


@dataclass(frozen=True)
class DataStatus:
    data_type: str
    current_status: str
    last_successful_sync: datetime | None
    latest_sync_id: str | None
    latest_successful_sync_id: str | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DataStatus:
        data = _mapping(data, "DataStatus")
        return cls(
            data_type=_required_str(data, "dataType", "DataStatus"),
            current_status=_str(data, "currentStatus"),
            last_successful_sync=parse_datetime(data.get("lastSuccessfulSync")),
            latest_sync_id=_opt_str(data, "latestSyncId"),
            latest_successful_sync_id=_opt_str(data, "latestSuccessfulSyncId"),
            raw=data,
        )


def data_statuses_from_json(data: Any) -> dict[str, DataStatus]:
    """The ``DataStatuses`` map (keyed by data type; null entries skipped)."""
    data = _mapping(data, "DataStatuses")
    out: dict[str, DataStatus] = {}
    for key, entry in data.items():
        if entry is None:
            continue
        entry = _mapping(entry, f"DataStatuses[{key!r}]")
        if "dataType" not in entry:
            # The map key names the data type; fill it in rather than reject the entry.
            entry = {**entry, "dataType": key}
        out[str(key)] = DataStatus.from_json(entry)
    return out


@dataclass(frozen=True)
class PullOperation:
    id: str
    company_id: str
    connection_id: str
    data_type: str
    status: str
    requested: datetime | None
    progress: int
    is_completed: bool
    is_errored: bool
    status_description: str | None
    error_message: str | None
    completed: datetime | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PullOperation:
        data = _mapping(data, "PullOperation")
        return cls(
            id=_required_str(data, "id", "PullOperation"),
            company_id=_str(data, "companyId"),
            connection_id=_str(data, "connectionId"),
            data_type=_str(data, "dataType"),
            status=_str(data, "status"),
            requested=parse_datetime(data.get("requested")),
            progress=_int(data, "progress"),
            is_completed=_opt_bool(data, "isCompleted") is True,
            is_errored=_opt_bool(data, "isErrored") is True,
            status_description=_opt_str(data, "statusDescription"),
            error_message=_opt_str(data, "errorMessage"),
            completed=parse_datetime(data.get("completed")),
            raw=data,
        )


@dataclass(frozen=True)
class Integration:
    key: str
    name: str
    logo_url: str
    enabled: bool
    source_id: str | None
    source_type: str | None
    integration_id: str | None
    is_offline_connector: bool | None
    is_beta: bool | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Integration:
        data = _mapping(data, "Integration")
        return cls(
            key=_required_str(data, "key", "Integration"),
            name=_str(data, "name"),
            logo_url=_str(data, "logoUrl"),
            enabled=_opt_bool(data, "enabled") is True,
            source_id=_opt_str(data, "sourceId"),
            source_type=_opt_str(data, "sourceType"),
            integration_id=_opt_str(data, "integrationId"),
            is_offline_connector=_opt_bool(data, "isOfflineConnector"),
            is_beta=_opt_bool(data, "isBeta"),
            raw=data,
        )


@dataclass(frozen=True)
class Profile:
    name: str
    logo_url: str | None
    icon_url: str | None
    redirect_url: str | None
    white_list_urls: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Profile:
        data = _mapping(data, "Profile")
        return cls(
            name=_str(data, "name"),
            logo_url=_opt_str(data, "logoUrl"),
            icon_url=_opt_str(data, "iconUrl"),
            redirect_url=_opt_str(data, "redirectUrl"),
            white_list_urls=_str_tuple(data, "whiteListUrls"),
            raw=data,
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    results: tuple[T, ...]
    page_number: int
    page_size: int
    total_results: int
    links: dict[str, str] = field(hash=False)

    @property
    def next_href(self) -> str | None:
        return self.links.get("next")

    @classmethod
    def from_json(cls, data: Any, item: Callable[[Mapping[str, Any]], T]) -> Page[T]:
        data = _mapping(data, "Page")
        results = data.get("results")
        if results is None:
            results = []
        if not isinstance(results, list):
            raise ShapeError("Page: 'results' is not a list")
        for key in ("pageNumber", "pageSize", "totalResults"):
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ShapeError(f"Page: missing or invalid {key!r}")
        links: dict[str, str] = {}
        raw_links = data.get("_links")
        if isinstance(raw_links, Mapping):
            for name, ref in raw_links.items():
                href = ref.get("href") if isinstance(ref, Mapping) else None
                if isinstance(href, str):
                    links[str(name)] = href
        return cls(
            results=tuple(item(_mapping(r, "Page.results[]")) for r in results),
            page_number=int(data["pageNumber"]),
            page_size=int(data["pageSize"]),
            total_results=int(data["totalResults"]),
            links=links,
        )


@dataclass(frozen=True)
class RateLimit:
    limit: int | None
    remaining: int | None
    reset: str | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        """Codat's ``X-Rate-Limit-*`` headers; None when the response carried none of them."""
        limit = headers.get("X-Rate-Limit-Limit")
        remaining = headers.get("X-Rate-Limit-Remaining")
        reset = headers.get("X-Rate-Limit-Reset")
        if limit is None and remaining is None and reset is None:
            return None
        return cls(limit=_header_int(limit), remaining=_header_int(remaining), reset=reset)


def _header_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None
