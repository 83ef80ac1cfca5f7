"""The suite's own rules hold: a stray log warning fails its test; under CI=true a skip fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CASES = """
import logging, pytest

def test_quiet():
    logging.getLogger("x").info("fine")

def test_noisy():
    logging.getLogger("x").warning("something broke")

@pytest.mark.expected_logs(r"^something broke$")
def test_declared():
    logging.getLogger("x").warning("something broke")

def test_reads_its_log(caplog):
    logging.getLogger("x").error("checked below")
    assert "checked below" in caplog.text

def test_skips():
    pytest.skip("no chromium")
"""


def _run(tmp_path: Path, ci: bool) -> str:
    (tmp_path / "test_cases.py").write_text(CASES, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    if ci:
        env["CI"] = "true"
    args = [sys.executable, "-m", "pytest", "-p", "tests.skips", "-p", "tests.logfail"]
    args += ["-p", "no:cacheprovider", "-o", "markers=expected_logs", "-rA", str(tmp_path)]
    out = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return out.stdout


def _outcomes(stdout: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        for word in ("PASSED", "FAILED", "ERROR"):
            if line.startswith(word) and "::" in line:
                name = line.split("::", 1)[1].split()[0]
                # A teardown error is reported after the call passed: the worse outcome counts.
                if found.get(name) not in ("FAILED", "ERROR"):
                    found[name] = word
    return found


def test_an_unexpected_warning_fails_and_a_declared_one_does_not(tmp_path: Path) -> None:
    out = _run(tmp_path, ci=False)
    got = _outcomes(out)
    assert got["test_quiet"] == "PASSED"
    assert got["test_noisy"] == "ERROR"
    assert got["test_declared"] == "PASSED"
    assert got["test_reads_its_log"] == "PASSED"
    assert "SKIPPED [1]" in out and "no chromium" in out


def test_under_ci_a_skip_fails_the_run(tmp_path: Path) -> None:
    out = _run(tmp_path, ci=True)
    assert _outcomes(out)["test_skips"] == "FAILED"
    assert "only tests/skips.py:ALLOWED_IN_CI may skip" in out
