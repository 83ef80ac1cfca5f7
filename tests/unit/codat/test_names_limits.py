"""Company names of 10,000 characters or with line breaks: made one line, bounded, and said."""

from __future__ import annotations

import pytest

from desktop.core.codat.names import MAX_NAME_CHARS, check_company_name


def test_a_10000_character_name_is_refused_without_quoting_it() -> None:
    check = check_company_name("A" * 10_000)
    assert check.ok is False
    assert check.message == (
        f"A company name may be at most {MAX_NAME_CHARS} characters; this one has 10,000. "
        "Use the name the customer knows their business by."
    )


def test_the_bound_counts_what_would_be_sent() -> None:
    assert check_company_name("B" * MAX_NAME_CHARS).ok
    # Stripped characters and extra spaces do not count against it.
    assert check_company_name("C" * MAX_NAME_CHARS + "()" * 50 + "   ").ok
    assert not check_company_name("D" * (MAX_NAME_CHARS + 1)).ok


@pytest.mark.parametrize(
    "name",
    [
        "Harbour\r\nBakery Ltd",
        "Harbour\nBakery Ltd",
        "Harbour\tBakery Ltd\r",
        "  Harbour   Bakery Ltd",
    ],
)
def test_line_breaks_tabs_and_runs_of_spaces_become_one_space(name: str) -> None:
    check = check_company_name(name)
    assert check.ok and check.cleaned == "Harbour Bakery Ltd"
    assert check.removed == ()
    assert check.message == (
        "Line breaks, tabs and repeated spaces become one space. "
        'It will be saved as "Harbour Bakery Ltd".'
    )


def test_both_changes_are_said_together() -> None:
    check = check_company_name("Harbour (UK)\r\nBakery")
    assert check.cleaned == "Harbour UK Bakery"
    assert check.message == (
        "Codat will strip these characters from the name: ( ). "
        "Line breaks, tabs and repeated spaces become one space. "
        'It will be saved as "Harbour UK Bakery".'
    )
