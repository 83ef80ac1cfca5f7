"""Reports over the saved calls: outcomes, completion, the step funnel, time per step, problems.

``compute_report(store, StatsFilter(...))`` gives a ``Report`` (its JSON shape is documented in
``desktop.core.stats.report``); ``calls_behind`` lists the calls behind one of its figures.
No Qt: the CLI (``linkdesk calls stats``) and the Reports page share it.
"""

from desktop.core.stats.behind import UNKNOWN_PLATFORM, Behind, calls_behind
from desktop.core.stats.compute import (
    compute_report,
    empty_report,
    outcome_key,
)
from desktop.core.stats.filters import StatsFilter
from desktop.core.stats.report import (
    OUTCOME_KEYS,
    FunnelStep,
    Group,
    ProblemCount,
    Report,
    StepTime,
)

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
