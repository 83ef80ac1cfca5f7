"""What every status Codat can report means for a customer's journey, in words an agent reads out.

Three enums of Codat's Platform spec (``Codat-Platform.json``) are covered value by value:

- connection status, ``Connection.definitions.dataConnectionStatus`` (4 values);
- data connection error status, ``Connection.definitions.dataConnectionError.properties.status``
  (2 values, and null: "the error is not transient");
- dataset (pull operation) status, ``PullOperation.properties.status`` (21 values), which is also
  ``DataStatus.currentStatus``.

Meanings come from Codat's docs: docs.codat.io/core-concepts/connections (connection statuses),
docs.codat.io/core-concepts/status (dataset statuses: "AuthError ... will require the company to
re-authorize", "Other error states may be resolved by queueing a new synchronization after waiting
some time", FetchError/MapError/... "monitored by our engineering teams, but you may contact
support"), and the spec's own advice that ``status!=Complete&&status!=NotSupported`` finds failed
pulls. ``tests/unit/codat/test_statuses.py`` reads the enums from the spec and fails on any value
without an entry here; ``scripts/status_table.py`` publishes this table as ``docs/statuses.md``.

A value Codat adds later is never an error: ``*_meaning()`` answer ``Meaning.UNKNOWN`` with the value
shown as Codat sent it, and the journey treats it as settled, so it can neither crash nor hang.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Meaning(StrEnum):
    """What a status means for the journey, and who (if anyone) has to act."""

    WAITING = "waiting"  # nothing is wrong; something has not started yet
    PROGRESSING = "progressing"  # Codat or the customer is moving it along
    DONE = "done"
    NOT_A_FAILURE = "not a failure"  # finished without data, and that is fine
    NEEDS_CUSTOMER = "needs the customer"
    NEEDS_AGENT = "needs the agent"
    NEEDS_SUPPORT = "needs Codat support"
    UNKNOWN = "unknown"  # a value this version of LinkDesk does not know yet

    @property
    def settled(self) -> bool:
        """Nothing will change without someone acting (or a new sync being queued)."""
        return self not in (Meaning.WAITING, Meaning.PROGRESSING)

    @property
    def needs_someone(self) -> bool:
        return self in (Meaning.NEEDS_CUSTOMER, Meaning.NEEDS_AGENT, Meaning.NEEDS_SUPPORT)


@dataclass(frozen=True)
class StatusMeaning:
    value: str  # exactly as Codat sends it
    meaning: Meaning
    words: str  # what the agent can say, one sentence
    fix: str  # what to do about it ("" when nothing is needed)


def _m(value: str, meaning: Meaning, words: str, fix: str = "") -> StatusMeaning:
    return StatusMeaning(value, meaning, words, fix)


_REQUEUE = (
    "Queue a new sync of this data type in a while (Codat Portal, or Refresh data); if it fails "
    "again, send Codat support the company id and the pull operation id."
)
_SUPPORT = (
    "Codat's engineers are alerted to these; contact Codat support with the company id and the "
    "pull operation id, then queue a new sync once they have answered."
)

CONNECTION_STATUSES: dict[str, StatusMeaning] = {
    s.value: s
    for s in (
        _m(
            "PendingAuth",
            Meaning.WAITING,
            "The customer picked their software in Link but has not finished authorizing it.",
            "Ask the customer to carry on in Link; the connection's own link resumes it.",
        ),
        _m("Linked", Meaning.DONE, "The connection works: Codat can read the customer's data."),
        _m(
            "Deauthorized",
            Meaning.NEEDS_CUSTOMER,
            "Access was lost: the customer or their software revoked it, or it expired. Data "
            "already fetched stays readable.",
            "Send the Link URL again; the customer signs in and approves once more, and the same "
            "connection becomes Linked again.",
        ),
        _m(
            "Unlinked",
            Meaning.NEEDS_AGENT,
            "The connection was unlinked on our side (Portal or API). Data already fetched stays "
            "readable.",
            "If it should work again, send the Link URL: the customer re-authorizes the same "
            "connection.",
        ),
    )
}

CONNECTION_ERROR_STATUSES: dict[str, StatusMeaning] = {
    s.value: s
    for s in (
        _m(
            "Active",
            Meaning.NEEDS_CUSTOMER,
            "The connection ran into an error that has not cleared yet.",
            "Read Codat's message with the customer, fix the cause, and let them try the link again.",
        ),
        _m(
            "Resolved",
            Meaning.NOT_A_FAILURE,
            "An earlier error on this connection has cleared.",
        ),
    )
}

PULL_STATUSES: dict[str, StatusMeaning] = {
    s.value: s
    for s in (
        _m("Initial", Meaning.WAITING, "The sync of this data type was requested."),
        _m(
            "Queued",
            Meaning.WAITING,
            "Queued; for QuickBooks Desktop and Sage 50 it waits until the connector on the "
            "customer's computer is online.",
            "For an on-premise connector, the computer with the connector must be on.",
        ),
        _m("Fetching", Meaning.PROGRESSING, "Codat is reading this data from the software."),
        _m("MapQueued", Meaning.PROGRESSING, "Read; waiting to be converted to Codat's model."),
        _m("Mapping", Meaning.PROGRESSING, "Codat is converting the data to its standard model."),
        _m("Complete", Meaning.DONE, "Fetched: the data can be read through Codat's API."),
        _m(
            "FetchError",
            Meaning.NEEDS_AGENT,
            "Reading this data from the software failed (for example during the software's "
            "maintenance).",
            _REQUEUE,
        ),
        _m("MapError", Meaning.NEEDS_SUPPORT, "Codat could not convert this data.", _SUPPORT),
        _m("InternalError", Meaning.NEEDS_SUPPORT, "An error inside Codat stopped it.", _SUPPORT),
        _m("ProcessingQueued", Meaning.PROGRESSING, "Waiting to be stored in Codat's cache."),
        _m("Processing", Meaning.PROGRESSING, "Codat is storing the data in its cache."),
        _m(
            "ProcessingError",
            Meaning.NEEDS_SUPPORT,
            "Codat could not store this data in its cache.",
            _SUPPORT,
        ),
        _m("ValidationQueued", Meaning.PROGRESSING, "Waiting to be checked."),
        _m("Validating", Meaning.PROGRESSING, "Codat is checking the data for consistency."),
        _m(
            "ValidationError",
            Meaning.NEEDS_SUPPORT,
            "The data did not pass Codat's consistency checks.",
            _SUPPORT,
        ),
        _m(
            "AuthError",
            Meaning.NEEDS_CUSTOMER,
            "The software no longer accepts Codat's access, so this data could not be read.",
            "Send the Link URL again: the customer re-authorizes, then a new sync can run.",
        ),
        _m(
            "Cancelled",
            Meaning.NEEDS_AGENT,
            "The sync of this data type was cancelled before it finished.",
            "Queue a new sync of this data type when the connection is Linked.",
        ),
        _m(
            "NotSupported",
            Meaning.NOT_A_FAILURE,
            "This software does not offer this data type; nothing is missing because of it.",
        ),
        _m(
            "RateLimitError",
            Meaning.WAITING,
            "The software's own request limit was reached; this data type waits and is retried.",
            "Nothing to do now; if it stays like this for an hour, queue a new sync.",
        ),
        _m(
            "PermissionsError",
            Meaning.NEEDS_CUSTOMER,
            "The user who signed in lacks the rights in their software to read this data.",
            "Ask the customer to give that user administrator rights (or sign in with an "
            "administrator) and connect again, then queue a new sync.",
        ),
        _m(
            "PrerequisiteNotMet",
            Meaning.NEEDS_CUSTOMER,
            "Something must be set up in the customer's software before this data can be read.",
            "Check the platform's guide for the setting to turn on, ask the customer to turn it "
            "on, then queue a new sync.",
        ),
    )
}


def _unknown(value: str, what: str) -> StatusMeaning:
    return StatusMeaning(
        value,
        Meaning.UNKNOWN,
        f"Codat reports the {what} “{value}”, which this version of LinkDesk does not know.",
        "Look it up in Codat's Portal or docs; LinkDesk does not wait on it.",
    )


def connection_status_meaning(value: str | None) -> StatusMeaning:
    text = value or ""
    return CONNECTION_STATUSES.get(text) or _unknown(text, "connection status")


def connection_error_meaning(value: str | None) -> StatusMeaning:
    """Null is in the spec: "Null statuses indicate that the error is not transient"."""
    if value is None or value == "":
        return StatusMeaning(
            "",
            Meaning.NEEDS_CUSTOMER,
            "The connection ran into an error that will not clear by itself.",
            CONNECTION_ERROR_STATUSES["Active"].fix,
        )
    return CONNECTION_ERROR_STATUSES.get(value) or _unknown(value, "error status")


# Codat's docs: a data type that has never been synced has no currentStatus at all.
NEVER_SYNCED = StatusMeaning(
    "",
    Meaning.NOT_A_FAILURE,
    "This data type has never been synced (Codat sends no status for it).",
    "",
)


def pull_status_meaning(value: str | None) -> StatusMeaning:
    if value is None or value == "":
        return NEVER_SYNCED
    return PULL_STATUSES.get(value) or _unknown(value, "dataset status")


ALL_ENUMS: dict[str, dict[str, StatusMeaning]] = {
    "Connection status (dataConnectionStatus)": CONNECTION_STATUSES,
    "Data connection error status (dataConnectionError.status)": CONNECTION_ERROR_STATUSES,
    "Dataset / pull operation status (PullOperation.status, DataStatus.currentStatus)": (
        PULL_STATUSES
    ),
}


def markdown_table() -> str:
    """The published table (docs/statuses.md), made from the entries above."""
    lines = [
        "# What each Codat status means in LinkDesk",
        "",
        "Generated from `desktop/core/codat/statuses.py` by `scripts/status_table.py`; do not edit.",
        "Every value of these enums in Codat's Platform spec has an entry (a test checks it). A",
        "value Codat adds later is shown as Codat sent it, and no journey waits on it.",
        "",
    ]
    for title, table in ALL_ENUMS.items():
        lines += [
            f"## {title}",
            "",
            "| Value | Meaning | In plain words | Fix |",
            "| --- | --- | --- | --- |",
        ]
        for entry in table.values():
            cells = (f"`{entry.value}`", entry.meaning.value, entry.words, entry.fix or "—")
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
