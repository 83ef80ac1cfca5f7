"""The words the call page uses: data types, outcomes, practice hints (all in core, no Qt)."""

from __future__ import annotations

import pytest

from desktop.core.calls.outcome import Outcome, OutcomeError, suggested_outcome
from desktop.core.calls.practice_hints import (
    lesson_after_first_sync,
    practice_hint,
)
from desktop.core.codat.data_types import data_type_words
from desktop.core.journey import JourneyState, apply, start
from tests.unit.journey_builders import (
    COMPANY,
    T0,
    Platform,
    connection,
    conns,
    data_status,
    error,
    status,
)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("chartOfAccounts", "Chart of accounts"),
        ("company", "Company information"),
        ("bankTransactions", "Bank transactions"),
        ("banking-accountBalances", "Banking: account balances"),
        ("commerce-orders", "Commerce: orders"),
        ("someNewType", "Some new type"),
        ("", ""),
    ],
)
def test_data_types_in_words(name: str, words: str) -> None:
    assert data_type_words(name) == words


def test_outcomes_in_words_and_other_needs_words() -> None:
    assert Outcome("synced").words() == "Linked and first sync done"
    assert Outcome("escalated", "  ticket   4411 ").words() == "Escalated to Codat: ticket 4411"
    with pytest.raises(OutcomeError, match="few words"):
        Outcome("other", "  ")
    with pytest.raises(OutcomeError, match="unknown outcome"):
        Outcome("won")
    assert suggested_outcome(linked=False, synced=False) == "retry"
    assert suggested_outcome(linked=True, synced=False) == "linked"
    assert suggested_outcome(linked=True, synced=True) == "synced"


def test_practice_hints_only_for_practice_calls() -> None:
    state = start(COMPANY, T0)
    assert practice_hint(None, state) is None
    hint = practice_hint("cancel-at-selection", state)
    assert hint is not None and "stall prompt" in hint
    assert practice_hint("a-new-scenario", state) == "Practice call: scenario a-new-scenario."
    with_platform = practice_hint("happy-path:gbol", state)  # as practice calls are saved
    assert with_platform is not None and with_platform.startswith("Practice: a customer who")


XERO_CONN = "7b8e7482-0000-4000-8000-0000000000c1"


def _xero_synced_then(*later: str) -> list[JourneyState]:
    """A Xero journey linked and synced at T0 + 100, then with each of ``later``'s statuses."""
    xero: Platform = {"key": "gbol", "name": "Xero"}
    state = start(COMPANY, T0)
    state, _ = apply(state, conns(T0 + 10, connection(XERO_CONN, "Linked", T0 + 5, **xero)))
    done = data_status(T0 + 100, status("bills", "Complete", sync_id="op-b", last=T0 + 90))
    state, _ = apply(state, done)
    states = [state]
    for i, conn_status in enumerate(later, start=1):
        at = T0 + 100 + 30 * i
        errors = [error("401", "Unauthorized", "de-authorized", at - 1)]
        seen = connection(
            XERO_CONN,
            conn_status,
            T0 + 5,
            errors=errors if conn_status == "Deauthorized" else None,
            **xero,
        )
        state, _ = apply(state, conns(at, seen))
        states.append(state)
    return states


def test_a_lesson_after_the_first_sync_keeps_its_hint_until_it_shows() -> None:
    """xero-deauthorized: the first sync done is not the end of the practice call."""
    synced, lost, linked_again = _xero_synced_then("Deauthorized", "Linked")
    assert synced.synced
    hint = practice_hint("xero-deauthorized", synced)
    assert hint is not None and "not over" in hint and "Deauthorized" in hint
    before = practice_hint("xero-deauthorized", start(COMPANY, T0))
    assert before is not None and "after the first sync" in before and "Problem box" in before
    assert practice_hint("xero-deauthorized", lost) is None  # the Problem box says it, with the fix
    assert lost.problem is not None and lost.problem.fix
    # Signed in again (the fix practised): the lesson has shown, the call ends as a happy one.
    assert linked_again.synced
    assert practice_hint("xero-deauthorized", linked_again, lesson_shown=True) is None
    assert practice_hint("happy-path", synced) is None  # its first sync is its end


def test_only_practice_scenarios_with_a_lesson_after_the_first_sync_are_followed_past_it() -> None:
    synced, lost = _xero_synced_then("Deauthorized")
    check = lesson_after_first_sync("xero-deauthorized")
    assert check is not None and not check(synced) and check(lost)
    assert lesson_after_first_sync("one-time-sync:hbql") is not None  # as practice calls are saved
    assert lesson_after_first_sync("happy-path") is None
    assert lesson_after_first_sync("reconnect-deauthorized") is None  # its lesson ends Linked
    assert lesson_after_first_sync(None) is None  # a real call
