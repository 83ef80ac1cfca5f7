"""Live events from the team hub (NATS JetStream), turned into targeted reads for the tracker.

``feed.HubFeed`` reads the events of the followed companies from the stream (nats-py, no Qt);
``link.LiveTracking`` hands each to the ``Tracker`` as an immediate read and tells it whether the
hub is live, so that polling drops to a heartbeat while it is and comes back when it is not.
"""

from desktop.core.live.contract import HEARTBEAT_SUBJECT, STREAM, asks_for, company_subject
from desktop.core.live.credentials import HUB_SECRET_ACCOUNT, HUB_SECRET_SERVICE, connect_options
from desktop.core.live.feed import HubEvent, HubFeed
from desktop.core.live.link import LiveTracking
from desktop.core.live.status import status_text

__all__ = [
    "HEARTBEAT_SUBJECT",
    "HUB_SECRET_ACCOUNT",
    "HUB_SECRET_SERVICE",
    "STREAM",
    "HubEvent",
    "HubFeed",
    "LiveTracking",
    "asks_for",
    "company_subject",
    "connect_options",
    "status_text",
]
