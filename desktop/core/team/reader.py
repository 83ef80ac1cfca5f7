"""Reading the team's calls from the stream into the team file: only what is new since last time.

An ephemeral pull consumer starts after the position the team file keeps and fetches up to the
stream's last sequence as it was when the read began; each message is checked
(``summary.parse_summary``): a malformed or hostile one is skipped and counted, never stored. The
calls and the new position are written in one transaction, and a call already stored (republished,
or read again) is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import nats.errors
import nats.js.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from desktop.core.team.connection import (
    TeamHubUnreachable,
    TeamStreamMissing,
    close_quietly,
    connect,
)
from desktop.core.team.local_file import TeamFile
from desktop.core.team.subjects import STREAM, STREAM_SUBJECTS, token_of
from desktop.core.team.summary import BadSummary, TeamCall, parse_summary

_log = logging.getLogger("linkdesk.team")
BATCH = 256
T = TypeVar("T")
# While a cluster elects a stream's leader (after a node restarts, or just after the hub made the
# stream), JetStream's API has no one to answer: nats-py raises NoRespondersError, or the server
# says 503. The same 503 answers the first fetch from a consumer just made, until the node the
# reader is connected to has learnt of it (seen in CI on a 3-node cluster). Either lasts a second
# or two, so each step of a read tries again a few times before it says the hub cannot be read.
_ELECTING = (nats.errors.NoRespondersError, nats.js.errors.ServiceUnavailableError)
RETRIES = 4
RETRY_PAUSE = 0.5  # seconds between tries


@dataclass(frozen=True)
class TeamRead:
    """What one read did: messages fetched, calls added, duplicates, messages skipped."""

    fetched: int = 0
    added: int = 0
    duplicates: int = 0
    skipped: int = 0
    position: int = 0  # the last stream sequence read
    stored: int = 0  # team calls in the team file after the read

    def to_json(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "added": self.added,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "position": self.position,
            "stored": self.stored,
        }


async def read_team_calls(
    url: str,
    team_file: Path,
    *,
    options: dict[str, Any] | None = None,
    fetch_timeout: float = 2.0,
) -> TeamRead:
    """Fetch what is new on the stream into ``team_file``.

    ``options``: nats-py connect keywords (``desktop.core.live.connect_options``). Raises
    ``TeamHubUnreachable`` when the hub cannot be reached (the team file is left as it was; its
    ``problem`` says why in the status bar's words), ``TeamStreamMissing`` (one) when the hub has
    not made the stream yet, and
    ``StoreError`` when the team file cannot be written.
    """
    position = await asyncio.to_thread(_in_file, team_file, lambda f: f.position(STREAM))
    nc = await connect(url, options or {})
    try:
        js = nc.jetstream()
        try:
            info = await _while_electing(lambda: js.stream_info(STREAM))
        except nats.js.errors.NotFoundError as exc:  # the hub has not made it yet: said so
            raise TeamStreamMissing() from exc
        except Exception as exc:
            raise TeamHubUnreachable(f"stream {STREAM}: {type(exc).__name__}") from exc
        last = int(info.state.last_seq)
        if position > last:  # the stream was made again: its sequences started over
            position = 0
        calls, skipped, fetched, seen = await _fetch(js, position, last, fetch_timeout)
    finally:
        await close_quietly(nc)
    if skipped:
        reasons = ", ".join(f"{reason} ({n})" for reason, n in skipped.most_common(5))
        _log.warning(
            "skipped %d message(s) of stream %s that are not team call summaries: %s",
            sum(skipped.values()),
            STREAM,
            reasons,
        )

    def write(team: TeamFile) -> TeamRead:
        stored = team.store(STREAM, calls, max(seen, position))
        return TeamRead(
            fetched=fetched,
            added=stored.added,
            duplicates=stored.duplicates,
            skipped=sum(skipped.values()),
            position=team.position(STREAM),
            stored=team.count(),
        )

    result: TeamRead = await asyncio.to_thread(_in_file, team_file, write)
    _log.info(
        "read %d team call message(s): %d new, %d already stored, %d skipped",
        result.fetched,
        result.added,
        result.duplicates,
        result.skipped,
    )
    return result


async def _fetch(
    js: Any, position: int, last: int, timeout: float
) -> tuple[list[tuple[int, TeamCall]], Counter[str], int, int]:
    calls: list[tuple[int, TeamCall]] = []
    skipped: Counter[str] = Counter()
    fetched = seen = 0
    if last <= position:
        return calls, skipped, fetched, seen
    config = ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=position + 1,
        inactive_threshold=60.0,
    )
    try:
        sub = await _while_electing(
            lambda: js.pull_subscribe(STREAM_SUBJECTS, stream=STREAM, config=config)
        )
    except Exception as exc:
        raise TeamHubUnreachable(f"consumer on {STREAM}: {type(exc).__name__}") from exc
    try:
        while seen < last:
            try:
                batch = await _while_electing(lambda: sub.fetch(BATCH, timeout=timeout))
            except (TimeoutError, nats.errors.TimeoutError):
                break  # the rest was deleted by the stream's limits meanwhile
            except Exception as exc:
                raise TeamHubUnreachable(f"fetching from {STREAM}: {type(exc).__name__}") from exc
            for msg in batch:
                seq = int(msg.metadata.sequence.stream)
                seen = max(seen, seq)
                fetched += 1
                try:
                    calls.append((seq, parse_summary(msg.data, token_of(msg.subject))))
                except BadSummary as exc:
                    skipped[exc.reason] += 1
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    return calls, skipped, fetched, seen


async def _while_electing(call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, tried up to ``RETRIES`` times while JetStream has no leader to answer
    (``_ELECTING``), ``RETRY_PAUSE`` s apart; the last try's error is raised."""
    for _ in range(RETRIES - 1):
        try:
            return await call()
        except _ELECTING as exc:
            _log.info("JetStream not answering yet (%s); trying again", type(exc).__name__)
            await asyncio.sleep(RETRY_PAUSE)
    return await call()


def _in_file(path: Path, work: Any) -> Any:
    with TeamFile(path) as team:
        return work(team)
