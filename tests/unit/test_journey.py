"""The journey model, scenario by scenario: what the agent sees after each thing the API shows."""

from __future__ import annotations

import json

import pytest

from desktop.core.codat.errors import ErrorKind
from desktop.core.guides.model import ERROR_REASONS, JOURNEY_PROBLEMS, STAGES
from desktop.core.journey import (
    STEP_TITLES,
    AgentConfirmed,
    EventKind,
    JourneyConfig,
    JourneyState,
    Phase,
    ProblemKey,
    Provenance,
    Reason,
    Step,
    StepStatus,
    SyncStatus,
    TimePassed,
    apply,
    classify_reason,
    replay,
    start,
)
from tests.unit.journey_builders import (
    COMPANY,
    T0,
    connection,
    conns,
    data_status,
    error,
    failed,
    pull,
    pulls,
    status,
)

CONN = "11111111-0000-4000-8000-000000000001"
OLD = "22222222-0000-4000-8000-000000000002"


def statuses(state: JourneyState) -> list[tuple[int, str, str | None]]:
    return [
        (int(s.step), s.status.value, s.provenance.value if s.provenance else None)
        for s in state.steps
    ]


def test_keys_match_the_guides() -> None:
    assert {k.value for k in ProblemKey} == set(JOURNEY_PROBLEMS)
    assert {r.value for r in Reason} == set(ERROR_REASONS)
    assert {int(s): t for s, t in STEP_TITLES.items()} == STAGES


def test_fresh_journey_waits_for_the_customer() -> None:
    state = start(COMPANY, T0)
    assert state.phase is Phase.AWAITING_CUSTOMER
    assert statuses(state) == [
        (1, "current", None),
        (2, "waiting", None),
        (3, "waiting", None),
        (4, "waiting", None),
        (5, "waiting", None),
    ]
    assert state.problem is None


def test_happy_path_marks_invisible_steps_inferred_and_visible_ones_observed() -> None:
    state, events = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10),
            conns(T0 + 60, connection(CONN, "PendingAuth", T0 + 55)),
            conns(T0 + 300, connection(CONN, "Linked", T0 + 55)),
            data_status(T0 + 302, status("bills", "Queued"), status("suppliers", "Fetching")),
            data_status(
                T0 + 400,
                status("bills", "Complete", last=T0 + 390),
                status("suppliers", "Complete", last=T0 + 395),
            ),
        ],
    )
    assert statuses(state) == [
        (1, "done", "inferred"),
        (2, "done", "observed"),
        (3, "done", "inferred"),
        (4, "done", "observed"),
        (5, "done", "observed"),
    ]
    assert state.phase is Phase.FINISHED
    assert state.platform is not None and state.platform.key == "akxx"
    assert state.step(Step.CHOOSE_SOFTWARE).seen_at == T0 + 60
    assert state.step(Step.SIGN_IN).seen_at == T0 + 300
    assert state.step(Step.COMPLETE).seen_at == T0 + 400
    kinds = [e.kind for e in events]
    assert kinds.count(EventKind.FOLLOWING) == 1
    assert EventKind.PLATFORM in kinds
    phases = [e.phase for e in events if e.kind is EventKind.PHASE]
    assert phases == [Phase.LINKING, Phase.SYNCING, Phase.FINISHED]


def test_agent_confirmations_are_kept_as_such() -> None:
    state = start(COMPANY, T0)
    state, _events = apply(state, AgentConfirmed(T0 + 5, Step.OPEN_LINK))
    assert state.step(Step.OPEN_LINK).provenance is Provenance.AGENT_CONFIRMED
    assert state.step(Step.CHOOSE_SOFTWARE).status is StepStatus.CURRENT
    assert state.phase is Phase.LINKING  # a change is now expected any moment
    state, _ = apply(state, conns(T0 + 20, connection(CONN, "PendingAuth", T0 + 18)))
    state, _ = apply(state, AgentConfirmed(T0 + 40, Step.REVIEW_AND_START))
    assert statuses(state)[:4] == [
        (1, "done", "agent-confirmed"),
        (2, "done", "observed"),
        (3, "done", "agent-confirmed"),
        (4, "current", None),
    ]


def test_only_invisible_steps_can_be_confirmed() -> None:
    with pytest.raises(ValueError):
        AgentConfirmed(T0, Step.SIGN_IN)


def test_cancel_fails_the_current_step_and_a_retry_recovers() -> None:
    state, _ = replay(COMPANY, T0, [conns(T0 + 10, connection(CONN, "PendingAuth", T0 + 5))])
    cancelled = connection(
        CONN,
        "PendingAuth",
        T0 + 5,
        errors=[error("403", "User cancelled linking", "User cancelled", T0 + 30)],
    )
    state, events = apply(state, conns(T0 + 32, cancelled))
    assert state.problem is not None and state.problem.key is ProblemKey.CANCELLED
    assert state.step(Step.REVIEW_AND_START).status is StepStatus.FAILED
    assert state.phase is Phase.LINKING
    assert any(e.kind is EventKind.PROBLEM for e in events)
    state, events = apply(state, conns(T0 + 90, connection(CONN, "Linked", T0 + 5)))
    assert state.problem is None
    assert state.step(Step.SIGN_IN).status is StepStatus.DONE
    assert any(e.kind is EventKind.PROBLEM_CLEARED for e in events)


@pytest.mark.parametrize(
    ("text", "message", "reason"),
    [
        (
            "Login failed",
            "Token-based Authentication is not enabled for this account",
            Reason.TBA_DISABLED,
        ),
        ("Forbidden", "The user must have the Administrator role", Reason.NOT_ADMIN),
        ("Not supported", "Trial companies cannot be linked", Reason.TRIAL_ACCOUNT),
        ("Unauthorized", "Invalid username or password", Reason.WRONG_PASSWORD),
        ("Network", "Request blocked by firewall", Reason.FIREWALL),
        ("Browser", "The sign-in pop-up was blocked", Reason.POPUP_BLOCKED),
        ("Unknown error occurred.", "Something went wrong", None),
    ],
)
def test_connection_errors_are_explained_with_a_reason(
    text: str, message: str, reason: Reason | None
) -> None:
    bad = connection(CONN, "PendingAuth", T0 + 5, errors=[error("500", text, message, T0 + 30)])
    state, _ = replay(COMPANY, T0, [conns(T0 + 40, bad)])
    assert state.problem is not None
    assert state.problem.key is ProblemKey.CONNECTION_ERROR
    assert state.problem.reason is reason
    assert message in (state.problem.detail or "")
    assert state.problem.guide_keys[-1] == "connection_error"


def test_classify_reason_ignores_empty_text() -> None:
    assert classify_reason(None, "") is None


def test_resolved_errors_are_not_problems() -> None:
    ok = connection(
        CONN,
        "PendingAuth",
        T0 + 5,
        errors=[error("403", "User cancelled", "x", T0 + 30, status="Resolved")],
    )
    state, _ = replay(COMPANY, T0, [conns(T0 + 40, ok)])
    assert state.problem is None


def test_deauthorized_after_linking_fails_the_journey() -> None:
    state, events = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            conns(
                T0 + 50,
                connection(
                    CONN,
                    "Deauthorized",
                    T0 + 5,
                    errors=[
                        error(
                            "401", "Unauthorized", "The integration de-authorized access", T0 + 45
                        )
                    ],
                ),
            ),
        ],
    )
    assert state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED
    assert "de-authorized" in (state.problem.detail or "")
    assert state.phase is Phase.AWAITING_CUSTOMER  # someone can still act: not over
    assert state.step(Step.SIGN_IN).status is StepStatus.DONE
    assert state.step(Step.COMPLETE).status is StepStatus.FAILED
    assert any(e.kind is EventKind.CONNECTION for e in events)


def test_unlinked_is_its_own_problem() -> None:
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            conns(T0 + 20, connection(CONN, "Unlinked", T0 + 5)),
        ],
    )
    assert state.problem is not None and state.problem.key is ProblemKey.UNLINKED
    assert state.phase is Phase.AWAITING_CUSTOMER  # someone can still act: not over


def test_sync_progress_uses_pull_operations_for_progress_and_messages() -> None:
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            data_status(
                T0 + 20,
                status("bills", "Fetching", sync_id="op-bills"),
                status("suppliers", "Queued", sync_id="op-sup"),
            ),
            pulls(
                T0 + 21,
                pull("op-bills", CONN, "bills", "Fetching", T0 + 12, progress=40),
                pull("op-sup", CONN, "suppliers", "Queued", T0 + 12),
            ),
        ],
    )
    by_type = {i.data_type: i for i in state.sync}
    assert by_type["bills"].status is SyncStatus.FETCHING
    assert by_type["bills"].progress == 40
    assert by_type["suppliers"].status is SyncStatus.QUEUED
    assert state.phase is Phase.SYNCING

    state, _ = apply(
        state,
        data_status(
            T0 + 60,
            status("bills", "FetchError", sync_id="op-bills"),
            status("suppliers", "Complete", sync_id="op-sup", last=T0 + 55),
        ),
    )
    state, _events = apply(
        state,
        pulls(
            T0 + 61,
            pull(
                "op-bills",
                CONN,
                "bills",
                "FetchError",
                T0 + 12,
                message="Permission denied on Bills",
            ),
            pull("op-sup", CONN, "suppliers", "Complete", T0 + 12, progress=100),
        ),
    )
    assert state.problem is not None and state.problem.key is ProblemKey.SYNC_FAILED
    assert "Permission denied on Bills" in (state.problem.detail or "")
    assert state.phase is Phase.AWAITING_CUSTOMER  # someone can still act: not over
    assert state.step(Step.COMPLETE).status is StepStatus.FAILED


def test_a_failed_sync_names_its_data_types_in_words_and_keeps_codats_message() -> None:
    """The sync-error practice call said "could not fetch billPayments": Codat's field, not
    words. Codat's own message stays as it was sent (it names the field itself)."""
    codats = "The source platform returned an error while fetching billPayments."
    state, events = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            data_status(
                T0 + 60,
                status("billPayments", "FetchError", sync_id="op-bp"),
                status("company", "FetchError", sync_id="op-co"),
                status("bills", "Complete", sync_id="op-bills", last=T0 + 55),
            ),
            pulls(
                T0 + 61,
                pull("op-bp", CONN, "billPayments", "FetchError", T0 + 12, message=codats),
                pull("op-co", CONN, "company", "FetchError", T0 + 12, message="Timed out"),
                pull("op-bills", CONN, "bills", "Complete", T0 + 12, progress=100),
            ),
        ],
    )
    problem = state.problem
    assert problem is not None and problem.key is ProblemKey.SYNC_FAILED
    assert "could not fetch bill payments, company information:" in problem.message
    assert problem.detail == f"Bill payments: {codats}; Company information: Timed out"
    told = [e.message for e in events if e.kind is EventKind.PROBLEM]
    assert told and "bill payments" in told[-1]
    assert not any("billPayments" in line for line in told)


def test_sync_of_an_older_connection_is_not_this_journeys_sync() -> None:
    # Data status still shows the old connection's finished sync from before the new connection.
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            data_status(T0 + 11, status("bills", "Complete", last=T0 - 3600)),
        ],
    )
    assert state.sync == ()
    assert state.phase is Phase.SYNCING
    state, _ = apply(state, data_status(T0 + 30, status("bills", "Complete", last=T0 + 25)))
    assert state.phase is Phase.FINISHED


def test_first_sync_done_is_not_undone_by_a_later_sync() -> None:
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            data_status(T0 + 30, status("bills", "Complete", last=T0 + 25)),
            data_status(T0 + 9000, status("bills", "Fetching", last=T0 + 25)),
        ],
    )
    assert state.phase is Phase.FINISHED
    assert state.step(Step.COMPLETE).status is StepStatus.DONE


def test_several_connections_follow_the_newest_open_one_and_say_so() -> None:
    old_sandbox = connection(OLD, "Linked", T0 - 86400, key="mqjo", name="Sandbox")
    state, events = replay(COMPANY, T0, [conns(T0 + 10, old_sandbox)])
    assert state.connection_id == OLD
    # The customer now chooses NetSuite: a newer connection appears.
    state, events = apply(
        state, conns(T0 + 60, old_sandbox, connection(CONN, "PendingAuth", T0 + 55))
    )
    assert state.connection_id == CONN
    following = [e for e in events if e.kind is EventKind.FOLLOWING]
    assert len(following) == 1 and "instead of" in following[0].message
    assert (
        state.step(Step.SIGN_IN).status is StepStatus.CURRENT
        or state.step(Step.REVIEW_AND_START).status is StepStatus.CURRENT
    )
    assert state.phase is Phase.LINKING


def test_losing_the_followed_connection_does_not_jump_to_an_old_linked_one() -> None:
    old_sandbox = connection(OLD, "Linked", T0 - 86400, key="mqjo", name="Sandbox")
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, old_sandbox, connection(CONN, "Linked", T0 + 5)),
            conns(T0 + 20, old_sandbox, connection(CONN, "Deauthorized", T0 + 5)),
        ],
    )
    assert state.connection_id == CONN
    assert state.phase is Phase.AWAITING_CUSTOMER  # someone can still act: not over


def test_preselected_platform_skips_choosing_and_infers_nothing_from_the_connection() -> None:
    config = JourneyConfig(preselected_platform="akxx")
    state, _ = replay(
        COMPANY, T0, [conns(T0 + 10, connection(CONN, "PendingAuth", T0 + 1))], config
    )
    assert statuses(state)[:3] == [(1, "current", None), (2, "skipped", None), (3, "waiting", None)]
    assert state.phase is Phase.AWAITING_CUSTOMER
    state, _ = apply(state, conns(T0 + 100, connection(CONN, "Linked", T0 + 1)), config)
    assert statuses(state)[:4] == [
        (1, "done", "inferred"),
        (2, "skipped", None),
        (3, "done", "inferred"),
        (4, "done", "observed"),
    ]


def test_stall_is_raised_after_the_steps_threshold_and_cleared_by_a_change() -> None:
    config = JourneyConfig(stall_seconds={3: 120.0})
    state, _ = replay(
        COMPANY, T0, [conns(T0 + 10, connection(CONN, "PendingAuth", T0 + 5))], config
    )
    state, _ = apply(state, TimePassed(T0 + 100), config)
    assert state.problem is None
    state, events = apply(state, conns(T0 + 131, connection(CONN, "PendingAuth", T0 + 5)), config)
    assert state.problem is not None and state.problem.key is ProblemKey.STALLED
    assert state.problem.step is Step.REVIEW_AND_START
    assert state.phase is Phase.IDLE
    stalled_since = state.problem.since
    state, events = apply(state, TimePassed(T0 + 200), config)
    assert state.problem is not None and state.problem.since == stalled_since
    assert not any(e.kind is EventKind.PROBLEM for e in events)  # the same stall, not a new one
    state, _ = apply(state, conns(T0 + 210, connection(CONN, "Linked", T0 + 5)), config)
    assert state.problem is None and state.phase is Phase.SYNCING


def test_a_slow_first_sync_stalls_with_its_own_reason() -> None:
    config = JourneyConfig(stall_seconds={5: 600.0})
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            data_status(T0 + 20, status("bills", "Fetching")),
            TimePassed(T0 + 700),
        ],
        config,
    )
    assert state.problem is not None and state.problem.reason is Reason.SLOW_FIRST_SYNC
    assert state.problem.guide_keys == ("slow_first_sync", "stalled")


def test_unreachable_api_is_a_problem_until_an_answer_comes() -> None:
    state, _ = replay(COMPANY, T0, [conns(T0 + 10, connection(CONN, "PendingAuth", T0 + 5))])
    state, _ = apply(state, failed(T0 + 20))
    state, _ = apply(state, failed(T0 + 30, ErrorKind.HTTP, 503))
    assert state.problem is not None and state.problem.key is ProblemKey.API_UNREACHABLE
    assert state.problem.since == T0 + 20
    assert state.phase is Phase.LINKING
    state, events = apply(state, conns(T0 + 40, connection(CONN, "PendingAuth", T0 + 5)))
    assert state.problem is None
    assert any(e.kind is EventKind.PROBLEM_CLEARED for e in events)


def test_a_refused_request_is_not_unreachability_but_ends_the_journey() -> None:
    state, _ = replay(COMPANY, T0, [failed(T0 + 1, ErrorKind.HTTP, 401)])
    assert state.unreachable_since is None
    assert state.problem is not None and state.problem.key is ProblemKey.API_KEY_REFUSED
    assert state.phase is Phase.FAILED
    gone, _ = replay(COMPANY, T0, [failed(T0 + 1, ErrorKind.HTTP, 404)])
    assert gone.problem is not None and gone.problem.key is ProblemKey.COMPANY_GONE
    assert "deleted, or the ID is wrong" in gone.problem.message  # a typed ID may be wrong too
    assert gone.phase is Phase.FAILED


def test_to_json_is_plain_json_with_iso_times() -> None:
    state, events = replay(COMPANY, T0, [conns(T0 + 60, connection(CONN, "PendingAuth", T0 + 55))])
    doc = json.loads(json.dumps(state.to_json()))
    assert doc["phase"] == "linking"
    assert doc["current_step"] == 3
    assert doc["steps"][1]["provenance"] == "observed"
    assert doc["steps"][1]["seen_at"].endswith("Z")
    assert doc["platform"] == {"key": "akxx", "name": "Oracle NetSuite"}
    for event in events:
        line = json.loads(json.dumps(event.to_json()))
        assert line["observed"].endswith("Z")


def test_a_failure_without_a_date_counts_for_the_current_connection() -> None:
    # Codat gives no date for a failed data type; before the history says otherwise, it counts.
    state, _ = replay(
        COMPANY,
        T0,
        [
            conns(T0 + 10, connection(CONN, "Linked", T0 + 5)),
            data_status(
                T0 + 30,
                status("bills", "Complete", last=T0 + 25),
                status("billPayments", "FetchError"),
            ),
        ],
    )
    assert state.phase is Phase.AWAITING_CUSTOMER  # someone can still act: not over
    assert state.problem is not None and state.problem.key is ProblemKey.SYNC_FAILED


def test_the_customers_problem_stays_shown_while_the_api_is_unreachable() -> None:
    bad = connection(
        CONN, "PendingAuth", T0 + 5, errors=[error("400", "Linking failed", "TBA off", T0 + 9)]
    )
    state, _ = replay(COMPANY, T0, [conns(T0 + 10, bad), failed(T0 + 20)])
    assert state.problem is not None and state.problem.key is ProblemKey.CONNECTION_ERROR
    assert state.unreachable_since == T0 + 20


def test_a_successful_sync_codat_stops_reporting_takes_step_5_back_with_a_line_saying_so() -> None:
    # Found by the property test (tests/unit/test_journey_properties.py): a data type still
    # "Queued" whose lastSuccessfulSync went away took step 5 back with no sync line saying why.
    config = JourneyConfig()
    state = start(COMPANY, T0, config)
    state, _ = apply(state, conns(T0 + 1, connection(CONN, "Linked", T0, key="akxx")), config)
    state, _ = apply(state, data_status(T0 + 2, status("suppliers", "Queued", last=T0)), config)
    assert state.step(Step.COMPLETE).status is StepStatus.DONE
    state, events = apply(state, data_status(T0 + 7, status("suppliers", "Queued")), config)
    assert state.step(Step.COMPLETE).status is StepStatus.CURRENT
    sync = [e.message for e in events if e.kind is EventKind.SYNC]
    assert sync == ["Sync of suppliers: queued; Codat no longer reports a successful sync of it."]
    state, events = apply(
        state, data_status(T0 + 9, status("suppliers", "Queued", last=T0)), config
    )
    assert state.step(Step.COMPLETE).status is StepStatus.DONE
    sync = [e.message for e in events if e.kind is EventKind.SYNC]
    assert sync == ["Sync of suppliers: queued; Codat now reports a successful sync of it."]
