"""The journey does not depend on the order in which answers arrive (issue 14 §7).

The tracker reads connections, data status and pull operations one request at a time, so after the
customer acts, the answers that describe the new world can come in any order. Whatever that order,
once each has been read (and the data status once more, as the tracker does after a connection's
status changes), the journey says the same thing.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.journey import (
    ConnectionsSeen,
    DataStatusSeen,
    JourneyConfig,
    JourneyState,
    Observation,
    Phase,
    ProblemKey,
    PullOperationsSeen,
    apply,
    start,
)
from tests.unit.journey_builders import (
    COMPANY,
    T0,
    connection,
    data_status,
    error,
    pull,
    pulls,
    status,
)
from tests.unit.test_journey_properties import IDS, TYPES, histories

# Stalls depend on how long nothing moved, which is about time, not order: keep them out.
NO_STALLS = JourneyConfig(stall_seconds={})
PULL_STATUSES = ("Queued", "Fetching", "Complete", "FetchError", "NotSupported", "PermissionsError")
PLATFORMS = (("gbol", "Xero"), ("pqsw", "QuickBooks Desktop"), ("qhyg", "QuickBooks Online"))


def _meaning(state: JourneyState) -> tuple[object, ...]:
    problem = state.problem
    return (
        state.phase,
        problem.key if problem else None,
        problem.reason if problem else None,
        state.connection_id,
        state.connection_status,
        state.linked,
        state.first_sync_done,
        state.synced,
        state.one_time_sync,
        tuple((i.data_type, i.status, i.codat_status) for i in state.sync),
    )


@st.composite
def final_world(
    draw: st.DrawFn, t: float
) -> tuple[ConnectionsSeen, DataStatusSeen, PullOperationsSeen]:
    key, name = draw(st.sampled_from(PLATFORMS))
    items = []
    for index in draw(st.lists(st.sampled_from([0, 1]), min_size=1, max_size=2, unique=True)):
        cid = IDS[index]
        state = draw(st.sampled_from(("PendingAuth", "Linked", "Deauthorized", "Unlinked")))
        errs = []
        if state == "Deauthorized":
            errs.append(error("401", "Unauthorized", "de-authorized", t - 5))
        items.append(connection(cid, state, T0 + index * 50.0, key=key, name=name, errors=errs))
    ds = []
    ops = []
    for dt in draw(st.lists(st.sampled_from(TYPES), unique=True, max_size=2)):
        which = draw(st.integers(0, 1))
        current = draw(st.sampled_from(PULL_STATUSES))
        op_id = f"op-{dt}-{which}"
        last = t - 20 if current == "Complete" else None
        ds.append(status(dt, current, sync_id=op_id, last=last))
        ops.append(pull(op_id, IDS[which], dt, current, T0 + which * 50 + 1))
    if draw(st.booleans()):
        ds.append(status("balanceSheet", ""))  # never synced: Codat sends no currentStatus
    return (
        ConnectionsSeen(t, tuple(items)),
        data_status(t, *ds),
        pulls(t, *ops),
    )


def _read(obs: Observation, at: float) -> Observation:
    """The same answer, arriving at another moment."""
    if isinstance(obs, ConnectionsSeen):
        return ConnectionsSeen(at, obs.connections)
    if isinstance(obs, DataStatusSeen):
        return DataStatusSeen(at, obs.statuses)
    assert isinstance(obs, PullOperationsSeen)
    return PullOperationsSeen(at, obs.operations)


def _run(prefix: list[Observation], answers: tuple[Observation, ...], t: float) -> JourneyState:
    state = start(COMPANY, T0, NO_STALLS)
    for obs in prefix:
        state, _ = apply(state, obs, NO_STALLS)
    for i, obs in enumerate(answers):
        state, _ = apply(state, _read(obs, t + 1 + i), NO_STALLS)
    # The tracker's follow-up: data status once more after a connection's status changed.
    data = next(o for o in answers if isinstance(o, DataStatusSeen))
    state, _ = apply(state, _read(data, t + 10), NO_STALLS)
    return state


@settings(max_examples=250, deadline=None)
@given(histories(), st.data())
def test_every_order_of_the_answers_gives_the_same_journey(history, data) -> None:  # type: ignore[no-untyped-def]
    _config, prefix = history
    t = max((o.at for o in prefix), default=T0) + 5
    world = data.draw(final_world(t))
    outcomes = {_meaning(_run(prefix, order, t)) for order in itertools.permutations(world)}
    assert len(outcomes) == 1, outcomes


def _xero_world(t: float) -> tuple[ConnectionsSeen, DataStatusSeen]:
    deauthorized = connection(
        IDS[0],
        "Deauthorized",
        T0,
        key="gbol",
        name="Xero",
        errors=[error("401", "Unauthorized", "de-authorized", t - 5)],
    )
    done = data_status(
        t,
        status("bills", "Complete", sync_id="op-b", last=t - 30),
        status("suppliers", "Complete", sync_id="op-s", last=t - 30),
    )
    return ConnectionsSeen(t, (deauthorized,)), done


def test_xero_deauthorized_after_its_first_sync_reads_the_same_in_both_orders() -> None:
    """Issue 14 §7: 12 of 48 journeys ended "failed: access lost" when the deauthorized
    connection was read before the completed data status."""
    linked = ConnectionsSeen(T0 + 10, (connection(IDS[0], "Linked", T0, key="gbol", name="Xero"),))
    conns, done = _xero_world(T0 + 100)
    ends = []
    for order in ((conns, done), (done, conns)):
        state = start(COMPANY, T0, NO_STALLS)
        for obs in (linked, *order):
            state, _ = apply(state, obs, NO_STALLS)
        ends.append(_meaning(state))
        assert state.first_sync_done
        assert state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED
        assert state.phase is Phase.AWAITING_CUSTOMER  # open: the customer can re-authorize
        assert not state.linked and not state.synced
    assert ends[0] == ends[1]
