"""The garbage collection policy: long-lived objects frozen once built, automatic full collections
off, full collections at idle moments, a sweep after calls ended (desktop.app.gc_policy)."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.app.gc_policy import (
    GEN2_OUT_OF_REACH,
    CollectionPolicy,
    follow_calls,
    start_collection_policy,
)


@dataclass
class _Timer:
    due: float
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FakeLoop:
    """``call_later`` on a clock the test moves."""

    now: float = 0.0
    timers: list[_Timer] = field(default_factory=list)

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(self.now + delay, callback)
        self.timers.append(timer)
        return timer

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while True:
            due = [t for t in self.timers if not t.cancelled and t.due <= end]
            if not due:
                break
            timer = min(due, key=lambda t: t.due)
            self.timers.remove(timer)
            self.now = timer.due
            timer.callback()
        self.now = end


@dataclass
class FakeCollector:
    """The parts of the gc module the policy uses, recording what it was asked."""

    threshold: tuple[int, int, int] = (700, 10, 10)
    calls: list[str] = field(default_factory=list)

    def get_threshold(self) -> tuple[int, int, int]:
        return self.threshold

    def set_threshold(self, *values: int) -> None:
        self.threshold = (values[0], values[1], values[2])

    def collect(self, generation: int = 2) -> int:
        self.calls.append(f"collect({generation})")
        return 0

    def freeze(self) -> None:
        self.calls.append("freeze")

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")

    def get_freeze_count(self) -> int:
        return 0


def _policy(**options: Any) -> tuple[CollectionPolicy, FakeLoop, FakeCollector]:
    loop = FakeLoop()
    collector = FakeCollector()
    policy = CollectionPolicy(
        loop.call_later, collector=collector, clock=lambda: loop.now, **options
    )
    return policy, loop, collector


class FakeManager:
    """What follow_calls needs of the call manager: its sessions, and change listeners."""

    def __init__(self) -> None:
        self.sessions: dict[int, object] = {}
        self.listeners: list[Callable[[Any, Any], None]] = []

    def subscribe(self, listener: Callable[[Any, Any], None]) -> None:
        self.listeners.append(listener)

    def changed(self) -> None:
        for listener in self.listeners:
            listener(self, None)


def test_installing_turns_automatic_full_collections_off_and_uninstalling_restores_them() -> None:
    policy, _loop, collector = _policy()
    policy.install()
    assert collector.threshold == (700, 10, GEN2_OUT_OF_REACH)  # young generations unchanged
    policy.uninstall()
    assert collector.threshold == (700, 10, 10)


def test_a_batch_of_opened_calls_is_frozen_once_when_it_settles() -> None:
    policy, loop, collector = _policy(settle_seconds=2.0)
    manager = FakeManager()
    follow_calls(policy, manager)
    for call_id in range(3):  # opened one after the other, as a restart resumes them
        manager.sessions[call_id] = object()
        manager.changed()
        loop.advance(0.5)
    assert "freeze" not in collector.calls  # not while calls are still being opened
    loop.advance(2.0)
    assert collector.calls == ["collect(2)", "freeze"]  # the first freeze: every generation first
    manager.changed()  # a call changed, none opened: nothing new to freeze
    loop.advance(5.0)
    assert collector.calls.count("freeze") == 1


def test_full_collections_wait_for_an_idle_moment_but_not_forever() -> None:
    policy, loop, collector = _policy(full_every=10.0, idle_gap=0.25, max_wait=2.0)
    policy.install()
    loop.advance(9.9)
    assert "collect(2)" not in collector.calls
    policy.activity()
    loop.advance(0.2)  # due at 10 s, a call changed 0.1 s before: it waits
    assert "collect(2)" not in collector.calls
    loop.advance(0.3)
    assert collector.calls == ["collect(2)"]  # the loop went quiet
    for _ in range(20):  # then a call changes every 0.1 s: busy for good
        policy.activity()
        loop.advance(0.1)
    loop.advance(10.0 - 2.0)
    for _ in range(25):
        policy.activity()
        loop.advance(0.1)
    assert collector.calls.count("collect(2)") == 2  # held back by max_wait at most
    assert [kind for kind, _ in policy.done] == ["full", "full"]


def test_ended_calls_are_swept_once_no_call_is_open() -> None:
    policy, loop, collector = _policy(full_every=10.0)
    manager = FakeManager()
    policy.install()
    follow_calls(policy, manager)
    manager.sessions.update({1: object(), 2: object()})
    manager.changed()
    loop.advance(10.5)
    del manager.sessions[1]
    manager.changed()
    assert policy.sweep_pending
    loop.advance(10.5)
    assert "unfreeze" not in collector.calls  # a call is still open: only the cheap collection
    del manager.sessions[2]
    manager.changed()
    collector.calls.clear()
    loop.advance(10.5)
    assert collector.calls == ["unfreeze", "collect(2)", "freeze"]
    assert not policy.sweep_pending


def test_a_sweep_comes_at_the_latest_with_calls_open() -> None:
    policy, loop, collector = _policy(full_every=10.0, sweep_at_latest=60.0)
    manager = FakeManager()
    policy.install()
    follow_calls(policy, manager)
    manager.sessions.update({1: object(), 2: object()})
    manager.changed()
    del manager.sessions[1]
    manager.changed()
    loop.advance(50.5)
    assert "unfreeze" not in collector.calls
    loop.advance(20.0)
    assert "unfreeze" in collector.calls


def test_the_apps_policy_freezes_start_up_objects_with_the_real_collector() -> None:
    loop = FakeLoop()
    before = gc.get_threshold()
    policy = start_collection_policy(loop.call_later, FakeManager(), first_freeze_after=5.0)
    try:
        assert gc.get_threshold()[2] == GEN2_OUT_OF_REACH
        assert gc.get_threshold()[:2] == before[:2]
        loop.advance(4.0)
        assert gc.get_freeze_count() == 0
        loop.advance(1.5)
        assert gc.get_freeze_count() > 0
    finally:
        policy.uninstall()
        gc.unfreeze()
    assert gc.get_threshold() == before


def test_only_the_first_freeze_follows_a_full_collection() -> None:
    policy, loop, collector = _policy(settle_seconds=2.0)
    policy.objects_built()  # start-up
    loop.advance(2.5)
    assert collector.calls == ["collect(2)", "freeze"]  # start-up's old cycles are not frozen
    policy.objects_built()  # a batch of calls opened
    loop.advance(2.5)
    assert collector.calls[2:] == ["collect(1)", "freeze"]  # the rest is frozen already


def test_a_sweep_comes_on_the_long_timer_with_calls_open_and_none_ended() -> None:
    policy, loop, collector = _policy(full_every=10.0, sweep_at_latest=60.0)
    manager = FakeManager()
    policy.install()
    follow_calls(policy, manager)
    manager.sessions.update({1: object(), 2: object()})
    manager.changed()
    loop.advance(50.5)
    assert "unfreeze" not in collector.calls and not policy.sweep_pending
    loop.advance(20.0)  # a day in Reports: no call ended, the calls still open
    assert collector.calls.count("unfreeze") == 1
    loop.advance(60.0)
    assert collector.calls.count("unfreeze") == 2  # and again, every sweep_at_latest


def test_the_long_timer_sweep_waits_for_a_quiet_moment() -> None:
    policy, loop, collector = _policy(
        full_every=10.0, idle_gap=0.25, max_wait=2.0, sweep_at_latest=60.0
    )
    policy.install()
    loop.advance(59.0)
    collector.calls.clear()
    for _ in range(40):  # a call changes every 0.1 s from before the sweep is due until after
        policy.activity()
        loop.advance(0.1)
    assert collector.calls == ["collect(2)"]  # forced by max_wait: the short collection only
    loop.advance(10.0)  # quiet again: the next one is the sweep
    assert collector.calls == ["collect(2)", "unfreeze", "collect(2)", "freeze"]
