"""The team's calls end to end: three agents publish finished calls to a real nats-server, the
stream is read back into the team file, and the team report gives exactly the known answers."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import nats
import nats.js.errors
import pytest

from desktop.commands import exits
from desktop.core.stats import StatsFilter, compute_report
from desktop.core.stats.team import TeamStatsService, compute_team_report
from desktop.core.store import CallStore
from desktop.core.team.connection import TeamHubUnreachable
from desktop.core.team.local_file import TeamFile
from desktop.core.team.reader import read_team_calls
from desktop.core.team.subjects import STREAM, agent_token
from desktop.hub.nats_server import NatsServer
from tests.hub.stream_reader import stored_messages
from tests.hub.team_kit import (
    CAT,
    Agent,
    combined_store,
    linkdesk,
    make_agent,
    make_team_stream_now,
    write_settings,
)

UNREACHABLE_LOGS = (r"team hub unreachable",)


@pytest.fixture
def nats_server(nats_server: NatsServer) -> NatsServer:
    """The team's NATS with the team calls' stream made as the team hub makes it."""
    make_team_stream_now(nats_server.url)
    return nats_server


async def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def publish_all(agent: Agent, url: str) -> int:
    publisher = agent.publisher(url)
    try:
        for call_id in agent.finished():
            await publisher.queue(call_id)
        return await publisher.flush()
    finally:
        await publisher.aclose()


def report_json(path: Path, filters: StatsFilter | None = None) -> dict[str, Any]:
    """The team report as its JSON reads (``Report.to_json``'s shape)."""
    with CallStore(path, read_only=True) as store:
        report: dict[str, Any] = json.loads(
            json.dumps(compute_team_report(store, filters).to_json())
        )
    return report


@pytest.mark.asyncio
# On a loaded machine a read of an agent's call database can meet it busy (its team file being
# made beside it); the publisher says so and tries again, which is what this test's report proves.
@pytest.mark.expected_logs(*UNREACHABLE_LOGS, r"team calls not published: .* is busy")
async def test_three_agents_one_team_report(nats_server: NatsServer, tmp_path: Path) -> None:
    ana, ben, cat = (make_agent(tmp_path, name) for name in ("ana", "ben", "cat"))
    assert await publish_all(ana, nats_server.url) == 4  # A, B, C and the practice call E
    assert await publish_all(ben, nats_server.url) == 1
    # Cat's hub is down when the call ends: the summary waits in the outbox, then goes.
    nats_server.stop()
    statuses: list[str] = []
    publisher = cat.publisher(nats_server.url, retry_every=0.2, on_status=statuses.append)
    publisher.start()
    publisher.call_finished(cat.call_ids[0])
    await wait_for(lambda: any("unreachable" in s for s in statuses))
    with TeamFile(cat.team_file) as team:
        assert team.queued() == cat.call_ids
    nats_server.start()
    # The status is said after the batch's connection is closed, a moment after ``published``
    # counts the acknowledgement: wait for what is asserted (an aclose in between cancels it).
    await wait_for(lambda: "Team hub: 1 finished call(s) shared with the team." in statuses)
    await publisher.aclose()
    assert publisher.published == 1
    with TeamFile(cat.team_file) as team:
        assert team.queued() == []

    lead = tmp_path / "lead-team.sqlite3"
    read = await read_team_calls(nats_server.url, lead)
    assert (read.fetched, read.added, read.duplicates, read.skipped) == (6, 6, 0, 0)

    expected_store = combined_store(tmp_path / "expected.sqlite3")
    for filters in (StatsFilter(), StatsFilter(practice=True), StatsFilter(platform="qbo")):
        got = report_json(lead, filters)
        want = json.loads(json.dumps(compute_report(expected_store, filters).to_json()))
        agents = got.pop("agents")
        assert got == want
        for group in agents:
            name = group.pop("agent")
            one = compute_report(expected_store, StatsFilter(**{**_fields(filters), "agent": name}))
            assert group == json.loads(json.dumps(one.all.to_json()))
    expected_store.close()

    got = report_json(lead)
    # The known answers (tests/unit/stats/builders.py and team_kit.py), by hand.
    assert got["all"]["calls"] == 5
    assert got["all"]["linked"] == 2 and got["all"]["synced"] == 2
    assert [f["stoppedHere"] for f in got["all"]["funnel"]] == [0, 0, 2, 1, 0]
    assert got["reconnections"]["calls"] == 1
    assert {p["key"]: p["calls"] for p in got["all"]["problems"]} == {
        "cancelled": 2,
        "connection_error": 1,
        "stalled": 1,
    }
    by_agent = {g["agent"]: g for g in got["agents"]}
    assert sorted(by_agent) == ["Ana", "Ben", CAT]
    assert [by_agent[n]["calls"] for n in ("Ana", "Ben", CAT)] == [3, 1, 1]
    assert by_agent["Ben"]["outcomes"]["unrecorded"] == 1
    assert by_agent[CAT]["stepSeconds"][0]["median"] == 45.0
    practice = report_json(lead, StatsFilter(practice=True))
    assert practice["all"]["calls"] == 6

    # A second read fetches nothing old.
    again = await read_team_calls(nats_server.url, lead)
    assert (again.fetched, again.added, again.stored) == (0, 0, 6)


def _fields(filters: StatsFilter) -> dict[str, object]:
    return {k: getattr(filters, k) for k in ("since", "until", "platform", "practice")}


@pytest.mark.asyncio
async def test_subjects_are_per_agent_and_safe(nats_server: NatsServer, tmp_path: Path) -> None:
    cat = make_agent(tmp_path, "cat")
    await publish_all(cat, nats_server.url)
    (msg,) = await stored_messages(nats_server.url, "linkdesk.calls.>", STREAM)
    assert msg.subject == f"linkdesk.calls.{agent_token(CAT)}"
    assert msg.subject.count(".") == 2 and not set(" *>") & set(msg.subject)
    assert json.loads(msg.data)["agent"] == CAT
    assert agent_token("Ana") == "Ana" and agent_token("a.b") != agent_token("a~2Eb")


@pytest.mark.asyncio
async def test_a_republished_call_is_stored_once(nats_server: NatsServer, tmp_path: Path) -> None:
    ben = make_agent(tmp_path, "ben")
    await publish_all(ben, nats_server.url)
    await publish_all(ben, nats_server.url)  # same Nats-Msg-Id: JetStream keeps one
    (first,) = await stored_messages(nats_server.url, "linkdesk.calls.>", STREAM)
    # Past JetStream's duplicate window the same call could be stored twice: the reader keeps one.
    nc = await nats.connect(nats_server.url)
    await nc.jetstream().publish(first.subject, first.data, headers={"Nats-Msg-Id": "other-id"})
    await nc.close()
    assert len(await stored_messages(nats_server.url, "linkdesk.calls.>", STREAM)) == 2
    lead = tmp_path / "lead.sqlite3"
    read = await read_team_calls(nats_server.url, lead)
    assert (read.fetched, read.added, read.duplicates, read.stored) == (2, 1, 1, 1)
    assert report_json(lead)["all"]["calls"] == 1


HOSTILE = {
    "not JSON": b"{'callId': nope",
    "another version": b'{"version": 2, "callId": "x"}',
    "a list": b"[1, 2, 3]",
    "deep nesting": b"[" * 5_000 + b"]" * 5_000,
    "larger than a summary": b" " * 40_000 + b"{}",
    "a huge name": None,  # made below from a real summary
    "the subject of another agent": None,
}


@pytest.mark.asyncio
@pytest.mark.expected_logs(r"skipped 7 message\(s\) of stream LINKDESK_CALLS")
async def test_hostile_messages_are_skipped_and_counted(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    ben = make_agent(tmp_path, "ben")
    await publish_all(ben, nats_server.url)
    (good,) = await stored_messages(nats_server.url, "linkdesk.calls.>", STREAM)
    huge = json.loads(good.data)
    huge["platformName"] = "X" * 10_000
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    bodies = [b for b in HOSTILE.values() if b is not None]
    for body in bodies:
        await js.publish("linkdesk.calls.Ben", body)
    await js.publish("linkdesk.calls.Ben", json.dumps(huge).encode())
    await js.publish("linkdesk.calls.Ana", good.data)  # Ben's call under Ana's subject
    with pytest.raises(nats.js.errors.BadRequestError):  # the stream's own limit: 64 KiB
        await js.publish("linkdesk.calls.Ben", b" " * 70_000)
    await nc.close()
    lead = tmp_path / "lead.sqlite3"
    read = await read_team_calls(nats_server.url, lead)
    assert (read.fetched, read.added, read.skipped) == (8, 1, 7)
    assert report_json(lead)["all"]["calls"] == 1


@pytest.mark.asyncio
@pytest.mark.expected_logs(*UNREACHABLE_LOGS)
async def test_the_team_view_shows_the_old_copy_when_the_hub_is_down(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    ben = make_agent(tmp_path, "ben")
    await publish_all(ben, nats_server.url)
    lead = tmp_path / "lead.sqlite3"

    async def sync() -> str:
        read = await read_team_calls(nats_server.url, lead)
        return f"{read.added} new"

    service = TeamStatsService(lead, sync, min_interval=0.0)
    assert (await service.report(StatsFilter())).all.calls == 1
    assert service.notice == "1 new"
    nats_server.stop()
    report = await service.report(StatsFilter())
    assert report.all.calls == 1 and [g.agent for g in report.agents] == ["Ben"]
    assert service.notice == "The team hub is not reachable; showing the team calls read before."


NOTES = "NOTES-Customer-said-password-is-hunter2-7731"
COMPANY = "Zanzibar Widgets PLC 5521"
COMPANY_ID = "6f1c8a9e-0d5b-4c8e-9f5e-2a7b1c3d4e5f"
OWN_WORDS = "private escalation words 9911"
LINK = "https://link.codat.io/company/6f1c8a9e-link-secret-3344"
TICK = "checklist-item-admin-rights-8812"
API_KEY = "api-key-k3y-0f-the-agent-4455"


def private_call(agent: Agent) -> int:
    with CallStore(agent.paths.database) as store:
        call = store.open_call(
            company_id=COMPANY_ID,
            company_name=COMPANY,
            profile="default",
            platform_key="xero",
            platform_name="Xero",
            link_url=LINK,
            agent="Ana",
            opened_at=50_000,
        )
        store.add_event(call.id, 50_010, "step", "Step 1 done.", step=1, status="done")
        store.add_event(call.id, 50_020, "agent.note", f"Pasted {API_KEY} by mistake.")
        store.set_tick(call.id, TICK, True, label=TICK, at=50_030)
        store.save_notes(call.id, NOTES, at=50_040)
        store.close_call(call.id, f"Escalated to Codat: {OWN_WORDS}", at=50_100)
    return call.id


@pytest.mark.asyncio
@pytest.mark.parametrize("share_names", [False, True])
async def test_notes_names_and_keys_never_leave_the_desktop(
    nats_server: NatsServer, tmp_path: Path, share_names: bool
) -> None:
    ana = make_agent(tmp_path, "ben")  # any agent's database
    call_id = private_call(ana)
    publisher = ana.publisher(nats_server.url, share_company_names=lambda: share_names)
    await publisher.queue(call_id)
    assert await publisher.flush() == 1
    await publisher.aclose()
    (msg,) = await stored_messages(nats_server.url, "linkdesk.calls.>", STREAM)
    published = msg.subject.encode() + msg.data + repr(msg.headers).encode()
    for secret in (NOTES, OWN_WORDS, LINK, TICK, API_KEY, COMPANY_ID, "hunter2", "6f1c8a9e"):
        assert secret.encode() not in published
    assert (COMPANY.encode() in published) is share_names
    summary = json.loads(msg.data)
    assert summary["outcome"] == "escalated" and summary["agent"] == "Ana"
    assert set(summary) <= {
        "version", "callId", "agent", "platformKey", "platformName", "reconnection", "practice",
        "startedAt", "endedAt", "durationSeconds", "outcome", "furthestStep", "steps", "problems",
        "companyName",
    }  # fmt: skip


@pytest.mark.asyncio
async def test_calls_stats_team_json_gives_the_known_answers(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    for name in ("ana", "ben", "cat"):
        await publish_all(make_agent(tmp_path, name), nats_server.url)
    lead = tmp_path / "lead"
    write_settings(lead, hub_url=nats_server.url, agent_name="Lee")
    out = await asyncio.to_thread(linkdesk, "calls", "stats", "--team", "--json", home=lead)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)
    with combined_store(tmp_path / "expected.sqlite3") as expected:
        want = json.loads(json.dumps(compute_report(expected).to_json()))
    agents = printed.pop("agents")
    assert printed == want
    assert [(a["agent"], a["calls"], a["linked"]) for a in agents] == [
        ("Ana", 3, 1),
        ("Ben", 1, 1),
        (CAT, 1, 0),
    ]
    # The text form has the per-agent table too; a second run reads nothing new, same answer.
    out = await asyncio.to_thread(linkdesk, "calls", "stats", "--team", home=lead)
    assert out.returncode == 0, out.stderr
    ben = next(line for line in out.stdout.splitlines() if line.startswith("Ben "))
    assert ben.split() == ["Ben", "1", "100%", "100%", "-"]
    # The hub down: the copy read before, and a plain word on stderr.
    nats_server.stop()
    out = await asyncio.to_thread(linkdesk, "calls", "stats", "--team", "--json", home=lead)
    assert out.returncode == 0, out.stderr
    assert out.stderr == (
        "linkdesk calls: The team hub is not reachable; reporting the team calls read before.\n"
    )
    assert json.loads(out.stdout)["all"] == want["all"]


def test_calls_stats_team_without_a_hub_says_so(tmp_path: Path) -> None:
    home = tmp_path / "alone"
    write_settings(home, agent_name="Lee")
    out = linkdesk("calls", "stats", "--team", "--json", home=home)
    assert out.returncode == exits.NO_TEAM_HUB == 12
    assert out.stdout == ""
    assert "No team hub is configured" in out.stderr and "Settings → Team hub" in out.stderr
    helped = linkdesk("calls", "--help", home=home)
    assert "12  --team: no team hub is configured" in helped.stdout


@pytest.mark.asyncio
@pytest.mark.expected_logs(*UNREACHABLE_LOGS)
async def test_a_call_queued_before_a_restart_is_published_after_it(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    ben = make_agent(tmp_path, "ben")
    nats_server.stop()
    before = ben.publisher(nats_server.url)
    await before.queue(ben.call_ids[0])
    with pytest.raises(TeamHubUnreachable):
        await before.flush()
    await before.aclose()  # LinkDesk quits with the call still queued
    nats_server.start()
    after = ben.publisher(nats_server.url, retry_every=0.2)
    after.start()  # the next start: what the file holds goes first
    await wait_for(lambda: after.published == 1)
    await after.aclose()
    (msg,) = await stored_messages(nats_server.url, "linkdesk.calls.>", STREAM)
    assert json.loads(msg.data)["agent"] == "Ben"
