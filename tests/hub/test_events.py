"""Where each Codat event goes in the stream, and that the desktop reads where the hub writes."""

from __future__ import annotations

import pytest

from desktop.core import live
from desktop.core.tracker import Ask
from desktop.hub import events
from desktop.sandbox.webhooks import SENT_EVENT_TYPES
from tests.hub.conftest import connection_event

COMPANY = "0498e921-9b53-4396-a412-4f2f5983b0a2"


def test_the_desktop_and_the_hub_agree_on_stream_and_subjects() -> None:
    assert live.HEARTBEAT_SUBJECT == events.HEARTBEAT_SUBJECT
    assert live.company_subject(COMPANY) == events.company_subject(COMPANY)
    assert events.route(connection_event(COMPANY)).subject.startswith(
        live.company_subject(COMPANY)[:-1]
    )


def test_the_hub_registers_for_every_type_the_sandbox_sends() -> None:
    # The sandbox (what Codat sends) and the hub (what it asks Codat for) keep their own lists:
    # neither imports the other. A type the sandbox sends that the hub does not ask for would
    # never reach the hub in a rehearsal.
    assert set(SENT_EVENT_TYPES) <= set(events.REGISTERED_EVENT_TYPES)
    assert set(events.REGISTERED_EVENT_TYPES) <= events.KNOWN_EVENT_TYPES


@pytest.mark.parametrize(
    ("event", "subject"),
    [
        (
            connection_event(COMPANY, "connection.connected"),
            f"codat.{COMPANY}.connection.connected",
        ),
        (
            {
                "eventType": "read.completed.initial",
                "payload": {"referenceCompany": {"id": COMPANY}},
            },
            f"codat.{COMPANY}.read.completed.initial",
        ),
        (
            {"eventType": "company.created", "payload": {"id": COMPANY}},
            f"codat.{COMPANY}.company.created",
        ),
        (
            {"eventType": "client.rateLimit.reached", "payload": {}},
            "codat._client.client.rateLimit.reached",
        ),
        (
            {"eventType": "invoices.write.successful", "payload": {"companyId": COMPANY}},
            f"codat.{COMPANY}.invoices.write.successful",
        ),
        (connection_event(COMPANY, "connection.teleported"), f"codat.{COMPANY}.unknown"),
        ({"payload": {"referenceCompany": {"id": COMPANY}}}, f"codat.{COMPANY}.unknown"),
        (
            {"eventType": "connection.created", "payload": {"referenceCompany": {"id": "a.b.>"}}},
            "codat._unknown.connection.created",
        ),
        (
            {"eventType": "connection.created", "payload": "nonsense"},
            "codat._unknown.connection.created",
        ),
    ],
)
def test_route(event: dict[str, object], subject: str) -> None:
    assert events.route(event).subject == subject


def test_each_event_asks_for_the_read_that_shows_it() -> None:
    assert live.asks_for("connection.failed") == (Ask.CONNECTIONS,)
    assert live.asks_for("read.completed") == (Ask.DATA_STATUS,)
    assert live.asks_for("company.deleted") == (Ask.COMPANY,)
    assert live.asks_for("unknown") == (Ask.COMPANY,)
    assert live.asks_for("client.rateLimit.reset") == ()


def test_a_company_id_that_cannot_be_a_subject_token_is_refused() -> None:
    with pytest.raises(ValueError):
        live.company_subject("a.b")
