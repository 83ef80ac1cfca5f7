"""The parsed guide library is read back from the cache only when it matches the guide files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from desktop.app import guide_cache
from desktop.app.guide_cache import FILE_NAME, load_library_cached
from desktop.core.guides import builtin_guides_dir, load_library


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Path | None]]:
    """Every real parse, in order."""
    seen: list[tuple[Path, Path | None]] = []

    def counting(builtin: Path, team: Path | None = None) -> Any:
        seen.append((builtin, team))
        return load_library(builtin, team)

    monkeypatch.setattr(guide_cache, "load_library", counting)
    return seen


def _team_with_xero(tmp_path: Path, name: str) -> Path:
    team = tmp_path / "team"
    team.mkdir(exist_ok=True)
    xero = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    (team / "xero.md").write_text(xero.replace('name = "Xero"', f'name = "{name}"'))
    return team


def test_the_second_start_reads_the_cache(tmp_path: Path, parses: list[Any]) -> None:
    team = _team_with_xero(tmp_path, "Xero (our way)")
    first = load_library_cached(builtin_guides_dir(), team, tmp_path / "cache")
    second = load_library_cached(builtin_guides_dir(), team, tmp_path / "cache")
    assert len(parses) == 1
    assert second.guides == first.guides and second.checklist == first.checklist
    assert second.search("qbo", [], []) == first.search("qbo", [], []) != []
    xero = second.get("xero")
    assert xero is not None and xero.name == "Xero (our way)" and xero.origin == "team"


def test_an_edited_guide_is_parsed_again(tmp_path: Path, parses: list[Any]) -> None:
    team = _team_with_xero(tmp_path, "Xero (our way)")
    load_library_cached(builtin_guides_dir(), team, tmp_path / "cache")
    _team_with_xero(tmp_path, "Xero, the team's second take")
    os.utime(team / "xero.md", ns=(1, 1))  # a different time even on a coarse clock
    again = load_library_cached(builtin_guides_dir(), team, tmp_path / "cache")
    assert len(parses) == 2
    xero = again.get("xero")
    assert xero is not None and xero.name == "Xero, the team's second take"


def test_a_new_team_folder_is_parsed(tmp_path: Path, parses: list[Any]) -> None:
    load_library_cached(builtin_guides_dir(), tmp_path / "team", tmp_path / "cache")
    team = _team_with_xero(tmp_path, "Xero (our way)")
    again = load_library_cached(builtin_guides_dir(), team, tmp_path / "cache")
    assert len(parses) == 2
    assert again.get("xero").origin == "team"  # type: ignore[union-attr]


def test_a_broken_cache_means_a_parse_and_a_new_cache(tmp_path: Path, parses: list[Any]) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_bytes(b"not marshal data at all")
    library = load_library_cached(builtin_guides_dir(), None, cache)
    assert library.guides and len(parses) == 1
    load_library_cached(builtin_guides_dir(), None, cache)
    assert len(parses) == 1  # the broken file was replaced


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_a_cache_others_may_write_is_not_read(tmp_path: Path, parses: list[Any]) -> None:
    cache = tmp_path / "cache"
    load_library_cached(builtin_guides_dir(), None, cache)
    (cache / FILE_NAME).chmod(0o666)
    load_library_cached(builtin_guides_dir(), None, cache)
    assert len(parses) == 2


def test_an_unwritable_cache_folder_still_gives_the_library(
    tmp_path: Path, parses: list[Any]
) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    library = load_library_cached(builtin_guides_dir(), None, blocked)
    assert library.guides


def test_only_the_guide_model_is_made_from_the_file(tmp_path: Path, parses: list[Any]) -> None:
    """A file naming another class (here a Path subclass's name) is not used: a parse instead."""
    import marshal

    cache = tmp_path / "cache"
    load_library_cached(builtin_guides_dir(), None, cache)
    key, _parts = marshal.loads((cache / FILE_NAME).read_bytes())
    forged = (
        "T",
        (("L", (("D", "PosixPath", ("/etc/passwd",)),)), ("L", ()), None, ("T", ()), ("M", ())),
    )
    (cache / FILE_NAME).write_bytes(marshal.dumps((key, forged)))
    library = load_library_cached(builtin_guides_dir(), None, cache)
    assert len(parses) == 2 and library.guides
