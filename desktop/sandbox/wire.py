"""Codat's JSON shapes for the sandbox's records (field names exactly as in Codat's spec).

Optional fields are left out rather than sent as null: the spec marks them ``nullable`` in the
OpenAPI 3.0 way, which a strict 3.1 reader does not honour.
"""

from __future__ import annotations

from typing import Any

from desktop.sandbox import model as m
from desktop.sandbox.platforms import BY_KEY, Platform
from desktop.sandbox.sync import latest_run

SANDBOX_USER = "LinkDesk Sandbox"
PRODUCTS = ("spend-insights",)


def company_link(base: str, company_id: str) -> str:
    return f"{base}/link/company/{company_id}"


def connection_link(base: str, company_id: str, connection_id: str) -> str:
    return f"{base}/link/companies/{company_id}/connections/{connection_id}/start"


def logo_url(base: str, key: str) -> str:
    return f"{base}/_sandbox/logos/{key}.svg"


def _last_sync(pulls: list[m.PullOp], now: float) -> float | None:
    done = [p.fetch_end for p in pulls if p.done_at(now) and p.succeeded]
    return max(done, default=None)


def connection_json(
    conn: m.Connection, company: m.Company, now: float, base: str
) -> dict[str, Any]:
    platform = BY_KEY[conn.platform_key]
    out: dict[str, Any] = {
        "id": conn.id,
        "integrationId": platform.integration_id,
        "integrationKey": platform.key,
        "sourceId": platform.source_id,
        "platformName": platform.name,
        "linkUrl": connection_link(base, company.id, conn.id),
        "status": conn.status,
        "created": m.iso(conn.created),
        "sourceType": "Accounting",
        "dataConnectionErrors": [e.to_json() for e in conn.errors],
    }
    last = _last_sync([p for p in company.pulls if p.connection_id == conn.id], now)
    if last is not None:
        out["lastSync"] = m.iso(last)
    return out


def company_json(company: m.Company, now: float, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": company.id,
        "name": company.name,
        "redirect": company_link(base, company.id),
        "created": m.iso(company.created),
        "createdByUserName": SANDBOX_USER,
        "products": list(PRODUCTS),
        "tags": dict(company.tags),
        "referenceSubsidiaryCompanies": [],
        "dataConnections": [connection_json(c, company, now, base) for c in company.connections],
    }
    if company.description is not None:
        out["description"] = company.description
    last = _last_sync(company.pulls, now)
    if last is not None:
        out["lastSync"] = m.iso(last)
    return out


def pull_json(op: m.PullOp, now: float) -> dict[str, Any]:
    status = op.status_at(now)
    done = op.done_at(now)
    out: dict[str, Any] = {
        "id": op.id,
        "companyId": op.company_id,
        "connectionId": op.connection_id,
        "dataType": op.data_type,
        "status": status,
        "requested": m.iso(op.requested),
        "progress": op.progress_at(now),
        "isCompleted": done and not op.errored,
        "isErrored": done and op.errored,
    }
    if done:
        out["completed"] = m.iso(op.fetch_end)
        if op.error_message:
            out["errorMessage"] = op.error_message
    return out


def data_status_json(company: m.Company, now: float) -> dict[str, Any]:
    """Per data type: the latest pull's status, and the latest successful one's id and time."""
    # Codat's docs (core-concepts/status): a data type never synced is only {"dataType": ...}.
    out: dict[str, Any] = {name: {"dataType": name} for name in company.never_synced}
    for op in sorted(company.pulls, key=lambda p: p.requested):
        entry: dict[str, Any] = out.setdefault(op.data_type, {"dataType": op.data_type})
        entry["currentStatus"] = op.status_at(now)
        entry["latestSyncId"] = op.id
        if op.done_at(now) and op.succeeded:
            entry["lastSuccessfulSync"] = m.iso(op.fetch_end)
            entry["latestSuccessfulSyncId"] = op.id
    return out


def integration_json(platform: Platform, base: str) -> dict[str, Any]:
    return {
        "key": platform.key,
        "logoUrl": logo_url(base, platform.key),
        "name": platform.name,
        "enabled": True,
        "sourceId": platform.source_id,
        "sourceType": "Accounting",
        "integrationId": platform.integration_id,
        "isOfflineConnector": platform.offline,
        "isBeta": False,
        "dataProvidedBy": "Codat",
    }


def branding_json(platform: Platform, base: str) -> dict[str, Any]:
    src = logo_url(base, platform.key)

    def image(alt: str) -> dict[str, Any]:
        return {"image": {"src": src, "alt": f"{platform.name} {alt}"}}

    return {
        "logo": {"full": image("full icon"), "square": image("square icon")},
        "button": {"default": image("default button icon"), "hover": image("hover button icon")},
        "sourceId": platform.source_id,
    }


def profile_json(base: str) -> dict[str, Any]:
    return {
        "name": "LinkDesk Sandbox",
        "logoUrl": logo_url(base, "mqjo"),
        "iconUrl": logo_url(base, "mqjo"),
        "redirectUrl": f"{base}/link/finished/{{companyId}}",
        "whiteListUrls": [base],
    }


def sync_running(company: m.Company, now: float) -> bool:
    run = latest_run(company.pulls)
    return bool(run) and not all(op.done_at(now) for op in run)
