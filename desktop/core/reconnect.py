"""Starting a call for a company that already has connections: which Link URL to send again, and
what the customer will see when they open it.

Facts (docs.codat.io): a connection's ``linkUrl`` takes the customer straight to that platform's
authorization; Codat advises sending it to finish a ``PendingAuth`` connection
(auth-flow/authorize-hosted-link, "Manage existing users with pending connections") and to
re-authorize after an ``AuthError`` (core-concepts/status); a ``Deauthorized`` or ``Unlinked``
connection becomes ``Linked`` again on the same connection (``connection.reconnected``). The
company's ``redirect`` opens Link at the software list, where choosing again makes a new connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.codat.models import Company, Connection, ConnectionStatus

# The connection a reconnection call is about: one the customer can act on, newest first.
_PRIORITY = {
    ConnectionStatus.DEAUTHORIZED.value: 0,
    ConnectionStatus.UNLINKED.value: 0,
    ConnectionStatus.PENDING_AUTH.value: 1,
    ConnectionStatus.LINKED.value: 2,
}


@dataclass(frozen=True)
class LinkPlan:
    link_url: str
    connection_id: str | None  # None: the company's Link URL (choose software)
    connection_status: str | None
    platform_name: str | None
    customer_sees: str  # plain words for the agent
    reconnection: bool  # the company already had connections

    def to_json(self) -> dict[str, object]:
        return {
            "linkUrl": self.link_url,
            "connectionId": self.connection_id,
            "connectionStatus": self.connection_status,
            "platformName": self.platform_name,
            "customerSees": self.customer_sees,
            "reconnection": self.reconnection,
        }


def _created(conn: Connection) -> float:
    return conn.created.timestamp() if conn.created else 0.0


def connection_to_fix(company: Company) -> Connection | None:
    """The connection the customer would act on: lost access first, then pending, then linked."""
    if not company.data_connections:
        return None
    return min(company.data_connections, key=lambda c: (_PRIORITY.get(c.status, 3), -_created(c)))


def plan_link(company: Company, *, choose_again: bool = False) -> LinkPlan:
    """Which Link URL to send for ``company`` (``Company`` with its ``dataConnections``)."""
    conn = connection_to_fix(company)
    had = conn is not None
    if conn is None or choose_again or not conn.link_url:
        beside = (
            f" A new connection is made beside the {conn.status} {conn.platform_name} one."
            if conn is not None
            else ""
        )
        return LinkPlan(
            link_url=company.redirect,
            connection_id=None,
            connection_status=None,
            platform_name=None,
            customer_sees=(
                "The customer opens Link at the list of accounting software and chooses theirs, "
                f"then signs in and approves.{beside}"
            ),
            reconnection=had,
        )
    name = conn.platform_name or "their software"
    if conn.status in (ConnectionStatus.DEAUTHORIZED, ConnectionStatus.UNLINKED):
        sees = (
            f"The customer goes straight to {name} to sign in and approve again: the same "
            f"connection ({conn.status} now) becomes Linked again and Codat syncs once more. "
            "To choose other software instead, send the company's Link URL."
        )
    elif conn.status == ConnectionStatus.PENDING_AUTH:
        sees = (
            f"The customer picks up where they stopped: straight to {name}'s sign-in and approval "
            "for the connection they started."
        )
    elif conn.status == ConnectionStatus.LINKED:
        sees = (
            f"Nothing to fix: the {name} connection is Linked. Opening this link shows the "
            f"customer {name} again; send the company's Link URL only to connect other software."
        )
    else:
        sees = (
            f"The connection to {name} is {conn.status or 'in an unknown state'} (as Codat sent "
            "it); this link takes the customer to its sign-in."
        )
    return LinkPlan(
        link_url=conn.link_url,
        connection_id=conn.id,
        connection_status=conn.status,
        platform_name=conn.platform_name or None,
        customer_sees=sees,
        reconnection=True,
    )
