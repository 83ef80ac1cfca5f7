"""Hand-built call stores for the report tests: every figure below is worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.store import CallStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class CallSpec:
    opened_at: float
    platform: str | None = None
    agent: str | None = None
    reconnection: bool = False
    practice: bool = False
    # (time, step, status) and (time, problem key), in the order the journey would emit them
    steps: list[tuple[float, int, str]] = field(default_factory=list)
    problems: list[tuple[float, str]] = field(default_factory=list)
    closed: bool = True
    outcome: str | None = None


def add_call(store: CallStore, clock: Clock, spec: CallSpec) -> int:
    call = store.open_call(
        company_id=f"co-{spec.opened_at:.0f}",
        company_name="Acme",
        profile="default",
        api_kind="sandbox" if spec.practice else "codat",
        scenario="happy" if spec.practice else None,
        platform_key=spec.platform,
        platform_name={"xero": "Xero", "qbo": "QuickBooks Online"}.get(spec.platform or ""),
        opened_at=spec.opened_at,
        agent=spec.agent,
        reconnection=spec.reconnection,
    )
    # (time, steps before problems, (step, status, problem key)): a step's or a problem's fields
    timeline: list[tuple[float, int, tuple[int | None, str | None, str | None]]]
    timeline = [(t, 0, (step, status, None)) for t, step, status in spec.steps]
    timeline += [(t, 1, (None, None, key)) for t, key in spec.problems]
    for t, _, (step, status, key) in sorted(timeline, key=lambda e: (e[0], e[1])):
        if key is None:
            store.add_event(call.id, t, "step", f"Step {step}: {status}.", step=step, status=status)
        else:
            store.add_event(call.id, t, "problem", f"Problem {key}.", problem_key=key)
    if spec.closed:
        clock.now = max([spec.opened_at, *(t for t, _, _ in spec.steps)]) + 1
        store.close_call(call.id, spec.outcome)
    return call.id


def done(at: float, *steps: int) -> list[tuple[float, int, str]]:
    return [(at, s, "done") for s in steps]


# A: Xero, every step, synced. Step times 60, 40, 100 (no "current" seen: from step 2's end),
# 300, 600.
CALL_A = CallSpec(
    1_000,
    "xero",
    "Ana",
    steps=[
        *done(1_060, 1),
        (1_060, 2, "current"),
        *done(1_100, 2),
        *done(1_200, 3),
        (1_200, 4, "current"),
        *done(1_500, 4),
        (1_500, 5, "current"),
        *done(2_100, 5),
    ],
    outcome="Linked and first sync done",
)
# B: Xero, stops on step 3 with a connection error. Times 30, 20.
CALL_B = CallSpec(
    5_000,
    "xero",
    "Ana",
    steps=[*done(5_030, 1), *done(5_050, 2), (5_050, 3, "current"), (5_100, 3, "failed")],
    problems=[(5_100, "connection_error")],
    outcome="Customer will retry",
)
# C: QuickBooks, stops on step 4; "cancelled" twice counts once. Times 90, 10, 10.
CALL_C = CallSpec(
    9_000,
    "qbo",
    "Ana",
    steps=[*done(9_090, 1), *done(9_100, 2), *done(9_110, 3), (9_110, 4, "current")],
    problems=[(9_200, "cancelled"), (9_300, "stalled"), (9_400, "cancelled")],
    outcome="Escalated to Codat: ticket 4411",
)
# D: QuickBooks reconnection: steps 1-3 skipped at once, then 4 (100 s from step 3's end) and
# 5 (300 s from step 4's end); closed without a recorded outcome.
CALL_D = CallSpec(
    20_000,
    "qbo",
    "Ben",
    reconnection=True,
    steps=[
        (20_000, 1, "skipped"),
        (20_000, 2, "skipped"),
        (20_000, 3, "skipped"),
        *done(20_100, 4),
        *done(20_400, 5),
    ],
)
# E: a practice call (left out unless asked): every step done, outcome Linked.
CALL_E = CallSpec(
    25_000,
    "xero",
    "Ana",
    practice=True,
    steps=[*done(25_010, 1, 2, 3, 4)],
    outcome="Linked",
)
# F: still open, platform never known.
CALL_F = CallSpec(30_000, None, "Sam", closed=False)

ALL_CALLS = (CALL_A, CALL_B, CALL_C, CALL_D, CALL_E, CALL_F)


def build(store: CallStore, clock: Clock) -> dict[str, int]:
    """The six calls above; their ids by letter."""
    return {
        letter: add_call(store, clock, spec)
        for letter, spec in zip("ABCDEF", ALL_CALLS, strict=True)
    }
