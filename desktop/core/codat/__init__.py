"""Codat Platform API: wire models, the error type and the async client."""

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

__all__ = [
    "PULL_DONE",
    "PULL_ERROR",
    "PULL_RUNNING",
    "CodatError",
    "Company",
    "Connection",
    "ConnectionStatus",
    "DataConnectionError",
    "DataStatus",
    "ErrorKind",
    "Integration",
    "Page",
    "Profile",
    "PullOperation",
    "PullStatus",
    "RateLimit",
    "ShapeError",
    "SourceType",
]
