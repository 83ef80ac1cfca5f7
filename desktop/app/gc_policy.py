"""When Python's garbage collector runs, so that a full collection never holds the Qt loop long.

A full (generation 2) collection walks every object the collector tracks. With start-up's objects
(modules, classes, the pages) and a hundred calls followed, CPython's automatic one held the loop
for 30-55 ms whenever it came, in the middle of the tracking. The policy here:

- objects that live as long as the app are frozen (``gc.freeze``: never walked again): start-up's,
  once it has settled, and each batch of opened or resumed calls (sessions, views, guides), once
  no call has been opened for ``settle_seconds``. The first freeze follows a full collection
  (start-up's cycles in generation 2 would otherwise be frozen with the rest); later ones follow
  a collection of the young generations only;
- automatic generation-2 collections are off (its threshold set out of reach); generations 0 and 1
  stay automatic (they walk only young objects: well under a millisecond);
- a full collection runs every ``full_every`` seconds instead, when the loop is idle (no call
  changed for ``idle_gap`` seconds), or after ``max_wait`` seconds at the latest. It walks only
  what is not frozen (what survived since the last freeze), so it stays short;
- the frozen objects that may have become garbage since (calls ended: their views and sessions)
  are looked for by a sweep (unfreeze, full collection, freeze again), which walks everything: it
  runs when calls were ended, at an idle moment with no call open, and every ``sweep_at_latest``
  seconds at an idle moment (never forced by ``max_wait``), calls open or not, ended or not:
  cycles frozen with a batch of objects are freed on a day spent in Reports without ending calls.

Qt-free: it is driven by a scheduler (``loop.call_later``) and told what the calls do.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Protocol

log = logging.getLogger(__name__)

# CPython collects generation 2 when its count (collections of generation 1 since the last full
# one) passes this threshold: at a billion, that is never within an app's life.
GEN2_OUT_OF_REACH = 1_000_000_000


class Handle(Protocol):
    def cancel(self) -> None: ...


# (delay in seconds, callback) -> a handle that cancels it: ``asyncio.AbstractEventLoop.call_later``.
Scheduler = Callable[[float, Callable[[], None]], Handle]


class CollectionPolicy:
    """Freezes long-lived objects and runs full collections at idle moments (see the module)."""

    def __init__(
        self,
        later: Scheduler,
        *,
        collector: ModuleType | Any = gc,
        clock: Callable[[], float] = time.monotonic,
        settle_seconds: float = 2.0,
        full_every: float = 15.0,
        idle_gap: float = 0.25,
        max_wait: float = 5.0,
        sweep_at_latest: float = 1800.0,
    ) -> None:
        self._later = later
        self._gc = collector
        self._clock = clock
        self.settle_seconds = settle_seconds
        self.full_every = full_every
        self.idle_gap = idle_gap
        self.max_wait = max_wait
        self.sweep_at_latest = sweep_at_latest
        self._saved_threshold: tuple[int, ...] | None = None
        self._freeze_handle: Handle | None = None
        self._full_handle: Handle | None = None
        self._last_activity = -1e18
        self._full_due_since: float | None = None
        self._last_sweep = clock()
        self.sweep_pending = False  # calls ended since the last sweep: frozen garbage possible
        self._frozen_once = False
        self.open_calls = 0
        # What was done, for the log and the tests: ("freeze" | "full" | "sweep", seconds).
        self.done: list[tuple[str, float]] = []

    # -- installing ----------------------------------------------------------------------------------
    def install(self) -> None:
        """Automatic full collections off; the periodic idle one scheduled."""
        if self._saved_threshold is None:
            self._saved_threshold = tuple(self._gc.get_threshold())
            gen0, gen1 = self._saved_threshold[0], self._saved_threshold[1]
            self._gc.set_threshold(gen0, gen1, GEN2_OUT_OF_REACH)
        self._schedule_full(self.full_every)

    def uninstall(self) -> None:
        """The collector as it was (thresholds), nothing scheduled; frozen objects stay frozen."""
        for handle in (self._freeze_handle, self._full_handle):
            if handle is not None:
                handle.cancel()
        self._freeze_handle = self._full_handle = None
        if self._saved_threshold is not None:
            self._gc.set_threshold(*self._saved_threshold)
            self._saved_threshold = None

    @property
    def installed(self) -> bool:
        return self._saved_threshold is not None

    # -- what the app tells it -----------------------------------------------------------------------
    def objects_built(self, settle_seconds: float | None = None) -> None:
        """Long-lived objects were made (start-up, calls opened): freeze them once it settles,
        ``settle_seconds`` from now (the policy's own by default).

        Each call restarts the wait, so a batch of calls opened together is frozen once.
        """
        if self._freeze_handle is not None:
            self._freeze_handle.cancel()
        wait = self.settle_seconds if settle_seconds is None else settle_seconds
        self._freeze_handle = self._later(wait, self._freeze)

    def activity(self) -> None:
        """A call changed now: the loop is busy; a full collection waits for a quiet moment."""
        self._last_activity = self._clock()

    def calls_changed(self, open_calls: int, opened: int, ended: int) -> None:
        """The call page's calls: ``open_calls`` open now, ``opened`` and ``ended`` just now."""
        self.open_calls = open_calls
        self.activity()
        if opened:
            self.objects_built()
        if ended:
            self.sweep_pending = True

    # -- what it does --------------------------------------------------------------------------------
    def _freeze(self) -> None:
        self._freeze_handle = None
        began = self._clock()
        # Garbage first, so it is not frozen with the rest: the first time every generation (start-up
        # leaves cycles in generation 2 too), then the young ones only (cheap; the rest is frozen).
        self._gc.collect(1 if self._frozen_once else 2)
        self._gc.freeze()
        self._frozen_once = True
        self.done.append(("freeze", self._clock() - began))
        log.debug("gc: %d objects frozen", self._gc.get_freeze_count())

    def _schedule_full(self, delay: float) -> None:
        if self._full_handle is not None:
            self._full_handle.cancel()
        self._full_handle = self._later(delay, self._full_if_idle)

    def _full_if_idle(self) -> None:
        self._full_handle = None
        now = self._clock()
        if self._full_due_since is None:
            self._full_due_since = now
        waited = now - self._full_due_since
        idle = now - self._last_activity >= self.idle_gap
        if not idle and waited < self.max_wait:
            self._schedule_full(self.idle_gap)  # busy: look again a moment later
            return
        self._full_due_since = None
        if self._sweep_due(now, idle=idle):
            self._sweep()
        else:
            began = self._clock()
            self._gc.collect(2)  # walks only what is not frozen
            self.done.append(("full", self._clock() - began))
        self._schedule_full(self.full_every)

    def _sweep_due(self, now: float, *, idle: bool) -> bool:
        if self.sweep_pending and self.open_calls == 0:
            return True
        # The long timer: only at a quiet moment (a sweep walks everything, tens of ms).
        return idle and now - self._last_sweep >= self.sweep_at_latest

    def _sweep(self) -> None:
        """Everything walked once (what was frozen too): the garbage ended calls left is freed."""
        began = self._clock()
        self._gc.unfreeze()
        self._gc.collect(2)
        self._gc.freeze()
        self.sweep_pending = False
        self._last_sweep = self._clock()
        self.done.append(("sweep", self._last_sweep - began))


class CallsLike(Protocol):
    """What the policy needs of ``desktop.core.calls.manager.CallManager``."""

    @property
    def sessions(self) -> Mapping[int, Any]: ...

    def subscribe(self, listener: Callable[[Any, Any], None]) -> None: ...


def follow_calls(policy: CollectionPolicy, manager: CallsLike) -> None:
    """Tell ``policy`` when the manager's calls open, change and end (``calls_changed``)."""
    # The manager tells each opening and each ending on its own: the count says which it was
    # (cheaper than comparing the calls' ids on every journey update).
    known = [len(manager.sessions)]

    def changed(_manager: Any, _session: Any) -> None:
        count = len(manager.sessions)
        opened, ended = max(0, count - known[0]), max(0, known[0] - count)
        known[0] = count
        policy.calls_changed(count, opened, ended)

    manager.subscribe(changed)


def start_collection_policy(
    later: Scheduler, manager: CallsLike | None, *, first_freeze_after: float
) -> CollectionPolicy:
    """The app's policy: installed, start-up's objects frozen ``first_freeze_after`` seconds
    from now (when start-up has settled), and the calls followed when there is a call page."""
    policy = CollectionPolicy(later)
    policy.install()
    policy.objects_built(first_freeze_after)
    if manager is not None:
        follow_calls(policy, manager)
    return policy
