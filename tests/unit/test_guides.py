"""The built-in guide library: every guide valid, every platform covered, problem keys answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.guides import (
    PROBLEM_KEYS,
    REQUIRED_PROBLEMS,
    STAGES,
    builtin_guides_dir,
    checklist_message,
    guide_markdown,
    guide_text,
    load_library,
    step_text,
)

# The 15 platforms of Codat's Spend Insights continuous data streaming list (16 keys: Exact has two),
# plus the sandbox for trainers.
SPEND_INSIGHTS_KEYS = {
    "trji": "Dynamics 365 Business Central",
    "rqwd": "Dynamics 365 Finance & Operations",
    "pbbf": "Exact Online",
    "qudb": "Exact Online",
    "fbrh": "FreeAgent",
    "vxvy": "FreshBooks",
    "pdvj": "MYOB Business",
    "akxx": "Oracle NetSuite",
    "pqsw": "QuickBooks Desktop",
    "qhyg": "QuickBooks Online",
    "jcrp": "Sage 200 Standard",
    "hbql": "Sage 50 Accounts",
    "tgff": "Sage Accounting",
    "knfz": "Sage Intacct",
    "rvam": "Workday",
    "gbol": "Xero",
}


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return load_library(builtin_guides_dir())


def test_builtin_folder_is_found_in_the_checkout() -> None:
    folder = builtin_guides_dir()
    assert folder.is_dir()
    assert (folder / "xero.md").is_file()


def test_builtin_frozen_bundle_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert builtin_guides_dir() == tmp_path / "guides"


def test_every_builtin_file_validates(library) -> None:  # type: ignore[no-untyped-def]
    assert [str(e) for e in library.errors] == []
    assert library.checklist is not None and library.checklist.items
    assert len(library.questions) >= 5
    assert set(library.common_problems) == set(PROBLEM_KEYS)


def test_all_platform_keys_and_the_sandbox_are_covered(library) -> None:  # type: ignore[no-untyped-def]
    for key, name in SPEND_INSIGHTS_KEYS.items():
        guide = library.by_platform_key(key)
        assert guide is not None, key
        assert guide.name == name
    sandbox = library.by_platform_key("mqjo")
    assert sandbox is not None and "training" in sandbox.tags
    assert len(library.guides) == 16
    covered = {k for g in library.guides for k in g.platform_keys}
    assert covered == set(SPEND_INSIGHTS_KEYS) | {"mqjo"}


def test_every_guide_is_complete(library) -> None:  # type: ignore[no-untyped-def]
    for guide in library.guides:
        assert guide.role and guide.summary, guide.key
        assert {s.stage for s in guide.steps} == set(STAGES), guide.key
        assert [s.stage for s in guide.steps] == sorted(s.stage for s in guide.steps)
        assert all(s.customer_sees for s in guide.steps), guide.key
        assert set(REQUIRED_PROBLEMS) <= set(guide.troubleshooting), guide.key
        assert guide.links, guide.key
        for link in guide.links:
            assert link.url.startswith(("https://docs.codat.io/", "https://help.codat.io/"))


def test_platform_specific_fixes_are_where_the_facts_put_them(library) -> None:  # type: ignore[no-untyped-def]
    netsuite = library.by_platform_key("akxx")
    assert "Token-based Authentication" in netsuite.troubleshooting["tba_disabled"].body
    assert "trial_account" in library.by_platform_key("knfz").troubleshooting
    assert "firewall" in library.by_platform_key("pqsw").troubleshooting
    assert "on-premise" in library.by_platform_key("hbql").tags
    assert set(library.by_platform_key("tgff").regions) >= {"UK", "US", "CA", "IE"}


def test_problem_falls_back_to_the_common_entry(library) -> None:  # type: ignore[no-untyped-def]
    xero = library.get("xero")
    assert library.problem(xero, "not_admin") is xero.troubleshooting["not_admin"]
    assert "api_unreachable" not in xero.troubleshooting
    assert library.problem(xero, "api_unreachable") is library.common_problems["api_unreachable"]
    assert library.problem(None, "no-such-problem") is None


def test_first_step_at_each_stage(library) -> None:  # type: ignore[no-untyped-def]
    netsuite = library.by_platform_key("akxx")
    for stage in STAGES:
        index = netsuite.first_step_at(stage)
        assert index is not None and netsuite.steps[index].stage == stage
        assert all(s.stage < stage for s in netsuite.steps[:index])


def test_text_for_the_customer_leaves_internal_notes_out(library) -> None:  # type: ignore[no-untyped-def]
    qbd = library.by_platform_key("pqsw")
    assert qbd.agent_notes
    text = guide_text(qbd)
    assert qbd.steps[-1].title in text and qbd.agent_notes not in text and "pqsw" not in text
    assert qbd.agent_notes in guide_text(qbd, internal=True)
    one = step_text(qbd, 2)
    assert qbd.steps[2].body in one and "step 3 of" in one
    md = guide_markdown(qbd)
    assert md.startswith("# Connecting QuickBooks Desktop")
    assert "### 1. " in md and "https://help.codat.io/integrations/qb-desktop/overview" in md


def test_checklist_message_lists_every_item(library) -> None:  # type: ignore[no-untyped-def]
    message = checklist_message(library.checklist)
    for item in library.checklist.items:
        assert item.text in message
    assert message.count("•") == len(library.checklist.items)
