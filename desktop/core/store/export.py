"""A call as Markdown or plain text for the CRM: header, steps, timeline, problems, checklist, notes.

The whole text passes through the log's secret filter last, so an API key (or its base64 form, or
an Authorization value) that reached a note or an event never leaves in an export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Literal

from desktop.core.journey.model import STEP_TITLES, Step
from desktop.core.logs import SECRET_FILTER
from desktop.core.store.records import ApiKind, Call, Event
from desktop.core.store.timefmt import duration, local, offset

if TYPE_CHECKING:
    from desktop.core.store.callstore import CallStore

ExportFormat = Literal["markdown", "text"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("markdown", "text")

_PROVENANCE_WORDS = {
    "observed": "seen by the API",
    "inferred": "inferred",
    "agent-confirmed": "confirmed by the agent",
}
_STARTED = ("current", "failed")
_FINISHED = ("done", "skipped")


@dataclass(frozen=True)
class StepRow:
    step: int
    title: str
    status: str
    provenance: str | None
    started: float | None
    finished: float | None

    @property
    def took(self) -> float | None:
        if self.started is None or self.finished is None or self.finished < self.started:
            return None
        return self.finished - self.started


def step_rows(call: Call, events: list[Event]) -> list[StepRow]:
    """Each journey step's latest status and how long it took, from the timeline.

    A step took from the moment it became current to the moment it was done. When the timeline
    never showed it current (the API cannot see steps 1 and 3, so they are often done at once),
    it counts from the end of the step before, and step 1 from the start of the call.
    """
    rows: list[StepRow] = []
    previous_end: float | None = call.opened_at
    for step in Step:
        mine = [e for e in events if e.kind == "step" and e.step == int(step)]
        status = mine[-1].status if mine else None
        provenance = next((e.provenance for e in reversed(mine) if e.provenance), None)
        started = next((e.time for e in mine if e.status in _STARTED), None)
        finished = next((e.time for e in mine if e.status in _FINISHED), None)
        if started is None and finished is not None:
            started = previous_end
        rows.append(
            StepRow(
                int(step), STEP_TITLES[step], status or "waiting", provenance, started, finished
            )
        )
        previous_end = finished
    return rows


@dataclass(frozen=True)
class ProblemRow:
    time: float
    key: str
    message: str
    detail: str | None
    reason: str | None
    correlation_id: str | None
    resolved_at: float | None


def problem_rows(events: list[Event]) -> list[ProblemRow]:
    rows: list[ProblemRow] = []
    for i, event in enumerate(events):
        if event.kind != "problem":
            continue
        data = event.data or {}
        problem = data.get("problem") if isinstance(data.get("problem"), dict) else {}
        assert isinstance(problem, dict)
        key = event.problem_key or str(problem.get("key") or "problem")
        resolved = _resolved_at(events[i + 1 :], key)
        correlation = data.get("correlation_id") or data.get("correlationId")
        rows.append(
            ProblemRow(
                time=event.time,
                key=key,
                message=str(problem.get("message") or event.summary),
                detail=_str_or_none(problem.get("detail")),
                reason=_str_or_none(problem.get("reason")),
                correlation_id=_str_or_none(correlation),
                resolved_at=resolved,
            )
        )
    return rows


def _resolved_at(later: list[Event], key: str) -> float | None:
    for event in later:
        if event.problem_key != key:
            continue
        if event.kind == "problem_cleared":
            return event.time
        if event.kind == "problem":
            return None  # the same problem again, reported anew below
    return None


def _str_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


class _Clock:
    """Formats the call's moments in one time zone."""

    def __init__(self, call: Call, tz: tzinfo | None) -> None:
        self.tz = tz
        self.start = call.opened_at
        self.day = local(call.opened_at, tz).date()

    def full(self, epoch: float) -> str:
        moment = local(epoch, self.tz)
        return moment.strftime("%Y-%m-%d %H:%M:%S ") + _zone(moment)

    def short(self, epoch: float) -> str:
        moment = local(epoch, self.tz)
        if moment.date() != self.day:
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        return moment.strftime("%H:%M:%S")

    def since(self, epoch: float) -> str:
        return offset(epoch - self.start)


def _zone(moment: datetime) -> str:
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours:02d}:{rest:02d}"


def export_call(
    store: CallStore,
    call_id: int,
    fmt: ExportFormat | str = "markdown",
    *,
    tz: tzinfo | None = None,
    checklist_labels: Mapping[str, str] | None = None,
) -> str:
    """The call as ``fmt`` ("markdown" or "text"), times in ``tz`` (this computer's when None).

    ``checklist_labels`` maps checklist item keys to their wording, in checklist order; items in
    it that were never ticked are listed as not done.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    call = store.get_call(call_id)
    events = store.events(call_id)
    ticks = store.ticks(call_id)
    notes = store.notes(call_id)
    writer = _Markdown() if fmt == "markdown" else _Text()
    clock = _Clock(call, tz)

    writer.title(f"Call with {call.company_name}")
    writer.fields(_header(call, clock))

    writer.heading("Steps")
    writer.table(
        ("Step", "Status", "How LinkDesk knows", "Started", "Done", "Took"),
        [
            (
                f"{row.step}. {row.title}",
                row.status,
                _PROVENANCE_WORDS.get(row.provenance or "", row.provenance or ""),
                clock.short(row.started) if row.started is not None else "",
                clock.short(row.finished) if row.finished is not None else "",
                duration(row.took) if row.took is not None else "",
            )
            for row in step_rows(call, events)
        ],
    )

    writer.heading("Timeline")
    if events:
        writer.table(
            ("Time", "Since start", "What happened"),
            [
                (
                    clock.short(e.time),
                    clock.since(e.time),
                    ("Agent: " + e.summary) if e.is_agent_action else e.summary,
                )
                for e in events
            ],
        )
    else:
        writer.paragraph("Nothing recorded.")

    writer.heading("Problems")
    problems = problem_rows(events)
    if problems:
        writer.items([_problem_line(p, clock) for p in problems])
    else:
        writer.paragraph("None.")

    writer.heading("Checklist")
    labels = dict(checklist_labels or {})
    for key, label in _labels_from_timeline(events).items():
        labels.setdefault(key, label)
    checklist = _checklist(ticks, labels)
    if checklist:
        writer.checklist(checklist)
    else:
        writer.paragraph("Not used.")

    writer.heading("Notes")
    writer.block(notes.strip() or "(none)")
    return SECRET_FILTER.scrub(writer.text())


def _header(call: Call, clock: _Clock) -> list[tuple[str, str]]:
    fields = [("Company", f"{call.company_name} ({call.company_id})")]
    if call.platform_name or call.platform_key:
        key = f" ({call.platform_key})" if call.platform_key else ""
        fields.append(("Platform", f"{call.platform_name or call.platform_key}{key}"))
    else:
        fields.append(("Platform", "not chosen"))
    fields.append(("Profile", call.profile))
    if call.is_practice:
        fields.append(("Practice call", f"sandbox scenario {call.scenario}"))
    elif call.api_kind == ApiKind.SANDBOX:
        fields.append(("API", "the embedded sandbox"))
    if call.link_url:
        fields.append(("Link URL", call.link_url))
    fields.append(("Opened", clock.full(call.opened_at)))
    if call.closed_at is None:
        fields.append(("Closed", "still open"))
    else:
        length = duration(call.closed_at - call.opened_at)
        fields.append(("Closed", f"{clock.full(call.closed_at)} (call length {length})"))
    fields.append(("Outcome", call.outcome or "none recorded"))
    return fields


def _problem_line(p: ProblemRow, clock: _Clock) -> str:
    line = f"{clock.short(p.time)} ({clock.since(p.time)}) {p.key}: {p.message}"
    if p.detail:
        line += f" Codat said: “{p.detail}”."
    if p.correlation_id:
        line += f" Codat correlation id: {p.correlation_id}."
    if p.resolved_at is not None:
        line += f" Resolved at {clock.short(p.resolved_at)}."
    return line


def _labels_from_timeline(events: list[Event]) -> dict[str, str]:
    """The wording each item had when ticked, for exports made without the guides at hand."""
    labels: dict[str, str] = {}
    for event in events:
        data = event.data or {}
        if event.kind in ("agent.tick", "agent.untick") and isinstance(data.get("item"), str):
            labels.setdefault(data["item"], str(data.get("label") or data["item"]))
    return labels


def _checklist(ticks: Mapping[str, bool], labels: Mapping[str, str]) -> list[tuple[bool, str]]:
    keys = [*labels, *(k for k in ticks if k not in labels)]
    return [(ticks.get(k, False), labels.get(k, k)) for k in keys]


class _Markdown:
    def __init__(self) -> None:
        self._lines: list[str] = []

    def title(self, text: str) -> None:
        self._lines += [f"# {_md_inline(text)}", ""]

    def fields(self, pairs: list[tuple[str, str]]) -> None:
        self._lines += [f"- **{k}:** {_md_inline(v)}" for k, v in pairs]
        self._lines.append("")

    def heading(self, text: str) -> None:
        self._lines += [f"## {text}", ""]

    def table(self, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        self._lines.append("| " + " | ".join(head) + " |")
        self._lines.append("|" + "|".join(" --- " for _ in head) + "|")
        for row in rows:
            self._lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        self._lines.append("")

    def items(self, lines: list[str]) -> None:
        self._lines += [f"- {_md_inline(line)}" for line in lines]
        self._lines.append("")

    def checklist(self, items: list[tuple[bool, str]]) -> None:
        self._lines += [f"- [{'x' if done else ' '}] {_md_inline(label)}" for done, label in items]
        self._lines.append("")

    def paragraph(self, text: str) -> None:
        self._lines += [text, ""]

    def block(self, text: str) -> None:
        # The agent's own words, kept as typed (line breaks included).
        self._lines += [*(line + "  " if line else "" for line in text.splitlines()), ""]

    def text(self) -> str:
        return "\n".join(self._lines).rstrip() + "\n"


def _md_inline(text: str) -> str:
    return " ".join(text.split())


def _md_cell(text: str) -> str:
    return _md_inline(text).replace("|", "\\|")


class _Text:
    def __init__(self) -> None:
        self._lines: list[str] = []

    def title(self, text: str) -> None:
        self._lines += [text, "=" * len(text), ""]

    def fields(self, pairs: list[tuple[str, str]]) -> None:
        width = max(len(k) for k, _ in pairs) + 1
        self._lines += [f"{(k + ':').ljust(width)} {v}" for k, v in pairs]
        self._lines.append("")

    def heading(self, text: str) -> None:
        self._lines += [text, "-" * len(text), ""]

    def table(self, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        cells = [head, *(tuple(" ".join(c.split()) for c in row) for row in rows)]
        widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
        for row in cells:
            padded = (c.ljust(w) for c, w in zip(row, widths, strict=True))
            self._lines.append("  ".join(padded).rstrip())
        self._lines.append("")

    def items(self, lines: list[str]) -> None:
        self._lines += [f"* {line}" for line in lines]
        self._lines.append("")

    def checklist(self, items: list[tuple[bool, str]]) -> None:
        self._lines += [f"[{'x' if done else ' '}] {label}" for done, label in items]
        self._lines.append("")

    def paragraph(self, text: str) -> None:
        self._lines += [text, ""]

    def block(self, text: str) -> None:
        self._lines += [*text.splitlines(), ""]

    def text(self) -> str:
        return "\n".join(self._lines).rstrip() + "\n"
