"""The calls an agent follows at once: one tracker for all, and the calls left open reopened on start."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from desktop.core.calls.session import (
    CallSession,
    CallStoreLike,
    ClockLike,
    StoredCall,
)
from desktop.core.journey import (
    JourneyConfig,
    JourneyEvent,
    JourneyState,
    Step,
)
from desktop.core.store import StoreError
from desktop.core.tracker.pace import Pace

log = logging.getLogger(__name__)
_T = TypeVar("_T")


class TrackerLike(Protocol):
    """What the manager needs of ``desktop.core.tracker.Tracker``."""

    def track(self, company_id: str) -> JourneyState: ...

    def untrack(self, company_id: str) -> None: ...

    def confirm(self, company_id: str, step: Step) -> JourneyState: ...


class CallRepository(CallStoreLike, Protocol):
    """The store seen by the manager: what a session writes, plus the calls to reopen."""

    def open_calls(self) -> list[StoredCall]: ...

    def close_call(self, call_id: int, at: float) -> None: ...


ManagerListener = Callable[["CallManager", "CallSession | None"], None]
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
        clock: ClockLike,
        config: JourneyConfig | None = None,
    ) -> None:
        self.store = store
        self.tracker = tracker
        self.clock = clock
        self.config = config or JourneyConfig()
        self.sessions: dict[int, CallSession] = {}
        self._listeners: list[ManagerListener] = []
        # The last write the store refused, until a retry writes everything it kept in memory.
        self.store_error: StoreError | None = None
        self._store_listeners: list[StoreStateListener] = []

    def subscribe(self, listener: ManagerListener) -> None:
        self._listeners.append(listener)

    # -- store failures ------------------------------------------------------------------------------
    def subscribe_store(self, listener: StoreStateListener) -> None:
        """``listener(error)`` on every refused write, ``listener(None)`` once all is saved."""
        self._store_listeners.append(listener)

    def report_store_error(self, error: StoreError) -> None:
        self.store_error = error
        for listener in list(self._store_listeners):
            listener(error)

    def retry_store(self) -> bool:
        """Write what the store kept in memory; True once nothing is left unsaved."""
        retry = getattr(self.store, "retry_pending", None)
        try:
            if retry is not None:
                retry()
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
        return next((s for s in self.sessions.values() if s.company_id == company_id), None)

    def _session(
        self, call_id: int, company_id: str, name: str, link: str, at: float
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
        )
        session.on_store_error = self.report_store_error
        return session

    def open_call(self, company_id: str, company_name: str, link_url: str) -> CallSession:
        existing = self.by_company(company_id)
        if existing is not None:
            return existing
        at = self.clock.now()
        call_id = self.store.open_call(company_id, company_name, link_url, at)
        session = self._session(call_id, company_id, company_name, link_url, at)
        self.sessions[call_id] = session
        session.state = self.tracker.track(company_id)
        self._changed(session)
        return session

    def close_call(self, call_id: int) -> None:
        session = self.sessions.pop(call_id, None)
        if session is None:
            return
        if self.by_company(session.company_id) is None:
            self.tracker.untrack(session.company_id)
        try:
            self.store.close_call(call_id, self.clock.now())
        except StoreError as exc:
            self.report_store_error(exc)
        self._changed(None)

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
            )
            session.restore(stored)
            self.sessions[stored.call_id] = session
            session.state = self.tracker.track(stored.company_id)
            for step, _at in stored.confirmed:
                session.state = self.tracker.confirm(stored.company_id, step)
            resumed.append(session)
            self._changed(session)
        return resumed

    def _confirm(self, company_id: str, step: Step, at: float) -> None:
        del at  # the tracker stamps the confirmation with its own clock
        try:
            state = self.tracker.confirm(company_id, step)
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
        session = self.by_company(company_id)
        if session is None:
            return
        before = session.state.platform
        session.on_update(state, events)
        if state.platform is not None and state.platform != before:
            set_platform = getattr(self.store, "set_platform", None)
            if set_platform is not None:
                try:
                    set_platform(session.call_id, state.platform.key, state.platform.name)
                except StoreError as exc:
                    self.report_store_error(exc)
        self._changed(session)

    def on_retry(self, company_id: str, error: Exception, next_try_at: float) -> None:
        session = self.by_company(company_id)
        if session is None:
            return
        reason = getattr(error, "plain_message", None) or str(error) or type(error).__name__
        session.on_retry(next_try_at, reason, getattr(error, "correlation_id", None))
        self._changed(session)

    def on_pace(self, company_id: str, pace: Pace) -> None:
        session = self.by_company(company_id)
        if session is None:
            return
        session.on_pace(pace)
        self._changed(session)

    def focus(self, call_id: int | None) -> None:
        """The call on screen (None: none): its company comes first when the budget is short."""
        session = self.sessions.get(call_id) if call_id is not None else None
        focus = getattr(self.tracker, "focus", None)
        if focus is not None:
            focus(session.company_id if session is not None else None)

    def on_stop(self, company_id: str, stop: Any) -> None:
        session = self.by_company(company_id)
        reason = str(getattr(stop, "reason", ""))
        if session is None or reason in ("removed", "finished"):
            return
        session.on_stopped(getattr(stop, "message", reason))
        self._changed(session)
