"""``linkdesk guides check`` and ``list`` as a user runs them: a real subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from desktop.core.guides import builtin_guides_dir

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "desktop", "guides", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_check_builtin_ok() -> None:
    out = _run("check")
    assert out.returncode == 0, out.stdout + out.stderr
    files = len(list(builtin_guides_dir().glob("*.md"))) - 1  # README.md is not a guide
    assert out.stdout.strip() == f"ok: {files} file(s) checked, no errors"


def test_check_broken_folder_prints_path_line_message(tmp_path: Path) -> None:
    folder = tmp_path / "team"
    shutil.copytree(builtin_guides_dir(), folder)
    broken = folder / "sage-intacct.md"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("[troubleshooting.trial_account]", "[troubleshooting.trial]"))
    line = next(
        n
        for n, row in enumerate(broken.read_text().splitlines(), 1)
        if "[troubleshooting.trial]" in row
    )
    out = _run("check", str(folder))
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[0].startswith(f"{broken}:{line}: unknown problem key 'trial'")
    assert lines[-1] == "1 error(s) in 19 file(s)"


def test_check_single_file_and_missing_path(tmp_path: Path) -> None:
    assert _run("check", str(builtin_guides_dir() / "netsuite.md")).returncode == 0
    out = _run("check", str(tmp_path / "nope"))
    assert out.returncode == 1 and "no such file or folder" in out.stdout


def test_list_shows_every_guide_and_marks_team_ones(tmp_path: Path) -> None:
    text = (builtin_guides_dir() / "xero.md").read_text()
    (tmp_path / "xero.md").write_text(text.replace('name = "Xero"', 'name = "Team Xero"'))
    out = _run("list", "--team", str(tmp_path))
    assert out.returncode == 0, out.stderr
    rows = out.stdout.splitlines()
    assert len(rows) == 16
    assert any(r.startswith("xero ") and r.endswith("Team Xero (team)") for r in rows)
    assert any("akxx" in r and "Oracle NetSuite" in r for r in rows)
