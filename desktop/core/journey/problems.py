"""Plain words for each problem, and the reason behind a connection error when its text says."""

from __future__ import annotations

import re
from collections.abc import Sequence

from desktop.core.codat.data_types import data_type_in_sentence
from desktop.core.codat.statuses import Meaning, connection_status_meaning, pull_status_meaning
from desktop.core.journey.model import Problem, ProblemKey, Reason, Step, SyncItem

# Checked in order: the first match wins, so the narrow patterns come before the broad ones
# ("pop-up blocked" must not be read as a firewall block).
_REASON_PATTERNS: tuple[tuple[Reason, re.Pattern[str]], ...] = (
    (
        Reason.TBA_DISABLED,
        re.compile(r"token[\s-]*based[\s-]*auth|\btba\b|tba_disabled", re.IGNORECASE),
    ),
    (Reason.POPUP_BLOCKED, re.compile(r"pop[\s-]?ups?\b|popup_blocked", re.IGNORECASE)),
    (
        Reason.TRIAL_ACCOUNT,
        re.compile(r"\btrial\b|trial_account", re.IGNORECASE),
    ),
    (
        Reason.WRONG_PASSWORD,
        re.compile(
            r"password|credentials|incorrect (user ?name|login)|login failed|wrong_password",
            re.IGNORECASE,
        ),
    ),
    (
        Reason.NOT_ADMIN,
        re.compile(
            r"admin|insufficient (privileges|permissions)|not (authori[sz]ed|permitted) to|"
            r"permission|\brole\b|not_admin",
            re.IGNORECASE,
        ),
    ),
    (
        Reason.FIREWALL,
        re.compile(r"firewall|blacklist|blocklist|proxy|blocked|network", re.IGNORECASE),
    ),
)

_REASON_WORDS: dict[Reason, str] = {
    Reason.TBA_DISABLED: "Token-based Authentication is turned off in NetSuite",
    Reason.NOT_ADMIN: "the login used does not have administrator rights",
    Reason.TRIAL_ACCOUNT: "a trial account cannot be connected",
    Reason.WRONG_PASSWORD: "the username or password was not accepted",
    Reason.FIREWALL: "the customer's network blocked the connection",
    Reason.POPUP_BLOCKED: "the browser blocked the sign-in window",
    Reason.SLOW_FIRST_SYNC: "the first sync is taking a long time",
}


def classify_reason(*texts: str | None) -> Reason | None:
    joined = " ".join(t for t in texts if t)
    if not joined:
        return None
    for reason, pattern in _REASON_PATTERNS:
        if pattern.search(joined):
            return reason
    return None


def _platform(name: str | None) -> str:
    return name or "their software"


def cancelled(at: float, step: Step | None, platform: str | None, detail: str | None) -> Problem:
    return Problem(
        key=ProblemKey.CANCELLED,
        message=(
            f"The customer left the connection to {_platform(platform)} before finishing. "
            "They can pick up where they stopped by opening the link again."
        ),
        since=at,
        detail=detail,
        step=step,
        fix="Send the link again (or the connection's own link) so they can carry on.",
        needs=Meaning.NEEDS_CUSTOMER.value,
    )


def connection_error(
    at: float, step: Step | None, platform: str | None, detail: str | None, reason: Reason | None
) -> Problem:
    why = f": {_REASON_WORDS[reason]}" if reason else ""
    return Problem(
        key=ProblemKey.CONNECTION_ERROR,
        message=(
            f"Connecting to {_platform(platform)} failed{why}. "
            "Fix the cause with the customer, then ask them to try the link again."
        ),
        since=at,
        reason=reason,
        detail=detail,
        step=step,
        fix=f"Fix the cause ({_REASON_WORDS[reason]}), then try the link again."
        if reason
        else "Read Codat's message with the customer, fix the cause, then try the link again.",
        needs=Meaning.NEEDS_CUSTOMER.value,
    )


def deauthorized(at: float, platform: str | None, detail: str | None) -> Problem:
    entry = connection_status_meaning("Deauthorized")
    return Problem(
        key=ProblemKey.DEAUTHORIZED,
        message=(
            f"Access to {_platform(platform)} was lost (Deauthorized): the customer or the "
            "software revoked it, or it expired. Send the Link URL again: the customer signs in "
            "and approves once more. LinkDesk keeps watching and says when it is Linked again."
        ),
        since=at,
        detail=detail,
        step=Step.COMPLETE,
        fix=entry.fix,
        needs=entry.meaning.value,
    )


def unlinked(at: float, platform: str | None) -> Problem:
    entry = connection_status_meaning("Unlinked")
    return Problem(
        key=ProblemKey.UNLINKED,
        message=(
            f"The connection to {_platform(platform)} was unlinked on our side (in the Portal or "
            "through the API). Data already fetched stays readable. To link it again, send the "
            "Link URL: the customer re-authorizes it, and LinkDesk keeps watching."
        ),
        since=at,
        step=Step.COMPLETE,
        fix=entry.fix,
        needs=entry.meaning.value,
    )


_WHO_FIRST = (Meaning.NEEDS_CUSTOMER, Meaning.NEEDS_AGENT, Meaning.NEEDS_SUPPORT)


def sync_failed(at: float, failed: Sequence[SyncItem], detail: str | None) -> Problem:
    """The first sync ended with data types in error; words and fix from the status table."""
    names = [data_type_in_sentence(i.data_type) for i in failed]
    listed = ", ".join(names[:5]) + (" and more" if len(names) > 5 else "")
    entries = [pull_status_meaning(i.codat_status) for i in failed]
    # The customer's part first: it is what the agent can settle on the call.
    lead = min(entries, key=lambda e: _WHO_FIRST.index(e.meaning) if e.meaning in _WHO_FIRST else 9)
    words = " ".join(dict.fromkeys(e.words for e in entries))
    return Problem(
        key=ProblemKey.SYNC_FAILED,
        message=(
            f"The connection works, but the first sync could not fetch {listed}: {words} "
            f"What to do: {lead.fix or 'queue a new sync once the cause is fixed.'} "
            "LinkDesk keeps watching and sees the new sync."
        ),
        since=at,
        detail=detail,
        step=Step.COMPLETE,
        fix=lead.fix or None,
        needs=lead.meaning.value,
    )


def one_time_sync_note(platform: str | None) -> str:
    return (
        f"{_platform(platform)} is set to sync once: after the first sync the connector removed "
        "itself, so Codat shows the connection as Deauthorized. That is expected, not lost "
        "access; the data fetched is there. For ongoing syncs, set the connector to stay "
        "installed (Codat Portal, Settings > Integrations) and send the link again."
    )


def company_gone(at: float, detail: str | None) -> Problem:
    return Problem(
        key=ProblemKey.COMPANY_GONE,
        message=(
            "Codat does not know this company (404): it was deleted, or the ID is wrong. Nothing "
            "more can happen on this journey; check the ID, or create the company again to "
            "start over."
        ),
        since=at,
        detail=detail,
        needs=Meaning.NEEDS_AGENT.value,
    )


def api_key_refused(at: float, detail: str | None) -> Problem:
    return Problem(
        key=ProblemKey.API_KEY_REFUSED,
        message=(
            "Codat refused LinkDesk's API key, so nothing more can be read. Check the key in "
            "Settings (or LINKDESK_API_KEY) and start following again."
        ),
        since=at,
        detail=detail,
        needs=Meaning.NEEDS_AGENT.value,
    )


def stalled(at: float, step: Step, quiet_for: float, step_title: str) -> Problem:
    minutes = max(1, round(quiet_for / 60))
    reason = Reason.SLOW_FIRST_SYNC if step is Step.COMPLETE else None
    if step is Step.COMPLETE:
        text = (
            f"The first sync has shown no progress for about {minutes} min. "
            "Large accounts can take hours; nothing is wrong yet, and the customer "
            "does not need to wait on the call."
        )
    else:
        text = (
            f"Nothing has changed for about {minutes} min at “{step_title}”. Ask the customer "
            "what they see on their screen."
        )
    return Problem(key=ProblemKey.STALLED, message=text, since=at, reason=reason, step=step)


def api_unreachable(since: float, detail: str | None) -> Problem:
    return Problem(
        key=ProblemKey.API_UNREACHABLE,
        message=(
            "LinkDesk cannot reach Codat right now, so what is shown may be out of date. "
            "It keeps trying by itself."
        ),
        since=since,
        detail=detail,
    )
