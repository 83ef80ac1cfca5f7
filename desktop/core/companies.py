"""The Companies page's rows: one line per company, with the connection that matters most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from desktop.core.codat.models import Company, Connection, ConnectionStatus, Page
from desktop.core.codat.names import check_company_name

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
    link_url: str  # the one to send (again): see desktop.core.reconnect.plan_link
    customer_sees: str = ""  # for a company with connections: what opening link_url shows


def main_connection(company: Company) -> Connection | None:
    if not company.data_connections:
        return None

    def rank(c: Connection) -> tuple[int, float]:
        created = c.created.timestamp() if c.created else 0.0
        return (_STATUS_ORDER.get(c.status, 9), -created)

    return min(company.data_connections, key=rank)


def company_row(company: Company) -> CompanyRow:
    from desktop.core.reconnect import plan_link

    connection = main_connection(company)
    plan = plan_link(company)
    return CompanyRow(
        id=company.id,
        name=company.name,
        status=connection.status if connection else "No connection",
        platform=connection.platform_name if connection else "",
        created=company.created,
        link_url=plan.link_url,
        customer_sees=plan.customer_sees if plan.reconnection else "",
    )


def _pieces(text: str) -> list[str]:
    """The typed name as Codat would store it, cut at ``&&``: the only operator of Codat's query
    language that a name Codat accepts can contain (``= ! ~ < > | { }`` are not in its names)."""
    name = check_company_name(text.strip()).cleaned
    return [piece.strip() for piece in name.split("&&") if piece.strip()]


def search_query(text: str) -> str | None:
    """Codat's query for companies whose name contains ``text``, every character Codat keeps kept.

    Codat's query language (docs.codat.io/using-the-api/querying) has no quoting: a value runs to
    the next operator, and the whole query is URL-encoded (httpx does that). So a name needs no
    escaping except where it holds ``&&``; there the name is searched as its pieces, all of which
    must be in it (``search_matches`` then keeps only the names that contain the whole text).
    Characters Codat strips from names (accents, brackets, ``=``...) cannot be in a stored name,
    so the query is made from the name as Codat would store it (``check_company_name``).
    """
    pieces = _pieces(text)
    if not pieces:
        return None
    return "&&".join(f"name~{piece}" for piece in pieces)


def search_matches(text: str, company_name: str) -> bool:
    """Whether a company found by ``search_query(text)`` really contains what was typed."""
    wanted = " ".join(check_company_name(text.strip()).cleaned.split()).casefold()
    return wanted in " ".join(company_name.split()).casefold()


class CompanyLister(Protocol):
    async def list_companies(
        self,
        *,
        page: int = 1,
        page_size: int = 100,
        query: str | None = None,
        order_by: str | None = None,
    ) -> Page[Company]: ...


async def find_companies(
    client: CompanyLister, text: str, *, page: int, page_size: int
) -> Page[Company]:
    """A page of companies whose name contains ``text`` (newest first), as the search box shows it."""
    found = await client.list_companies(
        page=page, page_size=page_size, query=search_query(text), order_by="-created"
    )
    cleaned = check_company_name(text.strip()).cleaned
    if len(_pieces(text)) == 1 and "&&" not in cleaned:
        return found  # Codat's own "contains" answered exactly this
    kept = tuple(c for c in found.results if search_matches(text, c.name))
    return Page(kept, found.page_number, found.page_size, found.total_results, found.links)
