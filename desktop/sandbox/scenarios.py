"""Scripted customers: what the autopilot does in Link, and when, for a new company.

Delays are seconds at speed 1, each counted from the previous step; ``--speed`` divides them.
A scenario may take a platform option: ``happy-path:qhyg`` walks the happy path with QuickBooks Online.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desktop.sandbox.model import Step

NETSUITE_TBA_REASON = (
    "Token-based Authentication is not enabled in this NetSuite account. Turn it on under "
    "Setup > Company > Enable Features > SuiteCloud, then try again."
)


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    default_platform: str
    build: Callable[[str], list[Step]]
    takes_platform: bool = True
    sync_pace: float = 1.0
    failing_data_type: str | None = None
    outcomes: dict[str, str] = field(default_factory=dict)  # data type -> how its pulls end
    never_synced: tuple[str, ...] = ()  # in the data status with no currentStatus
    # Where the journey rests when the script has run (and the first sync, if any, has ended).
    end_stage: str = "synced"
    end_status: str | None = "Linked"
    # Statuses of the connections left behind before the current one, oldest first.
    earlier_connections: tuple[str, ...] = ()


def _to_consent(platform: str) -> list[Step]:
    return [
        Step("open_link", 3.0),
        Step("select_platform", 8.0, {"platformKey": platform}),
        Step("consent", 6.0),
    ]


def _happy(platform: str) -> list[Step]:
    return [*_to_consent(platform), Step("approve", 20.0)]


def _cancel_at_selection(_platform: str) -> list[Step]:
    return [Step("open_link", 3.0), Step("cancel", 12.0)]


def _wrong_password(platform: str) -> list[Step]:
    return [*_to_consent(platform), Step("wrong_password", 15.0), Step("approve", 25.0)]


def _stall_at_consent(platform: str) -> list[Step]:
    return [Step("open_link", 3.0), Step("select_platform", 8.0, {"platformKey": platform})]


def _netsuite_no_tba(_platform: str) -> list[Step]:
    return [*_to_consent("akxx"), Step("fail", 30.0, {"reason": NETSUITE_TBA_REASON})]


def _xero_deauthorized(_platform: str) -> list[Step]:
    return [*_happy("gbol"), Step("deauthorize", 30.0, after_sync=True)]


def _linked_then(platform: str, loss: str) -> list[Step]:
    """The state a reconnection call starts in, made at once when the scenario starts: a
    connection linked, its first sync complete, then lost. Only what follows takes time."""
    return [
        Step("open_link", 0.0),
        Step("select_platform", 0.0, {"platformKey": platform}),
        Step("consent", 0.0),
        Step("approve", 0.0),
        Step("complete_sync", 0.0),
        Step(loss, 0.0),
    ]


def _reconnect_deauthorized(platform: str) -> list[Step]:
    return [*_linked_then(platform, "deauthorize"), Step("reauthorize", 40.0)]


def _reconnect_unlinked(platform: str) -> list[Step]:
    return [*_linked_then(platform, "unlink"), Step("reauthorize", 40.0)]


def _new_beside_dead(platform: str) -> list[Step]:
    return [
        *_linked_then("gbol", "deauthorize"),
        Step("open_link", 30.0),
        Step("select_platform", 8.0, {"platformKey": platform}),
        Step("consent", 6.0),
        Step("approve", 20.0),
    ]


ONE_TIME_REASON = "One-time sync: the connector removed itself after the first sync."


def _one_time_sync(platform: str) -> list[Step]:
    return [*_happy(platform), Step("deauthorize", 2.0, {"reason": ONE_TIME_REASON}, True)]


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "happy-path",
            "opens the link, picks the software, consents, signs in, approves; the sync completes",
            "gbol",
            _happy,
        ),
        Scenario(
            "cancel-at-selection",
            "opens the link and cancels on the software selection screen (no connection made)",
            "gbol",
            _cancel_at_selection,
            takes_platform=False,
            end_stage="cancelled",
            end_status=None,
        ),
        Scenario(
            "wrong-password",
            "types a wrong password at the software's sign-in once, then signs in and approves",
            "qhyg",
            _wrong_password,
        ),
        Scenario(
            "stall-at-consent",
            "picks the software and then stops on the data-sharing/consent screen",
            "gbol",
            _stall_at_consent,
            end_stage="platform_selected",
            end_status="PendingAuth",
        ),
        Scenario(
            "netsuite-no-tba",
            "NetSuite without Token-based Authentication: linking fails with that reason",
            "akxx",
            _netsuite_no_tba,
            takes_platform=False,
            end_stage="failed",
            end_status="PendingAuth",
        ),
        Scenario(
            "xero-deauthorized",
            "links Xero, syncs; half a minute after the first sync access is revoked "
            "(Deauthorized)",
            "gbol",
            _xero_deauthorized,
            takes_platform=False,
            end_stage="deauthorized",
            end_status="Deauthorized",
        ),
        Scenario(
            "slow-sync",
            "links normally; the first sync runs twelve times slower than usual",
            "gbol",
            _happy,
            sync_pace=12.0,
        ),
        Scenario(
            "sync-error",
            "links normally; bill payments fail to sync (FetchError), the rest completes",
            "gbol",
            _happy,
            failing_data_type="billPayments",
        ),
        Scenario(
            "reconnect-deauthorized",
            "a reconnection call: the connection was linked and synced, then lost access "
            "(Deauthorized); the customer signs in again and the same connection is Linked again",
            "gbol",
            _reconnect_deauthorized,
        ),
        Scenario(
            "reconnect-unlinked",
            "a reconnection call: the connection was unlinked on our side; the customer "
            "re-authorizes it and the same connection is Linked again",
            "gbol",
            _reconnect_unlinked,
        ),
        Scenario(
            "new-beside-dead",
            "Xero lost access (Deauthorized); the customer connects other software instead "
            "(QuickBooks Online by default), a new connection beside the dead one",
            "qhyg",
            _new_beside_dead,
            earlier_connections=("Deauthorized",),
        ),
        Scenario(
            "one-time-sync",
            "QuickBooks Desktop (or Sage 50: one-time-sync:hbql) set to sync once: after the "
            "first sync the connector removes itself and the connection becomes Deauthorized",
            "pqsw",
            _one_time_sync,
            end_stage="deauthorized",
            end_status="Deauthorized",
        ),
        Scenario(
            "permissions-error",
            "links normally; the first sync of bills ends in PermissionsError (the user who "
            "signed in lacks the rights), the rest completes",
            "gbol",
            _happy,
            outcomes={"bills": "PermissionsError"},
        ),
        Scenario(
            "not-supported",
            "links normally; the platform does not support direct costs (NotSupported), which is "
            "not a failure",
            "fbrh",
            _happy,
            outcomes={"directCosts": "NotSupported"},
        ),
        Scenario(
            "never-synced",
            "links normally; the data status also lists the balance sheet, never synced (no "
            "currentStatus), which must not hold the first sync open",
            "gbol",
            _happy,
            never_synced=("balanceSheet",),
        ),
    )
}


def parse_scenario(spec: str) -> tuple[Scenario, str]:
    """``NAME`` or ``NAME:platformKey`` -> (scenario, platform key). Raises ValueError."""
    name, _, platform = spec.strip().partition(":")
    scenario = SCENARIOS.get(name)
    if scenario is None:
        known = ", ".join(SCENARIOS)
        raise ValueError(f"unknown scenario {name!r} (known: {known})")
    if platform and not scenario.takes_platform:
        raise ValueError(f"scenario {name!r} always uses {scenario.default_platform}")
    return scenario, platform or scenario.default_platform


def describe() -> list[dict[str, object]]:
    return [
        {
            "name": s.name,
            "summary": s.summary,
            "platformKey": s.default_platform,
            "takesPlatform": s.takes_platform,
            "endStage": s.end_stage,
            "endStatus": s.end_status,
        }
        for s in SCENARIOS.values()
    ]
