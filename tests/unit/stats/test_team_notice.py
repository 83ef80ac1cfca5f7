"""TeamStatsService's notice names what failed: the team file or the team hub."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.core.stats.team import TeamStatsService
from desktop.core.store import StoreError
from desktop.core.store.errors import StoreErrorKind


class Unreachable(Exception):
    """Stands for TeamHubUnreachable (the service knows no NATS)."""


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "error",
    [
        StoreError(StoreErrorKind.FULL, "database or disk is full"),
        sqlite3.OperationalError("attempt to write a readonly database"),
    ],
)
async def test_a_team_file_that_cannot_be_written_is_named(
    tmp_path: Path, error: Exception
) -> None:
    async def sync() -> str:
        raise error

    path = tmp_path / "team-calls.sqlite3"
    service = TeamStatsService(path, sync)
    assert await service.refresh() is True
    assert service.notice.startswith("The team calls' file could not be written (")
    assert str(path) in service.notice
    assert "hub" not in service.notice


@pytest.mark.asyncio
async def test_a_hub_that_cannot_be_reached_is_named(tmp_path: Path) -> None:
    async def sync() -> str:
        raise Unreachable("ConnectionRefusedError")

    service = TeamStatsService(tmp_path / "team-calls.sqlite3", sync)
    assert await service.refresh() is True
    assert service.notice == (
        "The team hub could not be reached (ConnectionRefusedError); showing the team calls"
        " read before."
    )
    assert await service.refresh() is False  # within min_interval: no read, nothing new
