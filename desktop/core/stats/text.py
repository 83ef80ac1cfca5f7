"""A report as plain text for the terminal (``linkdesk calls stats`` without --json/--csv)."""

from __future__ import annotations

from dataclasses import replace

from desktop.core.stats.filters import StatsFilter
from desktop.core.stats.report import OUTCOME_KEYS, Group, Report
from desktop.core.store.timefmt import duration

OUTCOME_WORDS = {
    "linked": "linked",
    "synced": "linked and synced",
    "retry": "customer will retry",
    "escalated": "escalated to Codat",
    "other": "other",
    "unrecorded": "no outcome recorded",
}
TOP_PROBLEMS = 3


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _table(rows: list[tuple[str, ...]], numbers: range) -> list[str]:
    """Columns padded to their widest cell; those in ``numbers`` aligned right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in numbers else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _headline(name: str, g: Group) -> str:
    return (
        f"{name}: {g.calls} call(s), {g.open} open; of {g.closed} closed, "
        f"linked {g.linked} ({_percent(g.linked_rate)}), synced {g.synced} "
        f"({_percent(g.synced_rate)})"
    )


def _no_calls(filters: StatsFilter) -> str:
    """Why the report is empty: nothing saved, or the filters (the ones of ``calls stats``)."""
    if replace(filters, practice=False) != StatsFilter():
        return "No calls match these filters."
    if filters.practice:
        return "No calls saved yet."
    return "No calls saved yet (practice calls count only with --practice)."


def report_text(report: Report) -> str:
    """The headline figures, the step table, one line per platform, then (team) per agent."""
    g = report.all
    lines = [_headline("All calls", g)]
    if g.calls == 0:
        lines.append(_no_calls(report.filters))
        return "\n".join(lines) + "\n"
    lines.append(_headline("First connections", report.first_connections))
    lines.append(_headline("Reconnections", report.reconnections))
    outcomes = [f"{OUTCOME_WORDS[k]} {g.outcomes[k]}" for k in OUTCOME_KEYS if g.outcomes.get(k)]
    lines.append("Outcomes: " + (", ".join(outcomes) or "none yet"))
    lines.append("")
    rows: list[tuple[str, ...]] = [("STEP", "REACHED", "PASSED", "STOPPED", "MEDIAN", "P90")]
    for f, t in zip(g.funnel, g.step_times, strict=True):
        rows.append(
            (
                f"{f.step} {f.title}",
                str(f.reached),
                str(f.passed),
                str(f.stopped_here),
                "-" if t.median is None else duration(t.median),
                "-" if t.p90 is None else duration(t.p90),
            )
        )
    lines += _table(rows, range(1, 6))
    lines.append("")
    rows = [("PLATFORM", "CALLS", "LINKED", "SYNCED", "TOP PROBLEMS")]
    for p in report.platforms:
        name = p.platform_name or "(not chosen)"
        if p.platform_key:
            name += f" [{p.platform_key}]"
        problems = ", ".join(f"{x.key} {x.calls}" for x in p.problems[:TOP_PROBLEMS]) or "-"
        rows.append(
            (name, str(p.calls), _percent(p.linked_rate), _percent(p.synced_rate), problems)
        )
    lines += _table(rows, range(1, 4))
    if report.agents:  # a team report
        lines.append("")
        rows = [("AGENT", "CALLS", "LINKED", "SYNCED", "TOP PROBLEMS")]
        for a in report.agents:
            problems = ", ".join(f"{x.key} {x.calls}" for x in a.problems[:TOP_PROBLEMS]) or "-"
            rows.append(
                (
                    a.agent or "(no name)",
                    str(a.calls),
                    _percent(a.linked_rate),
                    _percent(a.synced_rate),
                    problems,
                )
            )
        lines += _table(rows, range(1, 4))
    return "\n".join(lines) + "\n"
