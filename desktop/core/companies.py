"""The Companies page's rows: one line per company, with the connection that matters most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.core.codat.models import Company, Connection, ConnectionStatus

# When a company has several connections, the row shows the most telling one: a live one first.
_STATUS_ORDER = {
    ConnectionStatus.LINKED.value: 0,
    ConnectionStatus.PENDING_AUTH.value: 1,
    ConnectionStatus.DEAUTHORIZED.value: 2,
    ConnectionStatus.UNLINKED.value: 3,
}


@dataclass(frozen=True)
class CompanyRow:
    id: str
    name: str
    status: str  # "No connection", or the chosen connection's Codat status
    platform: str
    created: datetime | None
    link_url: str


def main_connection(company: Company) -> Connection | None:
    if not company.data_connections:
        return None

    def rank(c: Connection) -> tuple[int, float]:
        created = c.created.timestamp() if c.created else 0.0
        return (_STATUS_ORDER.get(c.status, 9), -created)

    return min(company.data_connections, key=rank)


def company_row(company: Company) -> CompanyRow:
    connection = main_connection(company)
    return CompanyRow(
        id=company.id,
        name=company.name,
        status=connection.status if connection else "No connection",
        platform=connection.platform_name if connection else "",
        created=company.created,
        link_url=company.redirect,
    )


def search_query(text: str) -> str | None:
    """Codat's query for a name search; quotes and operators in the text cannot break it."""
    cleaned = "".join(ch for ch in text.strip() if ch not in "{}&|=~!<>\"'")
    return f"name~{cleaned}" if cleaned else None
