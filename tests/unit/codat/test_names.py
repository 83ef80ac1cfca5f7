"""check_company_name predicts what Codat will store and says exactly what it strips."""

from __future__ import annotations

import re

import pytest

from desktop.core.codat.names import check_company_name

# Codat's documented rule, used here only to cross-check the prediction.
CODAT_RULE = re.compile(r"^[A-Za-z0-9\s\-',&@.,?!\s]+$")


def test_spec_example() -> None:
    check = check_company_name("Company (Codat[1])")
    assert check.cleaned == "Company Codat1"
    assert check.removed == ("(", "[", "]", ")")
    assert check.ok is True
    assert check.message == (
        "Codat will strip these characters from the name: ( [ ] ). "
        'It will be saved as "Company Codat1".'
    )


@pytest.mark.parametrize("name", ["Acme Ltd", "O'Brien & Sons, Inc.", "Why? Not! @home - 24"])
def test_allowed_names_unchanged(name: str) -> None:
    check = check_company_name(name)
    assert check.cleaned == name
    assert check.removed == ()
    assert check.ok is True
    assert check.message == ""
    assert CODAT_RULE.match(name)


def test_single_character_wording_and_non_ascii() -> None:
    check = check_company_name("Café Noir")
    assert check.cleaned == "Caf Noir"
    assert check.removed == ("é",)
    assert check.message.startswith("Codat will strip this character from the name: é.")


def test_invisible_characters_are_named_by_code_point() -> None:
    check = check_company_name("Acme\u200bLtd")
    assert check.removed == ("\u200b",)
    assert "U+200B" in check.message
    assert check.cleaned == "AcmeLtd"


def test_repeated_characters_listed_once() -> None:
    check = check_company_name("A/B/C (x) (y)")
    assert check.removed == ("/", "(", ")")
    assert check.cleaned == "ABC x y"


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_names_not_ok(name: str) -> None:
    check = check_company_name(name)
    assert check.ok is False
    assert check.message == "Enter a company name."


@pytest.mark.parametrize(
    ("name", "listed"), [("###", "#"), ("(日本)", "( 日 本 )"), ("[ ]", "[ ]")]
)
def test_names_that_become_empty_not_ok(name: str, listed: str) -> None:
    check = check_company_name(name)
    assert check.ok is False
    assert check.cleaned.strip() == ""
    assert f"({listed})" in check.message
    assert "leaving nothing" in check.message


@pytest.mark.parametrize("name", ["Acme (UK) Ltd", "x<y>z", "50% off", "a_b", "£100 Ltd", "A+B=C"])
def test_cleaned_names_satisfy_codats_rule(name: str) -> None:
    check = check_company_name(name)
    assert CODAT_RULE.match(check.cleaned)
    assert all(c not in check.cleaned for c in check.removed)
    assert all(not CODAT_RULE.match(c) for c in check.removed)
