"""Changes the hub never announced: a connection's status seen to change by a read while no
``connection.*`` event of that company came through the hub.

The hub is "live" when it beats and accepts Codat's webhooks, which says nothing about a webhook
that never arrives: a webhook consumer at Codat without the ``connection.*`` event types, a
delivery Codat gave up on, a consumer pointed elsewhere. While the hub covers a company its calls
are polled only at the heartbeat's slow pace, so such a silence would make a call late by minutes
with nothing said. The tracker keeps reading at that pace, and a status change it sees is checked
here against the hub's events: when none came within ``grace`` seconds of the change, before or
after, the change is *missed*, and the caller stops relying on the hub for that company.

Codat sends a ``connection.*`` event for each connection status change (``connection.created``,
``connection.connected``, ``connection.disconnected``; Codat's docs, "Event types"), so a status
change is the one change a read can see that the hub must also have announced. The first sight
of a connection is never counted: a call opened on an existing connection reads a status that
changed long ago.
"""

from __future__ import annotations

from collections.abc import Iterable

GRACE = 120.0  # seconds; Codat delivers within seconds, and retries a failed delivery for longer


class MissedChanges:
    """Per company: the last ``connection.*`` event's time, and status changes waiting for one.

    Times are epoch seconds on one clock (the caller's wall clock). Not thread-safe: one loop.
    """

    def __init__(self, grace: float = GRACE) -> None:
        self.grace = grace
        self._announced: dict[str, float] = {}  # company -> last connection.* event seen at
        self._known: dict[str, set[str]] = {}  # company -> connection ids already read once
        self._waiting: dict[str, float] = {}  # company -> when its unannounced change was seen

    def announced(self, company_id: str, event_type: str, at: float) -> None:
        """A hub event for the company arrived at ``at``; a ``connection.*`` one covers any
        status change seen within ``grace`` of it (one waiting is announced late)."""
        if event_type.startswith("connection."):
            self._announced[company_id] = at
            waiting = self._waiting.get(company_id)
            if waiting is not None and abs(at - waiting) <= self.grace:
                del self._waiting[company_id]

    def read(
        self, company_id: str, connections: Iterable[str], changed: Iterable[tuple[str, float]]
    ) -> None:
        """What one read of the company showed: the ``connections`` its events name, and each
        status change as ``(connection_id, seen at)``. A change of a connection first named in
        this read is not counted (see the module's docstring)."""
        known = self._known.setdefault(company_id, set())
        last = self._announced.get(company_id)
        for connection_id, at in changed:
            if connection_id not in known:  # first named now: it may have changed long ago
                continue
            if last is not None and abs(at - last) <= self.grace:
                continue  # announced (the read was most likely the event's own)
            self._waiting.setdefault(company_id, at)
        known.update(connections)

    def due(self, now: float) -> list[str]:
        """The companies whose change had no ``connection.*`` event within ``grace`` seconds;
        each is reported once (until a new change waits again)."""
        missed = [c for c, at in self._waiting.items() if now - at > self.grace]
        for company_id in missed:
            del self._waiting[company_id]
        return missed

    def forget(self, companies: Iterable[str]) -> None:
        """Drop what is known of companies no longer followed."""
        for company_id in companies:
            self._announced.pop(company_id, None)
            self._known.pop(company_id, None)
            self._waiting.pop(company_id, None)
