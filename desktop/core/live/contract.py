"""What the desktop and the hub agree on (the hub's side: desktop/hub/events.py; a test checks
that both say the same), and which read each Codat event calls for.

Codat's event types: Codat's spec (``webhooks:``) and docs (``using-the-api/webhooks/event-types``).
"""

from __future__ import annotations

import re

from desktop.core.tracker import Ask

STREAM = "CODAT"
HEARTBEAT_SUBJECT = "codat-hub.heartbeat"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def company_subject(company_id: str) -> str:
    """``codat.<companyId>.>``: every event of one company. Raises ValueError for an id that
    cannot be a subject token (Codat's company ids are UUIDs)."""
    if not _TOKEN.match(company_id):
        raise ValueError(f"not a usable company id: {company_id!r}")
    return f"codat.{company_id}.>"


def event_type_of(subject: str, company_id: str) -> str:
    """``codat.<companyId>.connection.created`` -> ``connection.created``."""
    return subject.removeprefix(f"codat.{company_id}.")


def asks_for(event_type: str) -> tuple[Ask, ...]:
    """The targeted read that shows what the event announces.

    ``connection.*``: the connections (status, dataConnectionErrors); ``read.completed*``: the
    data status per data type; ``company.*`` and any type not known yet: the company, which
    includes its connections. ``client.rateLimit.*`` concern no company: nothing to read.
    """
    if event_type.startswith("connection."):
        return (Ask.CONNECTIONS,)
    if event_type.startswith("read.completed"):
        return (Ask.DATA_STATUS,)
    if event_type.startswith("client."):
        return ()
    return (Ask.COMPANY,)
