"""The request budget on a simulated clock: a steady, fairly shared rate derived from Codat's quota,
said on screen when it slows tracking, and bounded holds when Codat asks to wait."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.core.calls.manager import CallManager
from desktop.core.calls.store_adapter import StoreAdapter
from desktop.core.clock import FakeClock
from desktop.core.codat.errors import CodatError, ErrorKind
from desktop.core.codat.models import RateLimit
from desktop.core.journey import Step
from desktop.core.settings import Settings, SettingsError
from desktop.core.store import CallStore
from desktop.core.tracker import (
    Budget,
    Limit,
    Pace,
    Tracker,
    TrackerSettings,
    duration_words,
    pace_text,
)
from desktop.core.tracker.share import Want, allot
from tests.unit.journey_builders import when
from tests.unit.tracker_fakes import COMPANY, FakeCodat, run_for, run_until

HOUR = 3600.0


def organisation(
    codat: FakeCodat, *, limit: int, remaining: int, reset_in: float
) -> tuple[float, float]:
    """Codat's headers for an organisation: ``remaining`` falls with every request we send.

    Returns (the reset time, the derived default rate in requests an hour at the start).
    """
    reset = codat.clock.now() + reset_in

    def headers(now: float) -> RateLimit:
        return RateLimit(limit=limit, remaining=remaining - len(codat.calls), reset=when(reset))

    codat.rate_limit = headers
    return reset, 0.25 * remaining / (reset_in / HOUR)


def within_rate(times: list[float], per_hour: float, burst: float, window: float) -> bool:
    """No stretch of ``window`` seconds holds more than the rate allows, plus the bucket."""
    ordered = sorted(times)
    allowed = per_hour / HOUR * window + burst
    return all(
        sum(1 for u in ordered[i:] if u < t + window) <= allowed for i, t in enumerate(ordered)
    )


# -- the rate ------------------------------------------------------------------------------------


def test_the_rate_is_a_share_of_what_codat_says_is_left_until_its_reset() -> None:
    budget = Budget(share=0.25)
    now = 1_750_000_000.0
    # Before any answer: Codat's formula for what we know (1,000 + 1,000 per connected company).
    budget.connected = 5
    assert budget.daily_quota() == 6000
    assert budget.per_hour(now) == pytest.approx(0.25 * 6000 / 24)
    # 48,000 left with 12 hours to go: 4,000 an hour for the organisation, a quarter for us.
    budget.observe(RateLimit(limit=101_000, remaining=48_000, reset=when(now + 12 * HOUR)), now)
    assert budget.daily_quota() == 101_000
    assert budget.per_hour(now) == pytest.approx(1000.0)
    # Others spend fast: what is left is spread again, and we slow down with them.
    budget.observe(RateLimit(limit=101_000, remaining=12_000, reset=when(now + 12 * HOUR)), now)
    assert budget.per_hour(now) == pytest.approx(250.0)
    assert Budget(share=0.5).per_hour(now) == pytest.approx(2 * Budget(share=0.25).per_hour(now))


def test_the_team_share_setting_is_read_and_checked(tmp_path: Path) -> None:
    settings = Settings(path=tmp_path / "settings.json")
    assert TrackerSettings.from_settings(settings).quota_share == pytest.approx(0.25)
    settings.set("quota_share", 60.0)
    derived = TrackerSettings.from_settings(settings)
    assert derived.quota_share == pytest.approx(0.6)
    tracker_budget = Budget(share=derived.quota_share)
    assert tracker_budget.per_hour(0.0) == pytest.approx(0.6 * 1000 / 24)
    with pytest.raises(SettingsError, match="at most 100"):
        settings.set("quota_share", 150.0)
    with pytest.raises(SettingsError, match="at least 1"):
        settings.set("quota_share", 0.5)


def test_tokens_refill_continuously_instead_of_an_hour_later() -> None:
    budget = Budget(fixed_per_hour=360.0, burst_seconds=30.0)  # one every 10 s, 3 in the bucket
    now = 1_750_000_000.0
    sent = 0
    while budget.next_allowed(now) <= now:
        budget.record(now)
        sent += 1
    assert sent == 3
    assert budget.next_allowed(now) == pytest.approx(now + 10.0)
    assert budget.next_allowed(now + 10.0) == pytest.approx(now + 10.0)


def test_a_scarce_rate_is_shared_by_weight_and_nobody_gets_nothing() -> None:
    wants = [Want("screen", 0.5, 8.0), Want("expected", 0.5, 4.0)] + [
        Want(f"idle-{i}", 0.1, 1.0) for i in range(10)
    ]
    stretch = allot(wants, 0.3)
    granted = {w.key: w.rate / stretch[w.key] for w in wants}
    assert sum(granted.values()) == pytest.approx(0.3)
    assert granted["screen"] == pytest.approx(2 * granted["expected"])
    assert granted["expected"] == pytest.approx(4 * granted["idle-0"])
    assert all(g > 0 for g in granted.values())
    assert allot(wants, 10.0) == {w.key: 1.0 for w in wants}  # enough for all: nobody slowed


# -- many calls at once --------------------------------------------------------------------------


def script_call(
    codat: FakeCodat, tracker: Tracker, company_id: str, t0: float, sync_at: float
) -> None:
    """One customer: link opened at 2 min, software at 4, consent at 7, linked at 11."""
    conn = f"conn-{company_id}"
    clock = codat.clock

    def confirm(step: Step) -> Callable[[], None]:
        def alarm() -> None:
            tracker.confirm(company_id, step)

        return alarm

    def connect(status: str) -> Callable[[], None]:
        return lambda: codat.connect(company_id, conn, status)

    def sync(status: str) -> Callable[[], None]:
        return lambda: codat.sync(company_id, conn, {"bills": status, "suppliers": status})

    for minute, alarm in (
        (2.0, confirm(Step.OPEN_LINK)),
        (4.0, connect("PendingAuth")),
        (7.0, confirm(Step.REVIEW_AND_START)),
        (11.0, connect("Linked")),
        (11.1, sync("Fetching")),
    ):
        clock.call_at(t0 + minute * 60.0, alarm)
    clock.call_at(sync_at, sync("Complete"))


@pytest.mark.asyncio
async def test_six_simultaneous_calls_see_every_completed_sync_within_the_budget() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    # An organisation whose share gives about 600 requests an hour: less than 6 calls want.
    _reset, per_hour = organisation(codat, limit=51_000, remaining=28_800, reset_in=12 * HOUR)
    assert per_hour == pytest.approx(600.0)
    rng = random.Random(6)
    ids = [f"call-{i}" for i in range(6)]
    completed: dict[str, float] = {}
    paces: list[Pace] = []
    tracker = Tracker(codat, clock=clock, rng=rng, on_pace=lambda c, p: paces.append(p))
    async with tracker:
        for cid in ids:
            codat.add(cid)
            tracker.track(cid)
        t0 = clock.now()
        for cid in ids:
            start = t0 + rng.uniform(0, 120)
            completed[cid] = start + rng.uniform(13, 17) * 60
            script_call(codat, tracker, cid, start, completed[cid])
        # Each stops being followed once its first sync is seen done.
        await run_until(
            tracker, clock, lambda: not tracker.active, seconds=25 * 60, spins=2_000_000
        )
        states = {cid: tracker.state(cid) for cid in ids}
    for cid in ids:
        state = states[cid]
        assert state is not None and state.synced, cid
        seen = state.step(Step.COMPLETE).seen_at
        assert seen is not None, cid
        assert seen - completed[cid] <= 120.0, (cid, seen - completed[cid])
    times = [t for t, _, _ in codat.calls]
    assert within_rate(times, per_hour * 1.05, burst=6, window=600)
    assert within_rate(times, per_hour * 1.05, burst=6, window=HOUR / 4)
    # The budget did slow them, and said so.
    slowed = [p for p in paces if p.limit is Limit.QUOTA]
    assert slowed and all(p.interval > p.wanted for p in slowed)
    assert tracker.internal_errors == []


@pytest.mark.asyncio
async def test_with_200_companies_every_one_is_asked_and_the_one_on_screen_most() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    organisation(codat, limit=51_000, remaining=28_800, reset_in=12 * HOUR)  # ~600 an hour
    ids = [f"company-{i:03d}" for i in range(200)]
    async with Tracker(codat, clock=clock, rng=random.Random(2)) as tracker:
        for cid in ids:
            codat.add(cid)
            tracker.track(cid)
        tracker.focus("company-150")
        await run_for(tracker, clock, 45 * 60, spins=3_000_000)
    counts = {cid: len(codat.kinds(cid)) for cid in ids}
    assert min(counts.values()) >= 1  # nobody starved
    others = sorted(n for cid, n in counts.items() if cid != "company-150")
    assert counts["company-150"] >= 5 * others[len(others) // 2]
    on_screen = codat.times("company-150")
    assert max(b - a for a, b in itertools.pairwise(on_screen)) <= 60.0
    assert within_rate([t for t, _, _ in codat.calls], 630.0, burst=6, window=600)


# -- what the agent is told ----------------------------------------------------------------------


def test_the_pace_is_said_in_words_with_the_next_check() -> None:
    now = 1_750_000_000.0
    slowed = Pace("c", interval=40.0, wanted=2.0, next_at=now + 12, limit=Limit.QUOTA)
    assert pace_text(slowed, now) == (
        "Checking every 40 s to stay within the team's quota; next check in 12 s."
    )
    assert pace_text(Pace("c", 2.0, 2.0, now + 2), now) is None
    held = Pace("c", 2.0, 2.0, now + 900, Limit.CODAT_HOLD, asked=86_400_000.0)
    text = pace_text(held, now)
    assert text is not None and "next check in 15 min" in text and "1000 days" in text
    assert duration_words(150) == "2 min 30 s"


# -- waits Codat asks for ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_1000_day_retry_after_on_a_spent_quota_holds_everyone_for_15_minutes_at_most() -> (
    None
):
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.add("other", name="Other")
    t0 = clock.now()
    said: list[Pace] = []

    failed: list[float] = []

    def fail(now: float, company: str, what: str) -> CodatError | None:
        if company == COMPANY and now >= t0 + 30 and not failed:
            failed.append(now)
            return CodatError(ErrorKind.HTTP, status_code=429, retry_after=86_400_000.0)
        return None

    codat.fail = fail
    settings = TrackerSettings(stagger=0.0, budget_per_hour=100_000.0)
    async with Tracker(
        codat, clock=clock, settings=settings, on_pace=lambda c, p: said.append(p)
    ) as tracker:
        for cid in (COMPANY, "other"):
            tracker.track(cid)
            tracker.confirm(cid, Step.OPEN_LINK)
        await run_for(tracker, clock, 1000)
        failed_at = failed[0]
    after = [t for t, _, _ in codat.calls if t > failed_at]
    assert min(after) == pytest.approx(failed_at + 900.0)  # bounded, and nobody asked before
    assert {c for t, c, _ in codat.calls if t > failed_at + 900} == {COMPANY, "other"}
    held = [p for p in said if p.limit is Limit.CODAT_HOLD]
    assert held and held[0].asked == 86_400_000.0
    assert "1000 days" in (pace_text(held[0], failed_at) or "")


@pytest.mark.parametrize(
    ("status", "quota"),
    [
        (503, None),  # maintenance on one request: not a quota at all
        (429, RateLimit(limit=51_000, remaining=20_000, reset=None)),  # quota not spent: narrower
    ],
)
@pytest.mark.asyncio
async def test_one_companys_retry_after_never_stops_the_others(
    status: int, quota: RateLimit | None
) -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.add("other", name="Other")
    t0 = clock.now()

    failed: list[float] = []

    def fail(now: float, company: str, what: str) -> CodatError | None:
        if company == COMPANY and now >= t0 + 30 and not failed:
            failed.append(now)
            return CodatError(
                ErrorKind.HTTP, status_code=status, retry_after=86_400_000.0, rate_limit=quota
            )
        return None

    codat.fail = fail
    settings = TrackerSettings(stagger=0.0, budget_per_hour=100_000.0)
    async with Tracker(codat, clock=clock, settings=settings) as tracker:
        for cid in (COMPANY, "other"):
            tracker.track(cid)
            tracker.confirm(cid, Step.OPEN_LINK)
        await run_for(tracker, clock, 1000)
        failed_at = failed[0]
        pace = tracker.pace(COMPANY)
    mine = [t for t in codat.times(COMPANY) if t > failed_at]
    others = codat.times("other")
    assert min(mine) == pytest.approx(failed_at + 900.0)  # its own wait, bounded
    assert any(failed_at < t < failed_at + 60 for t in others)  # the other went on at once
    assert pace is not None and pace.limit is None  # answered again: back to normal


@pytest.mark.asyncio
async def test_a_spent_quota_holds_until_the_reset_but_looks_again_every_15_minutes() -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    codat.add()
    codat.connect(COMPANY, "conn", "PendingAuth")
    t0 = clock.now()
    reset = t0 + 20 * HOUR

    def quota(now: float) -> RateLimit:
        # The rest of the organisation spends the day's quota within 200 s.
        return RateLimit(
            limit=101_000, remaining=max(0, int(400_000 - (now - t0) * 2000)), reset=when(reset)
        )

    codat.rate_limit = quota
    settings = TrackerSettings(stagger=0.0, hot_window=10_000)  # fast all along, but for quota
    async with Tracker(codat, clock=clock, settings=settings) as tracker:
        tracker.track(COMPANY)
        tracker.confirm(COMPANY, Step.REVIEW_AND_START)  # signing in: every 2 s is wanted
        await run_for(tracker, clock, 2100)
        state = tracker.state(COMPANY)
    times = codat.times()
    pairs = list(zip(times[1:], [b - a for a, b in itertools.pairwise(times)], strict=True))
    early = [g for t, g in pairs if t < t0 + 60]
    low = [g for t, g in pairs if t0 + 170 < t < t0 + 200]
    assert early and max(early) == pytest.approx(2.0)  # plenty left: as fast as wanted
    assert low and min(low) > 2.5  # slowed as the quota ran low, before it was spent
    spent_seen = next(t for t in times if t >= t0 + 200)
    later = [t for t in times if t > spent_seen]
    assert later[0] == pytest.approx(spent_seen + 900.0)  # held, but never beyond the bound
    assert later[1] == pytest.approx(spent_seen + 1800.0)
    assert state is not None and not state.linked  # nothing was lost: still following


@pytest.mark.asyncio
async def test_every_call_page_is_told_when_the_budget_slows_its_tracking(tmp_path: Path) -> None:
    clock = FakeClock()
    codat = FakeCodat(clock)
    store = CallStore(tmp_path / "calls.sqlite3", clock=clock.now)
    settings = TrackerSettings(stagger=0.0, budget_per_hour=120.0)  # 6 calls want ~2,000
    tracker = Tracker(codat, clock=clock, settings=settings)
    manager = CallManager(StoreAdapter(store), tracker, clock)
    tracker.on_update, tracker.on_pace = manager.on_update, manager.on_pace
    async with tracker:
        sessions = []
        for i in range(6):
            codat.add(f"company-{i}")
            sessions.append(manager.open_call(f"company-{i}", f"Company {i}", "https://l.example"))
        await run_for(tracker, clock, 600)
        texts = {s.company_id: s.pace_text() for s in sessions}
        nexts = {s.company_id: tracker.next_poll_at(s.company_id) for s in sessions}
    for company_id, text in texts.items():
        assert text is not None and "to stay within the team's quota" in text, company_id
        next_at = nexts[company_id]
        assert next_at is not None
        assert f"next check in {duration_words(next_at - clock.now())}" in text


@pytest.mark.parametrize(
    ("asked", "held"),
    [
        (86_400_000.0, 900.0),
        (float("inf"), 900.0),
        (float("nan"), 900.0),
        (-5.0, 0.0),
        (7.25, 7.25),
    ],
)
def test_every_hold_from_outside_is_bounded(asked: float, held: float) -> None:
    now = 1_750_000_000.0
    budget = Budget(max_hold=900.0)
    assert budget.hold(now, asked) == held
    assert budget.next_allowed(now) == pytest.approx(now + held)


def test_a_spent_quota_with_a_far_or_garbled_reset_holds_15_minutes_at_most() -> None:
    now = 1_750_000_000.0
    for reset in (when(now + 40 * 86400), "1e300", "not a date"):
        budget = Budget(max_hold=900.0)
        budget.observe(RateLimit(limit=1000, remaining=0, reset=reset), now)
        assert budget.next_allowed(now) <= now + 900.0
