"""Search ranking and filters on the guide library."""

from __future__ import annotations

import pytest

from desktop.core.guides import builtin_guides_dir, load_library


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return load_library(builtin_guides_dir())


def names(guides) -> list[str]:  # type: ignore[no-untyped-def]
    return [g.name for g in guides]


def test_empty_search_lists_everything_by_name_with_training_last(library) -> None:  # type: ignore[no-untyped-def]
    found = names(library.search(""))
    assert len(found) == 16
    assert found[-1] == "Codat Sandbox"
    assert found[:-1] == sorted(found[:-1], key=str.lower)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("qbo", "QuickBooks Online"),
        ("QBD", "QuickBooks Desktop"),
        ("gbol", "Xero"),
        ("akxx", "Oracle NetSuite"),
        ("ns", "Oracle NetSuite"),
        ("bc", "Dynamics 365 Business Central"),
        ("qudb", "Exact Online"),
        ("Xe", "Xero"),
        ("intacct", "Sage Intacct"),
        ("netsuite", "Oracle NetSuite"),
    ],
)
def test_exact_key_or_alias_and_prefix_come_first(library, text: str, first: str) -> None:  # type: ignore[no-untyped-def]
    assert names(library.search(text))[0] == first


def test_ranking_tiers(library) -> None:  # type: ignore[no-untyped-def]
    # "sage" starts four names; Sage Intacct's alias "SI"... none is an exact key, so prefix
    # matches (alphabetical) come before anything that only contains the text.
    found = names(library.search("sage"))
    assert found[:4] == ["Sage 200 Standard", "Sage 50 Accounts", "Sage Accounting", "Sage Intacct"]
    # "online": a word of two names, a prefix of no name; substring-only matches come after.
    found = names(library.search("online"))
    assert set(found[:2]) == {"Exact Online", "QuickBooks Online"}
    # "d365" is an exact alias of F&O and only a prefix of Business Central's "D365 BC".
    assert names(library.search("d365"))[:2] == [
        "Dynamics 365 Finance & Operations",
        "Dynamics 365 Business Central",
    ]


def test_search_is_case_insensitive_and_ignores_punctuation(library) -> None:  # type: ignore[no-untyped-def]
    assert names(library.search("QUICKBOOKS")) == names(library.search("quickbooks"))
    assert "QuickBooks Online" in names(library.search("quickbooksonline"))
    assert names(library.search("zzzz")) == []


def test_region_filter_keeps_unrestricted_guides(library) -> None:  # type: ignore[no-untyped-def]
    nl = names(library.search("", regions=["NL"]))
    assert "Exact Online" in nl and "Xero" in nl
    assert "Sage 50 Accounts" not in nl and "QuickBooks Desktop" not in nl
    ie = names(library.search("sage", regions=["IE"]))
    assert "Sage 50 Accounts" in ie and "Sage Accounting" in ie


def test_tag_filter_needs_every_tag(library) -> None:  # type: ignore[no-untyped-def]
    on_prem = names(library.search("", tags=["on-premise"]))
    assert sorted(on_prem) == ["QuickBooks Desktop", "Sage 50 Accounts"]
    both = names(library.search("", tags=["premium", "complex"]))
    assert "Oracle NetSuite" in both and "QuickBooks Desktop" not in both
    assert names(library.search("quick", tags=["on-premise"])) == ["QuickBooks Desktop"]


def test_filter_values_offered(library) -> None:  # type: ignore[no-untyped-def]
    assert {"UK", "NL", "IE", "US"} <= set(library.regions())
    assert {"premium", "on-premise", "training"} <= set(library.tags())


def test_question_search(library) -> None:  # type: ignore[no-untyped-def]
    from desktop.core.guides import search_questions

    assert len(search_questions(library.questions, "")) == len(library.questions)
    found = search_questions(library.questions, "PASSWORD")
    assert found[0].key == "credentials"
    # Every word must appear; a hit in the answer alone ranks after a hit in the question.
    assert search_questions(library.questions, "first sync")[0].key == "first-sync"
    assert search_questions(library.questions, "zebra crossing") == []
