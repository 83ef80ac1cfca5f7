"""The customer's moves in Link and what each does to a company: the rules behind the control API,
the hosted Link pages and the autopilot alike. A move out of order raises ``Conflict``.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from desktop.sandbox import model as m
from desktop.sandbox.platforms import BY_KEY
from desktop.sandbox.sync import OUTCOME_MESSAGES, finish_now, latest_run, plan_sync

CANCEL_ERROR = ("403", "User cancelled linking", "User cancelled")
DEAUTH_ERROR = ("401", "Unauthorized", "The integration de-authorized access to the connection.")

ACTIONS = (
    "open_link",
    "select_platform",
    "consent",
    "approve",
    "cancel",
    "fail",
    "deauthorize",
    "complete_sync",
    # A connection's later life: re-authorized (Codat's connection.reconnected), unlinked on our
    # side, and a data type's dataset set to any of Codat's 21 statuses.
    "reauthorize",
    "unlink",
    "sync_status",
    # Beyond the contract: the sign-in page's wrong password and the connection linkUrl's resume.
    "wrong_password",
    "resume",
)


class Conflict(Exception):
    """The move does not fit where the journey is (HTTP 409)."""


class BadMove(Exception):
    """The move itself is malformed: unknown action or platform, missing reason (HTTP 400)."""


class World(Protocol):
    speed: float

    def emit(
        self,
        kind: str,
        company: m.Company,
        connection_id: str | None,
        detail: dict[str, Any],
        at: float,
    ) -> None: ...


def add_connection(company: m.Company, platform_key: str, at: float) -> m.Connection:
    """A new PendingAuth connection, appended to ``company``'s connections."""
    conn = m.Connection(
        id=str(uuid.uuid4()),
        company_id=company.id,
        platform_key=platform_key,
        status=m.PENDING,
        created=at,
        modified=at,
    )
    company.connections.append(conn)
    return conn


def start_sync(
    world: World, company: m.Company, connection_id: str, at: float, **detail: Any
) -> None:
    """Queue a pull of every data type on the connection; ``detail`` adds to the journal entry."""
    ops = plan_sync(
        company_id=company.id,
        connection_id=connection_id,
        start=at,
        speed=world.speed,
        pace=company.sync_pace,
        failing_data_type=company.failing_data_type,
        outcomes=company.outcomes,
    )
    company.pulls.extend(ops)
    kinds = [op.data_type for op in ops]
    world.emit("sync_started", company, connection_id, {"dataTypes": kinds, **detail}, at)


def stage_of(company: m.Company, now: float) -> str:
    """The stored stage, refined for a linked company by how far its first sync has got."""
    if company.stage != m.STAGE_LINKED:
        return company.stage
    run = latest_run(company.pulls, company.current_connection_id)
    if not run:
        return m.STAGE_LINKED
    return m.STAGE_SYNCED if all(op.done_at(now) for op in run) else m.STAGE_SYNCING


def apply(world: World, company: m.Company, action: str, params: dict[str, Any], at: float) -> None:
    handler = _HANDLERS.get(action)
    if handler is None:
        raise BadMove(f"unknown action {action!r}; expected one of: {', '.join(ACTIONS)}")
    handler(world, company, params, at)
    company.modified = at


def _need_stage(company: m.Company, allowed: tuple[str, ...], action: str, hint: str) -> None:
    if company.stage not in allowed:
        raise Conflict(f"{action} is not possible at stage {company.stage!r}: {hint}")


def _pending_current(company: m.Company, action: str) -> m.Connection:
    conn = company.current
    if conn is None:
        raise Conflict(f"{action} needs a connection: select a platform first")
    if conn.status == m.LINKED:
        raise Conflict(f"{action} is not possible: connection {conn.id} is already Linked")
    return conn


def _open_link(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    conn = company.current
    if conn is not None and conn.status == m.LINKED:
        raise Conflict(f"open_link: the company is already linked through connection {conn.id}")
    company.stage = m.STAGE_LINK_OPENED
    world.emit("link_opened", company, None, {}, at)


def _select_platform(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    key = str(params.get("platformKey") or "")
    if key not in BY_KEY:
        raise BadMove(f"platformKey {key!r} is not an integration this sandbox offers")
    _need_stage(
        company,
        (m.STAGE_LINK_OPENED,),
        "select_platform",
        "the software list shows after open_link",
    )
    conn = next(
        (c for c in company.connections if c.platform_key == key and c.status == m.PENDING), None
    )
    created = conn is None
    if conn is None:
        conn = add_connection(company, key, at)
    company.current_connection_id = conn.id
    company.stage = m.STAGE_PLATFORM_SELECTED
    detail = {"platformKey": key, "platformName": BY_KEY[key].name, "status": m.PENDING}
    world.emit(
        "connection_created" if created else "platform_selected", company, conn.id, detail, at
    )


def _resume(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    """Opening a connection's own linkUrl: straight to that platform's consent screen."""
    conn = company.connection(str(params.get("connectionId") or ""))
    if conn is None:
        raise BadMove("resume needs the connectionId of one of the company's connections")
    if conn.status == m.LINKED:
        raise Conflict(f"connection {conn.id} is already Linked")
    company.current_connection_id = conn.id
    company.stage = m.STAGE_PLATFORM_SELECTED
    world.emit("link_resumed", company, conn.id, {"platformKey": conn.platform_key}, at)


def _consent(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    _need_stage(
        company,
        (m.STAGE_PLATFORM_SELECTED,),
        "consent",
        "the consent screen follows select_platform",
    )
    conn = _pending_current(company, "consent")
    company.stage = m.STAGE_CONSENTED
    world.emit("consented", company, conn.id, {}, at)


def _wrong_password(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    _need_stage(company, (m.STAGE_CONSENTED,), "wrong_password", "the sign-in follows consent")
    conn = _pending_current(company, "wrong_password")
    world.emit("sign_in_failed", company, conn.id, {"reason": "wrong password"}, at)


def _approve(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    _need_stage(company, (m.STAGE_CONSENTED,), "approve", "approval follows consent and sign-in")
    conn = _pending_current(company, "approve")
    previous = conn.status
    conn.status = m.LINKED
    conn.modified = at
    for err in conn.errors:
        if err.status == "Active":
            err.status, err.resolved_on = "Resolved", at
    company.stage = m.STAGE_LINKED
    kind = "linked" if previous == m.PENDING else "reconnected"
    world.emit(kind, company, conn.id, {"status": m.LINKED, "previous": previous}, at)
    start_sync(world, company, conn.id, at)


def _cancel(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    _need_stage(
        company,
        (m.STAGE_LINK_OPENED, m.STAGE_PLATFORM_SELECTED, m.STAGE_CONSENTED),
        "cancel",
        "there is no Link session in progress to cancel",
    )
    conn = company.current
    connection_id = None
    if company.stage != m.STAGE_LINK_OPENED and conn is not None and conn.status != m.LINKED:
        code, text, message = CANCEL_ERROR
        conn.errors.append(m.LinkError(code, text, message, at))
        conn.modified = at
        connection_id = conn.id
    screen = company.stage
    company.stage = m.STAGE_CANCELLED
    world.emit("cancelled", company, connection_id, {"screen": screen}, at)


def _fail(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    reason = str(params.get("reason") or "").strip()
    if not reason:
        raise BadMove("fail needs a non-empty 'reason'")
    _need_stage(
        company,
        (m.STAGE_PLATFORM_SELECTED, m.STAGE_CONSENTED),
        "fail",
        "linking can fail only once a platform is selected",
    )
    conn = _pending_current(company, "fail")
    code = str(params.get("statusCode") or "400")
    conn.errors.append(m.LinkError(code, "Linking failed", reason, at))
    conn.modified = at
    company.stage = m.STAGE_FAILED
    world.emit("failed", company, conn.id, {"reason": reason, "statusCode": code}, at)


def _deauthorize(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    conn = company.current
    if conn is None or conn.status != m.LINKED:
        raise Conflict("deauthorize needs a Linked connection")
    reason = params.get("reason")
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise BadMove("deauthorize: 'reason' must be a non-empty string when given")
    end_pulls(company, conn.id, at, "AuthError")
    conn.status = m.DEAUTHORIZED
    conn.modified = at
    code, text, message = DEAUTH_ERROR
    conn.errors.append(m.LinkError(code, text, reason.strip() if reason else message, at))
    company.stage = m.STAGE_DEAUTHORIZED
    world.emit("deauthorized", company, conn.id, {"status": m.DEAUTHORIZED}, at)


def _complete_sync(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    conn = company.current
    if conn is None or conn.status != m.LINKED:
        raise Conflict("complete_sync needs a Linked connection with a sync running")
    run = latest_run(company.pulls, conn.id)
    if not run or all(op.done_at(at) for op in run):
        raise Conflict("complete_sync: no sync is running for this company")
    finish_now(run, at)
    world.emit("sync_forced", company, conn.id, {}, at)


def _reauthorize(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    """The customer opened the connection's link again, signed in and approved: the same
    connection goes from Deauthorized/Unlinked to Linked (connection.reconnected), and syncs."""
    conn = company.current
    if conn is None or conn.status not in (m.DEAUTHORIZED, m.UNLINKED):
        raise Conflict("reauthorize needs a Deauthorized or Unlinked connection")
    previous = conn.status
    conn.status = m.LINKED
    conn.modified = at
    for err in conn.errors:
        if err.status == "Active":
            err.status, err.resolved_on = "Resolved", at
    company.stage = m.STAGE_LINKED
    world.emit("reconnected", company, conn.id, {"status": m.LINKED, "previous": previous}, at)
    start_sync(world, company, conn.id, at)


def unlink(world: World, company: m.Company, conn: m.Connection, at: float) -> None:
    """Codat's unlink-connection: only a Linked connection can be unlinked; data stays."""
    if conn.status != m.LINKED:
        raise Conflict(
            f"Only Linked connections can be unlinked; this connection is {conn.status}."
        )
    end_pulls(company, conn.id, at, "Cancelled")
    conn.status = m.UNLINKED
    conn.modified = at
    if company.current_connection_id == conn.id:
        company.stage = m.STAGE_UNLINKED
    world.emit("unlinked", company, conn.id, {"status": m.UNLINKED}, at)


def _unlink(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    conn = company.current
    if conn is None:
        raise Conflict("unlink needs a connection")
    unlink(world, company, conn, at)


# Codat's dataset statuses (PullOperation.status in Codat's Platform spec).
DATASET_STATUSES = (
    "Initial", "Queued", "Fetching", "MapQueued", "Mapping", "Complete", "FetchError", "MapError",
    "InternalError", "ProcessingQueued", "Processing", "ProcessingError", "ValidationQueued",
    "Validating", "ValidationError", "AuthError", "Cancelled", "NotSupported", "RateLimitError",
    "PermissionsError", "PrerequisiteNotMet",
)  # fmt: skip


def _sync_status(world: World, company: m.Company, params: dict[str, Any], at: float) -> None:
    """Set a data type's latest dataset on the current connection to one of Codat's statuses."""
    data_type = params.get("dataType")
    status = params.get("status")
    if not isinstance(data_type, str) or not data_type.strip():
        raise BadMove("sync_status needs 'dataType', e.g. \"bills\"")
    if status not in DATASET_STATUSES:
        raise BadMove(f"sync_status: 'status' must be one of: {', '.join(DATASET_STATUSES)}")
    message = params.get("errorMessage")
    if message is not None and not isinstance(message, str):
        raise BadMove("sync_status: 'errorMessage' must be a string")
    conn = company.current
    if conn is None:
        raise Conflict("sync_status needs a connection: select a platform first")
    mine = [p for p in company.pulls if p.connection_id == conn.id and p.data_type == data_type]
    op = max(mine, key=lambda p: p.requested) if mine else None
    if op is None:
        op = m.PullOp(
            id=str(uuid.uuid4()),
            company_id=company.id,
            connection_id=conn.id,
            data_type=data_type,
            requested=at,
            fetch_start=at,
            fetch_end=at,
        )
        company.pulls.append(op)
    op.fetch_start = min(op.fetch_start, at)
    op.fetch_end = at
    op.outcome = status
    op.announced = 2  # the journal entry below says it; the sync clock must not repeat it
    default = OUTCOME_MESSAGES.get(status)
    op.error_message = message or (default.format(data_type=data_type) if default else None)
    if status == "Complete":
        op.error_message = None
    detail = {"dataType": data_type, "status": status, "pullId": op.id}
    world.emit("pull_status_set", company, conn.id, detail, at)


def end_pulls(company: m.Company, connection_id: str, at: float, outcome: str) -> None:
    """Stop a connection's unfinished pulls now (access lost or unlinked)."""
    for op in company.pulls:
        if op.connection_id == connection_id and not op.done_at(at):
            op.fetch_start = min(op.fetch_start, at)
            op.fetch_end = at
            op.outcome = outcome
            op.error_message = "The connection lost access before the pull finished."


_HANDLERS = {
    "open_link": _open_link,
    "select_platform": _select_platform,
    "resume": _resume,
    "consent": _consent,
    "wrong_password": _wrong_password,
    "approve": _approve,
    "cancel": _cancel,
    "fail": _fail,
    "deauthorize": _deauthorize,
    "complete_sync": _complete_sync,
    "reauthorize": _reauthorize,
    "unlink": _unlink,
    "sync_status": _sync_status,
}
