"""``linkdesk guides check`` and ``list`` as a user runs them: a real subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from desktop.core.guides import builtin_guides_dir
from desktop.core.paths import HOME_ENV, default_paths
from desktop.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if home is not None:  # LinkDesk's folders, and so its settings file, live under here
        env[HOME_ENV] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "guides", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_check_builtin_ok(tmp_path: Path) -> None:
    # A generous limit: the shipped guides' dates must not make this test fail as they age
    # (test_guides_freshness checks them against the default limit at their own date).
    out = _run("check", "--max-age-days", "100000", "--strict", home=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    files = len(list(builtin_guides_dir().glob("*.md"))) - 1  # README.md is not a guide
    assert out.stdout.strip() == f"ok: {files} file(s) checked, no errors"


def _dated_guide(folder: Path, days_ago: int) -> Path:
    folder.mkdir(exist_ok=True)
    text = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("checked = "))
    when = (date.today() - timedelta(days=days_ago)).isoformat()
    path = folder / "xero.md"
    path.write_text(text.replace(old, f"checked = {when}"), encoding="utf-8")
    return path


def _set_limit(home: Path, days: int) -> None:
    settings = Settings.load(default_paths({HOME_ENV: str(home)}))
    settings.set("guides_max_age_days", days)
    settings.save()


def test_check_warns_about_an_old_guide_by_the_age_setting(tmp_path: Path) -> None:
    path = _dated_guide(tmp_path / "team", days_ago=40)
    home = tmp_path / "home"
    _set_limit(home, 30)
    out = _run("check", str(path), home=home)
    assert out.returncode == 0, out.stdout + out.stderr  # a warning alone does not fail
    lines = out.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"{path}:")
    assert "warning: checked 40 days ago" in lines[0] and "limit of 30 days" in lines[0]
    assert lines[1] == "ok: 1 file(s) checked, no errors, 1 warning(s)"
    assert _run("check", "--strict", str(path), home=home).returncode == 1
    # The team raises its limit: the same guide is fine.
    _set_limit(home, 60)
    out = _run("check", "--strict", str(path), home=home)
    assert out.returncode == 0 and out.stdout.strip() == "ok: 1 file(s) checked, no errors"
    # The option overrides the setting for one run.
    assert "warning" in _run("check", "--max-age-days", "10", str(path), home=home).stdout


def test_check_warns_about_a_guide_without_sources(tmp_path: Path) -> None:
    text = (builtin_guides_dir() / "xero.md").read_text(encoding="utf-8")
    start = text.index("sources = [")
    end = text.index("]\n", start) + 2
    path = tmp_path / "xero.md"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = _run("check", str(path), home=tmp_path / "home")
    assert out.returncode == 0
    assert f"{path}:1: warning: no 'sources'" in out.stdout
    assert out.stdout.splitlines()[-1].endswith("1 warning(s)")
    refused = _run("check", "--max-age-days", "0", str(path))
    assert refused.returncode == 1  # unusable input, as in every command
    assert "--max-age-days must be at least 1" in refused.stderr


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
