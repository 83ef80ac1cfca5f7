"""Observations in, journey state and the events that changed it out. Pure: no I/O, no clock.

The state keeps the facts seen so far (connections, data status, pull operations, the agent's
confirmations); after each observation everything the agent sees (steps, sync progress, the
problem, the phase) is derived again from those facts, and compared with the previous state to name
what changed. Two facts are sticky for the connection followed, so that a step never goes back
without a reason: once it has been Linked, and once its first sync has finished.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from desktop.core.codat.data_types import data_type_in_sentence, data_type_words
from desktop.core.codat.errors import ErrorKind
from desktop.core.codat.models import Connection, ConnectionStatus
from desktop.core.journey import problems
from desktop.core.journey.model import (
    ACTIONABLE_PROBLEMS,
    ONE_TIME_SYNC_PLATFORMS,
    STEP_TITLES,
    ConnectionView,
    EventKind,
    JourneyConfig,
    JourneyEvent,
    JourneyState,
    Phase,
    Platform,
    Problem,
    ProblemKey,
    Provenance,
    Step,
    StepState,
    StepStatus,
    SyncItem,
    SyncStatus,
)
from desktop.core.journey.observations import (
    AgentConfirmed,
    CompanySeen,
    ConnectionsSeen,
    DataStatusSeen,
    Observation,
    PullOperationsSeen,
    RequestFailed,
    TimePassed,
)
from desktop.core.journey.sync import derive_sync

_DEFAULT_CONFIG = JourneyConfig()
# Codat's statuses that mean the connection was Linked at some point.
_WAS_LINKED = frozenset(
    {ConnectionStatus.LINKED, ConnectionStatus.DEAUTHORIZED, ConnectionStatus.UNLINKED}
)
_VISIBLE_STEPS = frozenset({Step.CHOOSE_SOFTWARE, Step.SIGN_IN, Step.COMPLETE})


def start(company_id: str, at: float, config: JourneyConfig = _DEFAULT_CONFIG) -> JourneyState:
    """The journey as it stands when the Link URL has been handed over and nothing is known yet."""
    steps = _derive_steps((), 0, frozenset(), config, None, at)
    return JourneyState(
        company_id=company_id,
        started_at=at,
        updated_at=at,
        changed_at=at,
        steps=steps,
        phase=Phase.AWAITING_CUSTOMER,
    )


def replay(
    company_id: str,
    started_at: float,
    observations: Iterable[Observation],
    config: JourneyConfig = _DEFAULT_CONFIG,
) -> tuple[JourneyState, tuple[JourneyEvent, ...]]:
    """``start`` then ``apply`` each observation in order: the final state and every event on the way.

    Times are epoch seconds. Pure; raises nothing for any observation the tracker can make.
    """
    state = start(company_id, started_at, config)
    events: list[JourneyEvent] = []
    for obs in observations:
        state, new = apply(state, obs, config)
        events.extend(new)
    return state, tuple(events)


def _view(conn: Connection) -> ConnectionView:
    times = [conn.created.timestamp()] if conn.created else []
    active = None
    active_at = float("-inf")
    for err in conn.data_connection_errors:
        when = err.errored_on_utc.timestamp() if err.errored_on_utc else None
        if when is not None:
            times.append(when)
        resolved = (err.status or "").lower() == "resolved" or err.resolved_on_utc is not None
        if not resolved and (when or 0.0) >= active_at:
            active_at = when or 0.0
            active = (err.status_code, err.status_text, err.error_message)
    return ConnectionView(
        id=conn.id,
        status=conn.status,
        platform=Platform(key=conn.integration_key, name=conn.platform_name or "their software"),
        created=conn.created.timestamp() if conn.created else None,
        activity=max(times) if times else 0.0,
        active_error=active,
    )


def _views(connections: Iterable[Connection]) -> tuple[ConnectionView, ...]:
    return tuple(sorted((_view(c) for c in connections), key=lambda v: v.id))


def _is_open(view: ConnectionView) -> bool:
    return view.status in (ConnectionStatus.PENDING_AUTH, ConnectionStatus.LINKED)


def _choose(previous: str | None, views: Mapping[str, ConnectionView]) -> str | None:
    """The connection the customer is working on now.

    Once one is followed, move only when the customer does something newer on another one (a new
    connection, a new error): an old sandbox connection that is still Linked must not take over
    when the real one is lost.
    """
    if not views:
        return None
    current = views.get(previous) if previous else None
    if current is not None:
        newer = [v for v in views.values() if v.id != current.id and v.activity > current.activity]
        if not newer:
            return current.id
        return max(newer, key=_newest).id
    # The same rule as above from nothing, so that reading the same list again never moves.
    return max(views.values(), key=_newest).id


def _newest(view: ConnectionView) -> tuple[float, bool, str]:
    return (view.activity, _is_open(view), view.id)


def apply(
    state: JourneyState, obs: Observation, config: JourneyConfig = _DEFAULT_CONFIG
) -> tuple[JourneyState, tuple[JourneyEvent, ...]]:
    """One observation applied to the journey: ``(new state, events that changed it)``.

    Pure and total: the same state and observation always give the same answer, and no
    observation raises. ``obs.at`` (epoch seconds, when the answer arrived) stamps the change;
    the journey's time never runs backwards (an older observation is read as of
    ``state.updated_at``). The events are empty when nothing the agent sees changed. What Codat's
    statuses mean for the journey follows Codat's docs (connection statuses, data status, pull
    operations: see ``problems`` and ``sync``).
    """
    at = max(obs.at, state.updated_at)  # the journey's time never runs backwards
    name = state.company_name
    views = {v.id: v for v in state.connections}
    data_status = state.data_status
    operations = state.pull_operations
    confirmations = state.confirmations
    unreachable_since = state.unreachable_since
    unreachable_detail = state.unreachable_detail
    data_status_at = state.data_status_at
    final = state.final

    answered = True
    if isinstance(obs, CompanySeen):
        name = obs.company.name or name
        if obs.includes_connections:
            views = {v.id: v for v in _views(obs.company.data_connections)}
    elif isinstance(obs, ConnectionsSeen):
        views = {v.id: v for v in _views(obs.connections)}
    elif isinstance(obs, DataStatusSeen):
        # An empty answer (Codat's `{}` before any data type is queued) tells nothing new, so it
        # never takes back what an earlier answer showed; a changed connection resets the sync.
        if obs.statuses or not data_status:
            data_status = tuple(obs.statuses[k] for k in sorted(obs.statuses))
            data_status_at = obs.at
    elif isinstance(obs, PullOperationsSeen):
        operations = tuple(sorted(obs.operations, key=lambda op: op.id))
    elif isinstance(obs, RequestFailed):
        answered = False
        if obs.error.retryable:
            unreachable_since = unreachable_since if unreachable_since is not None else at
            unreachable_detail = obs.error.plain_message
        final = _final_problem(obs, final, at)
    elif isinstance(obs, AgentConfirmed):
        answered = False
        if Step(obs.step) not in state.confirmed_steps:
            confirmations = (*confirmations, (Step(obs.step), at))
    elif isinstance(obs, TimePassed):
        answered = False
    if answered:
        unreachable_since = None
        unreachable_detail = None
        final = None

    followed = _choose(state.connection_id, views)
    switched = followed != state.connection_id
    if switched and state.connection_id is not None:
        # Step 3 was confirmed for the connection left behind, not for the new one.
        confirmations = tuple((s, t) for s, t in confirmations if s is not Step.REVIEW_AND_START)
    conn = views.get(followed) if followed else None
    status = conn.status if conn else None
    linked_seen = (state.linked_seen and not switched) or (status in _WAS_LINKED)

    status_since = state.status_since if not switched and status == state.connection_status else at
    if conn is None:
        status_since = None

    sync: tuple[SyncItem, ...] = ()
    if conn is not None and linked_seen:
        sync = derive_sync(
            conn.id, conn.created, data_status, operations, () if switched else state.sync, at
        )
    # Done is read from the facts (every data type has had a successful sync, or settled without
    # failing), so the order in which connections and data status are read cannot change it.
    done_now = bool(sync) and all(i.synced_once or i.status is SyncStatus.DONE for i in sync)
    first_sync_done_at = None
    if done_now:
        kept = None if switched else state.first_sync_done_at
        first_sync_done_at = kept if kept is not None else at
    settled = bool(sync) and all(i.status in (SyncStatus.DONE, SyncStatus.FAILED) for i in sync)
    failed_items = tuple(i for i in sync if i.status is SyncStatus.FAILED and not i.synced_once)
    sync_failed = first_sync_done_at is None and settled and bool(failed_items)

    # An on-premise connector set to sync once removes itself after the first sync, and Codat
    # then shows the connection as Deauthorized: read the data status before calling it lost.
    on_premise = conn is not None and (conn.platform.key or "") in ONE_TIME_SYNC_PLATFORMS
    deauthorized = status == ConnectionStatus.DEAUTHORIZED
    one_time_sync = deauthorized and on_premise and first_sync_done_at is not None
    checking = (
        deauthorized
        and on_premise
        and not one_time_sync
        and (data_status_at is None or status_since is None or data_status_at < status_since)
    )

    preselected = config.preselected_platform is not None
    seen_level = 0
    if first_sync_done_at is not None:
        seen_level = 5
    elif linked_seen:
        seen_level = 4
    elif status == ConnectionStatus.PENDING_AUTH and not preselected:
        seen_level = 2
    confirmed = frozenset(s for s, _ in confirmations)
    reached = max([seen_level, *(int(s) for s in confirmed)])

    base = None
    if not one_time_sync and not checking:
        base = _base_problem(state.problem, conn, failed_items, sync_failed, reached, config, at)
    # What the customer ran into outranks a connection trouble on our side: the fix the agent
    # needs stays on screen while LinkDesk reconnects (retries are announced separately).
    if final is not None:
        problem: Problem | None = final
    elif base is not None:
        problem = base
    elif unreachable_since is not None:
        problem = _keep_since(
            state.problem, problems.api_unreachable(unreachable_since, unreachable_detail)
        )
    else:
        problem = None

    fail_step = problem.step if problem is not None and problem.key in _FAILING else None
    steps = _derive_steps(state.steps, reached, confirmed, config, fail_step, at, seen_level)

    goal = first_sync_done_at is not None and (status == ConnectionStatus.LINKED or one_time_sync)
    if final is not None:
        phase = Phase.FAILED
    elif goal:
        phase = Phase.FINISHED
    elif base is not None and base.key in ACTIONABLE_PROBLEMS:
        # Someone must act (the customer re-authorizes, a new sync is queued): keep watching at
        # the pace used while waiting for the customer.
        phase = Phase.AWAITING_CUSTOMER
    elif linked_seen:
        phase = Phase.SYNCING
    elif reached >= 1:
        phase = Phase.LINKING
    else:
        phase = Phase.AWAITING_CUSTOMER

    platform = conn.platform if conn else None
    customer_moved = (
        switched
        or status != state.connection_status
        or [s.status for s in steps] != [s.status for s in state.steps]
        or [(i.data_type, i.status, i.progress) for i in sync]
        != [(i.data_type, i.status, i.progress) for i in state.sync]
        or _customer_problem(base) != _customer_problem(state.problem)
    )
    changed_at = at if customer_moved else state.changed_at

    if problem is None and phase in (Phase.AWAITING_CUSTOMER, Phase.LINKING, Phase.SYNCING):
        stalled = _stall(state.problem, steps, config, changed_at, at)
        if stalled is not None:
            problem = stalled
            phase = Phase.IDLE

    new = JourneyState(
        company_id=state.company_id,
        started_at=state.started_at,
        updated_at=at,
        changed_at=changed_at,
        steps=steps,
        phase=phase,
        company_name=name,
        platform=platform,
        connection_id=followed,
        connection_status=status,
        sync=sync,
        problem=problem,
        connections=tuple(views[k] for k in sorted(views)),
        data_status=data_status,
        pull_operations=operations,
        confirmations=confirmations,
        linked_seen=linked_seen,
        first_sync_done_at=first_sync_done_at,
        unreachable_since=unreachable_since,
        unreachable_detail=unreachable_detail,
        status_since=status_since,
        data_status_at=data_status_at,
        one_time_sync=one_time_sync,
        note=problems.one_time_sync_note(platform.name if platform else None)
        if one_time_sync
        else None,
        final=final,
    )
    return new, _events(state, new, at)


def _final_problem(obs: RequestFailed, previous: Problem | None, at: float) -> Problem | None:
    """404 (the company is gone) and 401/403 (our key is refused) end the journey."""
    err = obs.error
    if err.kind is not ErrorKind.HTTP:
        return previous
    if err.status_code == 404:
        return _keep_since(previous, problems.company_gone(at, err.plain_message))
    if err.status_code in (401, 403):
        return _keep_since(previous, problems.api_key_refused(at, err.plain_message))
    return previous


_FAILING = frozenset(
    {
        ProblemKey.CANCELLED,
        ProblemKey.CONNECTION_ERROR,
        ProblemKey.DEAUTHORIZED,
        ProblemKey.UNLINKED,
        ProblemKey.SYNC_FAILED,
    }
)


def _customer_problem(problem: Problem | None) -> tuple[str, str | None, str | None] | None:
    if problem is None or problem.key in (ProblemKey.STALLED, ProblemKey.API_UNREACHABLE):
        return None
    return (problem.key.value, problem.reason.value if problem.reason else None, problem.detail)


def _keep_since(previous: Problem | None, problem: Problem) -> Problem:
    """A problem that goes on keeps the time it started."""
    if (
        previous is not None
        and previous.key is problem.key
        and previous.reason is problem.reason
        and previous.step is problem.step
    ):
        return replace(problem, since=previous.since)
    return problem


def _base_problem(
    previous: Problem | None,
    conn: ConnectionView | None,
    failed_items: tuple[SyncItem, ...],
    sync_failed: bool,
    reached: int,
    config: JourneyConfig,
    at: float,
) -> Problem | None:
    if conn is None:
        return None
    name = conn.platform.name
    detail = None
    if conn.active_error is not None:
        code, text, message = conn.active_error
        parts = [p for p in (text, message) if p]
        detail = ": ".join(dict.fromkeys(parts)) or None
        if detail is None and code:
            detail = f"Codat status code {code}"
    if conn.status == ConnectionStatus.DEAUTHORIZED:
        return _keep_since(previous, problems.deauthorized(at, name, detail))
    if conn.status == ConnectionStatus.UNLINKED:
        return _keep_since(previous, problems.unlinked(at, name))
    if sync_failed:
        # Each data type in words, then Codat's message for it as Codat sent it.
        messages = [f"{data_type_words(i.data_type)}: {i.message}" for i in failed_items]
        return _keep_since(previous, problems.sync_failed(at, failed_items, "; ".join(messages)))
    if conn.status == ConnectionStatus.PENDING_AUTH and conn.active_error is not None:
        code, text, message = conn.active_error
        step = _first_open_step(reached, config)
        words = " ".join(t for t in (text, message) if t).lower()
        if code == "403" or "cancel" in words:
            return _keep_since(previous, problems.cancelled(at, step, name, detail))
        reason = problems.classify_reason(text, message)
        return _keep_since(previous, problems.connection_error(at, step, name, detail, reason))
    return None


def _first_open_step(reached: int, config: JourneyConfig) -> Step | None:
    for step in Step:
        if int(step) <= reached:
            continue
        if step is Step.CHOOSE_SOFTWARE and config.preselected_platform is not None:
            continue
        return step
    return None


def _derive_steps(
    previous: tuple[StepState, ...],
    reached: int,
    confirmed: frozenset[Step],
    config: JourneyConfig,
    fail_step: Step | None,
    at: float,
    seen_level: int = 0,
) -> tuple[StepState, ...]:
    open_step = _first_open_step(reached, config)
    out: list[StepState] = []
    for step in Step:
        provenance: Provenance | None
        if step is Step.CHOOSE_SOFTWARE and config.preselected_platform is not None:
            status, provenance = StepStatus.SKIPPED, None
        elif int(step) <= reached:
            status = StepStatus.DONE
            if step in _VISIBLE_STEPS and int(step) <= seen_level:
                provenance = Provenance.OBSERVED
            elif step in confirmed:
                provenance = Provenance.AGENT_CONFIRMED
            else:
                provenance = Provenance.INFERRED
        elif step is open_step:
            status = StepStatus.FAILED if fail_step is step else StepStatus.CURRENT
            provenance = None
        else:
            status, provenance = StepStatus.WAITING, None
        old = previous[int(step) - 1] if previous else None
        started = None
        if status is not StepStatus.WAITING:
            started = old.started_at if old is not None and old.started_at is not None else at
        terminal = status in (StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED)
        seen = None
        if terminal:
            seen = old.seen_at if old is not None and old.status is status and old.seen_at else at
        out.append(StepState(step, status, provenance, started, seen))
    return tuple(out)


def _stall(
    previous: Problem | None,
    steps: tuple[StepState, ...],
    config: JourneyConfig,
    changed_at: float,
    at: float,
) -> Problem | None:
    current = next((s for s in steps if s.status is StepStatus.CURRENT), None)
    if current is None:
        return None
    limit = config.stall_seconds.get(int(current.step))
    quiet = at - changed_at
    if limit is None or quiet < limit:
        return None
    return _keep_since(
        previous, problems.stalled(at, current.step, quiet, STEP_TITLES[current.step])
    )


def _short(connection_id: str | None) -> str:
    return connection_id[:8] if connection_id else "none"


def _events(old: JourneyState, new: JourneyState, at: float) -> tuple[JourneyEvent, ...]:
    events: list[JourneyEvent] = []
    platform = new.platform.name if new.platform else "the software"
    if new.connection_id != old.connection_id:
        if new.connection_id is None:
            text = "The connection followed is gone; waiting for the customer to start again."
        elif old.connection_id is None:
            text = (
                f"Following the {platform} connection {_short(new.connection_id)} "
                f"({new.connection_status})."
            )
        else:
            text = (
                f"Now following the {platform} connection {_short(new.connection_id)} "
                f"({new.connection_status}) instead of {_short(old.connection_id)}: "
                "the customer is working on this one now."
            )
        events.append(JourneyEvent(at, EventKind.FOLLOWING, text, connection_id=new.connection_id))
    elif new.connection_status != old.connection_status:
        text = (
            f"The {platform} connection is now {new.connection_status} "
            f"(was {old.connection_status})."
        )
        if new.connection_status == ConnectionStatus.LINKED and old.connection_status in (
            ConnectionStatus.DEAUTHORIZED,
            ConnectionStatus.UNLINKED,
        ):
            text = (
                f"The {platform} connection is Linked again (was {old.connection_status}): the "
                "customer re-authorized the same connection."
            )
        events.append(JourneyEvent(at, EventKind.CONNECTION, text, connection_id=new.connection_id))
    if new.platform != old.platform and new.platform is not None:
        key = f" ({new.platform.key})" if new.platform.key else ""
        events.append(
            JourneyEvent(
                at,
                EventKind.PLATFORM,
                f"The customer is connecting {new.platform.name}{key}.",
                connection_id=new.connection_id,
            )
        )
    for before, after in zip(old.steps, new.steps, strict=True):
        if (before.status, before.provenance) == (after.status, after.provenance):
            continue
        how = f" ({after.provenance.value})" if after.provenance else ""
        events.append(
            JourneyEvent(
                at,
                EventKind.STEP,
                f"Step {int(after.step)} “{after.title}”: {after.status.value}{how}.",
                step=after.step,
                status=after.status,
                provenance=after.provenance,
            )
        )
    before_sync = {i.data_type: i for i in old.sync}
    for item in new.sync:
        prior = before_sync.get(item.data_type)
        same_status = prior is not None and prior.status is item.status
        if same_status and prior is not None and prior.synced_once == item.synced_once:
            continue
        words = data_type_in_sentence(item.data_type)
        if same_status:
            # The status stayed, but whether Codat reports a successful sync of this data type
            # changed (its lastSuccessfulSync came or went): that alone can complete the first
            # sync or take it back, and a step never moves without a line saying why.
            now = "now reports" if item.synced_once else "no longer reports"
            text = f"Sync of {words}: {item.status.value}; Codat {now} a successful sync of it."
        else:
            extra = f": {item.message}" if item.message else ""
            text = f"Sync of {words}: {item.status.value}{extra}."
        events.append(
            JourneyEvent(
                at,
                EventKind.SYNC,
                text,
                data_type=item.data_type,
                connection_id=new.connection_id,
            )
        )
    if new.connection_id == old.connection_id:
        kept = {i.data_type for i in new.sync}
        for item in old.sync:
            if item.data_type not in kept:
                events.append(
                    JourneyEvent(
                        at,
                        EventKind.SYNC,
                        f"Sync of {data_type_in_sentence(item.data_type)}: no longer counted "
                        "(its latest sync belongs to another connection).",
                        data_type=item.data_type,
                        connection_id=new.connection_id,
                    )
                )
    if new.note != old.note and new.note is not None:
        events.append(JourneyEvent(at, EventKind.NOTE, new.note, connection_id=new.connection_id))
    if new.problem != old.problem:
        if new.problem is None:
            assert old.problem is not None
            events.append(
                JourneyEvent(
                    at,
                    EventKind.PROBLEM_CLEARED,
                    f"Resolved: {old.problem.key.value}.",
                    problem=old.problem,
                )
            )
        elif old.problem is None or _problem_identity(old.problem) != _problem_identity(
            new.problem
        ):
            events.append(
                JourneyEvent(
                    at,
                    EventKind.PROBLEM,
                    new.problem.message,
                    problem=new.problem,
                    step=new.problem.step,
                )
            )
    if new.phase != old.phase:
        events.append(
            JourneyEvent(at, EventKind.PHASE, f"Phase: {new.phase.value}.", phase=new.phase)
        )
    return tuple(events)


def _problem_identity(problem: Problem) -> tuple[object, ...]:
    return (problem.key, problem.reason, problem.detail, problem.step, problem.since)
