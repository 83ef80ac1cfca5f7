"""Journeys that real customers live: reconnections, one-time syncs, missing fields, every status.

Each numbered input of issue 13 is a test here with the value LinkDesk must give.
"""

from __future__ import annotations

from typing import Unpack

from desktop.core.codat.models import Connection, data_statuses_from_json
from desktop.core.journey import (
    DataStatusSeen,
    EventKind,
    JourneyEvent,
    JourneyState,
    Observation,
    Phase,
    ProblemKey,
    SyncStatus,
    apply,
    replay,
    start,
)
from tests.unit.journey_builders import (
    COMPANY,
    T0,
    Platform,
    connection,
    conns,
    data_status,
    error,
    pull,
    pulls,
    status,
)

XERO = "aaaaaaaa-0000-4000-8000-000000000001"
QBO = "bbbbbbbb-0000-4000-8000-000000000002"
QBD = "cccccccc-0000-4000-8000-000000000003"


def _run(observations: list[Observation]) -> tuple[JourneyState, list[JourneyEvent]]:
    state = start(COMPANY, T0)
    events: list[JourneyEvent] = []
    for obs in observations:
        state, new = apply(state, obs)
        events.extend(new)
    return state, events


def _deauth(cid: str, at: float, **kw: Unpack[Platform]) -> Connection:
    return connection(
        cid,
        "Deauthorized",
        T0 + 5,
        errors=[error("401", "Unauthorized", "The integration de-authorized access", at)],
        **kw,
    )


# -- input 1: QuickBooks Desktop set to sync once ---------------------------------------------


def _qbd_journey(deauth_first: bool) -> tuple[JourneyState, list[JourneyEvent]]:
    qbd: Platform = {"key": "pqsw", "name": "QuickBooks Desktop"}
    ops = pulls(
        T0 + 60,
        pull("op-b", QBD, "bills", "Complete", T0 + 30, progress=100),
        pull("op-s", QBD, "suppliers", "Complete", T0 + 30, progress=100),
    )
    done = data_status(
        T0 + 61,
        status("bills", "Complete", sync_id="op-b", last=T0 + 55),
        status("suppliers", "Complete", sync_id="op-s", last=T0 + 56),
    )
    gone = conns(T0 + 62, _deauth(QBD, T0 + 58, **qbd))
    tail: list[Observation] = (
        [gone, DataStatusSeen(T0 + 63, done.statuses)] if deauth_first else [done, gone]
    )
    return _run(
        [
            conns(T0 + 10, connection(QBD, "PendingAuth", T0 + 5, **qbd)),
            conns(T0 + 20, connection(QBD, "Linked", T0 + 5, **qbd)),
            ops,
            *tail,
        ]
    )


def test_input_1_a_completed_one_time_sync_is_a_success_with_a_note_in_both_orders() -> None:
    for deauth_first in (False, True):
        state, events = _qbd_journey(deauth_first)
        assert state.phase is Phase.FINISHED, deauth_first
        assert state.synced and state.one_time_sync
        assert state.problem is None
        assert state.note is not None and "sync once" in state.note
        # Lost access is never reported, not even for a moment.
        assert not any(e.problem and e.problem.key is ProblemKey.DEAUTHORIZED for e in events)
        assert any(e.kind is EventKind.NOTE for e in events)


def test_input_1_deauthorized_read_first_waits_for_the_data_status() -> None:
    qbd: Platform = {"key": "pqsw", "name": "QuickBooks Desktop"}
    state, _ = _run(
        [
            conns(T0 + 20, connection(QBD, "Linked", T0 + 5, **qbd)),
            conns(T0 + 62, _deauth(QBD, T0 + 58, **qbd)),
        ]
    )
    assert state.problem is None  # checking, not "access lost"
    assert state.phase is Phase.SYNCING


def test_a_one_time_sync_that_did_not_finish_is_lost_access() -> None:
    sage: Platform = {"key": "hbql", "name": "Sage 50"}
    state, _ = _run(
        [
            conns(T0 + 20, connection(QBD, "Linked", T0 + 5, **sage)),
            conns(T0 + 62, _deauth(QBD, T0 + 58, **sage)),
            data_status(T0 + 63, status("bills", "AuthError"), status("suppliers", "Complete")),
        ]
    )
    assert state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED
    assert not state.synced and state.phase is Phase.AWAITING_CUSTOMER


# -- input 2: a reconnection call --------------------------------------------------------------


def _xero_synced_then_lost() -> list[Observation]:
    return [
        conns(T0 + 10, connection(XERO, "Linked", T0 + 5, key="gbol", name="Xero")),
        data_status(
            T0 + 40,
            status("bills", "Complete", last=T0 + 30),
            status("suppliers", "Complete", last=T0 + 31),
        ),
        conns(T0 + 100, _deauth(XERO, T0 + 90, key="gbol", name="Xero")),
    ]


def test_input_2_deauthorized_is_neither_linked_nor_synced_and_not_over() -> None:
    state, _ = _run(_xero_synced_then_lost())
    assert not state.linked  # --until linked must not succeed
    assert not state.synced  # --until synced must not succeed
    assert state.first_sync_done  # it was, before access was lost
    assert state.phase is Phase.AWAITING_CUSTOMER  # and not failed: the customer can act
    assert state.problem is not None and state.problem.key is ProblemKey.DEAUTHORIZED
    assert state.problem.fix and "Link URL" in state.problem.fix
    assert state.problem.needs == "needs the customer"


def test_input_2_the_customer_links_the_same_connection_again() -> None:
    state, events = _run(
        [
            *_xero_synced_then_lost(),
            conns(T0 + 200, connection(XERO, "Linked", T0 + 5, key="gbol", name="Xero")),
        ]
    )
    assert state.linked and state.synced and state.phase is Phase.FINISHED
    assert state.problem is None
    assert any("Linked again" in e.message for e in events if e.kind is EventKind.CONNECTION)


def test_input_2_the_customer_connects_quickbooks_online_instead() -> None:
    dead = _deauth(XERO, T0 + 90, key="gbol", name="Xero")
    state, events = _run(
        [
            *_xero_synced_then_lost(),
            conns(
                T0 + 200,
                dead,
                connection(QBO, "PendingAuth", T0 + 195, key="qhyg", name="QuickBooks Online"),
            ),
        ]
    )
    assert state.connection_id == QBO
    assert any(e.kind is EventKind.FOLLOWING and QBO[:8] in e.message for e in events)
    assert not state.linked and not state.first_sync_done  # a new connection starts over
    state, _ = apply(
        state,
        conns(
            T0 + 260,
            dead,
            connection(QBO, "Linked", T0 + 195, key="qhyg", name="QuickBooks Online"),
        ),
    )
    state, _ = apply(
        state,
        pulls(
            T0 + 300,
            pull("q-b", QBO, "bills", "Complete", T0 + 261),
            pull("q-s", QBO, "suppliers", "Complete", T0 + 261),
        ),
    )
    state, _ = apply(
        state,
        data_status(
            T0 + 301,
            status("bills", "Complete", sync_id="q-b", last=T0 + 290),
            status("suppliers", "Complete", sync_id="q-s", last=T0 + 291),
        ),
    )
    assert state.linked and state.synced and state.phase is Phase.FINISHED


def test_unlinked_then_linked_again_on_the_same_connection() -> None:
    state, events = _run(
        [
            conns(T0 + 10, connection(XERO, "Linked", T0 + 5)),
            conns(T0 + 20, connection(XERO, "Unlinked", T0 + 5)),
            conns(T0 + 30, connection(XERO, "Linked", T0 + 5)),
        ]
    )
    assert state.linked and state.problem is None
    assert any("Linked again (was Unlinked)" in e.message for e in events)


def test_a_connection_deleted_and_created_again_is_followed() -> None:
    state, events = _run(
        [
            conns(T0 + 10, connection(XERO, "Linked", T0 + 5)),
            conns(T0 + 20),
            conns(T0 + 30, connection(QBO, "PendingAuth", T0 + 25)),
        ]
    )
    assert state.connection_id == QBO
    assert any("is gone" in e.message for e in events)
    assert state.phase is Phase.LINKING


def test_several_connections_at_once_follow_the_one_worked_on_now() -> None:
    old = _deauth(XERO, T0 - 1000, key="gbol", name="Xero")
    state, _ = _run(
        [
            conns(
                T0 + 10,
                old,
                connection(QBO, "PendingAuth", T0 + 8, key="qhyg", name="QuickBooks Online"),
            )
        ]
    )
    assert state.connection_id == QBO
    assert state.problem is None  # the dead Xero beside it is not the customer's problem now


# -- input 3: a data type never synced ---------------------------------------------------------


def test_input_3_a_data_type_without_current_status_does_not_hold_the_first_sync_open() -> None:
    statuses = data_statuses_from_json(
        {
            "balanceSheet": {"dataType": "balanceSheet"},
            "profitAndLoss": {"dataType": "profitAndLoss", "currentStatus": None},
            "bills": {
                "dataType": "bills",
                "currentStatus": "Complete",
                "lastSuccessfulSync": "2025-06-15T15:07:00Z",
            },
            "suppliers": {
                "dataType": "suppliers",
                "currentStatus": "Complete",
                "lastSuccessfulSync": "2025-06-15T15:07:00Z",
            },
        }
    )
    state, _ = replay(
        COMPANY,
        T0,
        [conns(T0 + 10, connection(XERO, "Linked", T0 + 5)), DataStatusSeen(T0 + 100, statuses)],
    )
    assert [i.data_type for i in state.sync] == ["bills", "suppliers"]
    assert state.synced and state.phase is Phase.FINISHED
    later, _ = apply(state, DataStatusSeen(T0 + 4000, statuses))
    assert later.problem is None  # never "stalled"


# -- statuses the first sync may end in --------------------------------------------------------


def test_permissions_error_needs_the_customer_and_the_journey_waits_for_a_new_sync() -> None:
    linked = conns(T0 + 10, connection(XERO, "Linked", T0 + 5))
    state, _ = _run(
        [
            linked,
            data_status(
                T0 + 60,
                status("bills", "PermissionsError"),
                status("suppliers", "Complete", last=T0 + 50),
            ),
        ]
    )
    problem = state.problem
    assert problem is not None and problem.key is ProblemKey.SYNC_FAILED
    assert problem.needs == "needs the customer"
    assert "lacks the rights" in problem.message and problem.fix
    assert state.phase is Phase.AWAITING_CUSTOMER
    state, _ = apply(
        state,
        data_status(
            T0 + 900,
            status("bills", "Complete", last=T0 + 890),
            status("suppliers", "Complete", last=T0 + 50),
        ),
    )
    assert state.synced and state.problem is None


def test_not_supported_and_unknown_statuses_settle_and_are_shown_as_sent() -> None:
    state, _ = _run(
        [
            conns(T0 + 10, connection(XERO, "Linked", T0 + 5)),
            data_status(
                T0 + 60,
                status("bills", "Complete", last=T0 + 50),
                status("purchaseOrders", "NotSupported"),
                status("suppliers", "Quarantined"),
            ),
        ]
    )
    assert state.synced
    by_type = {i.data_type: i for i in state.sync}
    assert by_type["purchaseOrders"].status is SyncStatus.DONE
    assert "does not offer" in (by_type["purchaseOrders"].message or "")
    assert by_type["suppliers"].codat_status == "Quarantined"
    assert "“Quarantined”" in (by_type["suppliers"].message or "")


def test_rate_limit_error_waits() -> None:
    state, _ = _run(
        [
            conns(T0 + 10, connection(XERO, "Linked", T0 + 5)),
            data_status(T0 + 60, status("bills", "RateLimitError")),
        ]
    )
    assert state.problem is None and not state.synced
    assert state.sync[0].status is SyncStatus.QUEUED
    assert state.phase is Phase.SYNCING


def test_nulls_the_spec_allows_and_unknown_values_never_crash() -> None:
    from desktop.core.codat.models import Connection, PullOperation
    from desktop.core.journey import ConnectionsSeen, PullOperationsSeen

    odd = Connection.from_json(
        {
            "id": XERO,
            "integrationId": "i",
            "integrationKey": None,
            "sourceId": "s",
            "platformName": None,
            "linkUrl": "https://link.example/x",
            "status": "Suspended",
            "created": None,
            "sourceType": "Accounting",
            "lastSync": None,
            "dataConnectionErrors": None,
            "connectionInfo": None,
        }
    )
    op = PullOperation.from_json(
        {
            "id": "op",
            "companyId": COMPANY,
            "connectionId": XERO,
            "dataType": "bills",
            "status": None,
            "requested": None,
            "progress": None,
            "isCompleted": None,
            "isErrored": None,
            "statusDescription": None,
            "errorMessage": None,
        }
    )
    state, events = _run(
        [
            conns(T0 + 10, connection(XERO, "Linked", T0 + 5)),
            ConnectionsSeen(T0 + 20, (odd,)),
            PullOperationsSeen(T0 + 30, (op,)),
            DataStatusSeen(T0 + 40, data_statuses_from_json({"bills": None, "suppliers": {}})),
        ]
    )
    assert state.connection_status == "Suspended"
    assert any("Suspended" in e.message for e in events)
