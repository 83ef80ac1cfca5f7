"""sources/checked/unverified in guide files: parsed, checked for mistakes, and warned about."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.core.guides import builtin_guides_dir, guide_files, load_library, parse_file
from desktop.core.guides.freshness import DEFAULT_MAX_AGE_DAYS, folder_warnings
from desktop.core.settings import SETTINGS

XERO = builtin_guides_dir() / "xero.md"
TODAY = date(2026, 11, 30)


def _guide_with(tmp_path: Path, front: str, name: str = "xero.md") -> Path:
    """The Xero guide with its own sources/checked/unverified keys replaced by ``front``."""
    text = XERO.read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^sources = \[.*?\]\n", "", text)
    text = re.sub(r"(?m)^(checked|unverified) = .*\n", "", text)
    assert text.startswith("+++\n")
    # The new keys go right under the opening fence, on line 2 onwards.
    path = tmp_path / name
    path.write_text("+++\n" + (front + "\n" if front else "") + text[4:], encoding="utf-8")
    return path


def test_provenance_parses_for_every_kind_of_file(tmp_path: Path) -> None:
    path = _guide_with(
        tmp_path,
        'sources = ["https://docs.codat.io/integrations/accounting/xero/accounting-xero"]\n'
        "checked = 2026-11-02\nunverified = true",
    )
    parsed, errors = parse_file(path)
    assert errors == [] and parsed is not None and parsed.guide is not None
    origin = parsed.guide.provenance
    assert origin.sources == ("https://docs.codat.io/integrations/accounting/xero/accounting-xero",)
    assert origin.checked == date(2026, 11, 2) and origin.unverified
    assert parsed.provenance == origin
    for name in ("checklist.md", "questions.md", "common-problems.md"):
        other, errors = parse_file(builtin_guides_dir() / name)
        assert errors == [] and other is not None
        assert other.provenance.sources and other.provenance.checked is not None


def test_checked_may_be_text_and_defaults_are_empty(tmp_path: Path) -> None:
    parsed, _ = parse_file(_guide_with(tmp_path, 'checked = "2026-01-05"'))
    assert parsed is not None and parsed.provenance.checked == date(2026, 1, 5)
    parsed, _ = parse_file(_guide_with(tmp_path, ""))
    assert parsed is not None and parsed.guide is not None
    assert parsed.guide.provenance.sources == () and parsed.guide.provenance.checked is None
    assert not parsed.guide.provenance.unverified


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ('sources = ["http://docs.codat.io/x"]', "must be a page address starting with https://"),
        ('sources = "https://docs.codat.io/x"', "'sources' must be a list of text"),
        ("checked = 2026-13-01", "invalid TOML"),
        ('checked = "last week"', "'checked' must be a date written as YYYY-MM-DD"),
        ("checked = 20261130", "'checked' must be a date written as YYYY-MM-DD"),
        ('unverified = "yes"', "'unverified' must be true or false"),
    ],
)
def test_provenance_mistakes_point_at_their_line(tmp_path: Path, front: str, expected: str) -> None:
    path = _guide_with(tmp_path, front)
    parsed, errors = parse_file(path)
    assert parsed is None and len(errors) == 1
    assert expected in errors[0].message and errors[0].line == 2


def test_warns_about_a_file_with_no_sources_or_checked(tmp_path: Path) -> None:
    path = _guide_with(tmp_path, "")
    warnings = folder_warnings([path], TODAY, DEFAULT_MAX_AGE_DAYS)
    messages = [w.message for w in warnings]
    assert len(messages) == 2
    assert messages[0].startswith("no 'sources'") and messages[1].startswith("no 'checked'")
    assert str(warnings[0]).startswith(f"{path}:1: warning: ")


def test_warns_about_an_old_check_and_the_limit_decides(tmp_path: Path) -> None:
    checked = TODAY - timedelta(days=200)
    path = _guide_with(
        tmp_path, f'sources = ["https://docs.codat.io/a"]\nchecked = {checked.isoformat()}'
    )
    stale = folder_warnings([path], TODAY, 180)
    assert len(stale) == 1 and stale[0].line == 3
    assert "checked 200 days ago" in stale[0].message and "guides_max_age_days" in stale[0].message
    assert folder_warnings([path], TODAY, 200) == []  # exactly at the limit is still fine
    assert folder_warnings([path], TODAY, 365) == []


def test_warns_about_a_check_dated_in_the_future(tmp_path: Path) -> None:
    path = _guide_with(tmp_path, 'sources = ["https://docs.codat.io/a"]\nchecked = 2027-01-01')
    (warning,) = folder_warnings([path], TODAY, DEFAULT_MAX_AGE_DAYS)
    assert "a day still to come" in warning.message


def test_shipped_guides_name_their_sources_and_are_within_the_default_limit() -> None:
    files = guide_files(builtin_guides_dir())
    library = load_library(builtin_guides_dir())
    assert library.errors == []
    checked = [parse_file(f)[0] for f in files]
    newest = max(p.provenance.checked for p in checked if p and p.provenance.checked)
    assert folder_warnings(files, newest, DEFAULT_MAX_AGE_DAYS) == []
    for guide in library.guides:
        for source in guide.provenance.sources:
            assert source.startswith(("https://docs.codat.io/", "https://help.codat.io/")), source


def test_the_age_limit_is_a_setting_with_the_same_default() -> None:
    setting = SETTINGS["guides_max_age_days"]
    assert setting.type is int and setting.default == DEFAULT_MAX_AGE_DAYS
    assert setting.minimum == 1
