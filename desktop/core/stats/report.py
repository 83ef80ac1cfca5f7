"""A report's figures as immutable values, and their JSON and CSV forms.

The JSON shape (``Report.to_json``), documented here and in the README::

    {
      "filters": {"since": ISO|null, "until": ISO|null, "platform": KEY|null,
                  "agent": NAME|null, "practice": bool},
      "all": GROUP,                  # every call the filters keep
      "firstConnections": GROUP,     # calls that linked a company for the first time
      "reconnections": GROUP,        # calls that re-linked a company that had a connection
      "platforms": [GROUP + {"platformKey": KEY|null, "platformName": NAME|null}, ...]
                                     # most calls first; key null = platform never known
      "agents": [GROUP + {"agent": NAME}, ...]
                                     # team reports only (calls stats --team): one per agent,
                                     # by name; "" = an agent who set no name
    }
    GROUP = {
      "calls": int, "open": int,     # open: still in progress, left out of outcomes and stops
      "outcomes": {"linked": int, "synced": int, "retry": int, "escalated": int,
                   "other": int, "unrecorded": int},   # closed calls by recorded outcome
      "linked": int, "synced": int,  # closed calls linked / with their first sync done
      "linkedRate": float|null, "syncedRate": float|null,   # of closed calls, 0..1
      "funnel": [{"step": 1..5, "title": str, "reached": int, "passed": int,
                  "stoppedHere": int}, ...],
      "stepSeconds": [{"step": 1..5, "title": str, "count": int,
                       "median": float|null, "p90": float|null}, ...],
      "problems": [{"key": str, "calls": int, "share": float}, ...]   # most frequent first
    }

Definitions: a step is *reached* once the journey showed it current, failed, done or skipped, and
*passed* once done or skipped; a closed call *stopped* at the first step it did not pass. A call is
*linked* when step 4 was passed or the agent recorded "linked"/"synced", *synced* when step 5 was
passed or the agent recorded "synced". Medians and 90th percentiles are nearest-rank (a value some
call really took), in seconds. A problem's *calls* counts each call once however often it recurred;
its *share* is that over the group's calls.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.core.journey.model import STEP_TITLES, Step
from desktop.core.stats.filters import StatsFilter

OUTCOME_KEYS = ("linked", "synced", "retry", "escalated", "other", "unrecorded")


@dataclass(frozen=True)
class FunnelStep:
    step: int  # 1..5
    reached: int
    passed: int
    stopped_here: int  # closed calls whose first step not passed is this one

    @property
    def title(self) -> str:
        return STEP_TITLES[Step(self.step)]


@dataclass(frozen=True)
class StepTime:
    step: int
    count: int  # calls with a measured time for this step
    median: float | None  # seconds, None without any
    p90: float | None

    @property
    def title(self) -> str:
        return STEP_TITLES[Step(self.step)]


@dataclass(frozen=True)
class ProblemCount:
    key: str  # a ProblemKey value, as the guides' troubleshooting keys
    calls: int
    share: float  # of the group's calls, 0..1


@dataclass(frozen=True)
class Group:
    """The figures of one set of calls (all of them, one platform, one kind of call)."""

    calls: int
    open: int
    outcomes: Mapping[str, int]
    linked: int
    synced: int
    funnel: tuple[FunnelStep, ...]
    step_times: tuple[StepTime, ...]
    problems: tuple[ProblemCount, ...]
    platform_key: str | None = None
    platform_name: str | None = None
    agent: str | None = None  # set in a team report's per-agent groups

    @property
    def closed(self) -> int:
        return self.calls - self.open

    @property
    def linked_rate(self) -> float | None:
        return self.linked / self.closed if self.closed else None

    @property
    def synced_rate(self) -> float | None:
        return self.synced / self.closed if self.closed else None

    def to_json(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "open": self.open,
            "outcomes": {key: self.outcomes.get(key, 0) for key in OUTCOME_KEYS},
            "linked": self.linked,
            "synced": self.synced,
            "linkedRate": self.linked_rate,
            "syncedRate": self.synced_rate,
            "funnel": [
                {
                    "step": f.step,
                    "title": f.title,
                    "reached": f.reached,
                    "passed": f.passed,
                    "stoppedHere": f.stopped_here,
                }
                for f in self.funnel
            ],
            "stepSeconds": [
                {
                    "step": t.step,
                    "title": t.title,
                    "count": t.count,
                    "median": t.median,
                    "p90": t.p90,
                }
                for t in self.step_times
            ],
            "problems": [{"key": p.key, "calls": p.calls, "share": p.share} for p in self.problems],
        }


@dataclass(frozen=True)
class Report:
    filters: StatsFilter
    all: Group
    first_connections: Group
    reconnections: Group
    platforms: tuple[Group, ...] = field(default=())
    agents: tuple[Group, ...] = field(default=())  # team reports only (desktop.core.stats.team)

    def platform(self, key: str | None) -> Group | None:
        return next((g for g in self.platforms if g.platform_key == key), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "filters": self.filters.to_json(),
            "all": self.all.to_json(),
            "firstConnections": self.first_connections.to_json(),
            "reconnections": self.reconnections.to_json(),
            "platforms": [
                {"platformKey": g.platform_key, "platformName": g.platform_name, **g.to_json()}
                for g in self.platforms
            ],
            **(
                {"agents": [{"agent": g.agent, **g.to_json()} for g in self.agents]}
                if self.agents
                else {}
            ),
        }

    def to_csv(self) -> str:
        """One row per figure: ``group,section,item,measure,value`` (a spreadsheet pivots it).

        ``group`` is ``all``, ``first``, ``reconnection``, ``platform:KEY`` or (team reports)
        ``agent:NAME``; ``section`` one of calls, outcomes, funnel, stepSeconds, problems.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("group", "section", "item", "measure", "value"))
        named = [("all", self.all), ("first", self.first_connections)]
        named.append(("reconnection", self.reconnections))
        named += [(f"platform:{g.platform_key or 'unknown'}", g) for g in self.platforms]
        named += [(f"agent:{g.agent}", g) for g in self.agents]
        for name, group in named:
            for row in _csv_rows(group):
                writer.writerow((name, *row))
        return out.getvalue()


def _csv_rows(group: Group) -> list[tuple[str, str, str, object]]:
    rows: list[tuple[str, str, str, object]] = [
        ("calls", "", "calls", group.calls),
        ("calls", "", "open", group.open),
        ("calls", "", "linked", group.linked),
        ("calls", "", "synced", group.synced),
        ("calls", "", "linkedRate", _blank(group.linked_rate)),
        ("calls", "", "syncedRate", _blank(group.synced_rate)),
    ]
    rows += [("outcomes", key, "calls", group.outcomes.get(key, 0)) for key in OUTCOME_KEYS]
    for f in group.funnel:
        item = f"{f.step} {f.title}"
        rows += [
            ("funnel", item, "reached", f.reached),
            ("funnel", item, "passed", f.passed),
            ("funnel", item, "stoppedHere", f.stopped_here),
        ]
    for t in group.step_times:
        item = f"{t.step} {t.title}"
        rows += [
            ("stepSeconds", item, "count", t.count),
            ("stepSeconds", item, "median", _blank(t.median)),
            ("stepSeconds", item, "p90", _blank(t.p90)),
        ]
    for p in group.problems:
        rows += [("problems", p.key, "calls", p.calls), ("problems", p.key, "share", p.share)]
    return rows


def _blank(value: float | None) -> object:
    return "" if value is None else value
