"""Computing a report from the call store: two aggregate queries, each one scan of ``calls``.

Each call row carries its report facts (``desktop.core.store.facts``, kept by triggers), so no
timeline is read. The first query groups the calls by everything the counts need and lets SQLite
count them; the second reads the five step times of every call, in platform order, into a numpy
array for exact percentiles. Neither grows with the length of the timelines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from desktop.core.stats.filters import StatsFilter
from desktop.core.stats.report import FunnelStep, Group, ProblemCount, Report, StepTime

if TYPE_CHECKING:
    from desktop.core.store import CallStore

STEP_COUNT = 5
LINKED_BIT = 1 << 3  # step 4, sign in and approve
SYNCED_BIT = 1 << 4  # step 5, complete and first sync

# The outcome as the End call dialog saves it: its words, then ": the agent's own words" maybe.
OUTCOME_BY_WORDS = {
    "Linked": "linked",
    "Linked and first sync done": "synced",
    "Customer will retry": "retry",
    "Escalated to Codat": "escalated",
    "Other": "other",
}
_OUTCOME_WORDS_SQL = (
    "CASE WHEN outcome IS NULL THEN NULL"
    " WHEN instr(outcome, ':') > 0 THEN substr(outcome, 1, instr(outcome, ':') - 1)"
    " ELSE outcome END"
)

Array = npt.NDArray[np.float64]


def outcome_key(words: str | None) -> str:
    """The outcome's key from the words saved with the call; unknown words count as "other"."""
    if words is None:
        return "unrecorded"
    return OUTCOME_BY_WORDS.get(words.strip(), "other")


@dataclass
class _Tally:
    """Counts of one group as the aggregate rows arrive."""

    calls: int = 0
    open: int = 0
    linked: int = 0
    synced: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    reached: list[int] = field(default_factory=lambda: [0] * STEP_COUNT)
    passed: list[int] = field(default_factory=lambda: [0] * STEP_COUNT)
    stopped: list[int] = field(default_factory=lambda: [0] * STEP_COUNT)
    problems: Counter[str] = field(default_factory=Counter)
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
        for key in cell.problems:
            self.problems[key] += n
        if cell.is_open:
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

    def group(self, times: Array, platform_key: str | None = None) -> Group:
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
            step_times=_step_times(times),
            problems=tuple(
                ProblemCount(key, n, n / self.calls if self.calls else 0.0) for key, n in ranked
            ),
            platform_key=platform_key,
            platform_name=self.platform_name,
        )


@dataclass(frozen=True)
class _Cell:
    """One row of the aggregate query: ``calls`` calls alike in everything the counts need."""

    platform_key: str | None
    platform_name: str | None
    reconnection: bool
    outcome: str
    is_open: bool
    furthest: int
    passed: int
    problems: tuple[str, ...]
    calls: int


def compute_report(store: CallStore, filters: StatsFilter | None = None) -> Report:
    """The report over the calls ``filters`` keep (every real call by default).

    Raises ``StoreError`` if the database cannot be read.
    """
    filters = filters or StatsFilter()
    where, params = filters.where()
    cells = [
        _Cell(
            platform_key=row["platform_key"],
            platform_name=row["platform_name"],
            reconnection=bool(row["reconnection"]),
            outcome=outcome_key(row["outcome_words"]),
            is_open=bool(row["is_open"]),
            furthest=max(int(row["furthest_step"]), 1),
            passed=int(row["passed_steps"]),
            problems=tuple((row["problem_keys"] or "").split()),
            calls=int(row["n"]),
        )
        for row in store.read(
            "SELECT platform_key, max(platform_name) AS platform_name, reconnection,"
            f" {_OUTCOME_WORDS_SQL} AS outcome_words, closed_at IS NULL AS is_open,"
            " furthest_step, passed_steps, problem_keys, count(*) AS n"
            f" FROM calls WHERE {where}"
            " GROUP BY platform_key, reconnection, outcome_words, is_open, furthest_step,"
            " passed_steps, problem_keys",
            params,
        )
    ]
    # SQLite sorts NULL first and text by its bytes (code points for UTF-8), as Python does here.
    order = sorted(
        {(c.platform_key, c.reconnection) for c in cells},
        key=lambda k: (k[0] is not None, k[0] or "", k[1]),
    )
    sizes = Counter[tuple[str | None, bool]]()
    for c in cells:
        sizes[(c.platform_key, c.reconnection)] += c.calls
    times = _step_seconds(store, where, params)
    if len(times) != sum(sizes.values()):  # a write landed between the two queries: read again
        return compute_report(store, filters)

    everything, first, again = _Tally(), _Tally(), _Tally()
    by_platform: dict[str | None, _Tally] = {}
    for c in cells:
        everything.add(c)
        (again if c.reconnection else first).add(c)
        by_platform.setdefault(c.platform_key, _Tally()).add(c)

    # Rows come in (platform, reconnection) order: each cell's rows are one slice of ``times``.
    slices: dict[tuple[str | None, bool], slice] = {}
    start = 0
    for key in order:
        slices[key] = slice(start, start + sizes[key])
        start += sizes[key]

    def rows_of(keys: Iterable[tuple[str | None, bool]]) -> Array:
        parts = [times[slices[k]] for k in keys if k in slices]
        return np.concatenate(parts) if parts else np.empty((0, STEP_COUNT))

    platforms = sorted(by_platform.items(), key=lambda kv: (-kv[1].calls, kv[0] or "\uffff"))
    return Report(
        filters=filters,
        all=everything.group(times),
        first_connections=first.group(rows_of(k for k in order if not k[1])),
        reconnections=again.group(rows_of(k for k in order if k[1])),
        platforms=tuple(
            tally.group(rows_of([(key, False), (key, True)]), key) for key, tally in platforms
        ),
    )


def empty_report(filters: StatsFilter | None = None) -> Report:
    """The report of no calls at all (every count 0, no times, no rates)."""
    nothing = np.empty((0, STEP_COUNT))
    return Report(
        filters=filters or StatsFilter(),
        all=_Tally().group(nothing),
        first_connections=_Tally().group(nothing),
        reconnections=_Tally().group(nothing),
    )


def _step_seconds(store: CallStore, where: str, params: list[object]) -> Array:
    rows = store.read(
        "SELECT s1_seconds, s2_seconds, s3_seconds, s4_seconds, s5_seconds"
        f" FROM calls WHERE {where} ORDER BY platform_key, reconnection",
        params,
        plain=True,
    )
    if not rows:
        return np.empty((0, STEP_COUNT))
    # NULL (no time measured) becomes NaN.
    return np.array(rows, dtype=np.float64)


def _step_times(times: Array) -> tuple[StepTime, ...]:
    out: list[StepTime] = []
    for s in range(STEP_COUNT):
        column = times[:, s] if len(times) else np.empty(0)
        measured = column[~np.isnan(column)]
        if len(measured) == 0:
            out.append(StepTime(s + 1, 0, None, None))
            continue
        median, p90 = np.percentile(measured, [50, 90], method="inverted_cdf")
        out.append(StepTime(s + 1, len(measured), float(median), float(p90)))
    return tuple(out)
