"""desktop.core.practice: what a practice call is called."""

from __future__ import annotations


def test_a_practice_company_name_reads_as_words_and_tells_calls_apart() -> None:
    from datetime import datetime

    from desktop.core.practice import Scenario, practice_company_name

    netsuite = Scenario("netsuite-no-tba", "", "akxx", False)
    at = datetime(2026, 12, 1, 14, 5, 9)
    assert practice_company_name(netsuite, at) == "Practice 14.05.09 - NetSuite no TBA"
    happy = Scenario("happy-path", "", "mqjo", True)
    assert practice_company_name(happy, at) == "Practice 14.05.09 - Happy path"
    later = datetime(2026, 12, 1, 14, 5, 40)
    assert practice_company_name(happy, later) != practice_company_name(happy, at)
