"""Hostile guide files: each is reported with file:line and skipped, and the other guides load.

Each input is the one seen in the field (issue 14): TOML nested 1,000 levels deep (RecursionError
in tomllib), a 6 MB and a 28 MB guide (11 s and 46 s of frozen window), a file that is not UTF-8,
and entries that are not regular files (a named pipe, a folder called ``x.md``, a link loop).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.guides import builtin_guides_dir, load_library, parse_file
from desktop.core.guides.model import GuideError
from desktop.core.guides.reading import MAX_FOLDER_BYTES, nesting_error

ROOT = Path(__file__).resolve().parents[2]
GOOD = builtin_guides_dir() / "xero.md"
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and link loops are POSIX")


def _team_with(tmp_path: Path) -> Path:
    """A team folder with one good guide (Sage Intacct) beside whatever the test adds."""
    team = tmp_path / "team"
    team.mkdir()
    source = builtin_guides_dir() / "sage-intacct.md"
    (team / "sage-intacct.md").write_bytes(source.read_bytes())
    return team


def _assert_only_bad_one_skipped(team: Path, bad: str, words: str) -> list[GuideError]:
    library = load_library(team)
    assert [g.key for g in library.guides] == ["sage-intacct"]
    errors = [e for e in library.errors if e.path.name == bad]
    assert errors, library.errors
    assert any(words in e.message for e in errors), errors
    assert all(str(e).startswith(f"{team / bad}:") for e in errors)
    return errors


def _nested_guide(depth: int, opener: str = "[", closer: str = "]") -> str:
    good = GOOD.read_text(encoding="utf-8")
    front_end = good.index("+++", 3)
    deep = "x = " + opener * depth + closer * depth if opener == "[" else ""
    if opener == "{":
        deep = "x = " + "{a = " * depth + "1" + "}" * depth
    return good[:front_end] + deep + "\n" + good[front_end:]


def test_front_matter_nested_1000_deep_is_an_error_at_its_line(tmp_path: Path) -> None:
    team = _team_with(tmp_path)
    path = team / "deep.md"
    path.write_text(_nested_guide(1000), encoding="utf-8")
    errors = _assert_only_bad_one_skipped(team, "deep.md", "nest more than")
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if t.startswith("x = "))
    assert errors[0].line == line


def test_inline_tables_nested_1000_deep_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.md"
    path.write_text(_nested_guide(1000, "{", "}"), encoding="utf-8")
    parsed, errors = parse_file(path)
    assert parsed is None
    assert "nest more than" in errors[0].message


def test_nesting_scan_ignores_brackets_in_strings_and_comments() -> None:
    front = "a = \"[[[[[[[[[[[[[[[[[[[[\"\nb = '{{{{{{{{{{{{{{{{{{{{'\n# [[[[[[[[[[[[[[[[[[[[[\n"
    front += 'c = """\n[[[[[[[[[[[[[[[[[[[[[\n"""\nd = [[1], [2]]\n'
    assert nesting_error(front) is None
    assert nesting_error("x = 1\n\ny = " + "[" * 17 + "]" * 17) == (
        3,
        "arrays or tables nest more than 16 levels deep",
    )


@pytest.mark.parametrize("megabytes", [6, 28])
def test_huge_guide_is_skipped_with_its_size(tmp_path: Path, megabytes: int) -> None:
    team = _team_with(tmp_path)
    text = GOOD.read_text(encoding="utf-8")
    padding = "\n" + "lorem ipsum " * (megabytes * 1024 * 1024 // 12)
    (team / "huge.md").write_text(text + padding, encoding="utf-8")
    errors = _assert_only_bad_one_skipped(team, "huge.md", f"the file is {megabytes}.")
    assert "a guide may be at most 256 KB" in errors[0].message
    assert errors[0].line == 1


def test_not_utf8_points_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    team = _team_with(tmp_path)
    text = GOOD.read_text(encoding="utf-8").replace("Xero", "Caf\u00e9 Xero", 1)
    # One Latin-1 byte in an otherwise UTF-8 file: what an editor saving as "Western" leaves.
    (team / "latin1.md").write_bytes(text.encode("utf-8").replace(b"Caf\xc3\xa9", b"Caf\xe9"))
    errors = _assert_only_bad_one_skipped(team, "latin1.md", "not UTF-8 text (byte 0xe9)")
    first = next(n for n, t in enumerate(text.splitlines(), 1) if "Caf\u00e9" in t)
    assert errors[0].line == first


@posix_only
def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    team = _team_with(tmp_path)
    os.mkfifo(team / "pipe.md")
    _assert_only_bad_one_skipped(team, "pipe.md", "a named pipe (FIFO)")


def test_folder_named_like_a_guide_is_skipped(tmp_path: Path) -> None:
    team = _team_with(tmp_path)
    (team / "folder.md").mkdir()
    _assert_only_bad_one_skipped(team, "folder.md", "a folder, not a guide file")


@posix_only
def test_symlink_loop_is_skipped(tmp_path: Path) -> None:
    team = _team_with(tmp_path)
    (team / "loop-a.md").symlink_to(team / "loop-b.md")
    (team / "loop-b.md").symlink_to(team / "loop-a.md")
    library = load_library(team)
    assert [g.key for g in library.guides] == ["sage-intacct"]
    names = {e.path.name for e in library.errors if "cannot read the file" in e.message}
    assert names == {"loop-a.md", "loop-b.md"}


def test_folder_budget_skips_the_rest_once_spent(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    # Files just under the per-file limit, enough of them to spend the folder's budget.
    chunk = "+++\nkind = 'nothing'\n+++\n" + "a" * (250 * 1024)
    count = MAX_FOLDER_BYTES // len(chunk) + 3
    for i in range(count):
        (team / f"g{i:03}.md").write_text(chunk, encoding="utf-8")
    errors = load_library(team).errors
    skipped = [e for e in errors if "already total 4 MB" in e.message]
    assert 1 <= len(skipped) <= 3
    assert len(errors) == count  # every other file is still read (and has an unknown kind)


@posix_only
def test_guides_check_reports_every_hostile_file_and_exits_1(tmp_path: Path) -> None:
    team = _team_with(tmp_path)
    (team / "deep.md").write_text(_nested_guide(1000), encoding="utf-8")
    os.mkfifo(team / "pipe.md")
    (team / "folder.md").mkdir()
    (team / "loop.md").symlink_to(team / "loop.md")
    (team / "latin1.md").write_bytes("+++\nname = 'Caf\u00e9'\n+++\n".encode("latin-1"))
    (team / "huge.md").write_bytes(b"+++\n" + b"x" * (6 * 1024 * 1024))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outputs = {}
    for target in (team, team / "pipe.md", team / "loop.md", team / "deep.md"):
        out = subprocess.run(
            [sys.executable, "-m", "desktop", "guides", "check", str(target)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert out.returncode == 1, out.stdout + out.stderr
        assert "Traceback" not in out.stderr, out.stderr
        assert out.stdout.startswith(f"{team}/"), out.stdout
        outputs[target.name] = out.stdout
    reported = {line.split(":", 1)[0] for line in outputs["team"].splitlines()[:-1]}
    bad = {"deep.md", "pipe.md", "folder.md", "loop.md", "latin1.md", "huge.md"}
    assert reported == {str(team / name) for name in bad}
