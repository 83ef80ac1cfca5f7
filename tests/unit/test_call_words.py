"""The words the call page uses: data types, outcomes, practice hints (all in core, no Qt)."""

from __future__ import annotations

import pytest

from desktop.core.calls.outcome import Outcome, OutcomeError, suggested_outcome
from desktop.core.calls.practice_hints import practice_hint
from desktop.core.codat.data_types import data_type_words
from desktop.core.journey import start
from tests.unit.journey_builders import COMPANY, T0


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
