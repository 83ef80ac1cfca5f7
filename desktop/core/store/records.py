"""The rows of the call database as immutable values."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desktop.core.journey.model import iso


class ApiKind(StrEnum):
    CODAT = "codat"  # a real call against Codat's API
    SANDBOX = "sandbox"  # a practice call on the embedded sandbox


AGENT_PREFIX = "agent."


def tick_entry(ticked: bool, label: str) -> tuple[str, str]:
    """The timeline line of a checklist tick, as (kind, summary): the store and the screen agree."""
    if ticked:
        return "agent.tick", f"Ticked “{label}” on the checklist."
    return "agent.untick", f"Unticked “{label}” on the checklist."


@dataclass(frozen=True)
class Call:
    id: int
    company_id: str
    company_name: str
    platform_key: str | None
    platform_name: str | None
    link_url: str | None
    profile: str
    api_kind: str
    scenario: str | None
    opened_at: float
    closed_at: float | None  # None while the call is open
    outcome: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_practice(self) -> bool:
        return self.api_kind == ApiKind.SANDBOX

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Call:
        return cls(
            id=row["id"],
            company_id=row["company_id"],
            company_name=row["company_name"],
            platform_key=row["platform_key"],
            platform_name=row["platform_name"],
            link_url=row["link_url"],
            profile=row["profile"],
            api_kind=row["api_kind"],
            scenario=row["scenario"],
            opened_at=row["opened_at"],
            closed_at=row["closed_at"],
            outcome=row["outcome"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "companyId": self.company_id,
            "companyName": self.company_name,
            "platformKey": self.platform_key,
            "platformName": self.platform_name,
            "linkUrl": self.link_url,
            "profile": self.profile,
            "apiKind": self.api_kind,
            "scenario": self.scenario,
            "openedAt": iso(self.opened_at),
            "closedAt": iso(self.closed_at),
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class Event:
    """One line of a call's timeline: a journey change, or something the agent did."""

    id: int
    call_id: int
    time: float  # epoch seconds: when it happened (journey events: when it was observed)
    kind: str  # journey event kinds as they are; agent actions start with "agent."
    summary: str  # one human line
    step: int | None = None
    status: str | None = None
    provenance: str | None = None
    problem_key: str | None = None
    data: dict[str, Any] | None = None

    @property
    def is_agent_action(self) -> bool:
        return self.kind.startswith(AGENT_PREFIX)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Event:
        raw = row["data"]
        return cls(
            id=row["id"],
            call_id=row["call_id"],
            time=row["time"],
            kind=row["kind"],
            summary=row["summary"],
            step=row["step"],
            status=row["status"],
            provenance=row["provenance"],
            problem_key=row["problem_key"],
            data=json.loads(raw) if raw is not None else None,
        )
