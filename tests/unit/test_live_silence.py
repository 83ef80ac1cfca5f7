"""desktop.core.live.silence: a connection status change the hub never announced."""

from __future__ import annotations

from desktop.core.live.silence import MissedChanges

CO = "8a210b68-6988-11ed-a1eb-0242ac120002"


def test_a_change_with_no_connection_event_is_missed_once_the_grace_has_passed() -> None:
    missed = MissedChanges(grace=120.0)
    missed.read(CO, {"conn-1"}, [])  # first named: PendingAuth, say
    missed.read(CO, {"conn-1"}, [("conn-1", 1000.0)])  # now Linked, seen by a poll
    assert missed.due(1100.0) == []  # the webhook may still come
    assert missed.due(1121.0) == [CO]
    assert missed.due(1500.0) == []  # reported once


def test_a_change_announced_before_or_after_its_read_is_not_missed() -> None:
    missed = MissedChanges(grace=120.0)
    missed.read(CO, {"conn-1"}, [])
    missed.announced(CO, "connection.connected", 995.0)  # the event, then its read
    missed.read(CO, {"conn-1"}, [("conn-1", 1000.0)])
    assert missed.due(2000.0) == []

    other = MissedChanges(grace=120.0)
    other.read(CO, {"conn-1"}, [])
    other.read(CO, {"conn-1"}, [("conn-1", 1000.0)])  # a poll saw it first
    other.announced(CO, "connection.connected", 1030.0)  # the webhook came 30 s later
    assert other.due(2000.0) == []


def test_only_connection_events_announce_a_status_change() -> None:
    missed = MissedChanges(grace=120.0)
    missed.read(CO, {"conn-1"}, [])
    missed.announced(CO, "read.completed", 999.0)
    missed.announced(CO, "company.created", 999.0)
    missed.read(CO, {"conn-1"}, [("conn-1", 1000.0)])
    assert missed.due(1200.0) == [CO]


def test_a_connection_first_named_with_its_change_is_not_counted() -> None:
    # A call resumed after a restart: the first read shows a status that changed long ago.
    missed = MissedChanges(grace=120.0)
    missed.read(CO, {"conn-2"}, [("conn-2", 1000.0)])
    assert missed.due(2000.0) == []
    missed.read(CO, {"conn-2"}, [("conn-2", 3000.0)])  # a later change of it counts
    assert missed.due(3200.0) == [CO]


def test_a_company_forgotten_is_never_reported() -> None:
    missed = MissedChanges(grace=120.0)
    missed.read(CO, {"conn-1"}, [])
    missed.read(CO, {"conn-1"}, [("conn-1", 1000.0)])
    missed.forget([CO])
    assert missed.due(2000.0) == []


def test_an_event_long_after_the_change_does_not_cancel_the_miss() -> None:
    missed = MissedChanges(grace=120.0)
    missed.read(CO, {"conn-1"}, [])
    missed.read(CO, {"conn-1"}, [("conn-1", 1000.0)])
    missed.announced(CO, "connection.disconnected", 1900.0)  # another change's event, later
    assert missed.due(2000.0) == [CO]
