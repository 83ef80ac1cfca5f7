"""All of the sandbox's mutable state behind one lock, with the journal and optional persistence.

Nothing runs in the background: scheduled autopilot steps and sync transitions are applied when the
state is next looked at (``view()``), each stamped with the time it was due, not the time it was seen.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop.sandbox import journey
from desktop.sandbox import model as m
from desktop.sandbox.platforms import BY_KEY
from desktop.sandbox.scenarios import parse_scenario
from desktop.sandbox.sync import latest_run, run_end

Clock = Callable[[], float]

# Codat's rule for company names; anything else is dropped silently (Codat's documented behaviour).
_NAME_FORBIDDEN = re.compile(r"[^A-Za-z0-9\s\-',&@.,?!]")

STATE_VERSION = 1


class NotFound(Exception):
    pass


def clean_company_name(name: str) -> str:
    return _NAME_FORBIDDEN.sub("", name).strip()


class SandboxState:
    def __init__(
        self,
        *,
        clock: Clock,
        speed: float = 1.0,
        scenario: str | None = None,
        state_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.clock = clock
        self.speed = float(speed)
        self.default_scenario = scenario
        if scenario is not None:
            parse_scenario(scenario)  # fail at start-up, not on the first company
        self.state_file = Path(state_file) if state_file is not None else None
        self._lock = threading.RLock()
        self.companies: dict[str, m.Company] = {}
        self.events: list[dict[str, Any]] = []
        self.seq = 0
        self._dirty = False
        if self.state_file is not None and self.state_file.exists():
            self._load(self.state_file)

    # -- reading ---------------------------------------------------------------------------

    @contextmanager
    def view(self) -> Iterator[float]:
        """Hold the lock, bring scheduled work up to now, and give that ``now`` to the reader."""
        with self._lock:
            now = self.clock()
            self._advance(now)
            try:
                yield now
            finally:
                self._save_if_dirty()

    def company(self, company_id: str) -> m.Company:
        company = self.companies.get(company_id)
        if company is None:
            raise NotFound(company_id)
        return company

    def connection(self, company_id: str, connection_id: str) -> m.Connection:
        conn = self.company(company_id).connection(connection_id)
        if conn is None:
            raise NotFound(connection_id)
        return conn

    def linked_company_count(self) -> int:
        with self._lock:
            return sum(
                1
                for c in self.companies.values()
                if any(x.status == m.LINKED for x in c.connections)
            )

    def events_since(self, since: int) -> dict[str, Any]:
        with self.view():
            return {"events": [e for e in self.events if e["seq"] > since], "last": self.seq}

    # -- the journal -------------------------------------------------------------------------

    def emit(
        self,
        kind: str,
        company: m.Company,
        connection_id: str | None,
        detail: dict[str, Any],
        at: float,
    ) -> None:
        self.seq += 1
        self.events.append(
            {
                "seq": self.seq,
                "time": m.iso(at),
                "epoch": at,
                "companyId": company.id,
                "connectionId": connection_id,
                "kind": kind,
                "detail": detail,
            }
        )
        self._dirty = True

    # -- Codat API operations --------------------------------------------------------------

    def create_company(
        self, name: str, description: str | None, tags: dict[str, str] | None
    ) -> m.Company:
        with self.view() as now:
            company = m.Company(
                id=str(uuid.uuid4()),
                name=name,
                description=description,
                tags=dict(tags or {}),
                created=now,
                modified=now,
            )
            self.companies[company.id] = company
            self.emit("company_created", company, None, {"name": name}, now)
            if self.default_scenario is not None:
                self._start_autopilot(company, self.default_scenario, now)
            return company

    def delete_company(self, company_id: str) -> None:
        with self.view() as now:
            company = self.company(company_id)
            del self.companies[company_id]
            self.emit("company_deleted", company, None, {}, now)

    def create_connection(self, company_id: str, platform_key: str) -> m.Connection:
        with self.view() as now:
            company = self.company(company_id)
            conn = journey.add_connection(company, platform_key, now)
            company.modified = now
            if company.current_connection_id is None:
                company.current_connection_id = conn.id
            detail = {"platformKey": platform_key, "status": m.PENDING, "by": "api"}
            self.emit("connection_created", company, conn.id, detail, now)
            return conn

    def unlink_connection(self, company_id: str, connection_id: str) -> m.Connection:
        with self.view() as now:
            company = self.company(company_id)
            conn = self.connection(company_id, connection_id)
            journey.unlink(self, company, conn, now)
            company.modified = now
            return conn

    def delete_connection(self, company_id: str, connection_id: str) -> None:
        with self.view() as now:
            company = self.company(company_id)
            conn = self.connection(company_id, connection_id)
            company.connections.remove(conn)
            company.pulls = [p for p in company.pulls if p.connection_id != conn.id]
            company.modified = now
            if company.current_connection_id == conn.id:
                company.current_connection_id = None
                company.stage = m.STAGE_CREATED
            self.emit("connection_deleted", company, conn.id, {}, now)

    def refresh_all(self, company_id: str) -> None:
        """Queue a new pull of every data type on each Linked connection."""
        with self.view() as now:
            company = self.company(company_id)
            for conn in company.connections:
                if conn.status != m.LINKED:
                    continue
                journey.start_sync(self, company, conn.id, now, by="api")

    # -- the customer ----------------------------------------------------------------------

    def act(self, company_id: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.view() as now:
            company = self.company(company_id)
            journey.apply(self, company, action, params, now)
            self._advance(now)  # e.g. complete_sync's transitions are due at once
            return self.summary(company, now)

    def start_scenario(self, company_id: str, spec: str) -> dict[str, Any]:
        with self.view() as now:
            company = self.company(company_id)
            self._start_autopilot(company, spec, now)
            return self.summary(company, now)

    def summary(self, company: m.Company, now: float) -> dict[str, Any]:
        conn = company.current
        return {
            "companyId": company.id,
            "connectionId": conn.id if conn else None,
            "stage": journey.stage_of(company, now),
            "connectionStatus": conn.status if conn else None,
            "time": m.iso(now),
            "epoch": now,
        }

    def _start_autopilot(self, company: m.Company, spec: str, now: float) -> None:
        scenario, platform = parse_scenario(spec)
        steps = scenario.build(platform)
        company.sync_pace = scenario.sync_pace
        company.failing_data_type = scenario.failing_data_type
        company.outcomes = dict(scenario.outcomes)
        company.never_synced = list(scenario.never_synced)
        first = steps[0]
        company.autopilot = m.Autopilot(
            scenario=spec, steps=steps, next_at=now + first.delay / self.speed
        )
        self.emit("autopilot_started", company, None, {"scenario": spec}, now)

    # -- time passing ----------------------------------------------------------------------

    def _advance(self, now: float) -> None:
        """Apply, in time order, every autopilot step and sync transition due by ``now``."""
        while True:
            due = self._next_due(now)
            if due is None:
                return
            at, company, op = due
            if op is None:
                self._run_step(company, at)
            else:
                self._announce(company, op)

    def _next_due(self, now: float) -> tuple[float, m.Company, m.PullOp | None] | None:
        best: tuple[float, m.Company, m.PullOp | None] | None = None
        for company in self.companies.values():
            step_at = self._step_due(company, now)
            if step_at is not None and step_at <= now and (best is None or step_at < best[0]):
                best = (step_at, company, None)
            for op in company.pulls:
                if op.announced == 0:
                    at = op.fetch_start
                elif op.announced == 1:
                    at = op.fetch_end
                else:
                    continue
                # Ties go to the sync: a step due at the same moment sees the sync's new state.
                if at <= now and (best is None or at <= best[0]):
                    best = (at, company, op)
        return best

    def _step_due(self, company: m.Company, now: float) -> float | None:
        pilot = company.autopilot
        if pilot is None or not pilot.steps:
            return None
        if pilot.next_at is not None:
            return pilot.next_at
        run = latest_run(company.pulls, company.current_connection_id)
        if not run or not all(op.done_at(now) for op in run):
            return None
        end = run_end(run)
        assert end is not None
        return end + pilot.steps[0].delay / self.speed

    def _run_step(self, company: m.Company, at: float) -> None:
        pilot = company.autopilot
        assert pilot is not None
        step = pilot.steps.pop(0)
        try:
            journey.apply(self, company, step.action, dict(step.params), at)
        except (journey.Conflict, journey.BadMove) as exc:
            company.autopilot = None
            detail = {"scenario": pilot.scenario, "action": step.action, "reason": str(exc)}
            self.emit("autopilot_stopped", company, None, detail, at)
            return
        if not pilot.steps:
            company.autopilot = None
            self.emit("autopilot_finished", company, None, {"scenario": pilot.scenario}, at)
            return
        following = pilot.steps[0]
        pilot.next_at = None if following.after_sync else at + following.delay / self.speed
        self._dirty = True

    def _announce(self, company: m.Company, op: m.PullOp) -> None:
        if op.announced == 0:
            op.announced = 1
            if op.fetch_end > op.fetch_start:
                detail = {"dataType": op.data_type, "status": "Fetching", "pullId": op.id}
                self.emit("pull_fetching", company, op.connection_id, detail, op.fetch_start)
            return
        op.announced = 2
        detail = {"dataType": op.data_type, "status": op.outcome, "pullId": op.id}
        kind = "pull_error" if op.errored else "pull_complete"
        self.emit(kind, company, op.connection_id, detail, op.fetch_end)
        run = [p for p in company.pulls if p.requested == op.requested]
        if all(p.announced == 2 for p in run):
            errored = sorted(p.data_type for p in run if p.errored)
            detail2 = {"errored": errored, "dataTypes": len(run)}
            self.emit("sync_complete", company, op.connection_id, detail2, op.fetch_end)

    # -- persistence -----------------------------------------------------------------------

    def _save_if_dirty(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        if self.state_file is None:
            return
        data = {
            "version": STATE_VERSION,
            "seq": self.seq,
            "events": self.events,
            "companies": [m.company_to_json(c) for c in self.companies.values()],
        }
        target = self.state_file
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def mark_dirty(self) -> None:
        self._dirty = True

    def _load(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"{path}: unsupported sandbox state version {data.get('version')!r}")
        self.seq = int(data["seq"])
        self.events = list(data["events"])
        for raw in data["companies"]:
            company = m.company_from_json(raw)
            self.companies[company.id] = company


def platform_known(key: str) -> bool:
    return key in BY_KEY
