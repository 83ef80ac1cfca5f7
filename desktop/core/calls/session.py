"""One customer's call, and the calls an agent follows at once. Qt-free: the widgets only show this.

A ``CallSession`` ties together the company, its Link URL, the journey as the tracker sees it, the
agent's confirmations of the steps the API cannot see, the checklist ticks and the notes. Every
journey event and every agent action goes to the store as it happens, so a crash loses nothing but
the last second of typing. ``call_manager.CallManager`` holds the sessions and follows them in the
one shared tracker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop.core.calls.history import History, RecordedEvent
from desktop.core.calls.origin import CallOrigin
from desktop.core.calls.outcome import Outcome
from desktop.core.calls.practice_hints import lesson_after_first_sync, practice_hint
from desktop.core.clock import Clock
from desktop.core.codat.data_types import data_type_words
from desktop.core.journey import (
    INVISIBLE_STEPS,
    STEP_TITLES,
    AgentConfirmed,
    EventKind,
    JourneyConfig,
    JourneyEvent,
    JourneyState,
    Problem,
    ProblemKey,
    Step,
    StepState,
    StepStatus,
    SyncItem,
    SyncStatus,
    apply,
    start,
)
from desktop.core.store import StoreError
from desktop.core.store.records import tick_entry
from desktop.core.tracker.pace import Pace, pace_text

log = logging.getLogger(__name__)

# What to ask the customer when a step has gone quiet, in the words an agent would use.
STALL_QUESTIONS: dict[Step, str] = {
    Step.OPEN_LINK: "Ask whether the link opened, and what their browser shows.",
    Step.CHOOSE_SOFTWARE: (
        "Ask whether they can find their accounting software in the list; typing its name in "
        "the search box helps."
    ),
    Step.REVIEW_AND_START: (
        "Ask whether they are on the page that explains what will be shared, and whether a "
        "button is greyed out."
    ),
    Step.SIGN_IN: (
        "Ask whether a sign-in window opened: it may be hidden behind the browser or blocked as a "
        "pop-up."
    ),
    Step.COMPLETE: (
        "Nothing is needed from the customer: the first sync carries on after the call."
    ),
}

AGENT_CONFIRM = "agent.confirm_step"
AGENT_ACTION = "agent.action"
AGENT_OUTCOME = "agent.outcome"

PROVENANCE_WORDS: dict[str, str] = {
    "observed": "seen by the API",
    "inferred": "inferred",
    "agent-confirmed": "confirmed by you",
}


class CallStoreLike(Protocol):
    """What a session writes to the store (``store_adapter.StoreAdapter`` over ``CallStore``).

    Every time is epoch seconds from the session's clock (or, for a journey event, the time of the
    observation it came from); the store keeps it as given and stamps nothing itself. A refused
    write raises ``StoreError``; the store keeps it in memory and writes it on retry.
    """

    def record_journey_event(self, call_id: int, event: JourneyEvent) -> None:
        """Save a journey event, stamped with its observation time; its full JSON goes with it."""
        ...

    def record_entry(self, call_id: int, entry: TimelineEntry) -> None:
        """Save a timeline line that is not a journey event (a retry, a stop, an agent action)."""
        ...

    def set_tick(
        self, call_id: int, key: str, ticked: bool, at: float, *, label: str | None = None
    ) -> None:
        """Save a checklist item's state at ``at``, and its line on the timeline."""
        ...

    def save_notes(self, call_id: int, notes: str, at: float) -> None:
        """Replace the call's notes, saved at ``at``."""
        ...


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a call's timeline as the session shows it."""

    at: float  # epoch seconds
    kind: str  # a journey EventKind value, "retry", "stopped", or "agent.*" for what the agent did
    message: str
    step: Step | None = None  # the step an agent confirmation is about


@dataclass(frozen=True)
class StepView:
    """One row of the journey view, in words."""

    step: Step
    title: str
    status: StepStatus
    provenance: str | None  # plain words, see PROVENANCE_WORDS
    at: float | None
    duration: float | None  # seconds from becoming current to being seen done or failed
    can_confirm: bool


@dataclass(frozen=True)
class SyncRow:
    """One data type of the first sync, in words."""

    data_type: str  # Codat's name, e.g. "chartOfAccounts"
    words: str  # "Chart of accounts"
    percent: int  # 0-100; a failed type's 0 (its data is not there, whatever its pull said)
    status: str  # a SyncStatus value: queued, fetching, done, failed

    def bar_words(self) -> str:
        """The row's bar text: "Invoices: fetching (45%)", "Bill payments: failed"."""
        if self.status == SyncStatus.FAILED.value:
            return f"{self.words}: failed"
        return f"{self.words}: {self.status} ({self.percent}%)"


@dataclass(frozen=True)
class SyncSummary:
    """The first sync as a whole: one bar, with counts."""

    total: int
    done: int
    failed: int
    fetching: int
    queued: int
    percent: int  # the share of data types done, rounded down: see sync_summary

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done + self.failed == self.total

    def bar_words(self) -> str:
        """The bar's own words: what is settled, e.g. "8 of 9 done · 1 failed" (the line under
        the bar, ``words``, also says what is still fetching or queued)."""
        text = f"{self.done} of {self.total} done"
        return f"{text} · {self.failed} failed" if self.failed else text

    def words(self) -> str:
        """E.g. "12 of 27 data types done · 2 fetching · 1 failed"."""
        parts = [f"{self.done} of {self.total} data types done"]
        if self.fetching:
            parts.append(f"{self.fetching} fetching")
        if self.queued:
            parts.append(f"{self.queued} queued")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return " · ".join(parts)


def sync_rows(items: Sequence[SyncItem]) -> list[SyncRow]:
    rows: list[SyncRow] = []
    for item in items:
        done = item.status is SyncStatus.DONE
        # A failed pull may report 100 %: its bar read "failed (100%)", as if the data were in.
        failed = item.status is SyncStatus.FAILED
        percent = 100 if done else 0 if failed else max(0, min(100, item.progress or 0))
        rows.append(
            SyncRow(item.data_type, data_type_words(item.data_type), percent, item.status.value)
        )
    return rows


def sync_summary(items: Sequence[SyncItem]) -> SyncSummary | None:
    """None before the first sync has any data type."""
    if not items:
        return None
    count = {status: sum(1 for i in items if i.status is status) for status in SyncStatus}
    total, done = len(items), count[SyncStatus.DONE]
    return SyncSummary(
        total=total,
        done=done,
        failed=count[SyncStatus.FAILED],
        fetching=count[SyncStatus.FETCHING],
        queued=count[SyncStatus.QUEUED],
        # The bar's rule: only data types done count, so the fill says what the words say ("7 of
        # 9 done" fills 77 %). A failed type counts nothing (its pull may say 100 %, but its data
        # is not there), nor does a fetching type's progress (each type's own bar shows it).
        # Rounded down: never more than is truly done, and 100 % only when every type is done.
        percent=done * 100 // total,
    )


@dataclass
class CallSnapshot:
    """Everything one call's screen shows (plain values)."""

    call_id: int
    company_id: str
    company_name: str
    link_url: str
    steps: list[StepView]
    current: Step | None
    platform_key: str | None
    platform_name: str | None
    sync: list[SyncItem]
    sync_progress: list[tuple[str, int, str]]  # see CallSession.sync_progress
    sync_rows: list[SyncRow]
    sync_summary: SyncSummary | None
    problem: Problem | None
    correlation_id: str | None
    retry_text: str | None
    pace_text: str | None  # "Checking every 40 s to stay within the team's quota; ..." or None
    stall_prompt: str | None
    hint: str | None  # a practice call: what the trainee should notice and do now
    practice: str | None  # the scenario of a practice call
    ticks: dict[str, bool]
    notes: str
    timeline: list[TimelineEntry]
    finished: bool


Listener = Callable[["CallSession"], None]
StoreErrorListener = Callable[[StoreError], None]


@dataclass
class StoredCall:
    """A call as the store gives it back on start."""

    call_id: int
    company_id: str
    company_name: str
    link_url: str
    opened_at: float
    notes: str = ""
    ticks: dict[str, bool] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    confirmed: list[tuple[Step, float]] = field(default_factory=list)
    followed: str | None = None  # the connection followed when the call was last saved
    journey: list[RecordedEvent] = field(default_factory=list)  # every line but the agent's
    origin: CallOrigin = field(default_factory=lambda: CallOrigin("default"))
    practice: str | None = None  # the scenario of a practice call


class CallSession:
    """One customer's call: company, Link URL, journey, confirmations, checklist ticks, notes.

    Qt-free; the widgets show ``snapshot()`` and call the ``confirm_step``/``set_tick``/
    ``save_notes``/``note_action`` methods. The tracker's news arrives through ``on_update``,
    ``on_retry`` and ``on_stopped`` (the ``CallManager`` forwards them). Every change is written to
    the store as it happens; a refused write goes to ``on_store_error`` and the call goes on with
    all of it in memory. Times are epoch seconds from ``clock``. After a restart, ``restore``
    takes back what was saved; ``history`` keeps what the timeline recorded from being rewritten.
    """

    def __init__(
        self,
        *,
        call_id: int,
        company_id: str,
        company_name: str,
        link_url: str,
        store: CallStoreLike,
        clock: Clock,
        opened_at: float | None = None,
        config: JourneyConfig | None = None,
        confirm: Callable[[str, Step, float], None] | None = None,
        practice: str | None = None,
    ) -> None:
        self.call_id = call_id
        # The sandbox scenario of a practice call; None for every other call, sandbox or not.
        self.practice = practice
        # A practice lesson that comes after the first sync: whether it has shown in this call.
        self._lesson = lesson_after_first_sync(practice)
        self.lesson_shown = False
        self._last_sync_line: str | None = None
        self.company_id = company_id
        self.company_name = company_name
        self.link_url = link_url
        self.store = store
        self.clock = clock
        self.config = config or JourneyConfig()
        self.opened_at = opened_at if opened_at is not None else clock.now()
        self.state: JourneyState = start(company_id, self.opened_at, self.config)
        self.ticks: dict[str, bool] = {}
        self.notes = ""
        self.timeline: list[TimelineEntry] = []
        self.confirmed: dict[Step, float] = {}
        self.retry_at: float | None = None
        self.retry_reason: str | None = None
        self.correlation_id: str | None = None
        self.stopped_reason: str | None = None
        self.pace: Pace | None = None  # how often the tracker checks, when something slows it
        self._confirm_hook = confirm
        self._listeners: list[Listener] = []
        # Told when the store refuses a write; the call goes on with everything kept in memory.
        self.on_store_error: StoreErrorListener | None = None
        # What the timeline already holds; after a restart the tracker tells the journey anew.
        self.history = History()
        self._followed: str | None = None
        # Why this call is not followed now (its API is not available): shown, never written.
        self.waiting_reason: str | None = None

    # -- listeners ---------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(session)`` on every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    # -- from the tracker --------------------------------------------------------------------------
    def on_update(self, state: JourneyState, events: Sequence[JourneyEvent] = ()) -> None:
        """A new journey state from the tracker, with the events that led to it."""
        if self._lesson is not None and not self.lesson_shown and self._lesson(state):
            self.lesson_shown = True
        self.retry_at = None
        self.retry_reason = None
        synced_types = False
        for event in events:
            if event.kind is EventKind.SYNC:
                # One line per change of the whole sync, not one per data type (27 for QBO).
                synced_types = True
                continue
            if (
                event.kind is EventKind.FOLLOWING
                and self._followed is not None
                and event.connection_id == self._followed
            ):
                continue  # a restarted tracker finding the same connection again
            self._record_event(event)
        if synced_types:
            self._record_sync(state, events[-1].at)
        if state.connection_id is not None:
            self._followed = state.connection_id
        self.history.follow(state)
        self.state = self.history.merge(state)
        self._changed()

    def _record_sync(self, state: JourneyState, at: float) -> None:
        summary = sync_summary(state.sync)
        if summary is None:
            return
        failed = [r.words for r in sync_rows(state.sync) if r.status == SyncStatus.FAILED.value]
        message = f"First sync: {summary.words()}"
        message += f" ({', '.join(failed)} failed)." if failed else "."
        if message == self._last_sync_line:
            return
        self._last_sync_line = message
        self._record(TimelineEntry(at, EventKind.SYNC.value, message))

    def on_retry(self, next_try_at: float, reason: str, correlation_id: str | None = None) -> None:
        """A request failed; the tracker tries again at ``next_try_at`` (epoch seconds)."""
        first = self.retry_at is None
        self.retry_at = next_try_at
        self.retry_reason = reason
        if correlation_id:
            self.correlation_id = correlation_id
        if first:
            self._record(
                TimelineEntry(self.clock.now(), "retry", f"Codat did not answer: {reason}")
            )
        self._changed()

    def on_pace(self, pace: Pace) -> None:
        """The tracker's pace for this company changed (slowed by the quota, held, or normal)."""
        self.pace = pace if pace.limit is not None else None
        self._changed()

    def on_stopped(self, reason: str) -> None:
        """The tracker gave up on this company (401/403/404): said once, in the timeline."""
        self.stopped_reason = reason
        self.retry_at = None
        self.pace = None
        self._record(TimelineEntry(self.clock.now(), "stopped", reason))
        self._changed()

    # -- from the agent ----------------------------------------------------------------------------
    def confirm_step(self, step: Step | int) -> None:
        """The agent saw the customer pass step 1 or 3 on the shared screen (other steps: ignored)."""
        step = Step(step)
        if step not in INVISIBLE_STEPS or step in self.confirmed:
            return
        at = self.clock.now()
        self.confirmed[step] = at
        self._record(
            TimelineEntry(
                at, AGENT_CONFIRM, f"You confirmed step {int(step)} “{STEP_TITLES[step]}”.", step
            )
        )
        if self._confirm_hook is not None:
            self._confirm_hook(self.company_id, step, at)
        self._changed()

    def set_tick(self, key: str, ticked: bool, label: str | None = None) -> None:
        """Tick or untick a checklist item; ``label`` is its wording, for the saved timeline."""
        if self.ticks.get(key, False) == ticked:
            return
        at = self.clock.now()
        self.ticks[key] = ticked
        # The store puts the tick on the saved timeline itself; mirror it on screen.
        try:
            self.store.set_tick(self.call_id, key, ticked, at, label=label)
        except StoreError as exc:
            self._store_failed(exc)
        kind, summary = tick_entry(ticked, label or key)
        self.timeline.append(TimelineEntry(at, kind, summary))
        self._changed()

    def save_notes(self, text: str) -> bool:
        """Store the notes if they changed; True if they reached the disk.

        A refused save is kept by the store (newest text only) and written by its retry.
        """
        if text == self.notes:
            return False
        self.notes = text
        try:
            self.store.save_notes(self.call_id, text, self.clock.now())
        except StoreError as exc:
            self._store_failed(exc)
            return False
        return True

    def note_outcome(self, outcome: Outcome) -> None:
        """How the call ended, on its timeline (the store keeps it with the call too)."""
        self._record(
            TimelineEntry(self.clock.now(), AGENT_OUTCOME, f"Call ended: {outcome.words()}.")
        )

    def note_action(self, message: str) -> None:
        """Something the agent did that belongs in the timeline (copied the link, ...)."""
        self._record(TimelineEntry(self.clock.now(), AGENT_ACTION, message))
        self._changed()

    def _record_event(self, event: JourneyEvent) -> None:
        """A journey event: on screen, and to the store as the typed event it is."""
        if not self.history.admits(event):
            return
        self.history.note(event)
        self.timeline.append(TimelineEntry(event.at, event.kind.value, event.message))
        self._write(lambda: self.store.record_journey_event(self.call_id, event))

    def _record(self, entry: TimelineEntry) -> None:
        """Anything else on the timeline: a retry, a stop, or what the agent did."""
        if not entry.kind.startswith("agent."):
            if not self.history.admits_entry(entry.kind, entry.message):
                return  # said before the restart, in the same words
            self.history.note_entry(entry.kind, entry.message)
        self.timeline.append(entry)
        self._write(lambda: self.store.record_entry(self.call_id, entry))

    def _write(self, write: Callable[[], None]) -> None:
        try:
            write()
        except StoreError as exc:
            self._store_failed(exc)

    def _store_failed(self, error: StoreError) -> None:
        log.warning("Call %s: the store refused a write: %s", self.call_id, error.plain_message)
        if self.on_store_error is not None:
            self.on_store_error(error)

    # -- restore after a restart -------------------------------------------------------------------
    def restore(self, stored: StoredCall) -> None:
        """Take back what the store kept of this call; the journey starts again from its opening,
        with the agent's confirmations replayed at the times they were made."""
        state = start(self.company_id, stored.opened_at, self.config)
        for step, at in sorted(stored.confirmed, key=lambda c: c[1]):
            state, _ = apply(state, AgentConfirmed(at, step), self.config)
        self.state = state
        self.notes = stored.notes
        self.ticks = dict(stored.ticks)
        self.timeline = list(stored.timeline)
        self.confirmed = dict(stored.confirmed)
        self._followed = stored.followed
        self.history = History(stored.journey)
        self.state = self.history.merge(self.state)
        sync_lines = [e.message for e in stored.timeline if e.kind == EventKind.SYNC.value]
        self._last_sync_line = sync_lines[-1] if sync_lines else None

    # -- what the screen shows ---------------------------------------------------------------------
    def step_views(self) -> list[StepView]:
        """The five steps in words, for the journey view."""
        return [self._step_view(s) for s in self.state.steps]

    def _step_view(self, s: StepState) -> StepView:
        at = s.seen_at if s.seen_at is not None else s.started_at
        duration = None
        if s.started_at is not None and s.seen_at is not None:
            duration = max(0.0, s.seen_at - s.started_at)
        return StepView(
            step=s.step,
            title=s.title,
            status=s.status,
            provenance=PROVENANCE_WORDS.get(s.provenance.value) if s.provenance else None,
            at=at,
            duration=duration,
            can_confirm=s.step in INVISIBLE_STEPS
            and s.status in (StepStatus.CURRENT, StepStatus.WAITING)
            and s.step not in self.confirmed,
        )

    @property
    def current_step(self) -> Step | None:
        """The step the customer is on; None once every step is done."""
        current = self.state.current_step
        return current.step if current else None

    @property
    def problem(self) -> Problem | None:
        """The problem to show (a stall is shown as a prompt instead, see ``stall_prompt``)."""
        problem = self.state.problem
        if problem is None or problem.key is ProblemKey.STALLED:
            return None
        return problem

    def retry_text(self, now: float | None = None) -> str | None:
        """The line saying why the journey is not moving on screen: the call waits for its API,
        or Codat is not answering (with the seconds to the next try)."""
        if self.waiting_reason is not None:
            return self.waiting_reason
        if self.retry_at is None:
            return None
        now = self.clock.now() if now is None else now
        seconds = max(0, round(self.retry_at - now))
        return f"Codat is not answering, next try in {seconds} s"

    def pace_text(self, now: float | None = None) -> str | None:
        """What slows tracking and when the next check is, or None at full speed."""
        if self.pace is None or self.stopped_reason is not None or self.state.synced:
            return None
        return pace_text(self.pace, self.clock.now() if now is None else now)

    def stall_prompt(self) -> str | None:
        """What to ask the customer when the current step has gone quiet; None otherwise."""
        problem = self.state.problem
        if problem is None or problem.key is not ProblemKey.STALLED:
            return None
        step = problem.step or self.current_step
        ask = STALL_QUESTIONS.get(step) if step else None
        return f"{problem.message} {ask}" if ask else problem.message

    def sync_progress(self) -> list[tuple[str, int, str]]:
        """(data type, percent, status) per data type of the first sync."""
        out: list[tuple[str, int, str]] = []
        for item in self.state.sync:
            if item.status is SyncStatus.DONE:
                percent = 100
            elif item.progress is not None:
                percent = max(0, min(100, item.progress))
            else:
                percent = 0
            out.append((item.data_type, percent, item.status.value))
        return out

    def summary(self) -> str:
        """One line for the list of open calls: where the customer is, and any problem."""
        problem = self.state.problem
        if self.state.synced:
            where = "Connected, first sync done"
        else:
            current = self.state.current_step
            where = f"Step {int(current.step)}: {current.title}" if current else "Waiting"
        if self.waiting_reason is not None:
            return f"{where} · waiting for its API"
        if self.retry_at is not None:
            return f"{where} · Codat not answering"
        if problem is not None:
            return f"{where} · {problem.key.value.replace('_', ' ')}"
        return where

    def snapshot(self) -> CallSnapshot:
        """Everything the call's screen shows, as plain values."""
        platform = self.state.platform
        return CallSnapshot(
            call_id=self.call_id,
            company_id=self.company_id,
            company_name=self.company_name,
            link_url=self.link_url,
            steps=self.step_views(),
            current=self.current_step,
            platform_key=platform.key if platform else None,
            platform_name=platform.name if platform else None,
            sync=list(self.state.sync),
            sync_progress=self.sync_progress(),
            sync_rows=sync_rows(self.state.sync),
            sync_summary=sync_summary(self.state.sync),
            problem=self.problem,
            correlation_id=self.correlation_id,
            retry_text=self.retry_text(),
            pace_text=self.pace_text(),
            stall_prompt=self.stall_prompt(),
            hint=practice_hint(self.practice, self.state, self.lesson_shown)
            if self.practice
            else None,
            practice=self.practice,
            ticks=dict(self.ticks),
            notes=self.notes,
            timeline=list(self.timeline),
            finished=self.state.synced,
        )


def journey_config(stall_seconds: Mapping[str, Any] | None) -> JourneyConfig:
    """The journey's stall thresholds from the ``stall_seconds`` setting (keys are step numbers)."""
    if not stall_seconds:
        return JourneyConfig()
    base = dict(JourneyConfig().stall_seconds)
    for key, value in stall_seconds.items():
        try:
            base[int(key)] = float(value)
        except (TypeError, ValueError):
            continue
    return JourneyConfig(stall_seconds=base)
