"""Scripted customers: what the autopilot does in Link, and when, for a new company.

Delays are seconds at speed 1, each counted from the previous step; ``--speed`` divides them.
A scenario may take a platform option: ``happy-path:qhyg`` walks the happy path with QuickBooks Online.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    # Where the journey rests when the script has run (and the first sync, if any, has ended).
    end_stage: str = "synced"
    end_status: str | None = "Linked"


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
            "links Xero, syncs, then access is revoked (Deauthorized)",
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
