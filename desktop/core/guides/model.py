"""What a guide is: the platform facts, the customer's steps and the fixes for known problems.

Problem keys are shared with the journey model, which names the problem it sees with one of them;
the guide viewer then shows the matching troubleshooting entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

Origin = Literal["built-in", "team"]

# The five steps of Codat's hosted Link journey, as the customer lives them.
STAGES: dict[int, str] = {
    1: "Open the link",
    2: "Choose software",
    3: "Review and start",
    4: "Sign in and approve",
    5: "Complete and first sync",
}

# What the journey model can report: the state problems first, then the reasons behind a connection
# error that an agent can tell apart (from the error text, or from what the customer says).
JOURNEY_PROBLEMS: tuple[str, ...] = (
    "cancelled",
    "connection_error",
    "deauthorized",
    "unlinked",
    "sync_failed",
    "stalled",
    "api_unreachable",
    "company_gone",
    "api_key_refused",
)
ERROR_REASONS: tuple[str, ...] = (
    "tba_disabled",
    "not_admin",
    "trial_account",
    "popup_blocked",
    "firewall",
    "slow_first_sync",
    "wrong_password",
)
PROBLEM_KEYS: tuple[str, ...] = JOURNEY_PROBLEMS + ERROR_REASONS

# Every platform guide must answer these, because they happen on every platform.
REQUIRED_PROBLEMS: tuple[str, ...] = (
    "cancelled",
    "not_admin",
    "popup_blocked",
    "slow_first_sync",
    "connection_error",
)

REGION_NAMES: dict[str, str] = {
    "UK": "United Kingdom",
    "IE": "Ireland",
    "NL": "Netherlands",
    "US": "United States",
    "CA": "Canada",
    "FR": "France",
    "DE": "Germany",
    "ES": "Spain",
    "PT": "Portugal",
    "AE": "United Arab Emirates",
    "AU": "Australia",
    "NZ": "New Zealand",
}


@dataclass(frozen=True)
class GuideStep:
    stage: int
    title: str
    body: str
    customer_sees: str

    @property
    def stage_name(self) -> str:
        return STAGES.get(self.stage, "")


@dataclass(frozen=True)
class TroubleEntry:
    title: str
    body: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Provenance:
    """Where a file's facts come from, so that a team can tell when to check it again.

    ``sources``: the Codat pages (https URLs) the file was checked against; ``checked``: the day
    of that check; ``unverified``: the file says itself that Codat documents too little to check
    it, and the viewer marks it so.
    """

    sources: tuple[str, ...] = ()
    checked: date | None = None
    unverified: bool = False


@dataclass(frozen=True)
class Guide:
    key: str
    name: str
    platform_keys: tuple[str, ...]
    aliases: tuple[str, ...]
    regions: tuple[str, ...]
    tags: tuple[str, ...]
    role: str
    prerequisites: tuple[str, ...]
    steps: tuple[GuideStep, ...]
    troubleshooting: dict[str, TroubleEntry]
    links: tuple[Link, ...]
    source: Path
    origin: Origin = "built-in"
    overrides: bool = False
    summary: str = ""
    # Said to the agent, never to the customer: hidden in presentation mode and in what is copied.
    agent_notes: str = ""
    monogram: str = ""
    provenance: Provenance = Provenance()

    def first_step_at(self, stage: int) -> int | None:
        """Index of the first step tied to a journey stage (the nearest earlier stage if none)."""
        best: int | None = None
        for i, step in enumerate(self.steps):
            if step.stage == stage:
                return i
            if step.stage < stage:
                best = i
        return best if best is not None else (0 if self.steps else None)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: str
    detail: str = ""


@dataclass(frozen=True)
class Checklist:
    title: str
    intro: str
    items: tuple[ChecklistItem, ...]
    source: Path
    origin: Origin = "built-in"
    closing: str = ""


@dataclass(frozen=True)
class Question:
    key: str
    question: str
    answer: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuideError:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
