"""Codat Platform API: wire models, the error type and the async client."""

from typing import TYPE_CHECKING, Any

from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import (
    PULL_DONE,
    PULL_ERROR,
    PULL_RUNNING,
    Company,
    Connection,
    ConnectionStatus,
    DataConnectionError,
    DataStatus,
    Integration,
    Page,
    Profile,
    PullOperation,
    PullStatus,
    RateLimit,
    ShapeError,
    SourceType,
)
from desktop.core.codat.names import NameCheck, check_company_name

if TYPE_CHECKING:
    from desktop.core.codat.client import CodatClient


def __getattr__(name: str) -> Any:
    # The client pulls in httpx (memory and start-up time); models and names do not need it.
    if name == "CodatClient":
        from desktop.core.codat.client import CodatClient

        return CodatClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PULL_DONE",
    "PULL_ERROR",
    "PULL_RUNNING",
    "CodatClient",
    "CodatError",
    "Company",
    "Connection",
    "ConnectionStatus",
    "DataConnectionError",
    "DataStatus",
    "ErrorKind",
    "Integration",
    "NameCheck",
    "Page",
    "Profile",
    "PullOperation",
    "PullStatus",
    "RateLimit",
    "ShapeError",
    "SourceType",
    "check_company_name",
]
