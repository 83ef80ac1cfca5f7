"""Guide files with mistakes: precise errors with file and line, and the other guides still load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop.core.guides import builtin_guides_dir, load_library, parse_file

GOOD = builtin_guides_dir() / "xero.md"


def _copy_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = GOOD.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_good_file_parses() -> None:
    parsed, errors = parse_file(GOOD)
    assert errors == []
    assert parsed is not None and parsed.guide is not None
    assert parsed.guide.key == "xero" and parsed.guide.platform_keys == ("gbol",)


def test_unknown_stage_points_at_its_line(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "x.md", "stage = 2\n", "stage = 7\n")
    _, errors = parse_file(path)
    assert any("unknown stage 7" in e.message for e in errors), errors
    bad = next(e for e in errors if "unknown stage" in e.message)
    assert bad.path == path and bad.line == _line_of(path, "stage = 7")


def test_missing_name_is_reported(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "x.md", 'name = "Xero"\n', "")
    _, errors = parse_file(path)
    assert [e.message for e in errors] == ["missing required key 'name'"]
    assert errors[0].line == 1


def test_bad_toml_reports_the_file_line(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "x.md", 'role = "A Xero', "role = A Xero")
    _, errors = parse_file(path)
    assert len(errors) == 1 and errors[0].message.startswith("invalid TOML")
    assert errors[0].line == _line_of(path, "role = A Xero")


def test_unknown_key_and_problem_key_point_at_their_lines(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "x.md", "[troubleshooting.firewall]", "[troubleshooting.fire_wall]")
    text = path.read_text(encoding="utf-8").replace("monogram =", "monogramme =")
    path.write_text(text, encoding="utf-8")
    _, errors = parse_file(path)
    by_message = {e.message.split(" (")[0]: e.line for e in errors}
    assert by_message["unknown key 'monogramme'"] == _line_of(path, "monogramme =")
    assert by_message["unknown problem key 'fire_wall'"] == _line_of(path, "fire_wall]")


def test_missing_required_troubleshooting_entry(tmp_path: Path) -> None:
    path = _copy_with(
        tmp_path, "x.md", "[troubleshooting.popup_blocked]", "[troubleshooting.stalled]"
    )
    _, errors = parse_file(path)
    assert [e.message for e in errors] == ["missing troubleshooting entry 'popup_blocked'"]
    assert errors[0].line == _line_of(path, "[troubleshooting.cancelled]")


def test_step_field_errors_point_at_the_step(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, "x.md", 'sees = "A new tab', 'seen = "A new tab')
    _, errors = parse_file(path)
    messages = {e.message.split(" (")[0]: e.line for e in errors}
    assert messages["unknown key 'seen' in steps[3]"] == _line_of(path, 'seen = "A new tab')
    missing = "missing required key 'sees' in steps[3]"
    assert missing in messages
    # The third [[steps]] header line.
    headers = [
        n
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if line.strip() == "[[steps]]"
    ]
    assert messages[missing] == headers[2]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('platform_keys = ["gbol"]', 'platform_keys = ["GB"]', "platform key 'GB'"),
        ("regions = []", 'regions = ["Mars"]', "unknown region 'Mars'"),
        ("stage = 2\n", 'stage = "two"\n', "unknown stage 'two'"),
        ('url = "https://help', 'url = "http://help', "must start with https://"),
    ],
)
def test_value_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = _copy_with(tmp_path, "x.md", old, new)
    _, errors = parse_file(path)
    assert any(expected in e.message for e in errors), errors
    hit = next(e for e in errors if expected in e.message)
    assert hit.line == _line_of(path, new.strip().split("\n")[0][:20])


def test_missing_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("# Just Markdown\n", encoding="utf-8")
    _, errors = parse_file(path)
    assert errors[0].line == 1 and "+++" in errors[0].message
    path.write_text("+++\nname = 'x'\n", encoding="utf-8")
    _, errors = parse_file(path)
    assert "never closed" in errors[0].message


def test_a_broken_file_is_reported_and_the_others_load(tmp_path: Path) -> None:
    folder = tmp_path / "guides"
    shutil.copytree(builtin_guides_dir(), folder)
    broken = folder / "netsuite.md"
    broken.write_text(broken.read_text().replace("stage = 3\n", "stage = 9\n", 1))
    library = load_library(folder)
    assert len(library.errors) >= 1
    assert all(e.path == broken for e in library.errors)
    assert library.errors[0].line == _line_of(broken, "stage = 9")
    assert library.by_platform_key("akxx") is None
    assert len(library.guides) == 15 and library.by_platform_key("gbol") is not None


def test_duplicate_platform_key_in_one_folder(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "xero.md")
    copy = _copy_with(tmp_path, "xero2.md", 'name = "Xero"', 'name = "Xero again"')
    library = load_library(tmp_path)
    assert [g.name for g in library.guides] == ["Xero"]
    assert len(library.errors) == 1 and "'gbol' is already in xero.md" in library.errors[0].message
    assert library.errors[0].path == copy
    assert library.errors[0].line == _line_of(copy, "platform_keys =")


def test_team_guide_overrides_and_is_marked(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    # Same platform key, different file name: the team's own Xero guide.
    _copy_with(team, "our-xero.md", 'name = "Xero"', 'name = "Xero (our way)"')
    # A team guide for a platform we do not ship.
    wave = GOOD.read_text().replace('name = "Xero"', 'name = "Wave"')
    (team / "wave.md").write_text(wave.replace('["gbol"]', '["pbtz"]'))
    library = load_library(builtin_guides_dir(), team)
    assert library.errors == []
    xero = library.by_platform_key("gbol")
    assert xero is not None and xero.name == "Xero (our way)"
    assert xero.origin == "team" and xero.overrides is True
    assert library.get("xero") is None and library.get("our-xero") is xero
    wave_guide = library.by_platform_key("pbtz")
    assert wave_guide is not None and wave_guide.origin == "team" and wave_guide.overrides is False
    netsuite = library.by_platform_key("akxx")
    assert netsuite is not None and netsuite.origin == "built-in"
    assert len(library.guides) == 17


def test_broken_team_override_keeps_the_builtin(tmp_path: Path) -> None:
    _copy_with(tmp_path, "xero.md", 'name = "Xero"', "name = ")
    library = load_library(builtin_guides_dir(), tmp_path)
    assert len(library.errors) == 1 and library.errors[0].path == tmp_path / "xero.md"
    xero = library.by_platform_key("gbol")
    assert xero is not None and xero.origin == "built-in"


def test_missing_team_folder_is_fine(tmp_path: Path) -> None:
    library = load_library(builtin_guides_dir(), tmp_path / "nobody-made-this")
    assert library.errors == [] and len(library.guides) == 16
