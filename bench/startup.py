"""Start-up: `linkdesk gui --smoke` against a bare PySide6 window, alternating, in one run.

Measured as ../shared/tools/startup-check measures it, in a user's situation: the bytecode cached
(the package is compiled first, as after a first start; pip compiles the libraries when it installs
them), no keyring backend forced, and no LinkDesk variable but a throw-away LINKDESK_HOME. Prints
the median wall time and peak RSS (from wait4) of each, the two ratios beside the goals (at most
2.0x the bare window's time and 1.3x its memory), where it ran, and what in its environment a user
would not have. Exits 1 when a ratio is over its goal.
Usage: python bench/startup.py [N]   (default N=9)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import where_it_ran

GOAL_TIME, GOAL_MEMORY = 2.0, 1.3
BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow()
w.setCentralWidget(QLabel("hello"))
w.resize(300, 100)
w.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""
ROOT = Path(__file__).resolve().parents[1]


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        assert proc.stderr is not None
        raise SystemExit(f"{cmd[-2:]} failed: {proc.stderr.read().decode()[-300:]}")
    return wall, usage.ru_maxrss / 1024


def user_environment(home: str) -> dict[str, str]:
    """This environment as a user's: no keyring backend forced, no LinkDesk variable, bytecode
    written; only the display (offscreen: this machine has none) and a throw-away home set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINKDESK_", "PYTHON_KEYRING")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(QT_QPA_PLATFORM="offscreen", LINKDESK_HOME=home)
    return env


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    home = tempfile.mkdtemp(prefix="linkdesk-bench-startup-")
    env = user_environment(home)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "desktop"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    bare_cmd = [sys.executable, "-c", BARE]
    app_cmd = [sys.executable, "-m", "desktop", "gui", "--smoke"]
    try:
        measure(bare_cmd, env)  # warm the file cache for both before counting
        measure(app_cmd, env)
        bare: list[tuple[float, float]] = []
        app: list[tuple[float, float]] = []
        for _ in range(n):
            bare.append(measure(bare_cmd, env))
            app.append(measure(app_cmd, env))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    bare_t = statistics.median(t for t, _ in bare)
    bare_m = statistics.median(m for _, m in bare)
    app_t = statistics.median(t for t, _ in app)
    app_m = statistics.median(m for _, m in app)
    time_ok, memory_ok = app_t / bare_t <= GOAL_TIME, app_m / bare_m <= GOAL_MEMORY
    print(f"startup (n={n}, alternating, median; as ../shared/tools/startup-check measures)")
    print(
        where_it_ran(
            "QT_QPA_PLATFORM=offscreen: no display on the benchmark machine",
            "LINKDESK_HOME: a throw-away folder, so the run touches no one's settings",
            environ=env,
        )
    )
    print(f"  bare PySide6 window   {bare_t * 1000:7.1f} ms  {bare_m:6.1f} MiB peak RSS")
    print(f"  linkdesk gui --smoke  {app_t * 1000:7.1f} ms  {app_m:6.1f} MiB peak RSS")
    print(
        f"  time ratio   {app_t / bare_t:4.2f}x   (goal <= {GOAL_TIME:.2f}x)  "
        f"{'OK' if time_ok else 'MISSED'}"
    )
    print(
        f"  memory ratio {app_m / bare_m:4.2f}x   (goal <= {GOAL_MEMORY:.2f}x)  "
        f"{'OK' if memory_ok else 'MISSED'}"
    )
    return 0 if time_ok and memory_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
