"""Calls resume against the API they were made with; when it is not there, they say so and wait.

A second sandbox stands in for Codat (a real API key, a base URL of its own), beside LinkDesk's
embedded sandbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.app.call_assembly import build_call_services
from desktop.app.context import AppContext
from desktop.core.calls.manager import CallManager
from desktop.core.paths import Paths, default_paths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.core.store import CallStore
from desktop.core.tracker import Tracker
from desktop.sandbox.server import SandboxServer

KEY = "codat-stand-in-key"
FAST = {"fast_interval": 0.2, "medium_interval": 0.2, "stagger": 0.0, "first_backoff": 0.2}


async def wait_for(done: Callable[[], bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if done():
            return
        await asyncio.sleep(0.02)
    assert done(), "not done in time"


class Run:
    """One run of LinkDesk's call layer on the data folder."""

    def __init__(self, paths: Paths, **options: object) -> None:
        self.ctx = AppContext(paths, Settings.load(paths), **options)  # type: ignore[arg-type]
        self.store = CallStore(paths.database)
        self.manager: CallManager
        self.tracker: Tracker
        self.manager, self.tracker = build_call_services(self.ctx, self.store, FAST)

    async def close(self) -> None:
        await self.tracker.aclose()
        self.store.close()
        await self.ctx.aclose()


@pytest.mark.asyncio
async def test_a_codat_call_resumed_on_the_embedded_sandbox_waits_and_writes_nothing(
    linkdesk_home: Path,
) -> None:
    paths = default_paths().ensure()
    with SandboxServer(api_key=KEY) as codat:
        settings = Settings.load(paths)
        settings.set("api_base", codat.base_url, profile="default")
        settings.save()
        SecretStore().set("default", KEY)

        first = Run(paths)
        await first.ctx.load_api_key()  # as the app does after its first frame
        assert not first.ctx.uses_sandbox()
        company = await (await first.ctx.codat()).create_company("Harbour Bakery")
        session = first.manager.open_call(company.id, company.name, company.redirect)
        await wait_for(lambda: first.tracker.requests_for(company.id) >= 2)
        await first.close()
        saved = first_saved = [(e.kind, e.summary) for e in CallStore(paths.database).events(1)]
        assert not any(kind in ("stopped", "retry") for kind, _ in saved)

        # LinkDesk started with --sandbox: the call was made against Codat, which is not in use.
        second = Run(paths, force_sandbox=True)
        (resumed,) = second.manager.resume()
        assert resumed.call_id == session.call_id
        reason = resumed.retry_text()
        assert reason is not None and "against Codat" in reason and "resumes" in reason
        assert "waiting" in resumed.summary()
        assert second.tracker.active == ()  # not asked of the embedded sandbox, where it is not
        await second.close()
        saved = [(e.kind, e.summary) for e in CallStore(paths.database).events(1)]
        assert saved == first_saved

        # Against Codat again, with another profile (no key) in use: the call keeps its own.
        third_settings = Settings.load(paths)
        third_settings.add_profile("training")
        third_settings.save()
        third = Run(paths, profile="training")
        await third.ctx.load_keys(["default"])  # as the app does before resuming (a worker)
        assert third.ctx.uses_sandbox()  # new calls would be practice calls
        (resumed,) = third.manager.resume()
        assert resumed.waiting_reason is None
        await wait_for(lambda: third.tracker.requests_for(company.id) >= 2)
        assert resumed.stopped_reason is None and resumed.retry_at is None
        await third.close()
        saved = [(e.kind, e.summary) for e in CallStore(paths.database).events(1)]
        assert not any(kind in ("stopped", "retry") for kind, _ in saved)


@pytest.mark.asyncio
async def test_the_embedded_sandbox_comes_back_with_its_companies_on_the_same_port(
    linkdesk_home: Path,
) -> None:
    paths = default_paths().ensure()
    first = AppContext(paths, Settings.load(paths))
    base = await first.ensure_sandbox()
    company = await (await first.codat()).create_company("Practice bakery")
    await first.aclose()

    second = AppContext(paths, Settings.load(paths))
    assert await second.ensure_sandbox() == base  # Link URLs already sent keep working
    found = await (await second.codat()).get_company(company.id)
    assert found.name == "Practice bakery"
    assert second.sandbox_notice is None
    await second.aclose()


@pytest.mark.expected_logs(r"cannot listen on port \d+ again")
@pytest.mark.asyncio
async def test_a_practice_call_says_so_when_the_sandbox_cannot_come_back_as_it_was(
    linkdesk_home: Path,
) -> None:
    paths = default_paths().ensure()
    first = Run(paths)
    base = await first.ctx.ensure_sandbox()
    company = await (await first.ctx.codat()).create_company("Practice bakery")
    first.manager.open_call(company.id, company.name, company.redirect)
    await wait_for(lambda: first.tracker.requests_for(company.id) >= 2)
    await first.close()
    before = [(e.kind, e.summary) for e in CallStore(paths.database).events(1)]

    port = int(base.rsplit(":", 1)[1])
    with SandboxServer(port=port):  # another program took the port meanwhile
        second = Run(paths)
        assert await second.ctx.ensure_sandbox() != base
        (resumed,) = second.manager.resume()
        reason = resumed.retry_text()
        assert reason is not None and f"port {port}" in reason and "Link URL" in reason
        assert second.tracker.active == ()
        await second.close()
    after = [(e.kind, e.summary) for e in CallStore(paths.database).events(1)]
    assert after == before  # no stream of 404 lines: nothing written at all


@pytest.mark.expected_logs(r"Embedded sandbox state .* unreadable")
@pytest.mark.asyncio
async def test_an_unreadable_sandbox_state_is_kept_aside_and_said_in_plain_words(
    linkdesk_home: Path,
) -> None:
    paths = default_paths().ensure()
    first = AppContext(paths, Settings.load(paths))
    await first.ensure_sandbox()
    await (await first.codat()).create_company("Practice bakery")
    await first.aclose()
    state = paths.data / "sandbox-state.json"
    state.write_text("{not json", encoding="utf-8")

    second = AppContext(paths, Settings.load(paths))
    await second.ensure_sandbox()
    notice = second.sandbox_notice
    assert notice is not None and "could not be read" in notice
    assert (paths.data / "sandbox-state.json.unreadable").read_text() == "{not json"
    await second.aclose()
