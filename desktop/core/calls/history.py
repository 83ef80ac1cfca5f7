"""What a call's timeline already holds, read back after a restart: it is never taken back.

The store is append-only: a journey event, once written, stays. After a restart (of LinkDesk, or
of its embedded sandbox) the tracker starts again from the call's opening and tells the journey
anew, and what it tells first is partly old news and partly worse than what was seen: a step that
was done looks current again until its answer comes, a step that was *observed* can now only be
*inferred* (the connection is already linked), a stall fires because the call was opened long ago.

``History`` rebuilds from the stored events what was recorded per step, which problems are open,
and which lines were told, and decides for each new ``JourneyEvent`` whether it is news. While
the tracker is *catching up* (some step it shows is behind what was recorded), only progress
beyond the record, new problems and lines never told are written; a step's provenance never goes
from observed (or confirmed by the agent) to inferred. ``merge`` gives the journey the agent sees:
the tracker's, with the recorded steps wherever the tracker is still behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from desktop.core.journey import (
    STATUS_RANK,
    EventKind,
    JourneyEvent,
    JourneyState,
    ProblemKey,
    Provenance,
    Step,
    StepState,
    StepStatus,
)

# Seen by the API or confirmed by the agent: a later "inferred" for the same status says less.
_FIRM = frozenset({Provenance.OBSERVED, Provenance.AGENT_CONFIRMED})


@dataclass(frozen=True)
class RecordedEvent:
    """A journey event as the store gives it back (``desktop.core.store.Event`` fields)."""

    at: float  # epoch seconds: when it was observed
    kind: str  # an ``EventKind`` value
    message: str
    step: Step | None = None
    status: StepStatus | None = None
    provenance: Provenance | None = None
    problem_key: str | None = None


@dataclass(frozen=True)
class RecordedStep:
    status: StepStatus
    provenance: Provenance | None
    started_at: float | None
    seen_at: float | None


def _rank(status: StepStatus) -> int:
    return STATUS_RANK.get(status, 0)


class History:
    """The recorded journey of one call; see the module docstring."""

    def __init__(self, recorded: Iterable[RecordedEvent] = ()) -> None:
        self.steps: dict[Step, RecordedStep] = {}
        # The problem the journey has now, as (key, message): one at a time, as the reducer keeps it.
        self.problem: tuple[str, str] | None = None
        self.told: set[tuple[str, str]] = set()
        for event in recorded:
            self._note(
                event.kind,
                event.message,
                event.at,
                event.step,
                event.status,
                event.provenance,
                event.problem_key,
            )
        # Nothing recorded: a new call, nothing to catch up with.
        self.catching_up = bool(self.told)
        self._said_before_restart = frozenset(self.told)

    # -- recording ---------------------------------------------------------------------------------
    def _note(
        self,
        kind: str,
        message: str,
        at: float,
        step: Step | None,
        status: StepStatus | None,
        provenance: Provenance | None,
        problem_key: str | None,
    ) -> None:
        self.told.add((kind, message))
        if kind == EventKind.STEP.value and step is not None and status is not None:
            before = self.steps.get(step)
            started = before.started_at if before else None
            if status in (StepStatus.CURRENT, StepStatus.FAILED) and started is None:
                started = at
            seen = at if _rank(status) >= 2 or status is StepStatus.FAILED else None
            if before is not None and provenance is None and before.status is status:
                provenance = before.provenance
            self.steps[step] = RecordedStep(status, provenance, started, seen)
        elif kind == EventKind.PROBLEM.value and problem_key:
            self.problem = (problem_key, message)
        elif kind == EventKind.PROBLEM_CLEARED.value:
            self.problem = None

    def note(self, event: JourneyEvent) -> None:
        """An event that was written: it is part of the record from now on."""
        self._note(
            event.kind.value,
            event.message,
            event.at,
            event.step,
            event.status,
            event.provenance,
            event.problem.key.value if event.problem else None,
        )

    def note_entry(self, kind: str, message: str) -> None:
        """A line that is not a journey event (a retry, a stop) was written."""
        self.told.add((kind, message))

    # -- deciding ----------------------------------------------------------------------------------
    def follow(self, state: JourneyState) -> None:
        """The tracker's newest journey: once no step is behind the record, catching up is over."""
        if self.catching_up and not self._behind(state):
            self.catching_up = False

    def _behind(self, state: JourneyState) -> list[Step]:
        return [
            step
            for step, rec in self.steps.items()
            if _rank(state.step(step).status) < _rank(rec.status)
        ]

    def admits(self, event: JourneyEvent) -> bool:
        """Whether ``event`` is news to write and show (see the module docstring)."""
        if event.kind is EventKind.STEP and event.step is not None and event.status is not None:
            rec = self.steps.get(event.step)
            if rec is not None:
                if self._rewrites_provenance(rec, event.status, event.provenance):
                    return False
                if self.catching_up and _rank(event.status) <= _rank(rec.status):
                    return False
            return not (self.catching_up and (event.kind.value, event.message) in self.told)
        if event.kind is EventKind.PROBLEM and event.problem is not None:
            key = event.problem.key.value
            if self.catching_up and (key == ProblemKey.STALLED.value or self._is_open(key)):
                # A stall counted from the call's opening, or the problem already on record.
                return False
            return self.problem != (key, event.message)
        if event.kind is EventKind.PROBLEM_CLEARED:
            # Only a problem on record can be resolved on record.
            return self.problem is not None and (
                event.problem is None or self._is_open(event.problem.key.value)
            )
        return not (self.catching_up and (event.kind.value, event.message) in self.told)

    def _is_open(self, key: str) -> bool:
        return self.problem is not None and self.problem[0] == key

    def admits_entry(self, kind: str, message: str) -> bool:
        """A retry or stop line: said again after a restart only if it says something new."""
        return (kind, message) not in self._said_before_restart

    @staticmethod
    def _rewrites_provenance(
        rec: RecordedStep, status: StepStatus, provenance: Provenance | None
    ) -> bool:
        return (
            rec.status is status
            and rec.provenance in _FIRM
            and provenance is not None
            and provenance not in _FIRM
        )

    # -- what the agent sees -----------------------------------------------------------------------
    def merge(self, state: JourneyState) -> JourneyState:
        """The tracker's journey, never behind the record and never less sure of a step."""
        if not self.steps:
            return state
        steps: list[StepState] = []
        changed = False
        for s in state.steps:
            rec = self.steps.get(s.step)
            if rec is not None and (
                (self.catching_up and _rank(s.status) < _rank(rec.status))
                or self._rewrites_provenance(rec, s.status, s.provenance)
            ):
                steps.append(
                    StepState(s.step, rec.status, rec.provenance, rec.started_at, rec.seen_at)
                )
                changed = True
            else:
                steps.append(s)
        problem = state.problem
        if self.catching_up and problem is not None and problem.key is ProblemKey.STALLED:
            problem = None
            changed = True
        if not changed:
            return state
        return replace(state, steps=tuple(steps), problem=problem)
