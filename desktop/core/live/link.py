"""Join a ``HubFeed`` to a ``Tracker``: each event becomes a targeted read, fed to the same journey.

The tracker keeps deciding everything (one request in flight per company, the budget, the
journey); the feed only says "read this now" and "the hub is (not) live". A read answers with
Codat's state at that moment, so the journey is the same whatever the order or repetition of
events, or whether a poll saw the change first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop.core.journey import EventKind, JourneyEvent, JourneyState
from desktop.core.live.contract import asks_for
from desktop.core.live.feed import HubEvent, HubFeed
from desktop.core.live.scope import HubScope
from desktop.core.live.silence import MissedChanges
from desktop.core.live.status import status_text
from desktop.core.tracker import Tracker

log = logging.getLogger(__name__)


class LiveTracking:
    def __init__(
        self,
        tracker: Tracker,
        feed: HubFeed,
        *,
        on_mode: Callable[[bool], None] | None = None,
        on_status: Callable[[str], None] | None = None,
        serves: HubScope | None = None,
    ) -> None:
        """``on_mode(live)``: told each time the hub becomes live or stops being live;
        ``on_status(text)``: the status bar's words (``status.status_text``: "Live, team hub",
        "Polling", "Polling (why)" when the hub refuses the credentials or is not trusted, or
        "Team hub up, but Codat's webhooks are being refused (…): polling", or "Live, team hub
        (…)" naming the calls polled as usual since a change of theirs came without its webhook),
        told at each change of any; ``serves(company_id)``: whether the hub receives that
        company's events (``scope.served_by_hub``); ``sync_with_tracker`` follows only those
        (all when None).

        The tracker's ``on_update`` is passed on unchanged; LiveTracking looks at each update
        on the way (``silence.MissedChanges``): a company whose connection status changed with
        no ``connection.*`` event through the hub is no longer followed through it, and is
        polled at the tracker's usual pace until its call ends."""
        self.tracker = tracker
        self.feed = feed
        self.serves = serves
        self.on_mode = on_mode
        self.on_status = on_status
        self.reads_asked = 0
        self._followed: set[str] = set()
        self.missed = MissedChanges()
        self.polled_as_usual: set[str] = set()  # a change of theirs came without its webhook
        self._passed_on = tracker.on_update
        tracker.on_update = self._on_update
        feed.on_event = self._on_event
        feed.on_live = self._on_live
        feed.on_problem = self._on_problem
        feed.on_refused = self._on_problem
        tracker.set_live(feed)

    def follow(self, company_id: str, since: float) -> None:
        """Follow a company's events from ``since`` (when its call began, epoch seconds)."""
        self.feed.follow(company_id, since)
        self._followed.add(company_id)

    @property
    def followed(self) -> frozenset[str]:
        """The companies whose events are read from the hub now."""
        return frozenset(self._followed)

    def unfollow(self, company_id: str) -> None:
        self.feed.unfollow(company_id)
        self._followed.discard(company_id)
        self.missed.forget((company_id,))

    def _poll_as_usual(self, company_id: str) -> None:
        if company_id not in self.tracker.active:
            return
        log.warning(
            "A connection status change of company %s came with no connection.* webhook through "
            "the team hub within %.0f s: it is polled as usual from now on (check the webhook "
            "consumer's event types at Codat)",
            company_id,
            self.missed.grace,
        )
        self.unfollow(company_id)
        self.polled_as_usual.add(company_id)
        self.tracker.live_changed()  # its pace is the tracker's usual one again
        self._tell_status()

    def _on_update(
        self, company_id: str, state: JourneyState, events: tuple[JourneyEvent, ...]
    ) -> None:
        if self._passed_on is not None:
            self._passed_on(company_id, state, events)
        if company_id in self._followed and self.feed.live:
            self.missed.read(
                company_id,
                {e.connection_id for e in events if e.connection_id},
                [
                    (e.connection_id, e.at)
                    for e in events
                    if e.kind is EventKind.CONNECTION and e.connection_id
                ],
            )

    def sync_with_tracker(self) -> None:
        """Follow every company the tracker follows that the hub serves, from when its journey
        began, and stop following those it no longer does (for callers that open and close calls
        on the tracker directly, like the app's call manager). A company the hub does not serve
        (a practice call on the sandbox) is never followed, so the tracker polls it as usual."""
        active = set(self.tracker.active)
        ended = self.polled_as_usual - active
        if ended:
            self.polled_as_usual -= ended
            self._tell_status()
        active -= self.polled_as_usual
        if self.serves is not None:
            active = {company_id for company_id in active if self.serves(company_id)}
        for company_id in active - self._followed:
            state = self.tracker.state(company_id)
            if state is not None:
                try:
                    self.feed.follow(company_id, since=state.started_at)
                except ValueError:  # an id that cannot be a subject: polling covers it
                    continue
                self._followed.add(company_id)
        for company_id in self._followed - active:
            self.unfollow(company_id)
        self.check_missed()

    def check_missed(self) -> None:
        """Put back on the tracker's usual pace each company whose connection status change had
        no ``connection.*`` event within the grace (``silence.MissedChanges``); called every
        second or so (``keep_in_step`` does it)."""
        for company_id in self.missed.due(self.tracker.clock.now()):
            self._poll_as_usual(company_id)

    async def keep_in_step(self, every: float = 1.0) -> None:
        """``sync_with_tracker`` every ``every`` seconds until cancelled; then close the feed."""
        import asyncio

        try:
            while True:
                self.sync_with_tracker()
                await asyncio.sleep(every)
        finally:
            await self.aclose()

    def _on_event(self, event: HubEvent) -> None:
        self.missed.announced(event.company_id, event.event_type, self.tracker.clock.now())
        for ask in asks_for(event.event_type):
            self.reads_asked += 1
            self.tracker.read_now(event.company_id, ask)

    @property
    def live(self) -> bool:
        return self.feed.live

    def _on_live(self, live: bool) -> None:
        self.tracker.live_changed()
        if self.on_mode is not None:
            self.on_mode(live)
        self._tell_status()

    def _on_problem(self, _change: object) -> None:
        self._tell_status()

    @property
    def status(self) -> str:
        return status_text(
            self.feed.live,
            self.feed.problem,
            refused=self.feed.webhooks_refused,
            polled_as_usual=len(self.polled_as_usual),
        )

    def _tell_status(self) -> None:
        if self.on_status is not None:
            feed = self.feed
            text = status_text(
                feed.announced_live,
                feed.problem,
                refused=feed.announced_refused,
                polled_as_usual=len(self.polled_as_usual),
            )
            self.on_status(text)

    async def aclose(self) -> None:
        if self.tracker.on_update == self._on_update:
            self.tracker.on_update = self._passed_on
        self.tracker.set_live(None)
        await self.feed.aclose()
