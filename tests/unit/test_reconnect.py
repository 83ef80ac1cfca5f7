"""Which Link URL a call for an existing company sends, and what the customer will see."""

from __future__ import annotations

from typing import Any

from desktop.core.codat.models import Company
from desktop.core.companies import company_row
from desktop.core.reconnect import plan_link
from tests.unit.journey_builders import COMPANY, T0, when

XERO = "aaaaaaaa-0000-4000-8000-000000000001"
QBO = "bbbbbbbb-0000-4000-8000-000000000002"


def _conn(cid: str, status: str, created: float, name: str = "Xero") -> dict[str, Any]:
    return {
        "id": cid,
        "integrationId": "i",
        "integrationKey": "gbol",
        "sourceId": "s",
        "platformName": name,
        "linkUrl": f"https://link-api.codat.io/companies/{COMPANY}/connections/{cid}/start",
        "status": status,
        "created": when(created),
        "sourceType": "Accounting",
    }


def _company(*connections: dict[str, Any]) -> Company:
    return Company.from_json(
        {
            "id": COMPANY,
            "name": "O'Brien & Sons, Inc.",
            "redirect": f"https://link.codat.io/company/{COMPANY}",
            "dataConnections": list(connections),
        }
    )


def test_a_new_company_gets_its_link_url_and_chooses_software() -> None:
    plan = plan_link(_company())
    assert plan.link_url.endswith(f"/company/{COMPANY}") and plan.connection_id is None
    assert not plan.reconnection and "chooses theirs" in plan.customer_sees


def test_a_deauthorized_connection_is_reauthorized_through_its_own_link() -> None:
    plan = plan_link(_company(_conn(XERO, "Deauthorized", T0)))
    assert plan.reconnection and plan.connection_id == XERO
    assert plan.link_url.endswith(f"/connections/{XERO}/start")
    assert (
        "sign in and approve again" in plan.customer_sees and "Linked again" in plan.customer_sees
    )


def test_unlinked_and_pending_connections() -> None:
    assert "same connection" in plan_link(_company(_conn(XERO, "Unlinked", T0))).customer_sees
    pending = plan_link(_company(_conn(XERO, "PendingAuth", T0)))
    assert pending.connection_id == XERO and "where they stopped" in pending.customer_sees


def test_choosing_again_beside_a_dead_connection() -> None:
    plan = plan_link(_company(_conn(XERO, "Deauthorized", T0)), choose_again=True)
    assert plan.connection_id is None and plan.reconnection
    assert "beside the Deauthorized Xero one" in plan.customer_sees


def test_the_connection_to_fix_comes_before_a_live_one() -> None:
    company = _company(
        _conn(QBO, "Linked", T0 + 100, "QuickBooks Online"), _conn(XERO, "Deauthorized", T0)
    )
    assert plan_link(company).connection_id == XERO
    row = company_row(company)
    assert row.link_url.endswith(f"/connections/{XERO}/start") and row.customer_sees


def test_a_linked_company_says_there_is_nothing_to_fix() -> None:
    plan = plan_link(_company(_conn(XERO, "Linked", T0)))
    assert "Nothing to fix" in plan.customer_sees
