"""Properties of the journey model over random sequences of what the API and the agent show."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.codat.errors import ErrorKind
from desktop.core.journey import (
    FINAL_PROBLEMS,
    STATUS_RANK,
    AgentConfirmed,
    ConnectionsSeen,
    DataStatusSeen,
    EventKind,
    JourneyConfig,
    Observation,
    Phase,
    Provenance,
    PullOperationsSeen,
    Step,
    StepStatus,
    TimePassed,
    apply,
    replay,
    start,
)
from tests.unit.journey_builders import (
    COMPANY,
    T0,
    connection,
    data_status,
    error,
    failed,
    pull,
    pulls,
    status,
)

IDS = ("aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002")
CONN_STATUSES = ("PendingAuth", "Linked", "Deauthorized", "Unlinked")
PULL_STATUSES = ("Queued", "Fetching", "Complete", "FetchError", "NotSupported", "AuthError")
TYPES = ("bills", "suppliers")
ERRORS = (
    ("403", "User cancelled", "User cancelled"),
    ("500", "Login failed", "Token-based Authentication is off"),
    ("401", "Unauthorized", "Invalid password"),
)


@st.composite
def a_connection(draw: st.DrawFn, t: float):  # type: ignore[no-untyped-def]
    cid = draw(st.sampled_from(IDS))
    created = T0 + (IDS.index(cid) * 50.0)
    errs = []
    if draw(st.booleans()) and draw(st.booleans()):
        code, text, msg = draw(st.sampled_from(ERRORS))
        errs.append(
            error(
                code,
                text,
                msg,
                t - draw(st.floats(0, 5)),
                draw(st.sampled_from(["Active", "Resolved", None])),
            )
        )
    return connection(cid, draw(st.sampled_from(CONN_STATUSES)), created, errors=errs)


@st.composite
def an_observation(draw: st.DrawFn, t: float) -> Observation:
    kind = draw(st.sampled_from(["conns", "conns", "status", "pulls", "fail", "confirm", "tick"]))
    if kind == "conns":
        items = draw(st.lists(a_connection(t), max_size=2, unique_by=lambda c: c.id))
        return ConnectionsSeen(t, tuple(items))
    if kind == "status":
        chosen = draw(st.lists(st.sampled_from(TYPES), unique=True, max_size=2))
        return data_status(
            t,
            *(
                status(
                    dt,
                    draw(st.sampled_from(PULL_STATUSES)),
                    sync_id=draw(st.sampled_from([None, f"op-{dt}-0", f"op-{dt}-1"])),
                    last=draw(st.sampled_from([None, T0 - 1000, t - 1])),
                )
                for dt in chosen
            ),
        )
    if kind == "pulls":
        chosen = draw(st.lists(st.sampled_from(TYPES), unique=True, max_size=2))
        ops = []
        for dt in chosen:
            which = draw(st.integers(0, 1))
            ops.append(
                pull(
                    f"op-{dt}-{which}",
                    IDS[which],
                    dt,
                    draw(st.sampled_from(PULL_STATUSES)),
                    T0 + which * 50 + 1,
                    progress=draw(st.integers(0, 100)),
                    message=draw(st.sampled_from([None, "Bills endpoint refused"])),
                )
            )
        return pulls(t, *ops)
    if kind == "fail":
        return failed(
            t,
            *draw(
                st.sampled_from(
                    [(ErrorKind.CONNECT, None), (ErrorKind.HTTP, 503), (ErrorKind.HTTP, 404)]
                )
            ),
        )
    if kind == "confirm":
        return AgentConfirmed(t, draw(st.sampled_from([Step.OPEN_LINK, Step.REVIEW_AND_START])))
    return TimePassed(t)


@st.composite
def histories(draw: st.DrawFn) -> tuple[JourneyConfig, list[Observation]]:
    gaps = draw(st.lists(st.floats(0.5, 400.0), min_size=1, max_size=25))
    t = T0
    out: list[Observation] = []
    for gap in gaps:
        t += gap
        out.append(draw(an_observation(t)))
    preselected = draw(st.sampled_from([None, "akxx"]))
    return JourneyConfig(
        stall_seconds={1: 600, 3: 300, 5: 1200}, preselected_platform=preselected
    ), out


def _was_linked(obs: Observation) -> bool:
    return isinstance(obs, ConnectionsSeen) and any(
        c.status in ("Linked", "Deauthorized", "Unlinked") for c in obs.connections
    )


@settings(max_examples=300, deadline=None)
@given(histories())
def test_steps_only_go_back_with_an_event_that_says_why(history) -> None:  # type: ignore[no-untyped-def]
    config, observations = history
    state = start(COMPANY, T0, config)
    for obs in observations:
        new, events = apply(state, obs, config)
        went_back = [
            b.step
            for b, a in zip(state.steps, new.steps, strict=True)
            if STATUS_RANK[a.status] < STATUS_RANK[b.status]
        ]
        if went_back:
            kinds = {e.kind for e in events}
            # A new connection, a connection's new status, or new facts about the sync.
            reasons = {EventKind.FOLLOWING, EventKind.CONNECTION, EventKind.SYNC}
            assert kinds & reasons, (went_back, events)
            assert all(
                any(e.kind is EventKind.STEP and e.step is s for e in events) for s in went_back
            )
        state = new


@settings(max_examples=300, deadline=None)
@given(histories())
def test_provenance_rules_always_hold(history) -> None:  # type: ignore[no-untyped-def]
    config, observations = history
    state = start(COMPANY, T0, config)
    seen: list[Observation] = []
    for obs in observations:
        state, _ = apply(state, obs, config)
        seen.append(obs)
        confirmed = {o.step for o in seen if isinstance(o, AgentConfirmed)}
        for s in state.steps:
            if s.step in (Step.OPEN_LINK, Step.REVIEW_AND_START):
                assert s.provenance is not Provenance.OBSERVED
            else:
                assert s.provenance is not Provenance.AGENT_CONFIRMED
            if s.provenance is Provenance.AGENT_CONFIRMED:
                assert s.step in confirmed
            if s.status is StepStatus.DONE:
                assert s.provenance is not None and s.seen_at is not None
            else:
                assert s.provenance is None
        if state.step(Step.CHOOSE_SOFTWARE).provenance is Provenance.OBSERVED:
            assert any(isinstance(o, ConnectionsSeen) and o.connections for o in seen)
        if state.step(Step.SIGN_IN).provenance is Provenance.OBSERVED:
            assert any(_was_linked(o) for o in seen)
        if state.step(Step.COMPLETE).provenance is Provenance.OBSERVED:
            assert any(isinstance(o, (DataStatusSeen, PullOperationsSeen)) for o in seen)
        if config.preselected_platform:
            assert state.step(Step.CHOOSE_SOFTWARE).status is StepStatus.SKIPPED


@settings(max_examples=200, deadline=None)
@given(histories())
def test_same_observations_give_the_same_state(history) -> None:  # type: ignore[no-untyped-def]
    config, observations = history
    first = replay(COMPANY, T0, observations, config)
    second = replay(COMPANY, T0, list(observations), config)
    assert first == second


@settings(max_examples=300, deadline=None)
@given(histories())
def test_state_is_coherent(history) -> None:  # type: ignore[no-untyped-def]
    config, observations = history
    state = start(COMPANY, T0, config)
    for obs in observations:
        state, _ = apply(state, obs, config)
        open_steps = [s for s in state.steps if s.status in (StepStatus.CURRENT, StepStatus.FAILED)]
        assert len(open_steps) <= 1
        if not open_steps:
            assert all(s.status in (StepStatus.DONE, StepStatus.SKIPPED) for s in state.steps)
        # Nothing after the open step is done; nothing before it is waiting.
        if open_steps:
            n = int(open_steps[0].step)
            assert all(
                s.status in (StepStatus.WAITING, StepStatus.SKIPPED) for s in state.steps[n:]
            )
            assert all(
                s.status in (StepStatus.DONE, StepStatus.SKIPPED) for s in state.steps[: n - 1]
            )
        assert (state.phase is Phase.FAILED) == (
            state.problem is not None and state.problem.key in FINAL_PROBLEMS
        )
        if state.phase is Phase.FINISHED:
            assert state.synced
        assert state.updated_at >= state.changed_at >= T0


def test_an_empty_data_status_never_takes_back_a_completed_sync() -> None:
    """Found by the property above: Codat's `{}` after a sync was seen complete."""
    from tests.unit.journey_builders import connection, conns, data_status, pull, pulls, status

    cid = "bbbbbbbb-0000-4000-8000-000000000002"
    config = JourneyConfig(stall_seconds={1: 600, 3: 300, 5: 1200}, preselected_platform=None)
    state = start(COMPANY, T0, config)
    for obs in (
        conns(T0 + 1, connection(cid, "Linked", T0 + 50)),
        pulls(T0 + 2, pull("op-bills-1", cid, "bills", "Queued", T0 + 51)),
        data_status(T0 + 51, status("bills", "Queued", last=T0 + 50)),
    ):
        state, _ = apply(state, obs, config)
    assert state.steps[-1].status is StepStatus.DONE
    state, events = apply(state, data_status(T0 + 52), config)
    assert state.steps[-1].status is StepStatus.DONE
    assert events == ()


def test_sync_lines_word_the_data_type_as_the_call_page_does() -> None:
    """`linkdesk track` printed "Sync of billCreditNotes"; the words are Codat's data type's."""
    from tests.unit.journey_builders import connection, conns, data_status, status

    cid = "bbbbbbbb-0000-4000-8000-000000000003"
    config = JourneyConfig(stall_seconds={1: 600, 3: 300, 5: 1200}, preselected_platform=None)
    state = start(COMPANY, T0, config)
    state, _ = apply(state, conns(T0 + 1, connection(cid, "Linked", T0 + 1)), config)
    observed = data_status(
        T0 + 2,
        status("billCreditNotes", "Queued", last=T0 + 1),
        status("banking-accountBalances", "Queued", last=T0 + 1),
    )
    _, events = apply(state, observed, config)
    lines = [e.message for e in events if e.kind is EventKind.SYNC]
    assert any(line.startswith("Sync of bill credit notes:") for line in lines), lines
    assert any(line.startswith("Sync of banking: account balances:") for line in lines), lines
