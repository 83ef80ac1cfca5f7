"""A hub that is up but refuses Codat's webhooks (its signing secret is not the one Codat signs
with) is not trusted as live: the desktop polls at its usual pace and says why, until the hub
accepts webhooks again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from desktop.core.live.status import LIVE, WEBHOOKS_REFUSED
from desktop.core.tracker import TrackerSettings
from desktop.hub.app import HubServer
from desktop.hub.nats_server import NatsServer
from tests.hub.conftest import Chain, build_chain
from tests.hub.live_kit import act, new_company, start_live, wait_until

NOT_CODATS_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
SETTINGS = TrackerSettings(fast_interval=1.0, medium_interval=1.0, hot_window=900.0)


@pytest.fixture
def refusing_chain(nats_server: NatsServer, make_hub: Callable[..., HubServer]) -> Iterator[Chain]:
    built, stop = build_chain(
        nats_server.url, make_hub, hub_options={"secrets": (NOT_CODATS_SECRET,)}
    )
    yield built
    stop()


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"webhook rejected 401 bad_signature")
async def test_a_hub_refusing_webhooks_is_not_live_until_it_accepts_them_again(
    refusing_chain: Chain, make_hub: Callable[..., HubServer]
) -> None:
    chain = refusing_chain
    company_id = await new_company(chain)  # company.created: refused by the hub
    run = start_live(chain, SETTINGS)
    statuses: list[str] = []
    run.live.on_status = statuses.append
    feed = run.live.feed
    try:
        run.tracker.track(company_id)
        run.live.follow(company_id, since=time.time())
        # Subscribed (else the company would not be live, fix or no fix), the hub beating, and
        # still not live: the refusals in its beats told.
        await wait_until(
            lambda: (
                company_id in feed._subscribed
                and feed.last_beat is not None
                and not run.tracker.is_live(company_id)
                and WEBHOOKS_REFUSED in statuses
            )
        )
        assert feed.beating and not feed.live
        assert not run.tracker.is_live(company_id)
        assert statuses[-1] == WEBHOOKS_REFUSED == run.live.status
        # Polling at its usual pace, not the live heartbeat's.
        next_at = run.tracker.next_poll_at(company_id)
        assert next_at is not None and next_at - time.time() <= SETTINGS.fast_interval + 0.1
        polled = run.tracker.requests_for(company_id)
        await wait_until(lambda: run.tracker.requests_for(company_id) > polled + 1)

        # The secret is put right: the hub is started again with Codat's.
        chain.hub.stop()
        make_hub(chain.nats_url, secrets=(chain.secret,), port=chain.hub.port)
        await act(chain, company_id, "open_link")  # a webhook the hub now accepts
        await wait_until(lambda: run.tracker.is_live(company_id))
        assert not feed.webhooks_refused
        assert statuses[-1] == LIVE == run.live.status
        await wait_until(lambda: (run.tracker.next_poll_at(company_id) or 0) - time.time() > 100)
    finally:
        await run.aclose()
