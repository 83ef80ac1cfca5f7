"""A call brought to each stage an agent lives through, on the real workspace and store.

Used by the layout tests and by `make screenshots`: the same four moments, fed to the journey the
way the tracker would see them.
"""

from __future__ import annotations

from desktop.core.calls.session import CallSession
from desktop.core.journey import AgentConfirmed, Step
from tests.ui.call_workspace_kit import Kit
from tests.unit.journey_builders import (
    Platform,
    connection,
    conns,
    data_status,
    error,
    pull,
    pulls,
    status,
)

STAGES = ("link_sent", "guide_open", "problem", "syncing")
CONNECTION = "7b8e7482-0000-4000-8000-000000000002"
# A first sync of QuickBooks Online: the data types Codat pulls, a few of them still running.
SYNC_TYPES = (
    "accountTransactions",
    "bankAccounts",
    "billPayments",
    "bills",
    "chartOfAccounts",
    "company",
    "creditNotes",
    "customers",
    "invoices",
    "journalEntries",
    "payments",
    "suppliers",
    "taxRates",
)


def bring_to(kit: Kit, session: CallSession, stage: str) -> None:
    """Feed ``session``'s journey up to ``stage`` (one of STAGES)."""
    assert stage in STAGES, stage
    clock, company = kit.clock, session.company_id
    if stage == "link_sent":
        return
    clock.advance(40)
    kit.tracker.observe(company, AgentConfirmed(clock.now(), Step.OPEN_LINK))
    if stage == "problem":
        clock.advance(60)
        bad = connection(
            CONNECTION,
            "PendingAuth",
            clock.now() - 20,
            errors=[
                error(
                    "400",
                    "Linking failed",
                    "Token-based authentication is not enabled for this NetSuite account.",
                    clock.now() - 5,
                )
            ],
        )
        kit.tracker.observe(company, conns(clock.now(), bad))
        return
    qbo: Platform = {"key": "qhyg", "name": "QuickBooks Online"}
    clock.advance(55)
    created = clock.now() - 5
    kit.tracker.observe(
        company, conns(clock.now(), connection(CONNECTION, "PendingAuth", created, **qbo))
    )
    if stage == "guide_open":
        return
    clock.advance(160)
    kit.tracker.observe(
        company, conns(clock.now(), connection(CONNECTION, "Linked", created, **qbo))
    )
    clock.advance(30)
    now = clock.now()
    states = ["Complete"] * 9 + ["Fetching", "Fetching", "Queued", "Queued"]
    kit.tracker.observe(
        company,
        data_status(
            now,
            *(
                status(t, s, sync_id=f"p{i}", last=now - 2 if s == "Complete" else None)
                for i, (t, s) in enumerate(zip(SYNC_TYPES, states, strict=True))
            ),
        ),
    )
    kit.tracker.observe(
        company,
        pulls(
            now + 1,
            *(
                pull(
                    f"p{i}",
                    CONNECTION,
                    t,
                    s,
                    now - 25,
                    progress=100 if s == "Complete" else (40 if s == "Fetching" else 0),
                )
                for i, (t, s) in enumerate(zip(SYNC_TYPES, states, strict=True))
            ),
        ),
    )
