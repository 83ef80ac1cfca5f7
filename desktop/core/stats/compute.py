"""Computing a report from the call store: one aggregate query, one scan of a covering index.

Each call row carries its report facts (``desktop.core.store.facts``, kept by triggers), so no
timeline is read, and the index ``calls_report`` holds them in the order the query groups them, so
SQLite neither sorts nor reads the table. Each row of the answer is a *cell*: calls alike in
everything the counts need (platform, reconnection, furthest step, steps passed, problems met,
outcome), with how many they are and their step times. The times come packed (the store keeps
each as a 16-digit hex number of milliseconds), so 100,000 calls' times reach numpy as a few strings parsed in C rather
than half a million Python floats; the percentiles are then exact to the millisecond.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from desktop.core.stats.filters import StatsFilter
from desktop.core.stats.report import FunnelStep, Group, ProblemCount, Report, StepTime
from desktop.core.store.facts import OUTCOME_KEYS_BY_WORDS

if TYPE_CHECKING:
    from desktop.core.store import CallStore

STEP_COUNT = 5
LINKED_BIT = 1 << 3  # step 4, sign in and approve
SYNCED_BIT = 1 << 4  # step 5, complete and first sync
HEX_DIGITS = 16  # one big-endian unsigned 64-bit number of milliseconds per time

Array = npt.NDArray[np.float64]

# Packed by the store's trigger when the step was done; group_concat leaves out NULLs.
_TIMES_SQL = ", ".join(f"group_concat(s{n}_packed, '') AS t{n}" for n in range(1, STEP_COUNT + 1))
_SELECT = (
    "SELECT platform_key, max(platform_name) AS platform_name, reconnection, furthest_step,"
    f" passed_steps, problem_keys, outcome_key,{{agent}} count(*) AS n, {_TIMES_SQL}"
)
_QUERY = (
    _SELECT + " FROM calls INDEXED BY calls_report WHERE {where}"
    " GROUP BY practice, platform_key, reconnection, furthest_step, passed_steps, problem_keys,"
    " outcome_key"
)
# With ``by_agent``, each cell is also one agent's: the same pass tallies every agent's group. The
# team file has an index in this order (``desktop.core.team.local_file``), so SQLite groups
# without sorting there; elsewhere it sorts, and the answer is the same.
_QUERY_BY_AGENT = (
    _SELECT + " FROM calls WHERE {where}"
    " GROUP BY practice, agent, platform_key, reconnection, furthest_step, passed_steps,"
    " problem_keys, outcome_key"
)
_AGENT_COLUMN = " coalesce(agent, '') AS agent_name,"


def outcome_key(words: str | None) -> str:
    """The outcome's key from the words saved with a closed call, as the store's trigger sets it."""
    if words is None:
        return "unrecorded"
    return OUTCOME_KEYS_BY_WORDS.get(words.split(":", 1)[0].strip(), "other")


@dataclass(frozen=True)
class _Cell:
    """One row of the aggregate query: ``calls`` calls alike in everything the counts need."""

    platform_key: str | None
    platform_name: str | None
    reconnection: bool
    outcome: str  # a key of OUTCOME_KEYS, or "open"
    furthest: int
    passed: int
    problems: tuple[str, ...]
    calls: int
    times: tuple[str, ...]  # per step, the packed times of the calls that have one

    def merge(self, other: _Cell) -> _Cell:
        """This cell and another alike in all but their agent, as one."""
        return replace(
            self,
            platform_name=self.platform_name or other.platform_name,
            calls=self.calls + other.calls,
            times=tuple(a + b for a, b in zip(self.times, other.times, strict=True)),
        )


def _count(
    cell: _Cell,
    everything: _Tally,
    first: _Tally,
    again: _Tally,
    by_platform: dict[str | None, _Tally],
) -> None:
    everything.add(cell)
    (again if cell.reconnection else first).add(cell)
    by_platform.setdefault(cell.platform_key, _Tally()).add(cell)


@dataclass
class _Tally:
    """Counts of one group as the cells arrive."""

    calls: int = 0
    open: int = 0
    linked: int = 0
    synced: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    reached: list[int] = field(default_factory=lambda: [0] * STEP_COUNT)
    passed: list[int] = field(default_factory=lambda: [0] * STEP_COUNT)
    stopped: list[int] = field(default_factory=lambda: [0] * STEP_COUNT)
    problems: Counter[str] = field(default_factory=Counter)
    times: list[list[str]] = field(default_factory=lambda: [[] for _ in range(STEP_COUNT)])
    platform_name: str | None = None

    def add(self, cell: _Cell) -> None:
        n = cell.calls
        self.calls += n
        if cell.platform_name and not self.platform_name:
            self.platform_name = cell.platform_name
        for step in range(min(cell.furthest, STEP_COUNT)):
            self.reached[step] += n
        for step in range(STEP_COUNT):
            if cell.passed & (1 << step):
                self.passed[step] += n
            if cell.times[step]:
                self.times[step].append(cell.times[step])
        for key in cell.problems:
            self.problems[key] += n
        if cell.outcome == "open":
            self.open += n
            return
        self.outcomes[cell.outcome] += n
        if cell.passed & LINKED_BIT or cell.outcome in ("linked", "synced"):
            self.linked += n
        if cell.passed & SYNCED_BIT or cell.outcome == "synced":
            self.synced += n
        stop = next((s for s in range(STEP_COUNT) if not cell.passed & (1 << s)), None)
        if stop is not None:
            self.stopped[stop] += n

    def group(self, platform_key: str | None = None) -> Group:
        ranked = sorted(self.problems.items(), key=lambda kv: (-kv[1], kv[0]))
        return Group(
            calls=self.calls,
            open=self.open,
            outcomes=dict(self.outcomes),
            linked=self.linked,
            synced=self.synced,
            funnel=tuple(
                FunnelStep(s + 1, self.reached[s], self.passed[s], self.stopped[s])
                for s in range(STEP_COUNT)
            ),
            step_times=tuple(_step_time(s + 1, _unpack(self.times[s])) for s in range(STEP_COUNT)),
            problems=tuple(
                ProblemCount(key, n, n / self.calls if self.calls else 0.0) for key, n in ranked
            ),
            platform_key=platform_key,
            platform_name=self.platform_name,
        )


def compute_report(
    store: CallStore, filters: StatsFilter | None = None, *, by_agent: bool = False
) -> Report:
    """The report over the calls ``filters`` keep (every real call by default); with
    ``by_agent``, ``agents`` holds one group per agent too, by name ("" for calls saved without
    one), in the same pass.

    Raises ``StoreError`` if the database cannot be read.
    """
    filters = filters or StatsFilter()
    where, params = filters.where()
    everything, first, again = _Tally(), _Tally(), _Tally()
    by_platform: dict[str | None, _Tally] = {}
    agents: dict[str, _Tally] = {}
    query = (_QUERY_BY_AGENT if by_agent else _QUERY).format(
        where=where, agent=_AGENT_COLUMN if by_agent else ""
    )
    # By agent, the cells alike but for their agent are merged before the other groups count
    # them: those see each kind of call once, as without ``by_agent``, not once per agent.
    merged: dict[tuple[Any, ...], _Cell] = {}
    for row in store.read(query, params):
        cell = _Cell(
            platform_key=row["platform_key"],
            platform_name=row["platform_name"],
            reconnection=bool(row["reconnection"]),
            outcome=row["outcome_key"],
            furthest=max(int(row["furthest_step"]), 1),
            passed=int(row["passed_steps"]),
            problems=tuple((row["problem_keys"] or "").split()),
            calls=int(row["n"]),
            times=tuple(row[f"t{n}"] or "" for n in range(1, STEP_COUNT + 1)),
        )
        if not by_agent:
            _count(cell, everything, first, again, by_platform)
            continue
        agents.setdefault(str(row["agent_name"]), _Tally()).add(cell)
        key = (
            cell.platform_key,
            cell.reconnection,
            cell.outcome,
            cell.furthest,
            cell.passed,
            *cell.problems,
        )
        same = merged.get(key)
        merged[key] = cell if same is None else same.merge(cell)
    for cell in merged.values():
        _count(cell, everything, first, again, by_platform)
    platforms = sorted(by_platform.items(), key=lambda kv: (-kv[1].calls, kv[0] or "\uffff"))
    return Report(
        filters=filters,
        all=everything.group(),
        first_connections=first.group(),
        reconnections=again.group(),
        platforms=tuple(tally.group(key) for key, tally in platforms),
        agents=tuple(replace(agents[name].group(), agent=name) for name in sorted(agents)),
    )


def empty_report(filters: StatsFilter | None = None) -> Report:
    """The report of no calls at all (every count 0, no times, no rates)."""
    return Report(
        filters=filters or StatsFilter(),
        all=_Tally().group(),
        first_connections=_Tally().group(),
        reconnections=_Tally().group(),
    )


def _unpack(packed: list[str]) -> Array:
    """Seconds from the hex-packed milliseconds of the query."""
    raw = bytes.fromhex("".join(packed))
    return np.frombuffer(raw, dtype=">u8").astype(np.float64) / 1000.0


def _step_time(step: int, seconds: Array) -> StepTime:
    if len(seconds) == 0:
        return StepTime(step, 0, None, None)
    median, p90 = np.percentile(seconds, [50, 90], method="inverted_cdf")
    return StepTime(step, len(seconds), float(median), float(p90))
