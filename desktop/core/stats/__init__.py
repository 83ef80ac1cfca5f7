"""Reports over the saved calls: outcomes, completion, the step funnel, time per step, problems.

``compute_report(store, StatsFilter(...))`` gives a ``Report`` (its JSON shape is documented in
``desktop.core.stats.report``); ``calls_behind`` lists the calls behind one of its figures;
``StatsService`` asks both off the GUI thread. No Qt: the CLI (``linkdesk calls stats``) and the
Reports page share it. The computing half needs numpy, so it is imported on first use: the Reports
page can be built at start-up without loading numpy.
"""

from typing import Any

from desktop.core.stats.behind import UNKNOWN_PLATFORM, Behind, calls_behind
from desktop.core.stats.filters import StatsFilter
from desktop.core.stats.report import (
    OUTCOME_KEYS,
    FunnelStep,
    Group,
    ProblemCount,
    Report,
    StepTime,
)

_COMPUTE = ("compute_report", "empty_report", "outcome_key")

__all__ = [
    "OUTCOME_KEYS",
    "UNKNOWN_PLATFORM",
    "Behind",
    "FunnelStep",
    "Group",
    "ProblemCount",
    "Report",
    "StatsFilter",
    "StepTime",
    "calls_behind",
    "compute_report",
    "empty_report",
    "outcome_key",
]


def __getattr__(name: str) -> Any:
    if name in _COMPUTE:
        from desktop.core.stats import compute

        return getattr(compute, name)
    raise AttributeError(f"module 'desktop.core.stats' has no attribute {name!r}")
