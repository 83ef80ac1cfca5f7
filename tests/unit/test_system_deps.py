"""scripts/system-deps.sh: as a normal user with a library missing, it prints the exact apt line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _fake_bin(tmp_path: Path, uid: str, installed: bool) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    status = "install ok installed" if installed else ""
    (bin_dir / "dpkg-query").write_text(f"#!/bin/sh\nprintf '%s' '{status}'\n")
    (bin_dir / "apt-get").write_text("#!/bin/sh\necho apt-get must not run >&2\nexit 99\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def _run(bin_dir: Path, mode: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "system-deps.sh"), mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )


def test_non_root_gets_the_exact_apt_line_and_nothing_runs(tmp_path: Path) -> None:
    out = _run(_fake_bin(tmp_path, "1000", installed=False), "test")
    assert out.returncode == 1
    assert "sudo apt-get update && sudo apt-get install -y --no-install-recommends" in out.stderr
    for package in (
        "libgl1",
        "libegl1",
        "libxkbcommon0",
        "chromium",
        "chromium-driver",
        "binutils",
    ):
        assert f" {package}" in out.stderr
    assert "must not run" not in out.stderr


def test_nothing_to_do_when_everything_is_installed(tmp_path: Path) -> None:
    out = _run(_fake_bin(tmp_path, "1000", installed=True), "run")
    assert out.returncode == 0
    assert out.stderr == ""
