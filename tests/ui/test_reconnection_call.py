"""A call for a company that already has connections: the Link URL to send again, and what the
customer will see, on the call page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop.core.codat.models import Company
from tests.ui.call_workspace_kit import make_kit

COMPANY = "c0ffee00-0000-4000-8000-0000000000aa"
XERO = "aaaaaaaa-0000-4000-8000-000000000001"


def test_a_reconnection_call_shows_the_connection_link_and_what_the_customer_sees(
    qtbot: Any, tmp_path: Path
) -> None:
    kit = make_kit(qtbot, tmp_path)
    link = f"http://127.0.0.1:9/link/companies/{COMPANY}/connections/{XERO}/start"
    company = Company.from_json(
        {
            "id": COMPANY,
            "name": "Lost Access Ltd",
            "redirect": f"http://127.0.0.1:9/link/company/{COMPANY}",
            "dataConnections": [
                {
                    "id": XERO,
                    "integrationId": "i",
                    "sourceId": "s",
                    "platformName": "Xero",
                    "linkUrl": link,
                    "status": "Deauthorized",
                    "created": "2026-01-01T00:00:00Z",
                    "sourceType": "Accounting",
                }
            ],
        }
    )
    kit.workspace.start_call(company)
    session = kit.manager.by_company(COMPANY)
    assert session is not None and session.link_url == link
    view = kit.workspace.views[session.call_id]
    assert view.link.url_edit.text() == link
    assert not view.link.customer_sees.isHidden()
    assert "sign in and approve again" in view.link.customer_sees.text()
    # Opening it again shows the same call rather than a second one.
    kit.workspace.start_call(company)
    assert len(kit.manager.sessions) == 1
