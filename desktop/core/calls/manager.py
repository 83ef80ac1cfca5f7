"""The calls an agent follows at once: one tracker for all, and the calls left open reopened on start."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from desktop.core.calls.origin import CallOrigin, OriginSource, fixed_origin
from desktop.core.calls.outcome import Outcome, RecentCall
from desktop.core.calls.practice_hints import lesson_after_first_sync
from desktop.core.calls.session import CallSession, CallStoreLike, StoredCall
from desktop.core.clock import Clock
from desktop.core.codat.errors import CodatError
from desktop.core.journey import (
    JourneyConfig,
    JourneyEvent,
    JourneyState,
    Step,
)
from desktop.core.store import StoreError
from desktop.core.tracker import Stop, StopReason
from desktop.core.tracker.pace import Pace

log = logging.getLogger(__name__)


class TrackerLike(Protocol):
    """What the manager needs of ``desktop.core.tracker.Tracker``."""

    def track(
        self,
        company_id: str,
        *,
        state: JourneyState | None = None,
        until_seen: Callable[[JourneyState], bool] | None = None,
    ) -> JourneyState:
        """Follow a company, from ``state`` if given (a resumed call) or from the start; past the
        first sync until ``until_seen(state)`` is true once, if given (a practice call's lesson)."""
        ...

    def untrack(self, company_id: str) -> None:
        """Stop following the company."""
        ...

    def focus(self, company_id: str | None) -> None:
        """The company whose call is on screen (None: none) comes first when the budget is short."""
        ...

    def confirm(self, company_id: str, step: Step, at: float | None = None) -> JourneyState:
        """The agent confirmed ``step`` at ``at`` (epoch seconds; now if None); the new journey.

        Raises ``KeyError`` for a company that is not tracked.
        """
        ...


class CallRepository(CallStoreLike, Protocol):
    """The store seen by the manager: what a session writes, plus the calls to reopen."""

    def open_call(
        self,
        company_id: str,
        company_name: str,
        link_url: str,
        at: float,
        origin: CallOrigin,
        scenario: str | None = None,
        reconnection: bool = False,
    ) -> int:
        """Save a new call made against ``origin`` (a practice call with its sandbox
        ``scenario``; ``reconnection`` when the company already had a connection); returns its
        id. Raises ``StoreError``."""
        ...

    def open_calls(self) -> list[StoredCall]:
        """The calls not closed yet, oldest first, with what was saved of each."""
        ...

    def close_call(self, call_id: int, at: float, outcome: str | None = None) -> None:
        """Close the call at ``at`` (epoch seconds) with the outcome's words, if any. Raises
        ``StoreError``."""
        ...

    def set_platform(self, call_id: int, key: str | None, name: str | None) -> None:
        """Save the platform the customer chose. Raises ``StoreError``."""
        ...

    def retry_pending(self) -> int:
        """Write what the store kept in memory; returns how many writes it saved."""
        ...


class TargetCheck(Protocol):
    """Whether the API a call was made against can be reached now (the app's API targets)."""

    def unavailable(self, origin: CallOrigin) -> str | None:
        """Plain words saying why calls made against ``origin`` cannot be followed now, or None."""
        ...


class _AlwaysAvailable:
    def unavailable(self, origin: CallOrigin) -> str | None:
        return None


ManagerListener = Callable[["CallManager", "CallSession | None"], None]
FinishedListener = Callable[[int], None]
StoreStateListener = Callable[[StoreError | None], None]


class CallManager:
    """The calls an agent follows at once, each tracked in the one shared tracker.

    The tracker calls back by company id; several calls never follow the same company, since
    opening a company that already has a call gives that call back.
    """

    def __init__(
        self,
        store: CallRepository,
        tracker: TrackerLike,
        clock: Clock,
        config: JourneyConfig | None = None,
        *,
        origin: OriginSource | None = None,
        targets: TargetCheck | None = None,
    ) -> None:
        self.store = store
        self.tracker = tracker
        self.clock = clock
        self.config = config or JourneyConfig()
        # Read at each opening, not once: the agent may switch profile or add a key meanwhile.
        self.origin = origin or fixed_origin("default")
        self.targets: TargetCheck = targets or _AlwaysAvailable()
        self.sessions: dict[int, CallSession] = {}
        self.origins: dict[int, CallOrigin] = {}  # by call id: the API each call is made against
        self._listeners: list[ManagerListener] = []
        # The last write the store refused, until a retry writes everything it kept in memory.
        self.store_error: StoreError | None = None
        self._store_listeners: list[StoreStateListener] = []
        self._finished_listeners: list[FinishedListener] = []

    def subscribe_finished(self, listener: FinishedListener) -> None:
        """Call ``listener(call_id)`` each time a call ends (after the store was asked to close
        it, even when it kept the closing in memory for now): the team hub's publisher."""
        self._finished_listeners.append(listener)

    def subscribe(self, listener: ManagerListener) -> None:
        """Call ``listener(manager, session)`` when a call opens, changes or (session None) closes."""
        self._listeners.append(listener)

    # -- store failures ------------------------------------------------------------------------------
    def subscribe_store(self, listener: StoreStateListener) -> None:
        """``listener(error)`` on every refused write, ``listener(None)`` once all is saved."""
        self._store_listeners.append(listener)

    def report_store_error(self, error: StoreError) -> None:
        """A write was refused: every store listener hears it (the page shows a banner)."""
        self.store_error = error
        for listener in list(self._store_listeners):
            listener(error)

    def retry_store(self) -> bool:
        """Write what the store kept in memory; True once nothing is left unsaved."""
        try:
            self.store.retry_pending()
        except StoreError as exc:
            self.report_store_error(exc)
            return False
        if self.store_error is not None:
            self.store_error = None
            for listener in list(self._store_listeners):
                listener(None)
        return True

    def _changed(self, session: CallSession | None) -> None:
        for listener in list(self._listeners):
            listener(self, session)

    def by_company(self, company_id: str) -> CallSession | None:
        """The open call of this company, if there is one."""
        return next((s for s in self.sessions.values() if s.company_id == company_id), None)

    def _session(
        self,
        call_id: int,
        company_id: str,
        name: str,
        link: str,
        at: float,
        practice: str | None = None,
    ) -> CallSession:
        session = CallSession(
            call_id=call_id,
            company_id=company_id,
            company_name=name,
            link_url=link,
            store=self.store,
            clock=self.clock,
            opened_at=at,
            config=self.config,
            confirm=self._confirm,
            practice=practice,
        )
        session.on_store_error = self.report_store_error
        return session

    def open_call(
        self,
        company_id: str,
        company_name: str,
        link_url: str,
        *,
        scenario: str | None = None,
        reconnection: bool = False,
    ) -> CallSession:
        """Open a call for this company (its open call if it has one), made against the API in
        use now; ``scenario`` names a practice call's sandbox scenario. Raises ``StoreError``."""
        existing = self.by_company(company_id)
        if existing is not None:
            return existing
        at = self.clock.now()
        origin = self.origin()
        call_id = self.store.open_call(
            company_id, company_name, link_url, at, origin, scenario, reconnection=reconnection
        )
        session = self._session(call_id, company_id, company_name, link_url, at, scenario)
        self.sessions[call_id] = session
        self.origins[call_id] = origin
        session.state = self.tracker.track(company_id, until_seen=lesson_after_first_sync(scenario))
        self._changed(session)
        return session

    def close_call(self, call_id: int, outcome: Outcome | None = None) -> None:
        """End the call: the tracker stops following its company; the outcome (End call) goes on
        its timeline, and the store closes it with the outcome's words."""
        session = self.sessions.pop(call_id, None)
        self.origins.pop(call_id, None)
        if session is None:
            return
        if self.by_company(session.company_id) is None:
            self.tracker.untrack(session.company_id)
        if outcome is not None:
            session.note_outcome(outcome)
        try:
            if outcome is None:
                self.store.close_call(call_id, self.clock.now())
            else:
                self.store.close_call(call_id, self.clock.now(), outcome.words())
        except StoreError as exc:
            self.report_store_error(exc)
        for listener in list(self._finished_listeners):
            try:
                listener(call_id)
            except Exception:  # a listener's bug must not keep the call open on screen
                log.exception("a call-finished listener failed")
        self._changed(None)

    def recent_calls(self, limit: int = 20) -> list[RecentCall]:
        """The calls ended most recently, newest first (empty if the store cannot list them)."""
        recent = getattr(self.store, "recent_calls", None)
        if recent is None:
            return []
        try:
            found: list[RecentCall] = recent(limit)
        except StoreError as exc:
            self.report_store_error(exc)
            return []
        return found

    def resume(self) -> list[CallSession]:
        """Reopen the calls the store still has open (after a restart or a crash); track them."""
        resumed: list[CallSession] = []
        for stored in self.store.open_calls():
            if stored.call_id in self.sessions or self.by_company(stored.company_id):
                continue
            session = self._session(
                stored.call_id,
                stored.company_id,
                stored.company_name,
                stored.link_url,
                stored.opened_at,
                stored.practice,
            )
            session.restore(stored)
            self.sessions[stored.call_id] = session
            self.origins[stored.call_id] = stored.origin
            self._follow_if_available(session)
            resumed.append(session)
            self._changed(session)
        return resumed

    def _follow_if_available(self, session: CallSession) -> bool:
        """Track a resumed call against its own API, or say why it waits (nothing is written)."""
        reason = self.targets.unavailable(self.origins[session.call_id])
        session.waiting_reason = reason
        if reason is None:
            session.state = session.history.merge(
                self.tracker.track(
                    session.company_id,
                    state=session.state,
                    until_seen=lesson_after_first_sync(session.practice),
                )
            )
        return reason is None

    def recheck_waiting(self) -> list[CallSession]:
        """After the API targets changed (Settings applied, the sandbox started): follow the calls
        that were waiting for theirs, if it is there now. Returns the calls that started again."""
        started: list[CallSession] = []
        for session in list(self.sessions.values()):
            if session.waiting_reason is not None and self._follow_if_available(session):
                started.append(session)
            self._changed(session)
        return started

    def origin_of(self, company_id: str) -> CallOrigin:
        """The API the call of this company is made against (the current one if it has none)."""
        session = self.by_company(company_id)
        if session is not None and session.call_id in self.origins:
            return self.origins[session.call_id]
        return self.origin()

    def _confirm(self, company_id: str, step: Step, at: float) -> None:
        try:
            state = self.tracker.confirm(company_id, step, at)
        except KeyError:
            log.warning("Confirmed step %s of %s, which is not tracked", int(step), company_id)
            return
        session = self.by_company(company_id)
        if session is not None:
            session.state = state

    # -- tracker callbacks (Tracker(on_update=..., on_retry=..., on_stop=...)) -----------------------
    def on_update(
        self, company_id: str, state: JourneyState, events: Sequence[JourneyEvent]
    ) -> None:
        """The tracker's ``on_update``: a new journey state for the company's call."""
        session = self.by_company(company_id)
        if session is None:
            return
        before = session.state.platform
        session.on_update(state, events)
        if state.platform is not None and state.platform != before:
            try:
                self.store.set_platform(session.call_id, state.platform.key, state.platform.name)
            except StoreError as exc:
                self.report_store_error(exc)
        self._changed(session)

    def on_retry(self, company_id: str, error: Exception, next_try_at: float) -> None:
        """The tracker's ``on_retry``: Codat did not answer; the next try is at ``next_try_at``."""
        session = self.by_company(company_id)
        if session is None:
            return
        if isinstance(error, CodatError):
            session.on_retry(next_try_at, error.plain_message, error.correlation_id)
        else:
            session.on_retry(next_try_at, str(error) or type(error).__name__)
        self._changed(session)

    def on_pace(self, company_id: str, pace: Pace) -> None:
        """The tracker's ``on_pace``: the company's pace changed (slowed by the quota, held)."""
        session = self.by_company(company_id)
        if session is None:
            return
        session.on_pace(pace)
        self._changed(session)

    def focus(self, call_id: int | None) -> None:
        """The call on screen (None: none): its company comes first when the budget is short."""
        session = self.sessions.get(call_id) if call_id is not None else None
        self.tracker.focus(session.company_id if session is not None else None)

    def on_stop(self, company_id: str, stop: Stop) -> None:
        """The tracker's ``on_stop``: said once on the call, unless it was removed or finished."""
        session = self.by_company(company_id)
        if session is None or stop.reason in (StopReason.REMOVED, StopReason.FINISHED):
            return
        session.on_stopped(stop.message)
        self._changed(session)
