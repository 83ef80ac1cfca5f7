"""Codat Platform API: wire models, the error type and the async client."""

from desktop.core.codat.client import CodatClient
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
